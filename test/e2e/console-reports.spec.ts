import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Page, expect } from '@playwright/test';
import ExcelJS from 'exceljs';
import type { Answers } from '../../shared/answers.ts';
import { uuidv7 } from '../../shared/ids.ts';
import type { StoredResponse } from '../../shared/response.ts';
import {
  type FakeDevice,
  enrolRequest,
  envelopeOf,
  kbatchBytes,
  makeDevice,
  makeResponse,
  postBatch,
  postJson,
} from '../support/central.ts';
import {
  type CentralProcess,
  cleanupTempDirs,
  consoleLogin,
  noSeriousA11yIssues,
  runBin,
  scratchDir,
  test,
} from './support/central-process.ts';
import {
  clickExport,
  fieldMessage,
  fillAndShowReport,
  openReports,
  printReportPdf,
  readCharts,
  readTotals,
  reportTable,
} from './support/reports-page.ts';
import { PER_CASE_QUESTIONS } from '../support/responses.ts';

/**
 * A province leader's reports, end to end: a central process with a province and two communes, a
 * small known set of per-case evaluations sent by two (protocol-level) kiosks through the device API,
 * and the console read as a leader and as a commune's viewer. Every figure below is worked out by hand
 * from RESPONSES (comments beside each), never read back from the engine.
 *
 * Per-case v1 (nine indicators, 0/1/2 points), Q4/2026, days in Vietnam (UTC+7):
 *   Xã Đông Hòa     d1 10-15  all 2                  18
 *                   d2 10-01  all 1 (sent 09-30T18:00Z, already 1 October in Vietnam)   9
 *                   d3 11-10  2,2,2,2,2,2,2,2,1       17
 *                   d4 11-12  abandoned
 *   Phường Tây Sơn  t1 10-20  2,2,1,1,2,2,2,2,2       16
 *                   t2 11-05  1,1,0,0,1,1,1,1,0        6
 *                   t3 11-06  all 0, flagged (rapid repeat): out of every figure
 *   Tây Sơn's indicator 8 for 2026-Q4 is entered as a verified unit-level score of 2.
 *
 * Grouped by unit:
 *   Đông Hòa: N 3, 1 abandoned (75,0%); indicators 1-8 mean 5/3 = 1,7, indicator 9 4/3 = 1,3;
 *             total 8·5/3 + 4/3 = 44/3 = 14,67 → 14,7 "Tốt"; rank 1.
 *   Tây Sơn:  N 2, 1 flagged; indicators 1, 2, 5, 6, 7 mean 1,5; 3, 4 mean 0,5; 8 = 2,0 (verified unit
 *             entry); 9 mean 1,0; total 5·1,5 + 2·0,5 + 2 + 1 = 11,5 "Khá"; rank 2.
 *   Whole: N 5, 1 abandoned, completion 5/6 = 83,3%, 1 flagged.
 * By month (the trend; the province, so every indicator from the cases):
 *   10/2026 d1 d2 t1: indicators 3, 4 mean 4/3, the rest 5/3: total 43/3 = 14,3
 *   11/2026 d3 t2:    1, 2, 5-8 mean 1,5; 3, 4 mean 1; 9 mean 0,5: total 11,5
 */

const PROVINCE = { id: 'tinh-song-hong', name: 'Tỉnh Sông Hồng' };
const DONG = { id: 'xa-dong-hoa', name: 'Xã Đông Hòa' };
const TAY = { id: 'phuong-tay-son', name: 'Phường Tây Sơn' };
const LEADER = { username: 'lanh-dao-tinh', password: 'lãnh đạo tỉnh 2026' };
const VIEWER = { username: 'xem-dong-hoa', password: 'xem đông hòa 2026' };

type Case = {
  label: string;
  submittedAt: string;
  points: number[];
  status?: 'abandoned';
  flagged?: boolean;
  comment?: string;
};

const all = (p: number): number[] => Array<number>(9).fill(p);
const HO_TICH = { procedureCode: '1.001193', fieldCode: 'ho-tich' };

const RESPONSES: Record<string, Case[]> = {
  [DONG.id]: [
    { label: 'd1', submittedAt: '2026-10-15T03:00:00.000Z', points: all(2) },
    { label: 'd2', submittedAt: '2026-09-30T18:00:00.000Z', points: all(1), comment: 'Cán bộ hướng dẫn chưa kỹ' },
    { label: 'd3', submittedAt: '2026-11-10T02:30:00.000Z', points: [2, 2, 2, 2, 2, 2, 2, 2, 1] },
    { label: 'd4', submittedAt: '2026-11-12T04:00:00.000Z', points: [2, 2], status: 'abandoned' },
  ],
  [TAY.id]: [
    { label: 't1', submittedAt: '2026-10-20T03:00:00.000Z', points: [2, 2, 1, 1, 2, 2, 2, 2, 2] },
    { label: 't2', submittedAt: '2026-11-05T03:00:00.000Z', points: [1, 1, 0, 0, 1, 1, 1, 1, 0] },
    { label: 't3', submittedAt: '2026-11-06T03:00:00.000Z', points: all(0), flagged: true },
  ],
};

const answersOf = (c: Case): Answers => ({
  ...Object.fromEntries(c.points.map((p, i) => [PER_CASE_QUESTIONS[i]!, p])),
  ...(c.comment ? { comment: c.comment } : {}),
});

const responseOf = (device: FakeDevice, seq: number, c: Case): StoredResponse => {
  const t = Date.parse(c.submittedAt);
  return makeResponse(device, seq, {
    id: uuidv7(t),
    questionnaireId: 'per-case',
    questionnaireVersion: 1,
    ...HO_TICH,
    caseNumber: `HS-${c.label.toUpperCase()}`,
    officerId: `cb-${c.label[0]}`,
    counterId: 'quay-1',
    status: c.status ?? 'complete',
    startedAt: new Date(t - 90_000).toISOString(),
    submittedAt: c.submittedAt,
    durationMs: 90_000,
    answers: answersOf(c),
    flags: { rapidRepeat: c.flagged ?? false, clockSuspect: false },
  });
};

const ctl = (central: CentralProcess, ...args: string[]): string =>
  runBin('centralctl', ['--data-dir', central.dataDir, ...args]);

/** A kiosk of the commune (the protocol as a kiosk speaks it): enrolled with a code IT issued, one signed batch. */
const kioskSends = async (central: CentralProcess, unit: { id: string; name: string }): Promise<void> => {
  const { code } = JSON.parse(
    ctl(
      central,
      'enrol-code',
      '--unit',
      unit.id,
      '--unit-name',
      unit.name,
      '--parent',
      PROVINCE.id,
      '--kind',
      'commune',
      '--json',
    ),
  ) as { code: string };
  const device = makeDevice();
  const enrol = await postJson(`${central.url}/v1/enrol`, enrolRequest(device, code));
  expect(enrol.status, await enrol.clone().text()).toBe(201);
  const responses = RESPONSES[unit.id]!.map((c, i) => responseOf(device, i + 1, c));
  const res = await postBatch(central, kbatchBytes(device, envelopeOf(device, responses)));
  expect(res.status, await res.clone().text()).toBeLessThan(300);
  const body = (await res.json()) as Record<string, unknown>;
  expect(body).toMatchObject({ inserted: responses.length, refused: 0 });
};

const createAccount = (
  central: CentralProcess,
  account: { username: string; password: string },
  ...args: string[]
): void => {
  const file = join(scratchDir('pw-'), 'password');
  writeFileSync(file, `${account.password}\n`);
  ctl(central, 'create-admin', account.username, '--password-file', file, ...args);
};

test.describe.configure({ mode: 'serial' });
test.afterAll(cleanupTempDirs);

test.beforeAll(async ({ central }) => {
  test.setTimeout(60_000);
  ctl(central, 'unit-add', PROVINCE.id, '--name', PROVINCE.name, '--kind', 'province');
  await kioskSends(central, DONG);
  await kioskSends(central, TAY);
  ctl(central, 'unit-indicator-set', '--unit', TAY.id, '--quarter', '2026-Q4', '--indicator', '8', '--verified', '2');
  createAccount(central, LEADER, '--role', 'province-admin', '--name', 'Lãnh đạo tỉnh');
  createAccount(central, VIEWER, '--role', 'unit-viewer', '--unit', DONG.id, '--name', 'Cán bộ Đông Hòa');
});

const QUARTER = { report: 'per-case', period: { quarter: 4, year: 2026 } } as const;

/** The leader's report: Q4/2026, the province with its communes, grouped by unit, through the form. */
const leaderReport = async (page: Page, central: CentralProcess): Promise<void> => {
  await consoleLogin(page, central, LEADER.username, LEADER.password);
  await openReports(page, central);
  await fillAndShowReport(page, { ...QUARTER, unit: PROVINCE.id, withSubunits: true, by: ['unit'] });
  await expect(page.getByTestId('report')).toBeVisible();
};

const row = (rows: string[][], first: string): string[] => {
  const found = rows.find((r) => r[0] === first);
  expect(found, `a row for ${first} in ${JSON.stringify(rows)}`).toBeDefined();
  return found!;
};

/** Per unit: N, abandoned, completion, flagged, indicators 1-9, total /18, band, rank (hand-computed, see the top). */
const DONG_ROW = ['3', '1', '75,0%', '0', ...Array<string>(8).fill('1,7'), '1,3', '14,7', 'Tốt', '1'];
const TAY_ROW = [
  '2',
  '0',
  '100,0%',
  '1',
  ...['1,5', '1,5', '0,5', '0,5', '1,5', '1,5', '1,5'],
  '2,0 (đơn vị, đã thẩm định)',
  '1,0',
  '11,5',
  'Khá',
  '2',
];

test('a leader filters a quarter for the province by unit: totals, the summary table and the charts show the hand-computed figures; axe finds nothing serious', async ({
  page,
  central,
}) => {
  await leaderReport(page, central);
  await expect(page).toHaveURL(/report=per-case/);
  expect(await readTotals(page)).toEqual({ n: '5', completion: '83,3%', flagged: '1 (không tính vào số liệu)' });
  await expect(page.getByTestId('print-period')).toHaveText('Quý 4/2026');

  const summary = await reportTable(page, 'per-case-summary');
  expect(summary.head).toEqual([
    ...['Đơn vị', 'Số phiếu', 'Bỏ dở', 'Tỷ lệ hoàn thành', 'Gắn cờ'],
    ...PER_CASE_QUESTIONS.map((_, i) => `CS${i + 1}`),
    ...['Tổng điểm (/18)', 'Xếp loại', 'Thứ hạng'],
  ]);
  expect(row(summary.rows, DONG.name).slice(1)).toEqual(DONG_ROW);
  expect(row(summary.rows, TAY.name).slice(1)).toEqual(TAY_ROW);
  // The province itself has no kiosk and its communes are in the selection: no row of its own (an empty
  // row beside its communes' figures would read as a province that scored nothing).
  expect(summary.rows.map((r) => r[0])).toEqual([TAY.name, DONG.name]); // in the order of their ids

  const charts = await readCharts(page);
  expect(Object.keys(charts).sort()).toEqual(['chart-compare', 'chart-distribution', 'chart-trend']);
  // Trend by month over the whole province (every indicator from the cases).
  expect(charts['chart-trend']!.table.rows).toEqual([
    ['10/2026', '14,3'],
    ['11/2026', '11,5'],
  ]);
  expect(charts['chart-trend']!.ariaLabel).toContain('cao nhất 14,3 (10/2026), thấp nhất 11,5 (11/2026)');
  // Units side by side.
  expect(row(charts['chart-compare']!.table.rows, DONG.name)).toEqual([DONG.name, '14,7']);
  expect(row(charts['chart-compare']!.table.rows, TAY.name)).toEqual([TAY.name, '11,5']);
  expect(charts['chart-compare']!.ariaLabel).toContain(`cao nhất ${DONG.name} (14,7), thấp nhất ${TAY.name} (11,5)`);
  // Distribution of the answers over d1 d2 d3 t1 t2, per indicator: count at 0/1/2 points (share), valid.
  // Indicator 8 of Tây Sơn is its unit's entry, not answers: only Đông Hòa's three answers are counted.
  const dist = charts['chart-distribution']!.table;
  expect(dist.head).toEqual(['Chỉ số', '0 điểm', '1 điểm', '2 điểm', 'Số hợp lệ']);
  expect(row(dist.rows, 'CS1')).toEqual(['CS1', '0 (0,0%)', '2 (40,0%)', '3 (60,0%)', '5']);
  expect(row(dist.rows, 'CS3')).toEqual(['CS3', '1 (20,0%)', '2 (40,0%)', '2 (40,0%)', '5']);
  expect(row(dist.rows, 'CS8')).toEqual(['CS8', '0 (0,0%)', '1 (33,3%)', '2 (66,7%)', '3']);
  expect(row(dist.rows, 'CS9')).toEqual(['CS9', '1 (20,0%)', '2 (40,0%)', '2 (40,0%)', '5']);
  for (const chart of Object.values(charts)) expect(chart.ariaLabel.length).toBeGreaterThan(20);
  // Each chart's SVG is followed by its table (the table is what a screen reader reads).
  for (const fig of await page.locator('figure.report-chart').all())
    expect(await fig.evaluate((f) => f.querySelector('svg[role="img"] ~ table.chart-data') !== null)).toBe(true);

  // Where indicator 8 of Tây Sơn came from is said, in the page's Vietnamese.
  await expect(page.getByTestId('report-notes')).toContainText(
    'chỉ số 8: lấy từ điểm đã thẩm định do đơn vị nhập (quý 4/2026)',
  );
  await noSeriousA11yIssues(page, 'reports with results');
});

/** The text of every page of a PDF, as pdf.js reads it (items joined by spaces, whitespace collapsed, NFC). */
const pdfText = async (bytes: Buffer): Promise<{ pages: number; size: number[]; text: string }> => {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const doc = await pdfjs.getDocument({ data: new Uint8Array(bytes), useSystemFonts: false }).promise;
  const parts: string[] = [];
  for (let i = 1; i <= doc.numPages; i++) {
    const content = await (await doc.getPage(i)).getTextContent();
    for (const item of content.items) if ('str' in item) parts.push(item.str);
  }
  const pages = doc.numPages;
  // The first page's width and height in points (A4 is 595 × 842).
  const size = (await doc.getPage(1)).view.slice(2).map(Math.round);
  await doc.destroy();
  return { pages, size, text: parts.join(' ').normalize('NFC').replace(/\s+/g, ' ') };
};

/** A CSV line split on commas outside quotes (RFC 4180), quotes undone. */
const csvFields = (line: string): string[] =>
  [...line.matchAll(/("(?:[^"]|"")*"|[^,]*)(,|$)/g)]
    .slice(0, -1)
    .map((m) => (m[1]!.startsWith('"') ? m[1]!.slice(1, -1).replace(/""/g, '"') : m[1]!));

test("the page's CSV and XLSX downloads read back with the same figures, Vietnamese intact; the printed PDF has the unit, period, tables and signatures", async ({
  page,
  central,
}) => {
  await leaderReport(page, central);

  const csv = await clickExport(page, 'csv');
  expect(csv.name).toBe(`bao-cao-per-case-${PROVINCE.id}-2026-10-01_2026-12-31.csv`);
  expect([...csv.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const lines = csv.bytes.subarray(3).toString('utf8').split('\r\n');
  expect(lines[0]).toBe('Tổng hợp đánh giá việc giải quyết thủ tục hành chính');
  expect(lines).toContain('Kỳ báo cáo: từ ngày 01/10/2026 đến ngày 31/12/2026');
  expect(lines).toContain(
    'Tổng số phiếu tính vào số liệu: 5; hoàn thành 5; bỏ dở 1; tỷ lệ hoàn thành 83.3%; bị gắn cờ 1',
  );
  const header = lines.indexOf('Tổng hợp') + 1;
  expect(csvFields(lines[header]!).slice(0, 2)).toEqual(['Đơn vị', 'Số phiếu tính (N)']);
  const csvRow = (unit: { id: string; name: string }): string[] =>
    csvFields(lines.find((l) => l.startsWith(`${unit.name} (${unit.id}),`))!);
  // N, complete, abandoned, completion %, flagged, indicators 1-9, total, max, band, rank ("." decimals).
  expect(csvRow(DONG).slice(1)).toEqual([
    ...['3', '3', '1', '75.0', '0'],
    ...Array<string>(8).fill('1.7'),
    ...['1.3', '14.7', '18', 'Tốt', '1'],
  ]);
  expect(csvRow(TAY).slice(1)).toEqual([
    ...['2', '2', '0', '100.0', '1'],
    ...['1.5', '1.5', '0.5', '0.5', '1.5', '1.5', '1.5', '2.0', '1.0'],
    ...['11.5', '18', 'Khá', '2'],
  ]);

  // Indicator 8 of Tây Sơn: the unit's verified 2.0, the source said, and (docs/reports.md) the cases'
  // own answers still shown beside it: t1 gave 2, t2 gave 1.
  const entryRow = lines.find((l) => l.startsWith(`${TAY.name} (${TAY.id}),Chỉ số 8,`))!;
  expect(csvFields(entryRow).slice(2)).toEqual([
    ...['tiep-thu-giai-trinh', 'Đơn vị nhập, đã thẩm định', '2'],
    ...['0', '0.0', '1', '50.0', '1', '50.0'],
    '2.0',
  ]);

  const xlsx = await clickExport(page, 'xlsx');
  expect(xlsx.name).toMatch(/\.xlsx$/);
  const wb = new ExcelJS.Workbook();
  // A copy into its own ArrayBuffer: what exceljs's load() is typed to take.
  await wb.xlsx.load(new Uint8Array(xlsx.bytes).buffer);
  const sheet = wb.getWorksheet('Tổng hợp')!;
  expect(sheet).toBeDefined();
  expect(wb.getWorksheet('Chỉ số')).toBeDefined();
  const values = (r: ExcelJS.Row): unknown[] => (r.values as unknown[]).slice(1);
  const rows: unknown[][] = [];
  sheet.eachRow((r) => rows.push(values(r)));
  expect(rows[0]).toEqual(['Tổng hợp đánh giá việc giải quyết thủ tục hành chính']);
  const xRow = (unit: { id: string; name: string }): unknown[] =>
    rows.find((r) => r[0] === `${unit.name} (${unit.id})`)!;
  // Numbers are numbers (typed cells), shown to one decimal by the cell format.
  expect(xRow(DONG).slice(1)).toEqual([3, 3, 1, 75, 0, ...Array<number>(8).fill(1.7), 1.3, 14.7, 18, 'Tốt', 1]);
  expect(xRow(TAY).slice(1)).toEqual([2, 2, 0, 100, 1, 1.5, 1.5, 0.5, 0.5, 1.5, 1.5, 1.5, 2, 1, 11.5, 18, 'Khá', 2]);
  const headerRow = rows.find((r) => r[0] === 'Đơn vị')!;
  const totalCell = sheet.getRow(rows.indexOf(xRow(DONG)) + 1).getCell(headerRow.indexOf('Tổng điểm') + 1);
  expect(totalCell.value).toBe(14.7);
  expect(totalCell.type).toBe(ExcelJS.ValueType.Number);
  expect(totalCell.numFmt).toBe('0.0');

  const pdf = await printReportPdf(page);
  expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  const { text, size } = await pdfText(pdf);
  expect(size).toEqual([595, 842]);
  for (const expected of [
    PROVINCE.name.toUpperCase(), // the agency heading
    'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM',
    'Quý 4/2026',
    'CS1',
    'Tổng điểm (/18)',
    'Xếp loại',
    DONG.name,
    TAY.name,
    '14,7',
    '11,5',
    '83,3%',
    'Người lập biểu',
    'Thủ trưởng đơn vị',
    '(Ký, ghi rõ họ tên, đóng dấu)',
  ])
    expect(text, expected).toContain(expected);
  // The filter form, the menu and the export links are not printed.
  for (const screenOnly of ['Xem báo cáo', 'CSV (Excel)', 'Để in hoặc lưu PDF', LEADER.username])
    expect(text, screenOnly).not.toContain(screenOnly);
});

/** The unit with its sub-units, or alone (the parameter left out, as the page's own links do). */
const withSubunits = (url: URL, on: boolean): void => {
  if (on) url.searchParams.set('withSubunits', '1');
  else url.searchParams.delete('withSubunits');
};

const NOT_FOUND = 'Không có đơn vị này, hoặc tài khoản không được xem báo cáo của đơn vị này.';

test("a commune's viewer sees only their commune; another unit's id in the page's or the export's URL is a 404 with no figures", async ({
  page,
  central,
}) => {
  await consoleLogin(page, central, VIEWER.username, VIEWER.password);
  await openReports(page, central);
  // The form offers their commune only, with its sub-units by default.
  expect(
    await page.locator('#f-unit option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value)),
  ).toEqual([DONG.id]);
  // A range of days this time. It starts on 1 October in Vietnam, so d2 (30 September 18:00 UTC) is in.
  await fillAndShowReport(page, { report: 'per-case', period: { from: '2026-10-01', to: '2026-11-30' } });
  await expect(page.getByTestId('print-period')).toHaveText('Từ ngày 01/10/2026 đến ngày 30/11/2026');
  await expect(page.getByTestId('print-unit')).toHaveText(DONG.name.toUpperCase());
  expect(await readTotals(page)).toEqual({ n: '3', completion: '75,0%', flagged: '0 (không tính vào số liệu)' });
  const summary = await reportTable(page, 'per-case-summary');
  expect(summary.rows).toEqual([['Toàn bộ', ...DONG_ROW.slice(0, -1)]]);
  const charts = await readCharts(page);
  // Đông Hòa by month: October d1 d2 (indicators 1.5 each: 13,5), November d3 (17).
  expect(charts['chart-trend']!.table.rows).toEqual([
    ['10/2026', '13,5'],
    ['11/2026', '17,0'],
  ]);
  await expect(page.locator('main')).not.toContainText(TAY.name);
  const own = page.url();
  expect(new URL(own).searchParams.get('unit')).toBe(DONG.id);
  const exportHref = new URL((await page.getByTestId('export-csv').getAttribute('href'))!, own);
  expect((await page.request.get(exportHref.toString())).status()).toBe(200);

  for (const [unit, sub] of [
    [TAY.id, true],
    [PROVINCE.id, true],
    [PROVINCE.id, false],
  ] as const) {
    const url = new URL(own);
    url.searchParams.set('unit', unit);
    withSubunits(url, sub);
    const res = await page.goto(url.toString());
    expect(res?.status(), url.search).toBe(404);
    await expect(page.locator('main')).toContainText(NOT_FOUND);
    await expect(page.getByTestId('report')).toHaveCount(0);
    await expect(page.getByTestId('per-case-summary')).toHaveCount(0);
    for (const leak of [TAY.name, '11,5', '83,3%']) await expect(page.locator('body')).not.toContainText(leak);

    const exp = new URL(exportHref);
    exp.searchParams.set('unit', unit);
    withSubunits(exp, sub);
    const download = await page.request.get(exp.toString());
    expect(download.status(), exp.search).toBe(404);
    const body = await download.text();
    for (const leak of [TAY.name, 'Tổng hợp', '11.5', '14.7']) expect(body).not.toContain(leak);
  }
});

test('bad input in the console: a reversed date range (form and URL) and a ten-year range (URL) give a clear message, not a 500', async ({
  page,
  central,
}) => {
  await consoleLogin(page, central, LEADER.username, LEADER.password);
  await openReports(page, central);
  await fillAndShowReport(page, {
    report: 'per-case',
    period: { from: '2026-11-30', to: '2026-10-01' },
    unit: PROVINCE.id,
  });
  const reversed = 'Kỳ báo cáo bị ngược: ngày 2026-11-30 ở sau ngày 2026-10-01.';
  expect(await fieldMessage(page, 'from')).toBe(reversed);
  await expect(page.getByTestId('report')).toHaveCount(0);
  await expect(page.locator('#f-from')).toHaveValue('2026-11-30');

  const base = `${central.url}/console/reports?report=per-case&unit=${PROVINCE.id}&withSubunits=1&by=unit`;
  // A range's message is on its first day, where the reader starts correcting.
  for (const [qs, message] of [
    ['&period=range&from=2026-11-30&to=2026-10-01', reversed],
    ['&period=range&from=2016-01-01&to=2025-12-31', 'Kỳ báo cáo dài 3653 ngày; một báo cáo chỉ được tối đa 1096 ngày.'],
  ] as const) {
    const res = await page.goto(`${base}${qs}`);
    expect(res?.status(), qs).toBe(400);
    await expect(page.getByTestId('report-form')).toBeVisible();
    expect(await fieldMessage(page, 'from'), qs).toBe(message);
    await expect(page.getByTestId('report')).toHaveCount(0);
  }
});
