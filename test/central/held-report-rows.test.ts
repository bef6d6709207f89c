import fc from 'fast-check';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ensureUnit } from '../../central/index.ts';
import type { Queryable } from '../../central/db/types.ts';
import { drainReportQueue, drainReportQueueFully } from '../../central/reports/drain.ts';
import {
  HELD_ELSEWHERE_GRACE_MS,
  type HeldBatch,
  heldReportRows,
  holdReportRowsFor,
} from '../../central/reports/held-rows.ts';
import {
  type TestCentral,
  enrolled,
  envelopeOf,
  kbatchBytes,
  makeDevice,
  makeResponses,
  postBatch,
  startTestCentral,
} from '../support/central.ts';
import { forEachBackend } from './backends.ts';
import { DevicePlan, traffic } from './report-traffic.ts';
import {
  jsAggregatedReportTables,
  readReportTables,
  rebuiltReportTables,
  statusTotals,
} from './reports-aggregate-tables.ts';

const emptyBatch = (responses: number): HeldBatch => ({
  deviceId: 'k',
  seqs: [1],
  responses,
  facts: '',
  cases: [],
  counts: { k: [], x: [], g: [] },
});

test('heldReportRows: room up to its limit, forgets what a drain added, drops what went stale', () => {
  let now = 0;
  const held = heldReportRows(2500, () => now);
  expect(held.hasRoom(2500)).toBe(true);
  expect(held.hasRoom(2501)).toBe(false);
  held.hold(1, emptyBatch(1000));
  held.hold(2, emptyBatch(1000));
  expect(held.hasRoom(500)).toBe(true);
  expect(held.hasRoom(501)).toBe(false);
  expect(held.ids()).toEqual([1, 2]);
  expect(held.responses()).toBe(2000);
  held.forget([1, 7]);
  expect(held.ids()).toEqual([2]);
  expect(held.responses()).toBe(1000);
  // Ten minutes on, batch 2 was drained by another process (or never will be): dropped at the next hold.
  now += 10 * 60_000;
  held.hold(3, emptyBatch(10));
  expect(held.ids()).toEqual([3]);
  expect(held.responses()).toBe(10);
  expect(held.get(3)?.responses).toBe(10);
  expect(held.get(2)).toBeUndefined();
});

const pending = async (db: Queryable) =>
  (await db.query('SELECT seqs, facts IS NULL AS bare FROM report_pending ORDER BY id')).rows;

const sameAsRebuild = async (c: TestCentral) => {
  const n = Number((await statusTotals(c.db))?.['responses']);
  expect(await statusTotals(c.db)).toEqual({ responses: n, facts: n, daily: n, monthly: n });
  const drained = await readReportTables(c.db);
  expect(drained).toEqual(await rebuiltReportTables(c.db));
  expect(drained).toEqual(await jsAggregatedReportTables(c.db));
};

forEachBackend('report rows held in memory by the process that stored the batch', (backend) => {
  let c: TestCentral;
  // No job of its own: each test drains as the job or a report would, with the held rows it chooses.
  beforeAll(async () => {
    c = await startTestCentral(backend, { reportDrain: false });
  });
  afterAll(async () => c.close());

  const post = async (device: Parameters<typeof envelopeOf>[0], from: number, to: number) => {
    const res = await postBatch(c, kbatchBytes(device, envelopeOf(device, makeResponses(device, from, to))));
    expect(res.status, await res.clone().text()).toBe(200);
  };

  test('a batch stored through /v1/batches queues only its seqs, its rows held; the job adds them and forgets them', async () => {
    const held = holdReportRowsFor(c.db);
    await ensureUnit(c.db, { id: 'held-a', name: 'Xã giữ A' });
    const device = await enrolled(c, makeDevice(), 'held-a');
    await post(device, 1, 3);
    expect(await pending(c.db)).toEqual([{ seqs: [1, 2, 3], bare: true }]);
    expect(held.responses()).toBe(3);
    expect(await drainReportQueue(c.db, { held, leaveRowsHeldElsewhere: true })).toEqual({ batches: 1, responses: 3 });
    expect(held.responses()).toBe(0);
    expect(await pending(c.db)).toEqual([]);
    await sameAsRebuild(c);
  });

  test('the job leaves a batch held by another process to it for a while, then counts it from responses; a report takes it at once', async () => {
    holdReportRowsFor(c.db);
    const elsewhere = heldReportRows();
    await ensureUnit(c.db, { id: 'held-b', name: 'Xã giữ B' });
    const device = await enrolled(c, makeDevice(), 'held-b');
    await post(device, 1, 4);
    // This process's job, seen from another process that holds nothing of it:
    expect(await drainReportQueue(c.db, { held: elsewhere, leaveRowsHeldElsewhere: true })).toEqual({
      batches: 0,
      responses: 0,
    });
    await c.db.query(`UPDATE report_pending SET queued_at = now() - $1 * interval '1 millisecond'`, [
      HELD_ELSEWHERE_GRACE_MS + 1000,
    ]);
    expect(await drainReportQueue(c.db, { held: elsewhere, leaveRowsHeldElsewhere: true })).toEqual({
      batches: 1,
      responses: 4,
    });
    await sameAsRebuild(c);
    // A report (no leaving) in the other process: at once, from responses.
    await post(device, 5, 6);
    expect(await drainReportQueue(c.db, { held: elsewhere })).toEqual({ batches: 1, responses: 2 });
    await sameAsRebuild(c);
  });

  test('a drain that fails keeps what it held, and the next adds it once', async () => {
    const held = holdReportRowsFor(c.db);
    await ensureUnit(c.db, { id: 'held-c', name: 'Xã giữ C' });
    const device = await enrolled(c, makeDevice(), 'held-c');
    const responses = makeResponses(device, 1, 3);
    const res = await postBatch(c, kbatchBytes(device, envelopeOf(device, responses)));
    expect(res.status).toBe(200);
    // A fact row already there for the second response: the drain's COPY into report_facts fails.
    await c.db.query(
      `INSERT INTO report_facts (device_id, response_id, unit_id, day, submitted_at, questionnaire_id, version, kind,
                                 field_code, procedure_code, officer_id, counter_id, complete, flagged)
       VALUES ($1, $2, 'held-c', '2026-11-22', now(), 'quick', 1, 'quick', '', '', '', '', true, false)`,
      [device.id, responses[1]!.id],
    );
    await expect(drainReportQueue(c.db, { held, leaveRowsHeldElsewhere: true })).rejects.toThrow();
    expect(held.responses()).toBe(3);
    expect(await pending(c.db)).toEqual([{ seqs: [1, 2, 3], bare: true }]);
    await c.db.query('DELETE FROM report_facts WHERE device_id = $1', [device.id]);
    expect(await drainReportQueue(c.db, { held, leaveRowsHeldElsewhere: true })).toEqual({ batches: 1, responses: 3 });
    expect(held.responses()).toBe(0);
    await sameAsRebuild(c);
  });

  test('rows held under a queue id that now names another batch (a restored database reissued it) are not used', async () => {
    const held = holdReportRowsFor(c.db);
    await ensureUnit(c.db, { id: 'held-d', name: 'Xã giữ D' });
    const device = await enrolled(c, makeDevice(), 'held-d');
    await post(device, 1, 2);
    const [id] = held.ids();
    const rows = held.get(id!)!;
    held.forget([id!]);
    held.hold(id!, { ...rows, seqs: [7, 8] });
    expect(await drainReportQueue(c.db, { held, leaveRowsHeldElsewhere: true })).toEqual({ batches: 1, responses: 2 });
    await sameAsRebuild(c);
  });

  test('after any mix of batches, drains by the job and by reports, restarts that lose what was held, and a full memory, the report tables equal a rebuild and the JavaScript aggregate', async () => {
    await ensureUnit(c.db, { id: 'held-tinh', name: 'Tỉnh' });
    await ensureUnit(c.db, { id: 'held-x', name: 'Xã X', parentId: 'held-tinh' });
    await ensureUnit(c.db, { id: 'held-y', name: 'Xã Y', parentId: 'held-tinh' });
    const Step = fc.constantFrom('none', 'none', 'job', 'report', 'restart');
    await fc.assert(
      fc.asyncProperty(
        fc.array(DevicePlan, { minLength: 1, maxLength: 2 }),
        fc.boolean(),
        fc.array(Step, { minLength: 8, maxLength: 8 }),
        // Responses held at most: from nothing (every batch queued with its rows) to all of them.
        fc.integer({ min: 0, max: 12 }),
        async (plans, oneUnit, steps, room) => {
          let held = holdReportRowsFor(c.db, room);
          let step = 0;
          for (const [i, plan] of plans.entries()) {
            const device = await enrolled(c, makeDevice(), i === 0 || oneUnit ? 'held-x' : 'held-y');
            for (const envelope of traffic(device, plan).envelopes) {
              const res = await postBatch(c, kbatchBytes(device, envelope));
              expect(res.status, await res.clone().text()).toBe(200);
              const next = steps[step++ % steps.length];
              if (next === 'job') await drainReportQueue(c.db, { held, leaveRowsHeldElsewhere: true });
              if (next === 'report') await drainReportQueueFully(c.db);
              // A new process: what the old one held is gone, its batches are counted from responses.
              if (next === 'restart') held = holdReportRowsFor(c.db, room);
            }
          }
          await drainReportQueueFully(c.db);
          expect(held.responses()).toBe(0);
          await sameAsRebuild(c);
        },
      ),
      { numRuns: 15 },
    );
  }, 180_000);
});
