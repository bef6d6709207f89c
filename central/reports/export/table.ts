import type { Grouping } from '../../../shared/reports/query.ts';
import type { GroupBase } from '../../../shared/reports/result.ts';
import { GROUPING_LABELS, groupCell } from './labels.ts';
import { roundForDisplay } from '../../../shared/reports/formulas.ts';

/** How a column's cells are shown: text as is, counts as whole numbers, figures (means, shares) to `decimals`. */
export type CellKind = 'text' | 'count' | 'figure';
export type Column = { header: string; kind: CellKind };
/** null: no data (shown as NO_DATA). Figures are already rounded for display. */
export type Cell = string | number | null;

/** One table of a report: a CSV section, an XLSX sheet. */
export type ReportTable = {
  /** Sheet name (at most 31 characters, none of []:*?/\). */
  sheet: string;
  columns: Column[];
  rows: Cell[][];
  /** Rows under the data ("Tổng số", "Điểm bình quân"), each with how its numbers are shown. */
  footer: FooterRow[];
};

export type FooterRow = { kind: Exclude<CellKind, 'text'>; cells: Cell[] };

/** How a number in a column of this kind is shown (CSV text; XLSX keeps the number and uses a format). */
export const showNumber = (x: number, kind: CellKind, decimals: number): string =>
  kind === 'figure' ? x.toFixed(decimals) : String(x);

/** A report as tables, shared by CSV and XLSX: the title rows, then each table. */
export type FlatReport = { title: string[]; decimals: number; tables: ReportTable[] };

export const text = (header: string): Column => ({ header, kind: 'text' });
export const count = (header: string): Column => ({ header, kind: 'count' });
export const figure = (header: string): Column => ({ header, kind: 'figure' });

/** A figure rounded half away from zero to the report's decimals; null stays null (no data). */
export const fig = (x: number | null | undefined, decimals: number): number | null =>
  x === null || x === undefined ? null : roundForDisplay(x, decimals);

/** The columns that say which group a row is: one per grouping, or "Phạm vi" when ungrouped. */
export const groupColumns = (by: Grouping[]): Column[] =>
  by.length > 0 ? by.map((g) => text(GROUPING_LABELS[g])) : [text('Phạm vi')];

export const groupCells = (by: Grouping[], g: Pick<GroupBase, 'key' | 'labels'>): Cell[] =>
  by.length > 0 ? by.map((k) => groupCell(g.key, g.labels, k)) : ['Toàn bộ'];

export const countColumns: Column[] = [
  count('Số phiếu tính (N)'),
  count('Hoàn thành'),
  count('Bỏ dở'),
  figure('Tỷ lệ hoàn thành (%)'),
  count('Bị gắn cờ'),
];

export const countCells = (g: GroupBase, decimals: number): Cell[] => [
  g.n,
  g.complete,
  g.abandoned,
  fig(g.completionPercent, decimals),
  g.flagged,
];

/** Sorted union of keys over many records: numeric keys in numeric order, then the rest. */
export const unionKeys = (records: Iterable<Record<string, unknown>>): string[] => {
  const all = new Set<string>();
  for (const r of records) for (const k of Object.keys(r)) all.add(k);
  return [...all].sort((a, b) => {
    const [x, y] = [Number(a), Number(b)];
    if (Number.isFinite(x) && Number.isFinite(y)) return x - y;
    if (Number.isFinite(x) !== Number.isFinite(y)) return Number.isFinite(x) ? -1 : 1;
    return a < b ? -1 : a > b ? 1 : 0;
  });
};

/** Share of valid (percent), null with none valid. */
export const share = (n: number, valid: number): number | null => (valid > 0 ? (n / valid) * 100 : null);
