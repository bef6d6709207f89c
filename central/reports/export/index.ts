import type { ReportResult } from '../../../shared/reports/result.ts';
import { toCsv } from './csv.ts';
import { flattenReport } from './flatten.ts';
import { toXlsx } from './xlsx.ts';

export const EXPORT_FORMATS = ['json', 'csv', 'xlsx'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const CONTENT_TYPES: Record<ExportFormat, string> = {
  json: 'application/json; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/**
 * A report as a file's bytes. JSON is the ReportResult as is (full precision, pretty); CSV and XLSX are
 * the same tables (flattenReport) with figures rounded to `decimals`.
 */
export const exportReport = async (result: ReportResult, format: ExportFormat, decimals: number): Promise<Buffer> => {
  if (format === 'json') return Buffer.from(`${JSON.stringify(result, null, 2)}\n`, 'utf8');
  const flat = flattenReport(result, decimals);
  return format === 'csv' ? toCsv(flat) : toXlsx(flat);
};

/**
 * A download's file name, ASCII only and safe in a Content-Disposition header and on any file system:
 * bao-cao-per-case-xa-hai-long-2026-10-01_2026-12-31.csv. Every part is already a slug or a date
 * (ReportQuery's own rules); anything else is replaced anyway.
 */
export const exportFileName = (
  q: { report: string; unit: string | null; from: string; to: string },
  format: ExportFormat,
): string =>
  `bao-cao-${q.report}${q.unit ? `-${q.unit}` : ''}-${q.from}_${q.to}.${format}`.replace(/[^A-Za-z0-9._-]/g, '-');
