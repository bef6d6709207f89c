import { parseArgs } from 'node:util';
import { z } from 'zod';
import { Grouping, ReportKind, ReportQuery, type ReportQueryInput, periodRange } from '../../shared/reports/query.ts';
import { EXPORT_FORMATS, type ExportFormat } from '../reports/export/index.ts';
import { UsageError } from './context.ts';

const OPTIONS = {
  from: { type: 'string' },
  to: { type: 'string' },
  period: { type: 'string' },
  unit: { type: 'string' },
  'with-subunits': { type: 'boolean' },
  by: { type: 'string', multiple: true },
  field: { type: 'string' },
  procedure: { type: 'string' },
  officer: { type: 'string' },
  counter: { type: 'string' },
  questionnaire: { type: 'string' },
  version: { type: 'string' },
  'include-flagged': { type: 'boolean' },
  search: { type: 'string' },
  limit: { type: 'string' },
  offset: { type: 'string' },
  format: { type: 'string' },
  out: { type: 'string' },
} as const;

/** ReportQuery's keys as the flags that set them, for messages about a value zod refused. */
const FLAG_OF: Partial<Record<string, string>> = { withSubunits: 'with-subunits', includeFlagged: 'include-flagged' };

export type ReportArgs = { query: ReportQuery; format: ExportFormat; out: string | undefined };

const oneOf = (values: readonly string[]): string => values.join(', ');

const reportKind = (positionals: string[]): ReportKind => {
  if (positionals.length !== 1)
    throw new UsageError(`name one report: ${oneOf(ReportKind.options)} (got ${positionals.length})`);
  const kind = ReportKind.safeParse(positionals[0]);
  if (!kind.success)
    throw new UsageError(`unknown report "${positionals[0]}"; the reports are ${oneOf(ReportKind.options)}`);
  return kind.data;
};

const period = (values: { from?: string; to?: string; period?: string }): { from: string; to: string } => {
  if (values.period !== undefined) {
    if (values.from !== undefined || values.to !== undefined)
      throw new UsageError('give either --period or --from and --to, not both');
    const range = periodRange(values.period);
    if (!range)
      throw new UsageError(
        `--period: expected a year (2026), a quarter (2026-Q3) or a month (2026-10), got "${values.period}"`,
      );
    return range;
  }
  if (values.from === undefined && values.to === undefined)
    throw new UsageError('give the period: --from YYYY-MM-DD --to YYYY-MM-DD, or --period 2026|2026-Q3|2026-10');
  if (values.from === undefined || values.to === undefined) throw new UsageError('--from and --to go together');
  return { from: values.from, to: values.to };
};

/** --by unit --by month, or --by unit,month: at most two, each a known grouping, none twice. */
const groupings = (given: string[] | undefined): Grouping[] => {
  const names = (given ?? []).flatMap((v) => v.split(',')).map((v) => v.trim());
  const by = names.map((name) => {
    const g = Grouping.safeParse(name);
    if (!g.success) throw new UsageError(`unknown grouping "${name}"; group by ${oneOf(Grouping.options)}`);
    return g.data;
  });
  if (new Set(by).size !== by.length) throw new UsageError('--by: a grouping is given twice');
  if (by.length > 2) throw new UsageError(`--by: at most two groupings (got ${by.join(', ')})`);
  return by;
};

const wholeNumber = (flag: string, v: string | undefined): number | undefined => {
  if (v === undefined) return undefined;
  if (!/^\d{1,9}$/.test(v)) throw new UsageError(`--${flag}: expected a whole number, got "${v}"`);
  return Number(v);
};

const ExportFormatArg = z.enum(EXPORT_FORMATS);

const exportFormat = (v: string | undefined, out: string | undefined): ExportFormat => {
  const format = ExportFormatArg.safeParse(v ?? 'json');
  if (!format.success) throw new UsageError(`--format must be ${EXPORT_FORMATS.join(', ')} (got "${v ?? ''}")`);
  if (format.data === 'xlsx' && out === undefined)
    throw new UsageError('--format xlsx is a binary file, not for a terminal: give --out FILE');
  return format.data;
};

/**
 * `centralctl report KIND ...` into a ReportQuery, or a UsageError saying what is wrong with the line,
 * before any database work. (The range against the settings' maxRangeDays is checked by the command.)
 */
export const parseReportArgs = (args: string[]): ReportArgs => {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, strict: true, options: OPTIONS });
  const report = reportKind(positionals);
  const input: ReportQueryInput = {
    report,
    ...period(values),
    unit: values.unit ?? null,
    withSubunits: values['with-subunits'] ?? false,
    by: groupings(values.by),
    field: values.field,
    procedure: values.procedure,
    officer: values.officer,
    counter: values.counter,
    questionnaire: values.questionnaire,
    version: wholeNumber('version', values.version),
    includeFlagged: values['include-flagged'] ?? false,
    search: values.search,
    limit: wholeNumber('limit', values.limit),
    offset: wholeNumber('offset', values.offset),
  };
  const format = exportFormat(values.format, values.out);
  const parsed = ReportQuery.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = String(issue?.path[0] ?? '');
    const given: unknown = Object.entries(input).find(([k]) => k === key)?.[1];
    throw new UsageError(
      `--${FLAG_OF[key] ?? key}: ${issue?.message ?? 'not valid'}${typeof given === 'string' ? ` (got "${given}")` : ''}`,
    );
  }
  return { query: parsed.data, format, out: values.out };
};
