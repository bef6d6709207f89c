import { describe, expect, it } from 'vitest';
import { chooseRollups, countsStatement, needsDaily, planSegments } from '../../central/reports/engine/plan.ts';
import { containsPattern } from '../../central/reports/engine/fold.ts';
import { foldText } from '../../shared/reports/fold.ts';
import type { Grouping } from '../../shared/reports/query.ts';

describe('planSegments: whole months from report_monthly, edge days from report_daily', () => {
  it('whole months only', () => {
    expect(planSegments('2026-01-01', '2026-03-31', false)).toEqual([
      { table: 'report_monthly', from: '2026-01-01', to: '2026-03-01' },
    ]);
    // February of a leap year ends on the 29th
    expect(planSegments('2028-02-01', '2028-02-29', false)).toEqual([
      { table: 'report_monthly', from: '2028-02-01', to: '2028-02-01' },
    ]);
  });

  it('edge days on both sides, across a year end', () => {
    expect(planSegments('2025-12-15', '2026-02-10', false)).toEqual([
      { table: 'report_daily', from: '2025-12-15', to: '2025-12-31' },
      { table: 'report_monthly', from: '2026-01-01', to: '2026-01-01' },
      { table: 'report_daily', from: '2026-02-01', to: '2026-02-10' },
    ]);
  });

  it('no whole month, or daily forced: report_daily for the whole range', () => {
    expect(planSegments('2026-01-11', '2026-02-10', false)).toEqual([
      { table: 'report_daily', from: '2026-01-11', to: '2026-02-10' },
    ]);
    expect(planSegments('2026-01-01', '2026-01-30', false)).toEqual([
      { table: 'report_daily', from: '2026-01-01', to: '2026-01-30' },
    ]);
    expect(planSegments('2026-01-01', '2026-03-31', true)).toEqual([
      { table: 'report_daily', from: '2026-01-01', to: '2026-03-31' },
    ]);
  });

  it('officer or counter (filter or grouping) needs report_daily', () => {
    expect(needsDaily({ by: [], officer: undefined, counter: undefined })).toBe(false);
    expect(needsDaily({ by: ['unit', 'month'], officer: undefined, counter: undefined })).toBe(false);
    expect(needsDaily({ by: ['officer'], officer: undefined, counter: undefined })).toBe(true);
    expect(needsDaily({ by: [], officer: undefined, counter: 'q1' })).toBe(true);
  });
});

describe('chooseRollups: whole months from the smallest table that answers', () => {
  const quarter = planSegments('2025-12-15', '2026-03-31', false);
  const edge = { table: 'report_daily', from: '2025-12-15', to: '2025-12-31' };
  const months = { from: '2026-01-01', to: '2026-03-01' };
  const none: { by: Grouping[]; field: string | undefined; procedure: string | undefined } = {
    by: [],
    field: undefined,
    procedure: undefined,
  };

  it('a subtree not grouped by unit: the roots own rows (per unit without field/procedure) and their tree rows', () => {
    expect(chooseRollups(quarter, none, ['tinh'])).toEqual([
      edge,
      { table: 'report_monthly_unit', ...months, roots: ['tinh'] },
      { table: 'report_monthly_tree', ...months, roots: ['tinh'] },
    ]);
    expect(chooseRollups(quarter, { ...none, by: ['procedure'] }, ['tinh'])).toEqual([
      edge,
      { table: 'report_monthly', ...months, roots: ['tinh'] },
      { table: 'report_monthly_tree', ...months, roots: ['tinh'] },
    ]);
  });

  it("grouped by unit, or one unit alone: each unit's own rows; field or procedure needs report_monthly", () => {
    expect(chooseRollups(quarter, { ...none, by: ['unit'] }, ['tinh'])).toEqual([
      edge,
      { table: 'report_monthly_unit', ...months },
    ]);
    expect(chooseRollups(quarter, { ...none, field: 'ho-tich' }, undefined)).toEqual([
      edge,
      { table: 'report_monthly', ...months },
    ]);
    expect(chooseRollups(quarter, { ...none, by: ['unit', 'procedure'] }, ['tinh'])).toEqual([
      edge,
      { table: 'report_monthly', ...months },
    ]);
  });

  it('a tree segment filters on ancestor_id with the roots as a parameter', () => {
    const { sql, params } = countsStatement(chooseRollups(quarter, none, ['tinh']), {
      by: [],
      units: ['tinh', 'xa-a', 'xa-b'],
      questionnaires: ['per-case'],
      field: undefined,
      procedure: undefined,
      officer: undefined,
      counter: undefined,
      version: undefined,
      includeFlagged: true,
    });
    expect(sql).toMatch(/FROM report_monthly_tree WHERE ancestor_id = ANY\(\$\d+::text\[\]\)/);
    expect(sql).toMatch(/FROM report_monthly_unit WHERE unit_id = ANY\(\$\d+::text\[\]\)/);
    expect(params).toContainEqual(['tinh']);
    expect(params).toContainEqual(['tinh', 'xa-a', 'xa-b']); // the edge days read the selection
  });
});

describe('countsStatement', () => {
  it('one parameterised statement: the filters are parameters, never spliced into the SQL', () => {
    const { sql, params } = countsStatement(planSegments('2025-12-15', '2026-02-10', false), {
      by: ['procedure', 'quarter'],
      units: ["x'; DROP TABLE units; --"],
      questionnaires: ['per-case'],
      field: 'ho-tich',
      procedure: undefined,
      officer: undefined,
      counter: undefined,
      version: 2,
      includeFlagged: false,
    });
    expect(sql).not.toContain('DROP');
    expect(sql.match(/FROM report_daily/g)).toHaveLength(2);
    expect(sql.match(/FROM report_monthly/g)).toHaveLength(1);
    expect(sql).toContain("to_char(month, 'YYYY') || '-Q' || to_char(month, 'Q') AS g1");
    expect(sql).toMatch(/GROUP BY g0, g1, questionnaire_id, version, question_id, value, flagged$/);
    expect(params.slice(0, 4)).toEqual([['per-case'], 'ho-tich', 2, ["x'; DROP TABLE units; --"]]);
  });
});

describe('search folding', () => {
  it('lower case, no diacritics, đ → d; LIKE wildcards taken literally', () => {
    expect(foldText('Cán bộ thiếu NHIỆT TÌNH, Đợi lâu')).toBe('can bo thieu nhiet tinh, doi lau');
    expect(containsPattern('50%_a\\b')).toBe('%50\\%\\_a\\\\b%');
  });
});
