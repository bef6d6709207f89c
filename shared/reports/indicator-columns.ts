import { versionOfReportedKey } from './formulas.ts';
import type { PerCaseGroup, PerCaseIndicator } from './result.ts';

/**
 * One column of a per-case summary: an indicator, and when its question changed between the questionnaire
 * versions in the report (`apart`), which version's question: `question` the reported key, `version` its
 * version (null for a unit's own entry, which stands for the indicator without a question).
 */
export type IndicatorColumn = { indicator: number; apart: boolean; question: string | null; version: number | null };

const byVersionThenKey = (a: string, b: string): number =>
  (versionOfReportedKey(a) ?? 0) - (versionOfReportedKey(b) ?? 0) || (a < b ? -1 : a > b ? 1 : 0);

/**
 * The summary's indicator columns: one per indicator, or, for an indicator whose question is reported apart
 * per version (`so-lan-lien-he@v1`, `so-lan-lien-he@v2`), one per reported key, so version 2's figure is not
 * hidden behind version 1's under one "indicator 3" heading. The console table and the exports both use it.
 */
export const indicatorColumns = (groups: readonly PerCaseGroup[]): IndicatorColumn[] => {
  const byNumber = new Map<number, Set<string | null>>();
  for (const g of groups)
    for (const i of g.indicators) byNumber.set(i.indicator, (byNumber.get(i.indicator) ?? new Set()).add(i.question));
  return [...byNumber.entries()]
    .sort(([a], [b]) => a - b)
    .flatMap(([indicator, questions]): IndicatorColumn[] => {
      const keys = [...questions].filter((q): q is string => q !== null).sort(byVersionThenKey);
      if (keys.length <= 1) return [{ indicator, apart: false, question: null, version: null }];
      const apart = keys.map((question) => ({
        indicator,
        apart: true,
        question,
        version: versionOfReportedKey(question),
      }));
      return questions.has(null) ? [{ indicator, apart: true, question: null, version: null }, ...apart] : apart;
    });
};

/** A group's figure in one column: the indicator of that number, or, apart, the one of that question. */
export const indicatorInColumn = (g: PerCaseGroup, c: IndicatorColumn): PerCaseIndicator | undefined =>
  g.indicators.find((i) => i.indicator === c.indicator && (!c.apart || i.question === c.question));
