import { z } from 'zod';
import {
  Grouping,
  ReportKind,
  ReportQuery,
  checkReportRange,
  daysInRange,
  periodRange,
} from '../../../../shared/reports/query.ts';
import type { ReportSettings } from '../../../../shared/reports/settings.ts';
import { type FieldErrors, formList, formText, formTrimmed } from '../../forms.ts';
import type { Translate } from '../../i18n.ts';
import { vietnamDay } from './figures.ts';

/** How the form names the period: one month, a quarter of a year, a year, or any range of days. */
export const PeriodKind = z.enum(['month', 'quarter', 'year', 'range']);
export type PeriodKind = z.infer<typeof PeriodKind>;

/**
 * The report form as the query string carries it: every value a string, never refused here (a stray
 * or hostile URL is answered with a message on the page, not a bare 400). The names are ReportQuery's
 * own (report, from, to, unit, withSubunits, by, …) plus the period pickers, so the canonical query
 * string (reportQueryString) is also a valid form and the export route can read the same one.
 */
export const ReportForm = z.object({
  report: formTrimmed(40),
  period: formTrimmed(10),
  month: formTrimmed(20),
  quarter: formTrimmed(4),
  year: formTrimmed(10),
  from: formTrimmed(20),
  to: formTrimmed(20),
  // Long enough that an over-long id is refused as an unknown unit (404), not dropped to "every unit".
  unit: formTrimmed(1000),
  withSubunits: formTrimmed(10),
  by: formList(5),
  field: formTrimmed(80),
  procedure: formTrimmed(80),
  officer: formTrimmed(40),
  counter: formTrimmed(40),
  questionnaire: formTrimmed(80),
  version: formTrimmed(10),
  includeFlagged: formTrimmed(10),
  search: formText(400),
  limit: formTrimmed(10),
  offset: formTrimmed(12),
});
export type ReportForm = z.infer<typeof ReportForm>;

/** Rows per page of the lists (per-case list, comments) unless the URL asks for another size. */
export const PAGE_SIZE = 100;

const on = (v: string): boolean => v === '1' || v === 'on' || v === 'true';

/** The form a first visit shows: this month's per-case summary of the viewer's own unit and its sub-units. */
export const defaultForm = (now: Date, unitId: string | null): ReportForm => {
  const today = vietnamDay(now);
  const month = today.slice(0, 7);
  const range = periodRange(month)!;
  return {
    ...ReportForm.parse({}),
    report: 'per-case',
    period: 'month',
    month,
    year: today.slice(0, 4),
    quarter: String(Math.floor((Number(today.slice(5, 7)) - 1) / 3) + 1),
    from: range.from,
    to: range.to,
    unit: unitId ?? '',
    withSubunits: unitId ? '1' : '',
  };
};

/** Which period kind a submitted form meant: the picker, else a bookmark's from/to (a range). */
const periodKindOf = (form: ReportForm): PeriodKind => {
  const kind = PeriodKind.safeParse(form.period);
  return kind.success ? kind.data : 'range';
};

/** The inclusive days of the period the form names, or the field to blame. */
const periodOf = (form: ReportForm): { from: string; to: string } | { error: keyof ReportForm } => {
  const kind = periodKindOf(form);
  if (kind === 'range') return { from: form.from, to: form.to };
  if (kind === 'month') return periodRange(form.month) ?? { error: 'month' };
  if (!/^\d{4}$/.test(form.year)) return { error: 'year' };
  if (kind === 'year') return periodRange(form.year)!;
  return periodRange(`${form.year}-Q${form.quarter}`) ?? { error: 'quarter' };
};

const optional = (v: string): string | undefined => (v === '' ? undefined : v);
const integer = (v: string): number | string | undefined =>
  v === '' ? undefined : /^\d{1,9}$/.test(v) ? Number(v) : v;

/** The ReportQuery input the form describes (not yet validated). */
const queryInput = (form: ReportForm, period: { from: string; to: string }): Record<string, unknown> => ({
  report: form.report,
  from: period.from,
  to: period.to,
  unit: form.unit === '' ? null : form.unit,
  withSubunits: on(form.withSubunits),
  by: form.by.filter((b) => b !== ''),
  field: optional(form.field),
  procedure: optional(form.procedure),
  officer: optional(form.officer),
  counter: optional(form.counter),
  questionnaire: optional(form.questionnaire),
  version: integer(form.version),
  includeFlagged: on(form.includeFlagged),
  search: optional(form.search.trim()),
  limit: integer(form.limit) ?? PAGE_SIZE,
  offset: integer(form.offset) ?? 0,
});

export type ParsedForm = { ok: true; query: ReportQuery } | { ok: false; errors: FieldErrors };

/** A field of the form to hang a message on, for each ReportQuery key. */
const fieldOfIssue = (path: readonly PropertyKey[], kind: PeriodKind): string => {
  const key = String(path[0] ?? 'report');
  if ((key === 'from' || key === 'to') && kind !== 'range') return kind === 'quarter' ? 'year' : kind;
  return key;
};

const messageFor = (t: Translate, field: string, form: ReportForm): string => {
  switch (field) {
    case 'report':
      return t('reports.errors.report');
    case 'from':
    case 'to':
      return t('reports.errors.date', { value: field === 'from' ? form.from : form.to });
    case 'month':
      return t('reports.errors.month');
    case 'quarter':
    case 'year':
      return t('reports.errors.year');
    case 'by': {
      const unknown = form.by.filter((b) => b !== '' && !Grouping.safeParse(b).success);
      return unknown.length > 0
        ? t('reports.errors.grouping', { value: unknown.join(', ') })
        : t('reports.errors.byMax');
    }
    case 'unit':
      return t('reports.errors.unit');
    case 'search':
      return t('reports.errors.search');
    case 'version':
      return t('reports.errors.version');
    case 'limit':
    case 'offset':
      return t('reports.errors.page');
    default:
      return t('reports.errors.code');
  }
};

/**
 * Reads the form into a ReportQuery with ReportQuery's own zod schema, then the checks the schema
 * leaves to its callers (the range against the settings, one grouping used twice, officers' figures
 * for roles allowed them). Every refusal is a message for the field it is about, in the page's language.
 */
export const parseReportForm = (
  form: ReportForm,
  t: Translate,
  rules: { settings: ReportSettings; officerFigures: boolean },
): ParsedForm => {
  const kind = periodKindOf(form);
  const period = periodOf(form);
  if ('error' in period) return { ok: false, errors: { [period.error]: messageFor(t, period.error, form) } };
  const parsed = ReportQuery.safeParse(queryInput(form, period));
  if (!parsed.success) {
    const errors: FieldErrors = {};
    for (const issue of parsed.error.issues) {
      const field = fieldOfIssue(issue.path, kind);
      errors[field] ??= messageFor(t, field, form);
    }
    return { ok: false, errors };
  }
  const q = parsed.data;
  if (new Set(q.by).size < q.by.length) return { ok: false, errors: { by: t('reports.errors.byTwice') } };
  if (!rules.officerFigures && (q.by.includes('officer') || q.officer !== undefined))
    return { ok: false, errors: { [q.officer !== undefined ? 'officer' : 'by']: t('reports.errors.officers') } };
  const field = kind === 'range' ? 'from' : kind === 'quarter' ? 'year' : kind;
  if (q.from > q.to)
    return { ok: false, errors: { [field]: t('reports.errors.reversed', { from: q.from, to: q.to }) } };
  if (checkReportRange(q, rules.settings.maxRangeDays) !== null)
    return {
      ok: false,
      errors: {
        [field]: t('reports.errors.tooLong', { days: daysInRange(q.from, q.to), max: rules.settings.maxRangeDays }),
      },
    };
  return { ok: true, query: q };
};

/**
 * The canonical query string of a report: ReportQuery's keys, explicit from/to, defaults left out.
 * Export links, paging links and the trend's link all use it, so each is the same report.
 */
export const reportQueryString = (q: ReportQuery, change: Partial<ReportQuery> = {}): string => {
  const r = { ...q, ...change };
  const p = new URLSearchParams({ report: r.report, from: r.from, to: r.to });
  if (r.unit !== null) p.set('unit', r.unit);
  if (r.withSubunits) p.set('withSubunits', '1');
  for (const b of r.by) p.append('by', b);
  for (const k of ['field', 'procedure', 'officer', 'counter', 'questionnaire'] as const) {
    const v = r[k];
    if (v !== undefined) p.set(k, v);
  }
  if (r.version !== undefined) p.set('version', String(r.version));
  if (r.includeFlagged) p.set('includeFlagged', '1');
  if (r.search !== undefined && r.search !== '') p.set('search', r.search);
  if (r.limit !== PAGE_SIZE) p.set('limit', String(r.limit));
  if (r.offset !== 0) p.set('offset', String(r.offset));
  return p.toString();
};

/** The report kinds in the order the form offers them. */
export const REPORT_KINDS: readonly ReportKind[] = ReportKind.options;
