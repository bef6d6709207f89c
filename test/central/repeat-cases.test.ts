// One evaluation per case number per unit, across kiosks (issue 11): central counts the earliest complete,
// unflagged evaluation of a case in a unit and counts every other one as flagged, whatever order the
// batches arrive in (central/reports/repeat-cases.ts, the rule in aggregate.ts repeatCaseLosers).
import { expect, test } from 'vitest';
import { runCommand } from '../../central/cli/commands.ts';
import { ensureUnit, storeBatch } from '../../central/index.ts';
import type { Queryable } from '../../central/db/types.ts';
import { exportResponses } from '../../central/ops/export.ts';
import { drainReportQueueFully } from '../../central/reports/drain.ts';
import { runReport } from '../../central/reports/run-report.ts';
import { uuidv7 } from '../../shared/ids.ts';
import { ReportQuery } from '../../shared/reports/query.ts';
import type { StoredResponse } from '../../shared/response.ts';
import {
  type FakeDevice,
  type TestCentral,
  enrolled,
  envelopeOf,
  makeDevice,
  makeResponse,
} from '../support/central.ts';
import { PER_CASE_QUESTIONS } from '../support/responses.ts';
import { defaultQuestionnaire } from '../shared/config-fixtures.ts';
import { forEachBackend, sharedCentral } from './backends.ts';
import { jsAggregatedReportTables, readReportTables, rebuiltReportTables } from './reports-aggregate-tables.ts';

/** A complete per-case (v1) evaluation of a case, every indicator scored `points`. */
const evaluation = (
  device: FakeDevice,
  seq: number,
  caseNumber: string,
  at: string,
  points: number,
  more: Partial<StoredResponse> = {},
): StoredResponse =>
  makeResponse(device, seq, {
    id: uuidv7(Date.parse(at)),
    questionnaireId: 'per-case',
    questionnaireVersion: 1,
    caseNumber,
    startedAt: new Date(Date.parse(at) - 60_000).toISOString(),
    submittedAt: at,
    answers: Object.fromEntries(PER_CASE_QUESTIONS.map((id) => [id, points])),
    ...more,
  });

/** Stores one batch (online, or a USB file) and lets the report job count it. */
const send = async (c: TestCentral, device: FakeDevice, responses: StoredResponse[], via: 'http' | 'file' = 'http') => {
  const ack = await storeBatch(c.db, envelopeOf(device, responses), via, new Date());
  expect(ack.inserted).toBe(responses.length);
  await drainReportQueueFully(c.db);
};

type Summary = { n: number; flagged: number; indicator1: number | null | undefined; total: number | null };

/** The per-case report of a unit (and its subunits), its whole-selection figures. */
const perCase = async (
  db: Queryable,
  unit: string,
  more: { includeFlagged?: boolean; from?: string; to?: string; withSubunits?: boolean } = {},
): Promise<Summary> => {
  const query = { report: 'per-case', from: '2026-11-01', to: '2026-11-30', unit, ...more };
  const r = await runReport(db, ReportQuery.parse(query), { viewer: null, now: new Date('2026-12-05T00:00:00Z') });
  if (r.report !== 'per-case') throw new Error(`asked for per-case, got ${r.report}`);
  const group = r.groups[0];
  return {
    n: r.totals.n,
    flagged: r.totals.flagged,
    indicator1: group?.indicators.find((i) => i.indicator === 1)?.mean,
    total: group?.total ?? null,
  };
};

const flaggedOf = async (db: Queryable, device: FakeDevice): Promise<unknown[]> =>
  (
    await db.query('SELECT case_number, flagged FROM report_facts WHERE device_id = $1 ORDER BY submitted_at', [
      device.id,
    ])
  ).rows;

forEachBackend('one evaluation per case number per unit, across kiosks', (backend) => {
  /** Without the server's job: each test drains when it chooses. */
  const central = sharedCentral(backend, { reportDrain: false });

  test('two kiosks of one unit each store an evaluation of HS-1: the earlier is counted, the other flagged; --include-flagged counts both', async () => {
    const c = central();
    await ensureUnit(c.db, { id: 'rc-one', name: 'Xã một' });
    const [k1, k2] = [await enrolled(c, makeDevice(), 'rc-one'), await enrolled(c, makeDevice(), 'rc-one')];
    await send(c, k1!, [evaluation(k1!, 1, 'HS-1', '2026-11-10T02:00:00.000Z', 2)]);
    await send(c, k2!, [
      evaluation(k2!, 1, 'HS-1', '2026-11-10T03:00:00.000Z', 0),
      evaluation(k2!, 2, 'HS-2', '2026-11-11T03:00:00.000Z', 1),
    ]);
    // Counted: k1's HS-1 (2 points each) and HS-2 (1 point each): indicator mean 1.5, total 9 × 1.5.
    expect(await perCase(c.db, 'rc-one')).toEqual({ n: 2, flagged: 1, indicator1: 1.5, total: 13.5 });
    // With the flagged: 2, 0 and 1 points: mean 1, total 9.
    expect(await perCase(c.db, 'rc-one', { includeFlagged: true })).toEqual({
      n: 3,
      flagged: 1,
      indicator1: 1,
      total: 9,
    });
    expect(await flaggedOf(c.db, k1!)).toEqual([{ case_number: 'HS-1', flagged: false }]);
    expect(await flaggedOf(c.db, k2!)).toEqual([
      { case_number: 'HS-1', flagged: true },
      { case_number: 'HS-2', flagged: false },
    ]);
    expect(await readReportTables(c.db)).toEqual(await rebuiltReportTables(c.db));
    expect(await readReportTables(c.db)).toEqual(await jsAggregatedReportTables(c.db));
  });

  test('the same case number in two units is two evaluations: both counted', async () => {
    const c = central();
    await ensureUnit(c.db, { id: 'rc-tinh', name: 'Tỉnh' });
    await ensureUnit(c.db, { id: 'rc-x', name: 'Xã X', parentId: 'rc-tinh' });
    await ensureUnit(c.db, { id: 'rc-y', name: 'Xã Y', parentId: 'rc-tinh' });
    const kx = await enrolled(c, makeDevice(), 'rc-x');
    const ky = await enrolled(c, makeDevice(), 'rc-y');
    await send(c, kx, [evaluation(kx, 1, 'HS-1', '2026-11-10T02:00:00.000Z', 2)]);
    await send(c, ky, [evaluation(ky, 1, 'HS-1', '2026-11-10T03:00:00.000Z', 0)]);
    expect(await perCase(c.db, 'rc-x')).toEqual({ n: 1, flagged: 0, indicator1: 2, total: 18 });
    expect(await perCase(c.db, 'rc-y')).toEqual({ n: 1, flagged: 0, indicator1: 0, total: 0 });
    expect(await perCase(c.db, 'rc-tinh', { withSubunits: true })).toEqual({
      n: 2,
      flagged: 0,
      indicator1: 1,
      total: 9,
    });
  });

  test('a late USB batch with an EARLIER evaluation of a counted case: the earlier counts, the other moves to flagged in the daily, monthly and roll-up figures', async () => {
    const c = central();
    await ensureUnit(c.db, { id: 'rc-late-tinh', name: 'Tỉnh' });
    await ensureUnit(c.db, { id: 'rc-late', name: 'Xã trễ', parentId: 'rc-late-tinh' });
    const online = await enrolled(c, makeDevice(), 'rc-late');
    const offline = await enrolled(c, makeDevice(), 'rc-late');
    await send(c, online, [
      evaluation(online, 1, 'HS-7', '2026-11-20T02:00:00.000Z', 2),
      evaluation(online, 2, 'HS-8', '2026-11-21T02:00:00.000Z', 1),
    ]);
    const whole = { from: '2026-11-01', to: '2026-11-30' }; // whole months: the monthly table and roll-ups
    const days = { from: '2026-11-02', to: '2026-11-25' }; // part of a month: the daily table
    const tree = { withSubunits: true };
    const before = { n: 2, flagged: 0, indicator1: 1.5, total: 13.5 };
    expect(await perCase(c.db, 'rc-late', whole)).toEqual(before);
    expect(await perCase(c.db, 'rc-late', days)).toEqual(before);
    expect(await perCase(c.db, 'rc-late-tinh', { ...whole, ...tree })).toEqual(before);

    // A month later, the other kiosk's file: it evaluated HS-7 first (0 points each), on 5 November.
    await send(c, offline, [evaluation(offline, 1, 'HS-7', '2026-11-05T02:00:00.000Z', 0)], 'file');
    // Counted now: offline's HS-7 (0) and HS-8 (1): mean 0.5, total 4.5; online's HS-7 is flagged.
    const after = { n: 2, flagged: 1, indicator1: 0.5, total: 4.5 };
    expect(await perCase(c.db, 'rc-late', whole)).toEqual(after);
    expect(await perCase(c.db, 'rc-late', days)).toEqual(after);
    expect(await perCase(c.db, 'rc-late-tinh', { ...whole, ...tree })).toEqual(after);
    // Everything: 2, 1 and 0 points.
    const all = { n: 3, flagged: 1, indicator1: 1, total: 9 };
    expect(await perCase(c.db, 'rc-late', { ...whole, includeFlagged: true })).toEqual(all);
    expect(await perCase(c.db, 'rc-late', { ...days, includeFlagged: true })).toEqual(all);
    expect(await perCase(c.db, 'rc-late-tinh', { ...whole, ...tree, includeFlagged: true })).toEqual(all);
    expect(await flaggedOf(c.db, online)).toEqual([
      { case_number: 'HS-7', flagged: true },
      { case_number: 'HS-8', flagged: false },
    ]);
    expect(await flaggedOf(c.db, offline)).toEqual([{ case_number: 'HS-7', flagged: false }]);
    // The moved counts left no empty rows behind: exactly what a rebuild and the JavaScript definition make.
    expect(await readReportTables(c.db)).toEqual(await rebuiltReportTables(c.db));
    expect(await readReportTables(c.db)).toEqual(await jsAggregatedReportTables(c.db));
  });

  test('abandoned or kiosk-flagged evaluations never take the count from an unflagged one; a tie in time goes to the lower device id', async () => {
    const c = central();
    await ensureUnit(c.db, { id: 'rc-rules', name: 'Xã luật' });
    const [low, high] = [await enrolled(c, makeDevice(), 'rc-rules'), await enrolled(c, makeDevice(), 'rc-rules')].sort(
      (a, b) => (a.id < b.id ? -1 : 1),
    );
    const at = '2026-11-10T02:00:00.000Z';
    const clockSuspect = { flags: { rapidRepeat: false, clockSuspect: true } };
    await send(c, high!, [
      evaluation(high!, 1, 'HS-20', at, 1), // ties with low's HS-20: low's device id is lower, so low's counts
      evaluation(high!, 2, 'HS-21', '2026-11-01T02:00:00.000Z', 0, { status: 'abandoned', answers: {} }),
      evaluation(high!, 3, 'HS-22', '2026-11-01T02:00:00.000Z', 0, clockSuspect),
    ]);
    await send(c, low!, [
      evaluation(low!, 1, 'HS-20', at, 2),
      evaluation(low!, 2, 'HS-21', '2026-11-09T02:00:00.000Z', 2), // later than the abandoned one: counted
      evaluation(low!, 3, 'HS-22', '2026-11-09T03:00:00.000Z', 2), // later than the clock-suspect one: counted
    ]);
    expect(await flaggedOf(c.db, low!)).toEqual([
      { case_number: 'HS-21', flagged: false },
      { case_number: 'HS-22', flagged: false },
      { case_number: 'HS-20', flagged: false },
    ]);
    const high3 = await c.db.query(
      'SELECT case_number, complete, flagged FROM report_facts WHERE device_id = $1 ORDER BY case_number',
      [high!.id],
    );
    expect(high3.rows).toEqual([
      { case_number: 'HS-20', complete: true, flagged: true },
      { case_number: 'HS-21', complete: false, flagged: false },
      { case_number: 'HS-22', complete: true, flagged: true },
    ]);
    expect(await readReportTables(c.db)).toEqual(await rebuiltReportTables(c.db));
    expect(await readReportTables(c.db)).toEqual(await jsAggregatedReportTables(c.db));
  });

  test('a repeat found later is taken out as it was counted: a response counted as "custom" (its questionnaire found nowhere then) stays status-only after its version is published', async () => {
    const c = central();
    await ensureUnit(c.db, { id: 'rc-old', name: 'Xã cũ' });
    const [k1, k2] = [await enrolled(c, makeDevice(), 'rc-old'), await enrolled(c, makeDevice(), 'rc-old')];
    const old = (device: FakeDevice, at: string) =>
      makeResponse(device, 1, {
        id: uuidv7(Date.parse(at)),
        questionnaireId: 'cu',
        questionnaireVersion: 3,
        caseNumber: 'HS-50',
        startedAt: at,
        submittedAt: at,
        answers: { overall: 5, attitude: 4, time: 3 },
      });
    // Stored before central checked responses (schema 6): written and queued as the ingest did then.
    const storeAsBefore = async (r: StoredResponse) => {
      await c.db.query(
        `INSERT INTO responses (device_id, response_id, seq, content_hash, body, received_at, batch_id)
         VALUES ($1, $2, 1, 'h', $3, now(), '01900000-0000-7000-8000-0000000000d1')`,
        [r.deviceId, r.id, JSON.stringify(r)],
      );
      await c.db.query(`INSERT INTO report_pending (device_id, seqs, queued_at) VALUES ($1, '{1}', now())`, [
        r.deviceId,
      ]);
      await drainReportQueueFully(c.db);
    };
    await storeAsBefore(old(k1!, '2026-11-10T03:00:00.000Z'));
    expect((await c.db.query('SELECT kind FROM report_facts WHERE device_id = $1', [k1!.id])).rows).toEqual([
      { kind: 'custom' },
    ]);
    // Its version is published since (to no unit: "any published copy" finds it), then k2's earlier one arrives.
    await c.db.query(
      `INSERT INTO questionnaires (id, version, hash, body, first_published_at) VALUES ('cu', 3, 'rc-cu-3', $1, now())`,
      [JSON.stringify({ ...defaultQuestionnaire('quick'), id: 'cu', version: 3 })],
    );
    await storeAsBefore(old(k2!, '2026-11-10T02:00:00.000Z'));
    const daily = await c.db.query(
      `SELECT flagged, question_id, value, n::int AS n FROM report_daily WHERE unit_id = 'rc-old' ORDER BY 1, 2, 3`,
    );
    // Counted: k2's, with its answers. Flagged: k1's, still status only, as it was counted.
    expect(daily.rows).toEqual([
      { flagged: false, question_id: '_status', value: 'complete', n: 1 },
      { flagged: false, question_id: 'attitude', value: '4', n: 1 },
      { flagged: false, question_id: 'overall', value: '5', n: 1 },
      { flagged: false, question_id: 'time', value: '3', n: 1 },
      { flagged: true, question_id: '_status', value: 'complete', n: 1 },
    ]);
  });

  test('the per-case list shows the repeat central found as flagged, and the CSV export marks it repeat_case', async () => {
    const c = central();
    await ensureUnit(c.db, { id: 'rc-list', name: 'Xã danh sách' });
    const [k1, k2] = [await enrolled(c, makeDevice(), 'rc-list'), await enrolled(c, makeDevice(), 'rc-list')];
    const first = evaluation(k1!, 1, 'HS-30', '2026-11-10T02:00:00.000Z', 2);
    const again = evaluation(k2!, 1, 'HS-30', '2026-11-12T02:00:00.000Z', 1);
    const kept = evaluation(k2!, 2, 'HS-30', '2026-11-13T02:00:00.000Z', 1, {
      flags: { rapidRepeat: false, clockSuspect: false, repeatCase: true }, // the kiosk's own flag
    });
    await send(c, k1!, [first]);
    await send(c, k2!, [again, kept]);
    const list = async (includeFlagged: boolean) => {
      const query = { report: 'per-case-list', from: '2026-11-01', to: '2026-11-30', unit: 'rc-list', includeFlagged };
      const r = await runReport(c.db, ReportQuery.parse(query), {
        viewer: null,
        now: new Date('2026-12-05T00:00:00Z'),
      });
      if (r.report !== 'per-case-list') throw new Error(`asked for the list, got ${r.report}`);
      return r.rows.map((row) => ({ id: row.responseId, flagged: row.flagged }));
    };
    expect(await list(false)).toEqual([{ id: first.id, flagged: false }]);
    expect(new Set((await list(true)).map((r) => JSON.stringify(r)))).toEqual(
      new Set([
        JSON.stringify({ id: first.id, flagged: false }),
        JSON.stringify({ id: again.id, flagged: true }),
        JSON.stringify({ id: kept.id, flagged: true }),
      ]),
    );
    let csv = '';
    await exportResponses(c.db, 'csv', (chunk) => {
      csv += chunk;
    });
    const repeatCaseOf = (id: string) =>
      csv
        .split('\r\n')
        .find((line) => line.includes(id))
        ?.split(',')
        .at(-1);
    expect([repeatCaseOf(first.id), repeatCaseOf(again.id), repeatCaseOf(kept.id)]).toEqual(['false', 'true', 'true']);
  });

  test('centralctl report --format json counts the case once, and twice with --include-flagged', async () => {
    const c = central();
    await ensureUnit(c.db, { id: 'rc-ctl', name: 'Xã dòng lệnh' });
    const [k1, k2] = [await enrolled(c, makeDevice(), 'rc-ctl'), await enrolled(c, makeDevice(), 'rc-ctl')];
    // Stored, not yet counted: the report drains first.
    for (const [device, points, at] of [
      [k1!, 2, '2026-11-10T02:00:00.000Z'],
      [k2!, 0, '2026-11-10T01:00:00.000Z'],
    ] as const)
      expect(
        (await storeBatch(c.db, envelopeOf(device, [evaluation(device, 1, 'HS-40', at, points)]), 'http', new Date()))
          .inserted,
      ).toBe(1);
    const ctl = async (...more: string[]) => {
      let out = '';
      const code = await runCommand(
        ['report', 'per-case', '--period', '2026-11', '--unit', 'rc-ctl', '--format', 'json', ...more],
        {
          db: c.db,
          centralKey: () => c.centralKey,
          cwd: process.cwd(),
          out: (t) => (out += t),
          err: () => {},
          now: () => new Date('2026-12-05T00:00:00Z'),
        },
      );
      expect(code).toBe(0);
      const report = JSON.parse(out) as { totals: { n: number; flagged: number }; groups: { total: number | null }[] };
      return { n: report.totals.n, flagged: report.totals.flagged, total: report.groups[0]?.total };
    };
    // k2's evaluation is the earlier one (0 points): counted; k1's (2 points) flagged.
    expect(await ctl()).toEqual({ n: 1, flagged: 1, total: 0 });
    expect(await ctl('--include-flagged')).toEqual({ n: 2, flagged: 1, total: 9 });
  });
});
