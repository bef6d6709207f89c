// The engine prepares the next batch while one is in flight (electron/core/sync/batch-ahead.ts).
// What it sends must be exactly what it would send without the lookahead: a prepared batch that no
// longer starts at the lowest unacknowledged seq, or that runs into a range acknowledged meanwhile,
// is dropped and built afresh; responses recorded while a batch is in flight still go in the pass.
import { describe, expect, it } from 'vitest';
import { listResponses } from '../../electron/core/store/responses.ts';
import { exportBatches, uploadFiles } from '../../electron/core/sync/offline.ts';
import { ackedRanges, addAckedRange, queueDepth } from '../../electron/core/sync/sync-store.ts';
import { canonicalJson } from '../../shared/canonical.ts';
import { tempDir } from '../support/tmp.ts';
import {
  type TestKiosk,
  centralResponses,
  enrolTestKiosk,
  insertBacklog,
  openTestKiosk,
  recordResponses,
  testEngine,
  useCentralForFile,
} from './support/kiosk.ts';
import { startProxy } from './support/proxy.ts';

const suite = useCentralForFile();
const { cleanups } = suite;

const kioskBehindProxy = async (backlog: number) => {
  const proxy = await startProxy(suite.central.url);
  cleanups.push(() => proxy.close());
  const kiosk = openTestKiosk();
  cleanups.push(() => kiosk.close());
  insertBacklog(kiosk.core, backlog, { seed: backlog });
  await enrolTestKiosk(kiosk, suite.central, proxy.url);
  const engine = testEngine(kiosk, { limits: { maxCount: 10 } });
  cleanups.push(() => engine.stop());
  return { proxy, kiosk, engine };
};

/** The online batches central received from this kiosk, as seq ranges in arrival order. */
const onlineBatches = async (kiosk: TestKiosk) =>
  (
    await suite.central.db.query(
      "SELECT seq_from AS f, seq_to AS t FROM batches WHERE device_id = $1 AND via = 'http' ORDER BY id",
      [kiosk.deviceId],
    )
  ).rows.map((r) => [Number(r['f']), Number(r['t'])]);

const expectExactlyOnce = async (kiosk: TestKiosk) => {
  const mine = listResponses(kiosk.db, kiosk.deviceId);
  const theirs = await centralResponses(suite.central, kiosk.deviceId);
  expect(theirs.map((r) => canonicalJson(r.body))).toEqual(mine.map((r) => canonicalJson(r)));
  expect(queueDepth(kiosk.db)).toBe(0);
  expect(ackedRanges(kiosk.db)).toEqual([{ from: 1, to: mine.length }]);
};

describe('the batch prepared while one is in flight', () => {
  it('is not sent when the ack says central already holds it (a backlog that arrived by USB)', async () => {
    const { kiosk, engine } = await kioskBehindProxy(30);
    const usb = tempDir('kiosk-usb-');
    cleanups.push(usb.cleanup);
    const files = await exportBatches({
      db: kiosk.db,
      deviceId: kiosk.deviceId,
      dataDir: kiosk.dataDir,
      outDir: usb.dir,
      fromSeq: 11,
    });
    await uploadFiles({ files: files.files.map((f) => f.file), centralUrl: suite.central.url });
    const r = await engine.runOnce({ heartbeat: false });
    expect(r).toMatchObject({ ok: true, batches: 1, responses: 10, inserted: 10 });
    expect(await onlineBatches(kiosk)).toEqual([[1, 10]]);
    await expectExactlyOnce(kiosk);
  });

  it('is rebuilt when a range was acknowledged meanwhile, so no batch runs into it', async () => {
    const { proxy, kiosk, engine } = await kioskBehindProxy(30);
    const usb = tempDir('kiosk-usb-');
    cleanups.push(usb.cleanup);
    const files = await exportBatches({
      db: kiosk.db,
      deviceId: kiosk.deviceId,
      dataDir: kiosk.dataDir,
      outDir: usb.dir,
      fromSeq: 15,
    });
    await uploadFiles({ files: files.files.map((f) => f.file), centralUrl: suite.central.url });
    // While the first batch is in flight (11..20 already prepared), the kiosk records 15..30 as
    // acknowledged, as `kioskctl upload` run on the kiosk does.
    let first = true;
    proxy.decide = ({ path }) => {
      if (path.endsWith('/v1/batches') && first) {
        first = false;
        kiosk.db.transaction(() => addAckedRange(kiosk.db, { from: 15, to: 30 }, new Date().toISOString()))();
      }
      return 'pass';
    };
    const r = await engine.runOnce({ heartbeat: false });
    expect(r).toMatchObject({ ok: true, batches: 2, responses: 14 });
    expect(await onlineBatches(kiosk)).toEqual([
      [1, 10],
      [11, 14],
    ]);
    await expectExactlyOnce(kiosk);
  });

  it('does not end the pass early: responses recorded while a batch is in flight go in the same pass', async () => {
    const { proxy, kiosk, engine } = await kioskBehindProxy(25);
    let first = true;
    proxy.decide = ({ path }) => {
      if (path.endsWith('/v1/batches') && first) {
        first = false;
        recordResponses(kiosk.core, 7, 5);
      }
      return 'pass';
    };
    const r = await engine.runOnce({ heartbeat: false });
    expect(r).toMatchObject({ ok: true, responses: 32, inserted: 32 });
    expect(await onlineBatches(kiosk)).toEqual([
      [1, 10],
      [11, 20],
      [21, 30],
      [31, 32],
    ]);
    await expectExactlyOnce(kiosk);
  });

  it('is dropped after a failure: the retry starts at the lowest unacknowledged seq', async () => {
    const { proxy, kiosk, engine } = await kioskBehindProxy(30);
    let batches = 0;
    // The second batch dies twice (the immediate retry on a new connection too), after 21..30 was prepared.
    proxy.decide = ({ path }) =>
      path.endsWith('/v1/batches') && ++batches >= 2 && batches <= 3 ? 'reset-before' : 'pass';
    expect(await engine.runOnce({ heartbeat: false })).toMatchObject({
      ok: false,
      batches: 1,
      failure: { code: 'network' },
    });
    expect(await engine.runOnce({ heartbeat: false })).toMatchObject({ ok: true, batches: 2, inserted: 20 });
    expect(await onlineBatches(kiosk)).toEqual([
      [1, 10],
      [11, 20],
      [21, 30],
    ]);
    await expectExactlyOnce(kiosk);
  });
});
