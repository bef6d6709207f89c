import { describe, expect, it } from 'vitest';
import { indicatorColumns, indicatorInColumn } from '../../shared/reports/indicator-columns.ts';
import type { IndicatorSource, PerCaseGroup, PerCaseIndicator } from '../../shared/reports/result.ts';

const ind = (indicator: number, question: string | null, mean: number, source: IndicatorSource = 'cases') =>
  ({
    indicator,
    question,
    counts: { 0: 0, 1: 0, 2: 0 },
    shares: { 0: null, 1: null, 2: null },
    valid: 0,
    mean,
    source,
  }) satisfies PerCaseIndicator;

const group = (unit: string, indicators: PerCaseIndicator[]): PerCaseGroup => ({
  key: { unit },
  labels: {},
  n: 1,
  complete: 1,
  abandoned: 0,
  completionPercent: 100,
  flagged: 0,
  flaggedIncluded: false,
  questions: {},
  indicators,
  total: null,
  max: 18,
  band: null,
});

describe('per-case summary columns', () => {
  it('one column per indicator when no question changed between versions', () => {
    const groups = [group('a', [ind(1, 'q1', 2), ind(2, 'q2', 1)]), group('b', [ind(1, 'q1', 1)])];
    const columns = indicatorColumns(groups);
    expect(columns.map((c) => [c.indicator, c.apart, c.version])).toEqual([
      [1, false, null],
      [2, false, null],
    ]);
    expect(indicatorInColumn(groups[1]!, columns[1]!)).toBeUndefined();
  });

  it('a changed question: a column per version in number order, each group in its own', () => {
    const groups = [group('a', [ind(3, 'q3@v10', 1), ind(3, 'q3@v2', 2)]), group('b', [ind(3, 'q3@v2', 0.5)])];
    const columns = indicatorColumns(groups);
    expect(columns.map((c) => [c.question, c.version])).toEqual([
      ['q3@v2', 2],
      ['q3@v10', 10],
    ]);
    expect(groups.map((g) => columns.map((c) => indicatorInColumn(g, c)?.mean ?? null))).toEqual([
      [2, 1],
      [0.5, null],
    ]);
  });

  it("a unit's own entry (no question) beside split questions keeps a column of its own", () => {
    const groups = [
      group('a', [ind(5, null, 2, 'unit-verified')]),
      group('b', [ind(5, 'q5@v1', 1), ind(5, 'q5@v2', 0)]),
    ];
    const columns = indicatorColumns(groups);
    expect(columns.map((c) => [c.question, c.version])).toEqual([
      [null, null],
      ['q5@v1', 1],
      ['q5@v2', 2],
    ]);
    expect(groups.map((g) => columns.map((c) => indicatorInColumn(g, c)?.mean ?? null))).toEqual([
      [2, null, null],
      [null, 1, 0],
    ]);
  });
});
