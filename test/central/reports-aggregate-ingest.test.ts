import fc from 'fast-check';
import { expect, test } from 'vitest';
import { z } from 'zod';
import { runCommand } from '../../central/cli/commands.ts';
import { ensureUnit, storeBatch } from '../../central/index.ts';
import { uuidv7 } from '../../shared/ids.ts';
import {
  type FakeDevice,
  enrolled,
  envelopeOf,
  kbatchBytes,
  makeDevice,
  makeResponse,
  makeResponses,
  postBatch,
  startTestCentral,
} from '../support/central.ts';
import type { Queryable } from '../../central/db/types.ts';
import { drainReportQueue, drainReportQueueFully } from '../../central/reports/drain.ts';
import { rebuildReports } from '../../central/reports/rebuild.ts';
import { runReport } from '../../central/reports/run-report.ts';
import { ReportQuery } from '../../shared/reports/query.ts';
import { forEachBackend, sharedCentral } from './backends.ts';
import {
  jsAggregatedReportTables,
  readReportTables,
  rebuiltReportTables,
  statusTotals,
} from './reports-aggregate-tables.ts';
import { BASE, DevicePlan, traffic } from './report-traffic.ts';

const DAY = 86_400_000;

/** A queue row's counts in the current form: cells listed once, groups naming them by number. */
const firstQueued = z.object({
  id: z.coerce.number(),
  counts: z.object({
    k: z.array(z.string()),
    x: z.array(z.string()),
    g: z.array(z.object({ i: z.array(z.number()), n: z.array(z.number()) }).catchall(z.unknown())),
  }),
});

const pendingCount = async (db: Queryable): Promise<number> =>
  Number((await db.query('SELECT count(*)::int AS n FROM report_pending')).rows[0]?.['n']);
forEachBackend('report aggregates queued by the ingest and drained', (backend) => {
  const central = sharedCentral(backend);
  /** Without the server's job: what is queued stays queued until a test (or a report) drains it. */
  const quiet = sharedCentral(backend, { reportDrain: false });

  test('after any mix of batches (re-sent, conflicting, refused, late; repeated case numbers across devices) and drains, the report tables (roll-ups included) equal a rebuild from responses and the JavaScript aggregate of them', async () => {
    const c = central();
    // A small tree, so the roll-up per ancestor (migration 8) is compared too: agg-tinh ─ agg-a ─ agg-b.
    await ensureUnit(c.db, { id: 'agg-tinh', name: 'Tỉnh' });
    await ensureUnit(c.db, { id: 'agg-a', name: 'Xã A', parentId: 'agg-tinh' });
    await ensureUnit(c.db, { id: 'agg-b', name: 'Xã B', parentId: 'agg-a' });
    const before = await statusTotals(c.db);
    let expectedResponses = Number(before?.['responses']);
    await fc.assert(
      fc.asyncProperty(fc.array(DevicePlan, { minLength: 1, maxLength: 2 }), fc.boolean(), async (plans, oneUnit) => {
        for (const [i, plan] of plans.entries()) {
          const device = await enrolled(c, makeDevice(), i === 0 || oneUnit ? 'agg-a' : 'agg-b');
          const { envelopes, valid } = traffic(device, plan);
          for (const envelope of envelopes) {
            const res = await postBatch(c, kbatchBytes(device, envelope));
            expect(res.status, await res.clone().text()).toBe(200);
          }
          expectedResponses += valid;
        }
        // The server's timer may have drained some of it already; the rest now.
        await drainReportQueueFully(c.db);
        // Independent of the aggregate code: every stored response counted once, in every table.
        expect(await statusTotals(c.db)).toEqual({
          responses: expectedResponses,
          facts: expectedResponses,
          daily: expectedResponses,
          monthly: expectedResponses,
        });
        const drained = await readReportTables(c.db);
        expect(drained).toEqual(await rebuiltReportTables(c.db));
        // Both count in SQL: the JavaScript definition (aggregate.ts) is the oracle they must equal.
        expect(drained).toEqual(await jsAggregatedReportTables(c.db));
      }),
      { numRuns: 15 },
    );
  }, 180_000);

  test('with reportAggregates off a batch leaves the report tables alone; centralctl rebuild-reports catches up', async () => {
    const c = central();
    await ensureUnit(c.db, { id: 'agg-off', name: 'Xã tắt' });
    const device = await enrolled(c, makeDevice(), 'agg-off');
    const responses = [1, 2, 3].map((seq) => makeResponse(device, seq));
    const ack = await storeBatch(c.db, envelopeOf(device, responses), 'http', new Date(), undefined, {
      reportAggregates: false,
    });
    expect(ack.inserted).toBe(3);
    const facts = `SELECT count(*)::int AS n FROM report_facts WHERE unit_id = 'agg-off'`;
    await drainReportQueueFully(c.db);
    expect((await c.db.query(facts)).rows).toEqual([{ n: 0 }]);
    // Queued, not yet drained, when the rebuild runs: the rebuild counts it and empties the queue.
    const queued = await storeBatch(c.db, envelopeOf(device, [makeResponse(device, 4)]), 'http', new Date());
    expect(queued.inserted).toBe(1);

    let stdout = '';
    let stderr = '';
    const code = await runCommand(['rebuild-reports'], {
      db: c.db,
      centralKey: () => c.centralKey,
      cwd: process.cwd(),
      out: (t) => (stdout += t),
      err: (t) => (stderr += t),
      now: () => new Date(),
    });
    expect(code).toBe(0);
    const totals = await statusTotals(c.db);
    expect(stdout).toMatch(new RegExp(`^rebuilt the report tables from ${String(totals?.['responses'])} responses`));
    expect(stderr).toMatch(/rebuild-reports: 0 of \d+ responses\n[^]*rebuild-reports: (\d+) of \1 responses\n/);
    expect((await c.db.query(facts)).rows).toEqual([{ n: 4 }]);
    expect(await pendingCount(c.db)).toBe(0);
    expect(totals?.['daily']).toBe(totals?.['responses']);
    expect(await readReportTables(c.db)).toEqual(await rebuiltReportTables(c.db));
  });

  test('startCentral({ reportAggregates: false }) stores /v1/batches without touching the report tables (the bench switch)', async () => {
    const off = await startTestCentral(backend, { reportAggregates: false });
    try {
      const device = await enrolled(off);
      const res = await postBatch(off, kbatchBytes(device, envelopeOf(device, makeResponses(device, 1, 5))));
      expect(res.status).toBe(200);
      expect(await pendingCount(off.db)).toBe(0);
      expect(await statusTotals(off.db)).toEqual({ responses: 5, facts: 0, daily: 0, monthly: 0 });
    } finally {
      await off.close();
    }
  });

  test.skipIf(backend !== 'postgres')(
    'two devices of one unit ingesting while two drainers run at once: no lost update, nothing counted twice',
    async () => {
      const c = central();
      await ensureUnit(c.db, { id: 'agg-race', name: 'Xã đua' });
      const devices = [await enrolled(c, makeDevice(), 'agg-race'), await enrolled(c, makeDevice(), 'agg-race')];
      const before = await statusTotals(c.db);
      const BATCHES = 6;
      const SIZE = 300;
      const DAYS = 20;
      // Both devices' batches touch the same 1,200 daily rows (300 officers over twenty days), device 2 in
      // the opposite order, while two drainers (and the server's timer) take batches off the queue at
      // once: the advisory lock lets one drain at a time, so no batch is taken twice or lost.
      const send = async (device: FakeDevice, reverse: boolean) => {
        for (let b = 0; b < BATCHES; b++) {
          const responses = Array.from({ length: SIZE }, (_, i) => {
            const seq = b * SIZE + i + 1;
            const k = reverse ? SIZE - 1 - i : i;
            const t = BASE + (k % DAYS) * DAY + seq * 1000;
            return makeResponse(device, seq, {
              id: uuidv7(t),
              submittedAt: new Date(t).toISOString(),
              startedAt: new Date(t - 1000).toISOString(),
              officerId: `cb-${k}`,
              answers: { overall: 3 + (k % 3), attitude: 4, time: 2 },
            });
          });
          const ack = await storeBatch(c.db, envelopeOf(device, responses), 'http', new Date());
          expect(ack.inserted).toBe(SIZE);
        }
      };
      let sending = true;
      const drainer = async () => {
        let drained = 0;
        while (sending) drained += (await drainReportQueue(c.db, { maxResponses: 700 })).responses;
        return drained;
      };
      const drainers = [drainer(), drainer()];
      await Promise.all([send(devices[0]!, false), send(devices[1]!, true)]);
      sending = false;
      await Promise.all(drainers);
      await drainReportQueueFully(c.db);
      const sent = 2 * BATCHES * SIZE;
      const n = Number(before?.['responses']) + sent;
      expect(await statusTotals(c.db)).toEqual({ responses: n, facts: n, daily: n, monthly: n });
      const unit = await c.db.query(
        `SELECT question_id, value, sum(n)::int AS n FROM report_daily WHERE unit_id = 'agg-race' GROUP BY 1, 2 ORDER BY 1, 2`,
      );
      // overall cycles 3, 4, 5 over k = 0..299: 100 of each per batch.
      expect(unit.rows).toEqual([
        { question_id: '_status', value: 'complete', n: sent },
        { question_id: 'attitude', value: '4', n: sent },
        { question_id: 'overall', value: '3', n: 2 * BATCHES * 100 },
        { question_id: 'overall', value: '4', n: 2 * BATCHES * 100 },
        { question_id: 'overall', value: '5', n: 2 * BATCHES * 100 },
        { question_id: 'time', value: '2', n: sent },
      ]);
      expect(await readReportTables(c.db)).toEqual(await rebuiltReportTables(c.db));
    },
    120_000,
  );

  test('a batch queues ONE row with the seqs it inserted; a batch that inserts nothing queues nothing', async () => {
    const c = quiet();
    await ensureUnit(c.db, { id: 'agg-queue', name: 'Xã hàng đợi' });
    const device = await enrolled(c, makeDevice(), 'agg-queue');
    const first = makeResponses(device, 1, 3);
    expect((await storeBatch(c.db, envelopeOf(device, first), 'http', new Date())).inserted).toBe(3);
    // Sent again, plus one new response: only seq 4 went in, so only seq 4 is queued.
    const again = [...first, makeResponse(device, 4)];
    expect((await storeBatch(c.db, envelopeOf(device, again), 'http', new Date())).inserted).toBe(1);
    expect((await storeBatch(c.db, envelopeOf(device, first), 'http', new Date())).inserted).toBe(0);
    const queued = await c.db.query(
      `SELECT seqs, json_array_length(facts) AS facts, json_array_length(counts->'g') > 0 AS counted
         FROM report_pending WHERE device_id = $1 ORDER BY id`,
      [device.id],
    );
    // Each with its report rows, counted by the ingest (migration 14): a fact per response inserted.
    expect(queued.rows).toEqual([
      { seqs: [1, 2, 3], facts: 3, counted: true },
      { seqs: [4], facts: 1, counted: true },
    ]);
    expect(await drainReportQueueFully(c.db)).toEqual({ batches: 2, responses: 4 });
    expect(await pendingCount(c.db)).toBe(0);
    expect(await readReportTables(c.db)).toEqual(await rebuiltReportTables(c.db));
  });

  test('a batch queued before migration 14 (seqs only) is counted from responses, in the same drain as batches queued with their rows', async () => {
    const c = quiet();
    await ensureUnit(c.db, { id: 'agg-old-queue', name: 'Xã hàng đợi cũ' });
    const old = await enrolled(c, makeDevice(), 'agg-old-queue');
    const current = await enrolled(c, makeDevice(), 'agg-old-queue');
    // Stored without a queue row, then queued as a release before migration 14 queued it: seqs only.
    const stored = await storeBatch(c.db, envelopeOf(old, makeResponses(old, 1, 5)), 'http', new Date(), undefined, {
      reportAggregates: false,
    });
    expect(stored.inserted).toBe(5);
    await c.db.query(`INSERT INTO report_pending (device_id, seqs, queued_at) VALUES ($1, '{1,2,3,4,5}', now())`, [
      old.id,
    ]);
    expect(
      (await storeBatch(c.db, envelopeOf(current, makeResponses(current, 1, 4)), 'http', new Date())).inserted,
    ).toBe(4);
    expect(await drainReportQueueFully(c.db)).toEqual({ batches: 2, responses: 9 });
    const facts = await c.db.query(
      `SELECT device_id, count(*)::int AS n FROM report_facts WHERE unit_id = 'agg-old-queue' GROUP BY 1 ORDER BY 2`,
    );
    expect(facts.rows).toEqual([
      { device_id: current.id, n: 4 },
      { device_id: old.id, n: 5 },
    ]);
    expect(await readReportTables(c.db)).toEqual(await rebuiltReportTables(c.db));
    expect(await readReportTables(c.db)).toEqual(await jsAggregatedReportTables(c.db));
  });

  test('counts queued in the first form of migration 14 (groups carrying question ids and values) are drained as the current form', async () => {
    const c = quiet();
    await ensureUnit(c.db, { id: 'agg-first-form', name: 'Xã dạng đầu' });
    const first = await enrolled(c, makeDevice(), 'agg-first-form');
    const current = await enrolled(c, makeDevice(), 'agg-first-form');
    for (const device of [first, current])
      expect(
        (await storeBatch(c.db, envelopeOf(device, makeResponses(device, 1, 6)), 'http', new Date())).inserted,
      ).toBe(6);
    // The first device's counts rewritten as a release of stop 21 queued them: each group its own cells.
    const row = firstQueued.parse(
      (await c.db.query('SELECT id, counts FROM report_pending WHERE device_id = $1', [first.id])).rows[0],
    );
    const firstForm = row.counts.g.map(({ i, n, ...columns }) => ({
      ...columns,
      k: i.map((cell) => row.counts.k[cell - 1]),
      x: i.map((cell) => row.counts.x[cell - 1]),
      n,
    }));
    await c.db.query('UPDATE report_pending SET counts = $2::json WHERE id = $1', [row.id, JSON.stringify(firstForm)]);
    expect(await drainReportQueueFully(c.db)).toEqual({ batches: 2, responses: 12 });
    expect(await readReportTables(c.db)).toEqual(await rebuiltReportTables(c.db));
    expect(await readReportTables(c.db)).toEqual(await jsAggregatedReportTables(c.db));
  });

  test('a report asked for right after the ack includes the batch, without waiting for the job', async () => {
    const c = quiet();
    await ensureUnit(c.db, { id: 'agg-now', name: 'Xã ngay' });
    const device = await enrolled(c, makeDevice(), 'agg-now');
    const res = await postBatch(c, kbatchBytes(device, envelopeOf(device, makeResponses(device, 1, 4))));
    expect(res.status).toBe(200);
    expect(await pendingCount(c.db)).toBeGreaterThan(0);
    const report = await runReport(
      c.db,
      ReportQuery.parse({ report: 'quick', from: '2026-11-01', to: '2026-11-30', unit: 'agg-now' }),
      { viewer: null, now: new Date() },
    );
    expect(report.report === 'quick' && report.totals).toMatchObject({ n: 4, complete: 4, abandoned: 0 });
    expect(await pendingCount(c.db)).toBe(0);
  });

  test('a drain that fails rolls back: its batches stay queued, a report says its figures lack them, and the next drain counts them once', async () => {
    const c = quiet();
    await ensureUnit(c.db, { id: 'agg-fail', name: 'Xã lỗi' });
    const device = await enrolled(c, makeDevice(), 'agg-fail');
    const responses = makeResponses(device, 1, 3);
    expect((await storeBatch(c.db, envelopeOf(device, responses), 'http', new Date())).inserted).toBe(3);
    // A fact row already there for the second response: the drain's insert into report_facts fails.
    await c.db.query(
      `INSERT INTO report_facts (device_id, response_id, unit_id, day, submitted_at, questionnaire_id, version, kind,
                                 field_code, procedure_code, officer_id, counter_id, complete, flagged)
       VALUES ($1, $2, 'agg-fail', '2026-11-22', now(), 'quick', 1, 'quick', '', '', '', '', true, false)`,
      [device.id, responses[1]!.id],
    );
    await expect(drainReportQueue(c.db)).rejects.toThrow();
    expect(await pendingCount(c.db)).toBe(1);
    // A report still answers, without the batch, and says so.
    const query = ReportQuery.parse({ report: 'quick', from: '2026-11-01', to: '2026-11-30', unit: 'agg-fail' });
    const stale = await runReport(c.db, query, { viewer: null, now: new Date() });
    expect(stale.report === 'quick' && stale.totals.n).toBe(0);
    expect(stale.notes.at(-1)?.['en']).toMatch(/^1 batch\(es\) stored but not yet added to the report tables/);
    expect(stale.notes.at(-1)?.['vi']).toMatch(/^1 lô phiếu đã lưu nhưng chưa được đưa vào bảng số liệu báo cáo/);
    expect(await pendingCount(c.db)).toBe(1);
    const daily = `SELECT count(*)::int AS n FROM report_daily WHERE unit_id = 'agg-fail'`;
    expect((await c.db.query(daily)).rows).toEqual([{ n: 0 }]);
    await c.db.query('DELETE FROM report_facts WHERE device_id = $1', [device.id]);
    expect(await drainReportQueueFully(c.db)).toEqual({ batches: 1, responses: 3 });
    expect(await readReportTables(c.db)).toEqual(await rebuiltReportTables(c.db));
    const fresh = await runReport(c.db, query, { viewer: null, now: new Date() });
    expect(fresh.report === 'quick' && fresh.totals.n).toBe(3);
    expect(fresh.notes.map((n) => n['en']).join('\n')).not.toMatch(/not yet added/);
  });

  test.skipIf(backend !== 'postgres')(
    'a batch stored while a rebuild runs waits for it, then is queued and counted once',
    async () => {
      const c = quiet();
      await ensureUnit(c.db, { id: 'agg-rebuild', name: 'Xã dựng lại' });
      const device = await enrolled(c, makeDevice(), 'agg-rebuild');
      expect(
        (await storeBatch(c.db, envelopeOf(device, makeResponses(device, 1, 3)), 'http', new Date())).inserted,
      ).toBe(3);
      let release = () => {};
      const gate = new Promise<void>((r) => (release = r));
      let rebuilt = () => {};
      const rebuiltOnce = new Promise<void>((r) => (rebuilt = r));
      const rebuild = c.db.transaction(async (tx) => {
        await rebuildReports(tx);
        rebuilt();
        await gate; // the rebuild's transaction stays open while the batch below arrives
      });
      await rebuiltOnce;
      let stored = false;
      const storing = storeBatch(c.db, envelopeOf(device, makeResponses(device, 4, 6)), 'http', new Date()).then(
        (ack) => ((stored = true), ack),
      );
      await new Promise((r) => setTimeout(r, 300));
      // Had it committed now, its queue row would survive a rebuild that also read its responses.
      expect(stored).toBe(false);
      release();
      await rebuild;
      expect((await storing).inserted).toBe(3);
      expect(await drainReportQueueFully(c.db)).toEqual({ batches: 1, responses: 3 });
      const n = Number((await statusTotals(c.db))?.['responses']);
      expect(await statusTotals(c.db)).toEqual({ responses: n, facts: n, daily: n, monthly: n });
      expect(await readReportTables(c.db)).toEqual(await rebuiltReportTables(c.db));
    },
    60_000,
  );

  test("the server's job drains the queue while batches arrive", async () => {
    const timed = await startTestCentral(backend, { reportDrain: { busyMs: 20, idleMaxMs: 50 } });
    try {
      const device = await enrolled(timed);
      const res = await postBatch(timed, kbatchBytes(device, envelopeOf(device, makeResponses(device, 1, 5))));
      expect(res.status).toBe(200);
      await expect.poll(() => pendingCount(timed.db), { timeout: 10_000 }).toBe(0);
      expect(await statusTotals(timed.db)).toEqual({ responses: 5, facts: 5, daily: 5, monthly: 5 });
    } finally {
      await timed.close();
    }
  });
});
