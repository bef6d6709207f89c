import ExcelJS from 'exceljs';
import { NO_DATA } from './labels.ts';
import type { Cell, CellKind, FlatReport, ReportTable } from './table.ts';

const MIN_WIDTH = 6;
const MAX_WIDTH = 60;

/** Excel's number format for a column kind: whole numbers, or exactly `decimals` places. */
export const numberFormat = (kind: CellKind, decimals: number): string | undefined =>
  kind === 'text' ? undefined : kind === 'count' || decimals === 0 ? '0' : `0.${'0'.repeat(decimals)}`;

/** Sheet names: Excel's limit of 31 characters, none of []:*?/\, and unique within the workbook. */
const sheetName = (wanted: string, taken: Set<string>): string => {
  const base = wanted.replace(/[[\]:*?/\\]/g, ' ').slice(0, 31) || 'Bảng';
  let name = base;
  for (let i = 2; taken.has(name.toLowerCase()); i++) name = `${base.slice(0, 31 - `${i}`.length - 1)} ${i}`;
  taken.add(name.toLowerCase());
  return name;
};

const put = (cell: ExcelJS.Cell, value: Cell, kind: CellKind, decimals: number): void => {
  if (value === null) {
    cell.value = NO_DATA;
    cell.alignment = { horizontal: 'right' };
    return;
  }
  // Strings are stored as strings (shared/inline text), never as formulas: no formula prefix is needed here.
  cell.value = value;
  const format = typeof value === 'number' ? numberFormat(kind, decimals) : undefined;
  if (format) cell.numFmt = format;
};

const widthOf = (value: Cell, kind: CellKind, decimals: number): number =>
  value === null
    ? 1
    : typeof value === 'number'
      ? (kind === 'figure' ? value.toFixed(decimals) : String(value)).length
      : Math.max(...value.split('\n').map((l) => l.length));

const addTable = (wb: ExcelJS.Workbook, flat: FlatReport, table: ReportTable, taken: Set<string>): void => {
  const d = flat.decimals;
  const ws = wb.addWorksheet(sheetName(table.sheet, taken));
  for (const t of flat.title) ws.addRow([t]);
  ws.getRow(1).font = { bold: true, size: 13 };
  const headerRow = ws.addRow(table.columns.map((c) => c.header));
  headerRow.font = { bold: true };
  headerRow.alignment = { wrapText: true, vertical: 'top' };
  ws.views = [{ state: 'frozen', ySplit: headerRow.number, xSplit: 0 }];
  const widths = table.columns.map((c) => Math.min(c.header.length, 24));
  const addRow = (cells: Cell[], kindOf: (i: number) => CellKind, bold: boolean): void => {
    const row = ws.addRow([]);
    cells.forEach((value, i) => {
      const kind = typeof value === 'string' ? 'text' : kindOf(i);
      put(row.getCell(i + 1), value, kind, d);
      widths[i] = Math.max(widths[i] ?? 0, widthOf(value, kind, d));
    });
    if (bold) row.font = { bold: true };
  };
  for (const cells of table.rows) addRow(cells, (i) => table.columns[i]?.kind ?? 'text', false);
  for (const f of table.footer) addRow(f.cells, () => f.kind, true);
  widths.forEach((w, i) => {
    ws.getColumn(i + 1).width = Math.max(MIN_WIDTH, Math.min(MAX_WIDTH, w + 2));
  });
};

/** The report as an XLSX workbook: one sheet per table, the title rows on each, header bold and frozen. */
export const toXlsx = async (flat: FlatReport): Promise<Buffer> => {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Hải Long kiosk central service';
  const taken = new Set<string>();
  for (const table of flat.tables) addTable(wb, flat, table, taken);
  if (flat.tables.length === 0) wb.addWorksheet('Báo cáo').addRows(flat.title.map((t) => [t]));
  return Buffer.from(await wb.xlsx.writeBuffer());
};
