import { z } from 'zod';
import { Slug } from '../questionnaire.ts';
import { FieldCode, ProcedureCode } from '../catalog.ts';
import { StaffRef } from '../response.ts';

/** The reports central can compute. */
export const ReportKind = z.enum(['per-case', 'per-case-list', 'sipas', 'quick', 'comments', 'invitations']);
export type ReportKind = z.infer<typeof ReportKind>;

/**
 * What a report can be grouped by (at most two at once, e.g. unit then month). `version` is the
 * questionnaire version (issue 10/11: per-case version 1 and version 2 side by side, never mixed).
 */
export const Grouping = z.enum(['unit', 'field', 'procedure', 'officer', 'counter', 'month', 'quarter', 'version']);
export type Grouping = z.infer<typeof Grouping>;

const IsoDay = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD')
  .refine(
    (d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d),
    {
      message: 'not a calendar date',
    },
  );

const UnitRef = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'a unit id is lowercase letters, digits and "-"');

/**
 * One report request, the same from the console's form, `centralctl report` and the JSON API.
 * Dates are calendar days in Asia/Ho_Chi_Minh, both inclusive, matched against the respondent's
 * submittedAt. Range limits (reversed, too long) are checked by `checkReportQuery` with the settings.
 */
export const ReportQuery = z.strictObject({
  report: ReportKind,
  from: IsoDay,
  to: IsoDay,
  /** null: every unit the viewer may see. */
  unit: UnitRef.nullable().default(null),
  withSubunits: z.boolean().default(false),
  by: z.array(Grouping).max(2).default([]),
  field: FieldCode.optional(),
  procedure: ProcedureCode.optional(),
  officer: StaffRef.optional(),
  counter: StaffRef.optional(),
  questionnaire: Slug.optional(),
  version: z.number().int().min(1).optional(),
  includeFlagged: z.boolean().default(false),
  /** Comments and per-case list: words to find, matched without diacritics. */
  search: z.string().trim().max(200).optional(),
  /** Lists (comments, per-case list): a page of rows. */
  limit: z.number().int().min(1).max(1000).default(100),
  offset: z.number().int().min(0).max(10_000_000).default(0),
});
export type ReportQuery = z.infer<typeof ReportQuery>;
export type ReportQueryInput = z.input<typeof ReportQuery>;

/** Period shorthands the console and centralctl accept, as inclusive day ranges. */
export const periodRange = (period: string): { from: string; to: string } | null => {
  const year = /^(\d{4})$/.exec(period);
  if (year) return { from: `${year[1]}-01-01`, to: `${year[1]}-12-31` };
  const quarter = /^(\d{4})-Q([1-4])$/.exec(period);
  if (quarter) {
    const q = Number(quarter[2]);
    const first = (q - 1) * 3 + 1;
    return { from: `${quarter[1]}-${pad(first)}-01`, to: lastDay(Number(quarter[1]), first + 2) };
  }
  const month = /^(\d{4})-(\d{2})$/.exec(period);
  if (month && Number(month[2]) >= 1 && Number(month[2]) <= 12)
    return { from: `${month[1]}-${month[2]}-01`, to: lastDay(Number(month[1]), Number(month[2])) };
  return null;
};

const pad = (n: number): string => String(n).padStart(2, '0');
const lastDay = (year: number, month: number): string =>
  `${year}-${pad(month)}-${pad(new Date(Date.UTC(year, month, 0)).getUTCDate())}`;

/** Days in an inclusive range (1 for from = to). */
export const daysInRange = (from: string, to: string): number =>
  Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000) + 1;

/** Why a well-formed query cannot run, in words for the person who asked; null when it can. */
export const checkReportRange = (q: Pick<ReportQuery, 'from' | 'to'>, maxRangeDays: number): string | null => {
  if (q.from > q.to) return `the period is reversed: ${q.from} is after ${q.to}`;
  const days = daysInRange(q.from, q.to);
  if (days > maxRangeDays) return `the period covers ${days} days; a report covers at most ${maxRangeDays}`;
  return null;
};
