import { NO_DATA } from './labels.ts';
import { type Cell, type CellKind, type FlatReport, showNumber } from './table.ts';

/** UTF-8's byte order mark: Excel reads a CSV as UTF-8 (Vietnamese intact) only when it starts with it. */
export const UTF8_BOM = '\uFEFF';

/**
 * One RFC 4180 field. Text a spreadsheet would run as a formula (starting with = + - @, tab or CR) gets
 * a leading apostrophe, so a comment like "=HYPERLINK(…)" is shown, never evaluated. Numbers are ours
 * and are written as numbers (a negative one is not text a person typed).
 */
export const csvCell = (cell: Cell, kind: CellKind, decimals: number): string => {
  let s = cell === null ? NO_DATA : typeof cell === 'number' ? showNumber(cell, kind, decimals) : cell;
  if (typeof cell === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

const line = (cells: string[]): string => `${cells.join(',')}\r\n`;

/**
 * The report as one CSV file: BOM, the title rows (one field each), then each table (its name, header
 * row, data rows, footer rows) after an empty line. CRLF line ends, comma separators, "." decimals.
 */
export const toCsv = (flat: FlatReport): Buffer => {
  const d = flat.decimals;
  let out = UTF8_BOM;
  for (const t of flat.title) out += line([csvCell(t, 'text', d)]);
  for (const table of flat.tables) {
    out += '\r\n';
    out += line([csvCell(table.sheet, 'text', d)]);
    out += line(table.columns.map((c) => csvCell(c.header, 'text', d)));
    for (const row of table.rows) out += line(row.map((cell, i) => csvCell(cell, table.columns[i]?.kind ?? 'text', d)));
    for (const f of table.footer) out += line(f.cells.map((cell) => csvCell(cell, f.kind, d)));
  }
  return Buffer.from(out, 'utf8');
};
