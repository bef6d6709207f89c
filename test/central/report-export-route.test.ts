import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { saveReportSettings } from '../../central/reports/settings-store.ts';
import { DEFAULT_REPORT_SETTINGS } from '../../shared/reports/settings.ts';
import { type TestCentral, startTestCentral } from '../support/central.ts';
import { ConsoleClient, makeAccount } from '../support/console-client.ts';

/**
 * The console's export route up to the engine: the session it needs and each refusal it makes itself
 * (the engine's answers, and the download, are covered where the engine is: it is built in parallel).
 */
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
      'unknown grouping "ward"; group by unit, field, procedure, officer, counter, month, quarter',
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
