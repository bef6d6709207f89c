import type { ReportResult } from '../../../shared/reports/result.ts';
import { countsLine, titleRows } from './labels.ts';
import { commentsTable, perCaseListTable } from './flatten-lists.ts';
import { invitationsTable } from './flatten-invitations.ts';
import { perCaseTables, quickTables, sipasTables } from './flatten-instruments.ts';
import type { FlatReport } from './table.ts';

const pageLine = (shown: number, total: number, offset: number): string =>
  shown === total
    ? `Số dòng: ${total}`
    : `Số dòng: ${shown} trên tổng số ${total} (từ dòng ${shown === 0 ? offset : offset + 1})`;

/**
 * THE flattening of a report into tables, shared by CSV and XLSX (JSON is the result as is): Vietnamese
 * title rows (report, units, period, filters, generation time, notes), then each table with figures
 * rounded half away from zero to `decimals` (the settings' `decimals`).
 */
export const flattenReport = (result: ReportResult, decimals: number): FlatReport => {
  const title = titleRows(result.report, result.filters, result.generatedAt, result.notes);
  const { by, offset } = result.filters;
  switch (result.report) {
    case 'per-case':
      return {
        title: [...title, countsLine(result.totals, decimals)],
        decimals,
        tables: perCaseTables(by, result.groups, decimals),
      };
    case 'sipas':
      return {
        title: [...title, countsLine(result.totals, decimals)],
        decimals,
        tables: sipasTables(by, result.groups, decimals),
      };
    case 'quick':
      return {
        title: [...title, countsLine(result.totals, decimals)],
        decimals,
        tables: quickTables(by, result.groups, decimals),
      };
    case 'per-case-list':
      return {
        title: [...title, pageLine(result.rows.length, result.total, offset)],
        decimals,
        tables: [perCaseListTable(result, decimals, offset)],
      };
    case 'comments':
      return {
        title: [...title, pageLine(result.rows.length, result.total, offset)],
        decimals,
        tables: [commentsTable(result, decimals, offset)],
      };
    case 'invitations':
      return { title, decimals, tables: [invitationsTable(by, result.groups, result.totals, decimals)] };
  }
};
