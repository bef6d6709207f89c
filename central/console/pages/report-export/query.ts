import { z } from 'zod';
import {
  Grouping,
  ReportKind,
  ReportQuery,
  type ReportQueryInput,
  periodRange,
} from '../../../../shared/reports/query.ts';
import { EXPORT_FORMATS } from '../../../reports/export/index.ts';

const text = (max: number) => z.string().trim().max(max).optional();
/** A checkbox: present ("1", "on", "true") or absent. */
const checkbox = z.enum(['1', 'on', 'true']).optional();

/**
 * The export link's querystring: ReportQuery's fields as a form sends them (strings, `by` repeated or
 * "a,b", checkboxes, `period` as a shorthand for from/to). Only lengths and shapes are checked here;
 * `toReportQuery` gives ReportQuery's own verdict with a message the page can show.
 */
export const ExportQuerystring = z.object({
  format: z.enum(EXPORT_FORMATS).default('csv'),
  report: text(40),
  period: text(10),
  from: text(10),
  to: text(10),
  unit: text(63),
  withSubunits: checkbox,
  by: z.union([z.string().max(100), z.array(z.string().max(100)).max(4)]).optional(),
  field: text(64),
  procedure: text(64),
  officer: text(64),
  counter: text(64),
  questionnaire: text(64),
  version: text(9),
  includeFlagged: checkbox,
  search: text(200),
  limit: text(9),
  offset: text(9),
});
export type ExportQuerystring = z.infer<typeof ExportQuerystring>;

const whole = (v: string | undefined): number | undefined => (v ? (/^\d+$/.test(v) ? Number(v) : NaN) : undefined);

/** The report and groupings asked for, or what is wrong with them in words (zod's would say "Invalid option"). */
const reportAndGroupings = (
  report: string | undefined,
  by: string[],
): { report: ReportKind; by: Grouping[] } | { problem: string } => {
  const kind = ReportKind.safeParse(report);
  if (!kind.success)
    return { problem: `unknown report "${report ?? ''}"; the reports are ${ReportKind.options.join(', ')}` };
  const groupings: Grouping[] = [];
  for (const name of by) {
    const g = Grouping.safeParse(name);
    if (!g.success) return { problem: `unknown grouping "${name}"; group by ${Grouping.options.join(', ')}` };
    groupings.push(g.data);
  }
  if (groupings.length > 2) return { problem: `at most two groupings (got ${by.join(', ')})` };
  return { report: kind.data, by: groupings };
};

/** The querystring as a ReportQuery, or why not (in words for the person who asked). */
export const toReportQuery = (qs: ExportQuerystring): { query: ReportQuery } | { problem: string } => {
  const range = qs.period ? periodRange(qs.period) : { from: qs.from ?? '', to: qs.to ?? '' };
  if (!range)
    return { problem: `"${qs.period ?? ''}" is not a period: a year (2026), a quarter (2026-Q3) or a month (2026-10)` };
  const by = (Array.isArray(qs.by) ? qs.by : qs.by ? [qs.by] : []).flatMap((v) => v.split(',')).filter((v) => v !== '');
  const words = reportAndGroupings(qs.report, by);
  if ('problem' in words) return words;
  const input: ReportQueryInput = {
    ...words,
    ...range,
    unit: qs.unit || null,
    withSubunits: qs.withSubunits !== undefined,
    field: qs.field || undefined,
    procedure: qs.procedure || undefined,
    officer: qs.officer || undefined,
    counter: qs.counter || undefined,
    questionnaire: qs.questionnaire || undefined,
    version: whole(qs.version),
    includeFlagged: qs.includeFlagged !== undefined,
    search: qs.search || undefined,
    limit: whole(qs.limit),
    offset: whole(qs.offset),
  };
  const parsed = ReportQuery.safeParse(input);
  if (parsed.success) return { query: parsed.data };
  const issue = parsed.error.issues[0];
  return { problem: `${issue?.path.join('.') || 'query'}: ${issue?.message ?? 'not valid'}` };
};
