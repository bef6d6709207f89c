import type { Grouping, ReportQuery } from '../../../shared/reports/query.ts';

/**
 * Which aggregate table answers which part of a report's period. report_monthly holds whole calendar
 * months without officer and counter, so it is read for the whole months of the range when the report
 * neither filters nor groups by officer or counter; the edge days of a range that does not start on the
 * 1st or end on a month's last day come from report_daily. Everything else reads report_daily.
 * Whole months then go to the smallest roll-up that answers (chooseRollups): report_monthly_unit
 * without field and procedure, and report_monthly_tree for "a unit with everything under it".
 *
 * `roots`: the segment reads these units' rows (report_monthly*: their own; report_monthly_tree: those
 * of everything under them) instead of the selection's units, because their subtrees ARE the selection.
 */
export type AggregateTable = 'report_daily' | 'report_monthly' | 'report_monthly_unit' | 'report_monthly_tree';
export type Segment = { table: AggregateTable; from: string; to: string; roots?: readonly string[] };

const pad = (n: number): string => String(n).padStart(2, '0');
const lastDayOf = (year: number, month: number): string =>
  `${year}-${pad(month)}-${pad(new Date(Date.UTC(year, month, 0)).getUTCDate())}`;
const monthAfter = (day: string): string => {
  const y = Number(day.slice(0, 4));
  const m = Number(day.slice(5, 7));
  return m === 12 ? `${y + 1}-01-01` : `${y}-${pad(m + 1)}-01`;
};
const dayBefore = (day: string): string =>
  new Date(Date.parse(`${day}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);

/** Whether the report needs officer or counter, which only report_daily has. */
export const needsDaily = (q: Pick<ReportQuery, 'by' | 'officer' | 'counter'>): boolean =>
  q.officer !== undefined || q.counter !== undefined || q.by.includes('officer') || q.by.includes('counter');

/** The segments to read for an inclusive day range; `forceDaily` reads everything from report_daily (tests compare both). */
export const planSegments = (from: string, to: string, dailyOnly: boolean): Segment[] => {
  if (dailyOnly) return [{ table: 'report_daily', from, to }];
  // First whole month: the month of `from` if it starts on the 1st, else the next one.
  const firstMonth = from.endsWith('-01') ? from : monthAfter(from);
  // Last whole month ends on `to` if `to` is its month's last day, else the month before.
  const toMonthStart = `${to.slice(0, 7)}-01`;
  const toIsLastDay = to === lastDayOf(Number(to.slice(0, 4)), Number(to.slice(5, 7)));
  const lastMonth = toIsLastDay ? toMonthStart : `${dayBefore(toMonthStart).slice(0, 7)}-01`;
  if (firstMonth > lastMonth) return [{ table: 'report_daily', from, to }];
  const segments: Segment[] = [];
  if (from < firstMonth) segments.push({ table: 'report_daily', from, to: dayBefore(firstMonth) });
  segments.push({ table: 'report_monthly', from: firstMonth, to: lastMonth });
  const afterLast = monthAfter(lastMonth);
  if (afterLast <= to) segments.push({ table: 'report_daily', from: afterLast, to });
  return segments;
};

/** Whether the report needs field or procedure, which report_monthly_unit does not have. */
export const needsFieldOrProcedure = (q: Pick<ReportQuery, 'by' | 'field' | 'procedure'>): boolean =>
  q.field !== undefined || q.procedure !== undefined || q.by.includes('field') || q.by.includes('procedure');

/**
 * Whole-month segments (report_monthly) moved to the smallest table that gives the same counts:
 * - `subtrees` given (the selection is exactly these units with everything under them) and the report
 *   not grouped by unit: their own rows plus their tree rows, a few rows per month whatever the tree;
 * - else without field and procedure: report_monthly_unit.
 */
export const chooseRollups = (
  segments: readonly Segment[],
  q: Pick<ReportQuery, 'by' | 'field' | 'procedure'>,
  subtrees: readonly string[] | undefined,
): Segment[] =>
  segments.flatMap((s): Segment[] => {
    if (s.table !== 'report_monthly') return [s];
    const own: AggregateTable = needsFieldOrProcedure(q) ? 'report_monthly' : 'report_monthly_unit';
    if (subtrees === undefined || q.by.includes('unit')) return [{ ...s, table: own }];
    return [
      { ...s, table: own, roots: subtrees },
      { ...s, table: 'report_monthly_tree', roots: subtrees },
    ];
  });

/** Builds `$n` placeholders while collecting their values, so one statement's parameters stay in step. */
export class Params {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

const dateColumn = (table: AggregateTable): string => (table === 'report_daily' ? 'day' : 'month');

/** The SQL expression of a grouping in one table. */
const groupExpression = (g: Grouping, table: AggregateTable): string => {
  const d = dateColumn(table);
  switch (g) {
    case 'unit':
      return 'unit_id';
    case 'field':
      return 'field_code';
    case 'procedure':
      return 'procedure_code';
    case 'officer':
      return 'officer_id';
    case 'counter':
      return 'counter_id';
    case 'month':
      return `to_char(${d}, 'YYYY-MM')`;
    case 'quarter':
      return `to_char(${d}, 'YYYY') || '-Q' || to_char(${d}, 'Q')`;
    case 'version':
      return 'version::text';
  }
};

export type CountsFilter = Pick<
  ReportQuery,
  'by' | 'field' | 'procedure' | 'officer' | 'counter' | 'version' | 'includeFlagged'
> & { units: readonly string[]; questionnaires: readonly string[] };

/**
 * ONE parameterised statement for a report's counts: the segments' rows UNION ALL, summed per group,
 * questionnaire, version, question, value and flagged. Flagged answers are filtered out in SQL unless
 * asked for; flagged responses' `_status` rows are always read, so the report can count them apart.
 */
export const countsStatement = (segments: readonly Segment[], f: CountsFilter): { sql: string; params: unknown[] } => {
  const p = new Params();
  // The selection's units as a parameter only if a segment reads them (one reading `roots` does not).
  let units: string | undefined;
  const selection = (): string => (units ??= p.add(f.units));
  const questionnaires = p.add(f.questionnaires);
  const shared: string[] = [`questionnaire_id = ANY(${questionnaires}::text[])`];
  if (f.field !== undefined) shared.push(`field_code = ${p.add(f.field)}`);
  if (f.procedure !== undefined) shared.push(`procedure_code = ${p.add(f.procedure)}`);
  if (f.version !== undefined) shared.push(`version = ${p.add(f.version)}`);
  if (!f.includeFlagged) shared.push(`(NOT flagged OR question_id = '_status')`);
  const dailyOnly: string[] = [];
  if (f.officer !== undefined) dailyOnly.push(`officer_id = ${p.add(f.officer)}`);
  if (f.counter !== undefined) dailyOnly.push(`counter_id = ${p.add(f.counter)}`);
  const parts = segments.map((s) => {
    const d = dateColumn(s.table);
    const unitColumn = s.table === 'report_monthly_tree' ? 'ancestor_id' : 'unit_id';
    const where = [
      `${unitColumn} = ANY(${s.roots ? p.add(s.roots) : selection()}::text[])`,
      ...shared,
      `${d} BETWEEN ${p.add(s.from)}::date AND ${p.add(s.to)}::date`,
    ];
    if (s.table === 'report_daily') where.push(...dailyOnly);
    const groups = f.by.map((g, i) => `${groupExpression(g, s.table)} AS g${i}`);
    return `SELECT ${[...groups, 'questionnaire_id', 'version', 'question_id', 'value', 'flagged', 'n'].join(', ')}
      FROM ${s.table} WHERE ${where.join(' AND ')}`;
  });
  const keys = [...f.by.map((_, i) => `g${i}`), 'questionnaire_id', 'version', 'question_id', 'value', 'flagged'];
  const sql = `SELECT ${keys.join(', ')}, sum(n) AS n FROM (${parts.join('\n      UNION ALL\n      ')}) s
    GROUP BY ${keys.join(', ')}`;
  return { sql, params: p.values };
};
