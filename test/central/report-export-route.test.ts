import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ensureUnit } from '../../central/ops/units.ts';
import { ReportRequestError, type ReportViewer, type runReport } from '../../central/reports/run-report.ts';
import { saveReportSettings } from '../../central/reports/settings-store.ts';
import type { ReportQuery } from '../../shared/reports/query.ts';
import type { ReportResult } from '../../shared/reports/result.ts';
import { DEFAULT_REPORT_SETTINGS } from '../../shared/reports/settings.ts';
import { type TestCentral, startTestCentral } from '../support/central.ts';
import { ConsoleClient, makeAccount } from '../support/console-client.ts';

/** The console's export route: the session it needs, each refusal it makes itself, and the download. */
describe('console GET /reports/export', () => {
  let central: TestCentral;
  let client: ConsoleClient;
  beforeAll(async () => {
    central = await startTestCentral('pglite');
    await makeAccount(central.db, 'it-export');
    client = new ConsoleClient(central.url);
    await client.login('it-export');
  });
  afterAll(async () => {
    await central.close();
  });

  const exports = async (): Promise<number> =>
    Number(
      (await central.db.query(`SELECT count(*) AS n FROM admin_audit WHERE action = 'report_export'`)).rows[0]?.['n'],
    );

  test('without a session it sends the browser to the login page, nothing exported', async () => {
    const anonymous = new ConsoleClient(central.url);
    const page = await anonymous.get('/reports/export?format=csv&report=per-case&period=2026-Q4');
    expect(page.status).toBe(303);
    expect(page.location).toMatch(/\/console\/login\?required=1&next=/);
  });

  test.each([
    ['report=per-case&from=2026-12-31&to=2026-10-01', 'the period is reversed: 2026-12-31 is after 2026-10-01'],
    ['report=per-case&from=2017-01-01&to=2026-12-31', 'the period covers 3652 days; a report covers at most 1096'],
    [
      'report=per-case&period=2026&by=unit,ward',
      'unknown grouping "ward"; group by unit, field, procedure, officer, counter, month, quarter, version',
    ],
    ['report=per-case&period=2026&by=unit&by=month&by=field', 'at most two groupings (got unit, month, field)'],
    ['report=per-case&from=2026-02-30&to=2026-03-01', 'from: not a calendar date'],
    ['report=per-case&period=2026-Q5', '"2026-Q5" is not a period'],
    [
      'report=monthly&period=2026',
      'unknown report "monthly"; the reports are per-case, per-case-list, sipas, quick, comments',
    ],
  ])('%s: 400 with the reason, nothing audited', async (qs, reason) => {
    const before = await exports();
    const page = await client.get(`/reports/export?format=csv&${qs}`);
    expect(page.status).toBe(400);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.text).toContain('Không xuất được báo cáo: ');
    expect(page.text).toContain(reason.replace(/"/g, '&quot;'));
    expect(await exports()).toBe(before);
  });

  test("the range limit is the province's setting", async () => {
    await saveReportSettings(central.db, { ...DEFAULT_REPORT_SETTINGS, maxRangeDays: 92 }, 'test', new Date());
    try {
      const page = await client.get('/reports/export?format=xlsx&report=sipas&period=2026');
      expect(page.status).toBe(400);
      expect(page.text).toContain('the period covers 365 days; a report covers at most 92');
    } finally {
      await saveReportSettings(central.db, DEFAULT_REPORT_SETTINGS, 'test', new Date());
    }
  });

  test('an unknown format is a bad request, never a 500', async () => {
    const page = await client.get('/reports/export?format=pdf&report=per-case&period=2026');
    expect(page.status).toBe(400);
  });
});

/** A stand-in for the report ENGINE only (built in parallel): records who asked what; refuses like it by unit. */
const fakeEngine =
  (asked: { query: ReportQuery; viewer: ReportViewer | null }[]): typeof runReport =>
  async (_db, query, { viewer }) => {
    asked.push({ query, viewer });
    if (query.unit === 'xa-khac') throw new ReportRequestError('not_allowed', 'not your unit');
    if (query.unit === 'xa-khong') throw new ReportRequestError('unknown_unit', 'there is no unit "xa-khong"');
    if (query.unit === 'xa-loi') throw new ReportRequestError('bad_query', 'officer figures are not for your role');
    const result: ReportResult = {
      report: 'per-case',
      filters: { ...query, units: [query.unit ?? 'xa-hai-long'], unitNames: {} },
      generatedAt: '2026-12-31T17:05:00.000Z',
      notes: [],
      totals: { n: 1, complete: 1, abandoned: 0, completionPercent: 100, flagged: 0, flaggedIncluded: false },
      groups: [
        {
          key: {},
          labels: {},
          n: 1,
          complete: 1,
          abandoned: 0,
          completionPercent: 100,
          flagged: 0,
          flaggedIncluded: false,
          questions: {},
          indicators: [],
          total: 13.25,
          max: 18,
          band: { min: 12, label: { vi: 'Tốt' } },
        },
      ],
    };
    return result;
  };

describe("console GET /reports/export: the download, for the session's account", () => {
  let central: TestCentral;
  let client: ConsoleClient;
  const asked: { query: ReportQuery; viewer: ReportViewer | null }[] = [];
  beforeAll(async () => {
    central = await startTestCentral('pglite', { console: { runReport: fakeEngine(asked) } });
    await ensureUnit(central.db, { id: 'xa-hai-long', name: 'Xã Hải Long' });
    await makeAccount(central.db, 'xem-xa', 'unit_viewer', 'xa-hai-long');
    client = new ConsoleClient(central.url);
    await client.login('xem-xa');
  });
  afterAll(async () => {
    await central.close();
  });

  const download = (qs: string): Promise<Response> =>
    fetch(`${central.url}/console/reports/export?${qs}`, {
      headers: { cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
      redirect: 'manual',
    });

  test('CSV: an attachment with a safe name, BOM first; the engine gets the query and the session as viewer; audited', async () => {
    const res = await download(
      'format=csv&report=per-case&period=2026-Q4&unit=xa-hai-long&withSubunits=1&by=unit&by=month&includeFlagged=on&search=ch%E1%BA%ADm',
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe(
      'attachment; filename="bao-cao-per-case-xa-hai-long-2026-10-01_2026-12-31.csv"',
    );
    expect(res.headers.get('cache-control')).toBe('no-store');
    const bytes = Buffer.from(await res.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.toString('utf8')).toContain('Tốt');
    expect(bytes.toString('utf8')).toContain('13.3'); // 13.25 rounded half away from zero
    expect(asked.at(-1)).toEqual({
      query: expect.objectContaining({
        report: 'per-case',
        from: '2026-10-01',
        to: '2026-12-31',
        unit: 'xa-hai-long',
        withSubunits: true,
        by: ['unit', 'month'],
        includeFlagged: true,
        search: 'chậm',
      }),
      viewer: { username: 'xem-xa', role: 'unit_viewer', unitId: 'xa-hai-long' },
    });
    const audit = await central.db.query(
      `SELECT username, detail FROM admin_audit WHERE action = 'report_export' ORDER BY id DESC LIMIT 1`,
    );
    expect(audit.rows[0]).toMatchObject({
      username: 'xem-xa',
      detail: expect.objectContaining({ format: 'csv', report: 'per-case', unit: 'xa-hai-long', from: '2026-10-01' }),
    });
  });

  test('XLSX reads back with exceljs; JSON is the result as is', async () => {
    const xlsx = await download('format=xlsx&report=per-case&from=2026-10-01&to=2026-10-31');
    expect(xlsx.status).toBe(200);
    expect(xlsx.headers.get('content-disposition')).toBe(
      'attachment; filename="bao-cao-per-case-2026-10-01_2026-10-31.xlsx"',
    );
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await xlsx.arrayBuffer());
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Tổng hợp', 'Chỉ số']);
    const json = await download('format=json&report=per-case&period=2026-10');
    expect(json.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await json.json()).toMatchObject({ report: 'per-case', groups: [{ total: 13.25 }] });
  });

  test("another unit and an unknown unit answer the same 404; the engine's other refusals a 400 with its words", async () => {
    const other = await client.get('/reports/export?format=csv&report=per-case&period=2026&unit=xa-khac');
    const unknown = await client.get('/reports/export?format=csv&report=per-case&period=2026&unit=xa-khong');
    expect(other.status).toBe(404);
    expect(unknown.status).toBe(404);
    // The same page but for the address it echoes (language links): nothing tells the two apart.
    expect(unknown.text.replaceAll('xa-khong', 'xa-khac')).toBe(other.text);
    expect(unknown.text).not.toContain('there is no unit');
    const bad = await client.get('/reports/export?format=csv&report=per-case&period=2026&unit=xa-loi');
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('Không xuất được báo cáo: officer figures are not for your role');
  });
});
