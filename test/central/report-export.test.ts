import ExcelJS from 'exceljs';
import { describe, expect, test } from 'vitest';
import { toCsv } from '../../central/reports/export/csv.ts';
import { flattenReport } from '../../central/reports/export/flatten.ts';
import { exportFileName, exportReport } from '../../central/reports/export/index.ts';
import { NO_DATA } from '../../central/reports/export/labels.ts';
import { roundForDisplay } from '../../shared/reports/formulas.ts';
import { type ReportQueryInput, ReportQuery } from '../../shared/reports/query.ts';
import type {
  AppliedFilters,
  PerCaseGroup,
  PerCaseIndicator,
  ReportResult,
  ResponseCounts,
} from '../../shared/reports/result.ts';

const UNIT_NAMES = { tinh: 'Tỉnh Thử', 'xa-hai-long': 'Xã Hải Long', 'xa-trong': 'Xã Trống' };
const filters = (q: Omit<ReportQueryInput, 'from' | 'to'>, units: string[] = ['xa-hai-long']): AppliedFilters => ({
  ...ReportQuery.parse({ from: '2026-10-01', to: '2026-12-31', ...q }),
  units,
  unitNames: UNIT_NAMES,
});
const GENERATED = '2026-12-31T17:05:00.000Z'; // 01/01/2027 00:05 in Vietnam
const counts = (n: number, abandoned = 0, flagged = 0): ResponseCounts => ({
  n,
  complete: n,
  abandoned,
  completionPercent: n + abandoned > 0 ? (n / (n + abandoned)) * 100 : null,
  flagged,
  flaggedIncluded: false,
});

const indicator = (
  n: number,
  c: [number, number, number],
  source: PerCaseIndicator['source'] = 'cases',
): PerCaseIndicator => {
  const valid = c[0] + c[1] + c[2];
  return {
    indicator: n,
    question: source === 'cases' ? `i${n}` : null,
    counts: { 0: c[0], 1: c[1], 2: c[2] },
    shares: {
      0: valid ? (c[0] / valid) * 100 : null,
      1: valid ? (c[1] / valid) * 100 : null,
      2: valid ? (c[2] / valid) * 100 : null,
    },
    valid,
    mean: valid ? (c[1] + 2 * c[2]) / valid : source === 'cases' ? null : 2,
    source,
  };
};

const perCase = (): ReportResult => {
  const full: PerCaseGroup = {
    key: { unit: 'xa-hai-long' },
    labels: { unit: 'Xã Hải Long' },
    ...counts(3, 1, 2),
    questions: {},
    // 1: (1+2+2)/3 = 1.6667; 3: 3 of 2 → 2; 5: unit verified; 7: (0+1+2)/3 = 1
    indicators: [
      indicator(1, [0, 1, 2]),
      indicator(3, [0, 0, 3]),
      indicator(5, [0, 0, 0], 'unit-verified'),
      indicator(7, [1, 1, 1]),
    ],
    total: 6.666666666666667,
    max: 8,
    band: { min: 6, label: { vi: 'Trung bình', en: 'Average' } },
    rank: 1,
  };
  const empty: PerCaseGroup = {
    key: { unit: 'xa-trong' },
    labels: { unit: 'Xã Trống' },
    ...counts(0),
    questions: {},
    indicators: [],
    total: null,
    max: 8,
    band: null,
  };
  return {
    report: 'per-case',
    filters: filters({ report: 'per-case', unit: 'tinh', withSubunits: true, by: ['unit'], field: 'tu-phap' }, [
      'tinh',
      'xa-hai-long',
      'xa-trong',
    ]),
    generatedAt: GENERATED,
    // both languages, as the engine gives them: the Vietnamese title rows take the Vietnamese
    notes: [{ vi: 'Chỉ số 5 lấy từ số liệu đơn vị nhập', en: "Indicator 5 from the unit's entries" }],
    totals: counts(3, 1, 2),
    groups: [full, empty],
  };
};

const sipas = (): ReportResult => ({
  report: 'sipas',
  filters: filters({ report: 'sipas', by: ['quarter'] }),
  generatedAt: GENERATED,
  notes: [],
  totals: counts(2),
  groups: [
    {
      key: { quarter: '2026-Q4' },
      labels: {},
      ...counts(2),
      questions: {
        a1: { counts: { '4': 1, '5': 1 }, valid: 2, mean: 4.5, satisfiedPercent: 100 },
        a2: { counts: { '2': 1, '5': 1 }, valid: 2, mean: 3.5, satisfiedPercent: 50 },
        b1: { counts: {}, valid: 0, mean: null, satisfiedPercent: null },
      },
      elements: [
        { id: 'access', name: { vi: 'Tiếp cận dịch vụ' }, index: 75, questions: ['a1', 'a2'] },
        { id: 'staff', name: null, index: null, questions: ['b1'] },
      ],
      index: 82.65, // shows as 82.7: half away from zero on the decimal value
    },
  ],
});

const quick = (): ReportResult => ({
  report: 'quick',
  filters: filters({ report: 'quick' }),
  generatedAt: GENERATED,
  notes: [],
  totals: counts(4),
  groups: [
    {
      key: {},
      labels: {},
      ...counts(4),
      questions: {
        overall: { counts: { '1': 1, '2': 1, '3': 2 }, valid: 4, mean: 2.25, satisfiedPercent: 75 },
        reasons: { counts: { slow: 2, rude: 1 }, valid: 2, mean: null },
      },
      satisfied: { overall: 75, attitude: null },
      reasons: { reasons: { slow: 2, rude: 1 } },
    },
  ],
});

const perCaseList = (): ReportResult => ({
  report: 'per-case-list',
  filters: filters({ report: 'per-case-list', limit: 2, offset: 10 }),
  generatedAt: GENERATED,
  notes: [],
  rows: [
    {
      responseId: 'r1',
      caseNumber: '000.00.12.H42-261001-0001',
      procedure: '1.001234',
      field: 'tu-phap',
      officer: 'cb-lan',
      counter: 'q1',
      unit: 'xa-hai-long',
      submittedAt: '2026-10-01T01:30:00.000Z',
      questionnaire: 'per-case',
      version: 2,
      flagged: false,
      points: { 1: 2, 3: 1 },
      total: 3,
      band: { min: 0, label: { vi: 'Yếu' } },
      overall: 3,
      fromFacts: [1, 3],
    },
    {
      responseId: 'r2',
      caseNumber: null,
      procedure: '1.001234',
      field: 'tu-phap',
      officer: null,
      counter: null,
      unit: 'xa-hai-long',
      submittedAt: '2026-10-02T16:59:00.000Z',
      questionnaire: 'per-case',
      version: 2,
      flagged: true,
      points: { 1: 1, 3: null },
      total: 1,
      band: null,
      overall: null,
    },
  ],
  total: 40,
  sums: { 1: 61, 3: 33 },
  means: { 1: 1.525, 3: 0.825 },
  totalMean: 2.35,
});

const FORMULA = '=HYPERLINK("http://evil.example","bấm vào đây")';
const comments = (): ReportResult => ({
  report: 'comments',
  filters: filters({ report: 'comments', search: 'cham' }),
  generatedAt: GENERATED,
  notes: [],
  rows: [
    {
      responseId: 'c1',
      unit: 'xa-hai-long',
      submittedAt: '2026-11-05T02:00:00.000Z',
      questionnaire: 'quick',
      field: 'tu-phap',
      procedure: '1.001234',
      officer: null,
      score: 0.25,
      comment: FORMULA,
      flagged: false,
    },
    {
      responseId: 'c2',
      unit: 'xa-hai-long',
      submittedAt: '2026-11-06T02:00:00.000Z',
      questionnaire: 'quick',
      field: 'tu-phap',
      procedure: '1.001234',
      officer: 'cb-lan',
      score: null,
      comment: 'Cán bộ chậm, "khó chịu"\nđợi lâu',
      flagged: true,
    },
  ],
  total: 2,
});

/** RFC 4180 reader (quoted fields may hold commas, quotes and line breaks). */
const parseCsv = (text: string): string[][] => {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted && c === '"' && text[i + 1] === '"') {
      field += '"';
      i++;
    } else if (quoted && c === '"') quoted = false;
    else if (quoted) field += c;
    else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  expect(field === '' && row.length === 0, 'the file ends with CRLF').toBe(true);
  return rows;
};

const csvRows = (bytes: Buffer): string[][] => {
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  return parseCsv(bytes.subarray(3).toString('utf8'));
};

/** The rows of the table named `sheet` in a parsed CSV: header first. */
const section = (rows: string[][], sheet: string): string[][] => {
  const start = rows.findIndex((r) => r.length === 1 && r[0] === sheet);
  expect(start, sheet).toBeGreaterThan(0);
  const end = rows.findIndex((r, i) => i > start && r.length === 1 && r[0] === '');
  return rows.slice(start + 1, end === -1 ? undefined : end);
};

const byHeader = (table: string[][]): Record<string, string>[] =>
  table.slice(1).map((r) => Object.fromEntries(table[0]!.map((h, i) => [h, r[i] ?? ''])));

const readXlsx = async (bytes: Buffer): Promise<ExcelJS.Workbook> => {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  return wb;
};

describe('rounding for display', () => {
  test('half away from zero on the decimal value', () => {
    expect(roundForDisplay(1.25, 1)).toBe(1.3);
    expect(roundForDisplay(2.45, 1)).toBe(2.5);
    expect(roundForDisplay(1.005, 2)).toBe(1.01);
    expect(roundForDisplay(-1.25, 1)).toBe(-1.3);
    expect(roundForDisplay(82.65, 1)).toBe(82.7);
    expect(roundForDisplay(2.5, 0)).toBe(3);
    expect(roundForDisplay(1.24999, 1)).toBe(1.2);
    expect(Object.is(roundForDisplay(-0.04, 1), 0)).toBe(true);
    expect(roundForDisplay(1e-9, 1)).toBe(0);
    expect(roundForDisplay(6.666666666666667, 1)).toBe(6.7);
  });
});

// The title names units as the console does: name, then id in parentheses.
const UNITS_LINE =
  'Đơn vị: Tỉnh Thử (tinh) và các đơn vị trực thuộc — gồm: Tỉnh Thử (tinh), Xã Hải Long (xa-hai-long), Xã Trống (xa-trong)';

describe('flattening', () => {
  test('title rows in Vietnamese: report, units, period, filters, grouping, flagged, generation time (UTC+7), notes', () => {
    const flat = flattenReport(perCase(), 1);
    expect(flat.title).toEqual([
      'Tổng hợp đánh giá việc giải quyết thủ tục hành chính',
      UNITS_LINE,
      'Kỳ báo cáo: từ ngày 01/10/2026 đến ngày 31/12/2026',
      'Lọc theo: lĩnh vực tu-phap',
      'Nhóm theo: Đơn vị',
      'Phản hồi bị gắn cờ (trả lời lặp nhanh, đồng hồ nghi sai, đánh giá lặp lại hồ sơ): không tính vào số liệu',
      'Thời điểm lập báo cáo: 01/01/2027 00:05 (giờ Việt Nam, UTC+7)',
      'Ghi chú: Chỉ số 5 lấy từ số liệu đơn vị nhập',
      'Tổng số phiếu tính vào số liệu: 3; hoàn thành 3; bỏ dở 1; tỷ lệ hoàn thành 75.0%; bị gắn cờ 2',
    ]);
  });

  test('a unit the result has no name for is shown by its id alone', () => {
    const r = perCase();
    r.filters = { ...r.filters, unitNames: { tinh: 'Tỉnh Thử' } };
    expect(flattenReport(r, 1).title[1]).toBe(
      'Đơn vị: Tỉnh Thử (tinh) và các đơn vị trực thuộc — gồm: Tỉnh Thử (tinh), xa-hai-long, xa-trong',
    );
  });

  test('per-case summary: indicator means, total, band, rank; an empty group shows no data, unranked', () => {
    const [summary, indicators] = flattenReport(perCase(), 1).tables;
    expect(summary!.columns.map((c) => c.header)).toEqual([
      'Đơn vị',
      'Số phiếu tính (N)',
      'Hoàn thành',
      'Bỏ dở',
      'Tỷ lệ hoàn thành (%)',
      'Bị gắn cờ',
      'Chỉ số 1 — điểm bình quân',
      'Chỉ số 3 — điểm bình quân',
      'Chỉ số 5 — điểm bình quân',
      'Chỉ số 7 — điểm bình quân',
      'Tổng điểm',
      'Điểm tối đa',
      'Xếp loại',
      'Xếp hạng',
    ]);
    expect(summary!.rows).toEqual([
      ['Xã Hải Long (xa-hai-long)', 3, 3, 1, 75, 2, 1.7, 2, 2, 1, 6.7, 8, 'Trung bình', 1],
      ['Xã Trống (xa-trong)', 0, 0, 0, null, 0, null, null, null, null, null, 8, null, null],
    ]);
    expect(indicators!.rows[0]).toEqual([
      'Xã Hải Long (xa-hai-long)',
      'Chỉ số 1',
      'i1',
      'Từ phiếu đánh giá',
      3,
      0,
      0,
      1,
      33.3,
      2,
      66.7,
      1.7,
    ]);
    expect(indicators!.rows[2]?.slice(1, 4)).toEqual(['Chỉ số 5', null, 'Đơn vị nhập, đã thẩm định']);
    expect(indicators!.rows).toHaveLength(4); // the empty group has no indicator rows
  });

  test('SIPAS: element indices and overall per group, each question with counts per level and satisfied share', () => {
    const [summary, questions] = flattenReport(sipas(), 1).tables;
    expect(summary!.columns.slice(-3).map((c) => c.header)).toEqual([
      'Tiếp cận dịch vụ [access] — chỉ số (%)',
      'Yếu tố [staff] — chỉ số (%)',
      'Chỉ số SIPAS (%)',
    ]);
    expect(summary!.rows).toEqual([['2026-Q4', 2, 2, 0, 100, 0, 75, null, 82.7]]);
    const header = questions!.columns.map((c) => c.header);
    expect(header).toEqual([
      'Quý',
      'Câu hỏi (mã)',
      'Số trả lời hợp lệ',
      'Mức 2 (số)',
      'Mức 2 (%)',
      'Mức 4 (số)',
      'Mức 4 (%)',
      'Mức 5 (số)',
      'Mức 5 (%)',
      'Bình quân',
      'Tỷ lệ hài lòng (%)',
    ]);
    expect(questions!.rows).toEqual([
      ['2026-Q4', 'a1', 2, 0, 0, 1, 50, 1, 50, 4.5, 100],
      ['2026-Q4', 'a2', 2, 1, 50, 0, 0, 1, 50, 3.5, 50],
      ['2026-Q4', 'b1', 0, 0, null, 0, null, 0, null, null, null],
    ]);
  });

  test('quick: satisfied shares, distribution, reasons chosen', () => {
    const [summary, distribution, reasons] = flattenReport(quick(), 1).tables;
    expect(summary!.rows).toEqual([['Toàn bộ', 4, 4, 0, 100, 0, null, 75]]); // attitude (no answers), overall
    expect(summary!.columns[0]!.header).toBe('Phạm vi');
    expect(distribution!.rows).toEqual([['Toàn bộ', 'overall', 4, 1, 25, 1, 25, 2, 50, 2.3, 75]]);
    expect(reasons!.rows).toEqual([
      ['Toàn bộ', 'reasons', 'rude', 1],
      ['Toàn bộ', 'reasons', 'slow', 2],
    ]);
  });

  test('per-case list: a row per evaluation numbered from the page offset, then "Tổng số" and "Điểm bình quân"', () => {
    const flat = flattenReport(perCaseList(), 1);
    expect(flat.title.at(-1)).toBe('Số dòng: 2 trên tổng số 40 (từ dòng 11)');
    const [list] = flat.tables;
    expect(list!.rows[0]).toEqual([
      11,
      '000.00.12.H42-261001-0001',
      '1.001234',
      'tu-phap',
      'cb-lan',
      'q1',
      'xa-hai-long',
      '01/10/2026 08:30',
      'per-case v2',
      '',
      2,
      1,
      3,
      'Yếu',
      3,
      '1, 3',
    ]);
    // 16:59 UTC on 2 October is 23:59 in Vietnam, the same day
    expect(list!.rows[1]?.slice(7, 16)).toEqual([
      '02/10/2026 23:59',
      'per-case v2',
      'Có',
      1,
      null,
      1,
      null,
      null,
      null,
    ]);
    expect(list!.footer).toEqual([
      { kind: 'count', cells: ['Tổng số', '', '', '', '', '', '', '', '', '', 61, 33, '', '', '', ''] },
      { kind: 'figure', cells: ['Điểm bình quân', '', '', '', '', '', '', '', '', '', 1.5, 0.8, 2.4, '', '', ''] },
    ]);
  });
});

describe('CSV', () => {
  test('UTF-8 with BOM, CRLF, quoting; Vietnamese intact; a formula-like comment is shown, not run', async () => {
    const bytes = await exportReport(comments(), 'csv', 1);
    const text = bytes.toString('utf8');
    expect(text.split('\r\n').length).toBeGreaterThan(5);
    expect(text.replace(/\r\n/g, '')).not.toMatch(/\r/); // the only CRs end lines (or sit inside quotes)
    const rows = csvRows(bytes);
    expect(rows[0]).toEqual(['Ý kiến góp ý của người dân, tổ chức']);
    expect(rows).toContainEqual(['Lọc theo: tìm "cham"']);
    const list = byHeader(section(rows, 'Ý kiến'));
    expect(list[0]).toMatchObject({ STT: '1', 'Ý kiến': `'${FORMULA}`, 'Điểm phiếu (%)': '25.0', 'Cán bộ': NO_DATA });
    expect(list[1]).toMatchObject({
      'Ý kiến': 'Cán bộ chậm, "khó chịu"\nđợi lâu',
      'Điểm phiếu (%)': NO_DATA,
      'Bị gắn cờ': 'Có',
    });
    // Every line a spreadsheet would read starts with something other than a formula character.
    for (const r of rows) for (const cell of r) expect(cell).not.toMatch(/^[=+@\t\r]/);
  });

  test('per-case: both tables after the title, figures to the decimals, footer-free, empty group as —', () => {
    const rows = csvRows(toCsv(flattenReport(perCase(), 2)));
    const summary = byHeader(section(rows, 'Tổng hợp'));
    expect(summary[0]).toMatchObject({ 'Đơn vị': 'Xã Hải Long (xa-hai-long)', 'Tổng điểm': '6.67', 'Xếp hạng': '1' });
    expect(summary[0]!['Chỉ số 3 — điểm bình quân']).toBe('2.00');
    expect(summary[1]).toMatchObject({
      'Tổng điểm': NO_DATA,
      'Xếp loại': NO_DATA,
      'Xếp hạng': NO_DATA,
      'Số phiếu tính (N)': '0',
    });
    expect(byHeader(section(rows, 'Chỉ số'))).toHaveLength(4);
  });

  test('per-case list: sums as whole numbers, means to the decimals', () => {
    const rows = csvRows(toCsv(flattenReport(perCaseList(), 1)));
    const table = section(rows, 'Danh sách');
    expect(table.at(-2)?.slice(10, 12)).toEqual(['61', '33']);
    expect(table.at(-1)?.slice(0, 1)).toEqual(['Điểm bình quân']);
    expect(table.at(-1)?.slice(10, 13)).toEqual(['1.5', '0.8', '2.4']);
  });
});

describe('XLSX', () => {
  test('per-case: one sheet per table, title rows, header bold and frozen, numbers as numbers with the format', async () => {
    const wb = await readXlsx(await exportReport(perCase(), 'xlsx', 1));
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Tổng hợp', 'Chỉ số']);
    const ws = wb.getWorksheet('Tổng hợp')!;
    const titleRows = flattenReport(perCase(), 1).title.length;
    expect(ws.getCell(1, 1).value).toBe('Tổng hợp đánh giá việc giải quyết thủ tục hành chính');
    expect(ws.getCell(2, 1).value).toBe(UNITS_LINE);
    const header = ws.getRow(titleRows + 1);
    expect(header.getCell(1).value).toBe('Đơn vị');
    expect(header.getCell(1).font?.bold).toBe(true);
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: titleRows + 1 });
    const first = ws.getRow(titleRows + 2);
    expect(first.getCell(1).value).toBe('Xã Hải Long (xa-hai-long)');
    expect(first.getCell(2).value).toBe(3);
    expect(first.getCell(2).numFmt).toBe('0');
    expect(first.getCell(11).value).toBe(6.7);
    expect(first.getCell(11).type).toBe(ExcelJS.ValueType.Number);
    expect(first.getCell(11).numFmt).toBe('0.0');
    expect(first.getCell(13).value).toBe('Trung bình');
    const empty = ws.getRow(titleRows + 3);
    expect(empty.getCell(11).value).toBe(NO_DATA);
    expect(ws.getColumn(1).width).toBeGreaterThanOrEqual('Xã Hải Long (xa-hai-long)'.length);
  });

  test('comments: the formula-like comment stays a string, never a formula; per-case list footer is bold', async () => {
    const wb = await readXlsx(await exportReport(comments(), 'xlsx', 1));
    const ws = wb.getWorksheet('Ý kiến')!;
    const found: ExcelJS.Cell[] = [];
    ws.eachRow((row) => row.eachCell((c) => void (c.value === FORMULA && found.push(c))));
    expect(found).toHaveLength(1);
    expect(found[0]!.type).toBe(ExcelJS.ValueType.String);
    const list = (await readXlsx(await exportReport(perCaseList(), 'xlsx', 1))).getWorksheet('Danh sách')!;
    const last = list.getRow(list.rowCount);
    expect(last.getCell(1).value).toBe('Điểm bình quân');
    expect(last.font?.bold).toBe(true);
    expect(last.getCell(13).value).toBe(2.4);
    expect(last.getCell(13).numFmt).toBe('0.0');
    expect(list.getRow(list.rowCount - 1).getCell(11).numFmt).toBe('0');
  });

  test('SIPAS and quick: their sheets, Vietnamese names intact', async () => {
    const s = await readXlsx(await exportReport(sipas(), 'xlsx', 1));
    expect(s.worksheets.map((w) => w.name)).toEqual(['Tổng hợp SIPAS', 'Câu hỏi']);
    const q = await readXlsx(await exportReport(quick(), 'xlsx', 1));
    expect(q.worksheets.map((w) => w.name)).toEqual(['Tổng hợp', 'Phân bố', 'Lý do']);
  });
});

describe('JSON and file names', () => {
  test('JSON is the ReportResult as is, full precision, pretty', async () => {
    const result = perCase();
    const text = (await exportReport(result, 'json', 1)).toString('utf8');
    expect(JSON.parse(text)).toEqual(result);
    expect(text).toContain('"total": 6.666666666666667');
    expect(text).toMatch(/^\{\n {2}"report": "per-case",/);
  });

  test('file names are ASCII slugs with the report, unit and period', () => {
    expect(exportFileName({ report: 'per-case', unit: null, from: '2026-10-01', to: '2026-12-31' }, 'csv')).toBe(
      'bao-cao-per-case-2026-10-01_2026-12-31.csv',
    );
    expect(exportFileName({ report: 'sipas', unit: 'xa-hai-long', from: '2026-01-01', to: '2026-12-31' }, 'xlsx')).toBe(
      'bao-cao-sipas-xa-hai-long-2026-01-01_2026-12-31.xlsx',
    );
    expect(exportFileName({ report: 'x"\r\nÝ', unit: null, from: 'a', to: 'b' }, 'json')).toMatch(/^[A-Za-z0-9._-]+$/);
  });
});
