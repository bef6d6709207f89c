import { describe, expect, it } from 'vitest';
import { revokeDevice, unrevokeDevice, listDevices } from '../../central/index.ts';
import { listResponses } from '../../electron/core/store/responses.ts';
import { ensureDeviceKey } from '../../electron/core/sync/device-key.ts';
import { readEnrolment } from '../../electron/core/sync/enrolment.ts';
import { realSyncClock } from '../../electron/core/sync/engine.ts';
import { ackedRanges, ackedThrough, queueDepth, readSyncStatus } from '../../electron/core/sync/sync-store.ts';
import { writeState } from '../../electron/core/store/state.ts';
import { canonicalJson } from '../../shared/canonical.ts';
import { Heartbeat } from '../../shared/sync.ts';
import { newKeyPair } from '../../shared/node/signing.ts';
import { type TestProxy, startProxy } from './support/proxy.ts';
import {
  type TestKiosk,
  centralCount,
  centralResponses,
  enrolTestKiosk,
  insertBacklog,
  now,
  openTestKiosk,
  recordResponses,
  testEngine,
  useCentralForFile,
} from './support/kiosk.ts';

const suite = useCentralForFile();
const { cleanups } = suite;
const kioskWith = async (backlog: number, options: { enrol?: boolean; url?: string } = {}): Promise<TestKiosk> => {
  const kiosk = openTestKiosk();
  cleanups.push(() => kiosk.close());
  if (backlog > 0) insertBacklog(kiosk.core, backlog, { seed: backlog });
  if (options.enrol ?? true) await enrolTestKiosk(kiosk, suite.central, options.url);
  return kiosk;
};
const proxied = async (): Promise<TestProxy> => {
  const proxy = await startProxy(suite.central.url);
  cleanups.push(() => proxy.close());
  return proxy;
};

/** Central holds exactly the kiosk's responses: same ids, seqs and content, nothing twice, no gaps. */
const expectExactlyOnce = async (kiosk: TestKiosk) => {
  const mine = listResponses(kiosk.db, kiosk.deviceId);
  const theirs = await centralResponses(suite.central, kiosk.deviceId);
  expect(theirs.map((r) => r.seq)).toEqual(mine.map((r) => r.seq));
  expect(theirs.map((r) => r.id)).toEqual(mine.map((r) => r.id));
  expect(theirs.map((r) => canonicalJson(r.body))).toEqual(mine.map((r) => canonicalJson(r)));
  expect(
    await centralCount(suite.central, 'SELECT COUNT(*) AS n FROM conflicts WHERE device_id = $1', [kiosk.deviceId]),
  ).toBe(0);
  expect(queueDepth(kiosk.db)).toBe(0);
  expect(ackedRanges(kiosk.db)).toEqual([{ from: 1, to: mine.length }]);
};

const until = async (cond: () => boolean | Promise<boolean>, ms = 20_000) => {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('sync engine against the real central service', () => {
  it('drains a backlog in bounded batches, exactly once, and reports it', async () => {
    const kiosk = await kioskWith(2_500);
    recordResponses(kiosk.core, 25);
    const engine = testEngine(kiosk, { limits: { maxCount: 300 } });
    cleanups.push(() => engine.stop());
    const progress: number[] = [];
    const r = await engine.runOnce({ onProgress: (p) => p.phase === 'acked' && progress.push(p.done) });
    expect(r).toMatchObject({
      ok: true,
      batches: 9,
      responses: 2_525,
      inserted: 2_525,
      duplicates: 0,
      conflicts: 0,
      queueDepth: 0,
      heartbeat: 'sent',
      failure: null,
    });
    expect(progress).toEqual([300, 600, 900, 1200, 1500, 1800, 2100, 2400, 2525]);
    await expectExactlyOnce(kiosk);
    expect(readSyncStatus(kiosk.db)).toMatchObject({ attempts: 0, lastError: null });
    expect(engine.status()).toMatchObject({ enrolled: true, queueDepth: 0, ackedThrough: 2_525, lastError: null });
    // A second pass has nothing to send.
    expect(await engine.runOnce()).toMatchObject({ ok: true, batches: 0, responses: 0 });
  });

  it('runs in the background: responses recorded while it runs reach central exactly once', async () => {
    const kiosk = await kioskWith(400);
    const engine = testEngine(kiosk, { limits: { maxCount: 64 }, pollIntervalMs: 10 });
    cleanups.push(() => engine.stop());
    engine.start();
    for (let round = 0; round < 10; round++) {
      recordResponses(kiosk.core, 7, round + 1);
      await new Promise((r) => setTimeout(r, 15));
    }
    await until(() => queueDepth(kiosk.db) === 0);
    await engine.stop();
    expect(engine.status().state).toBe('stopped');
    await expectExactlyOnce(kiosk);
  });

  it('marks nothing when the connection dies before central answers, and resends', async () => {
    const proxy = await proxied();
    const kiosk = await kioskWith(120, { url: proxy.url });
    // Twice: a request that dies on a reused keep-alive connection is retried once at once on a new one.
    let batches = 0;
    proxy.decide = ({ path }) => (path === '/v1/batches' && batches++ < 2 ? 'reset-before' : 'pass');
    const engine = testEngine(kiosk, { limits: { maxCount: 50 } });
    cleanups.push(() => engine.stop());
    const first = await engine.runOnce();
    expect(first).toMatchObject({ ok: false, batches: 0, failure: { kind: 'transient', code: 'network' } });
    expect(ackedRanges(kiosk.db)).toEqual([]);
    expect(await centralResponses(suite.central, kiosk.deviceId)).toEqual([]);
    expect(readSyncStatus(kiosk.db)).toMatchObject({ attempts: 1, lastError: { code: 'network' } });
    expect(engine.status().lastError).toMatchObject({
      code: 'network',
      meaning: expect.stringContaining('could not be reached'),
    });
    const second = await engine.runOnce();
    expect(second).toMatchObject({ ok: true, inserted: 120, duplicates: 0 });
    await expectExactlyOnce(kiosk);
  });

  it('an ack lost after central committed: nothing marked, and the resend is only duplicates', async () => {
    const proxy = await proxied();
    const kiosk = await kioskWith(130, { url: proxy.url });
    // The second batch's answer is lost twice (the immediate retry on a fresh connection too).
    let batches = 0;
    proxy.decide = ({ path }) => {
      if (path !== '/v1/batches') return 'pass';
      batches++;
      return batches === 2 || batches === 3 ? 'drop-response' : 'pass';
    };
    const engine = testEngine(kiosk, { limits: { maxCount: 50 } });
    cleanups.push(() => engine.stop());
    const first = await engine.runOnce();
    // Batch 1 acknowledged; batch 2 (51..100) committed on central, its answer lost.
    expect(first).toMatchObject({ ok: false, batches: 1, inserted: 50, failure: { code: 'network' } });
    expect(proxy.log.filter((l) => l.path === '/v1/batches').map((l) => l.upstreamStatus)).toEqual([200, 200, 200]);
    expect(ackedRanges(kiosk.db)).toEqual([{ from: 1, to: 50 }]);
    expect((await centralResponses(suite.central, kiosk.deviceId)).length).toBe(100);
    const second = await engine.runOnce({ heartbeat: false });
    expect(second).toMatchObject({ ok: true, batches: 2, duplicates: 50, inserted: 30 });
    await expectExactlyOnce(kiosk);
  });

  it('central dying mid-request: nothing marked; the next pass (central back) sends it all', async () => {
    const proxy = await proxied();
    const kiosk = await kioskWith(60, { url: proxy.url });
    proxy.decide = ({ path }) => (path === '/v1/batches' ? 'hang' : 'pass');
    const engine = testEngine(kiosk);
    cleanups.push(() => engine.stop());
    const pending = engine.runOnce();
    await until(() => proxy.log.some((l) => l.path === '/v1/batches'));
    await proxy.close(); // the process on the other end is gone, connections and all
    expect(await pending).toMatchObject({ ok: false, batches: 0, failure: { kind: 'transient' } });
    expect(ackedRanges(kiosk.db)).toEqual([]);
    // Central comes back (here: the kiosk reaches it directly).
    writeState(kiosk.db, 'sync.enrolment', {
      ...readEnrolment(kiosk.db)!,
      centralUrl: `${suite.central.url}/`,
      enrolledAt: new Date().toISOString(),
    });
    expect(await engine.runOnce()).toMatchObject({ ok: true, inserted: 60 });
    await expectExactlyOnce(kiosk);
  });

  it('a stalled link times out without marking anything', async () => {
    const proxy = await proxied();
    const kiosk = await kioskWith(10, { url: proxy.url });
    let hung = false;
    proxy.decide = ({ path }) => (path === '/v1/batches' && !hung ? ((hung = true), 'hang') : 'pass');
    const engine = testEngine(kiosk, { timeouts: { idleMs: 300, batchDeadlineMs: 5_000 } });
    cleanups.push(() => engine.stop());
    expect(await engine.runOnce()).toMatchObject({ ok: false, failure: { code: 'timeout', kind: 'transient' } });
    expect(ackedRanges(kiosk.db)).toEqual([]);
    expect(await engine.runOnce()).toMatchObject({ ok: true, inserted: 10 });
    await expectExactlyOnce(kiosk);
  });

  it('stops and reports when central revokes the kiosk, and resumes when it is re-admitted', async () => {
    const kiosk = await kioskWith(40);
    const engine = testEngine(kiosk, { limits: { maxCount: 25 }, backoff: { baseMs: 10, capMs: 60_000 } });
    cleanups.push(() => engine.stop());
    expect(await engine.runOnce({ maxBatches: 1 })).toMatchObject({ ok: true, inserted: 25 });
    await revokeDevice(suite.central.db, kiosk.deviceId);
    const refused = await engine.runOnce({ retries: 3 });
    // Refused at the heartbeat (403), not retried within the pass, nothing more sent.
    expect(refused).toMatchObject({
      ok: false,
      batches: 0,
      failure: { kind: 'refused', code: 'device_revoked', status: 403 },
    });
    expect(refused.failure!.action).toMatch(/re-admit|enrol/);
    const status = engine.status();
    expect(status).toMatchObject({
      state: 'needs_attention',
      queueDepth: 15,
      lastError: { code: 'device_revoked', status: 403 },
    });
    // In the background, the next attempt waits for the cap (60 s here), not the backoff.
    engine.start();
    await until(() => readSyncStatus(kiosk.db).nextAttemptAt !== null);
    const row = readSyncStatus(kiosk.db);
    expect(row.lastError).toMatchObject({ code: 'device_revoked' });
    expect(Date.parse(row.nextAttemptAt!) - Date.parse(row.lastAttemptAt!)).toBe(60_000);
    expect(engine.status()).toMatchObject({ state: 'needs_attention', nextAttemptAt: row.nextAttemptAt });
    await engine.stop();
    // Batches alone are refused too (no heartbeat in the pass).
    expect(await engine.runOnce({ heartbeat: false, config: false })).toMatchObject({
      failure: { code: 'device_revoked' },
    });
    expect(ackedThrough(kiosk.db)).toBe(25);
    await unrevokeDevice(suite.central.db, kiosk.deviceId);
    expect(await engine.runOnce()).toMatchObject({ ok: true, inserted: 15 });
    await expectExactlyOnce(kiosk);
    expect(engine.status().lastError).toBeNull();
  });

  it('stops and reports 401: a key that does not match the enrolment', async () => {
    const kiosk = await kioskWith(5);
    // Replace the key on disk (and in the enrolment record, so the kiosk itself is consistent).
    const fresh = newKeyPair();
    ensureDeviceKey(kiosk.dataDir, kiosk.deviceId);
    const { writeDeviceKey } = await import('../../electron/core/sync/device-key.ts');
    writeDeviceKey(kiosk.dataDir, { ...fresh, deviceId: kiosk.deviceId });
    writeState(kiosk.db, 'sync.enrolment', { ...readEnrolment(kiosk.db)!, publicKey: fresh.publicKey });
    const engine = testEngine(kiosk);
    cleanups.push(() => engine.stop());
    expect(await engine.runOnce({ heartbeat: false, config: false })).toMatchObject({
      ok: false,
      failure: { kind: 'refused', code: 'bad_signature', status: 401 },
    });
    expect(await engine.runOnce()).toMatchObject({ ok: false, failure: { code: 'bad_signature', status: 401 } });
    expect(ackedRanges(kiosk.db)).toEqual([]);
    expect(await centralResponses(suite.central, kiosk.deviceId)).toEqual([]);
  });

  it('stops and reports 401 from a central that does not know the kiosk', async () => {
    // Enrolled elsewhere (or its registration deleted): this central has never seen the device.
    const kiosk = await kioskWith(5, { enrol: false });
    const key = ensureDeviceKey(kiosk.dataDir, kiosk.deviceId);
    writeState(kiosk.db, 'sync.enrolment', {
      centralUrl: `${suite.central.url}/`,
      deviceId: kiosk.deviceId,
      unit: { id: 'elsewhere', name: 'Elsewhere' },
      centralPublicKey: suite.central.centralKey.publicKey,
      publicKey: key.publicKey,
      enrolledAt: new Date().toISOString(),
    });
    const engine = testEngine(kiosk);
    cleanups.push(() => engine.stop());
    const r = await engine.runOnce();
    expect(r).toMatchObject({ ok: false, failure: { kind: 'refused', code: 'unknown_device', status: 401 } });
    expect(r.failure!.action).toMatch(/enrol/);
  });

  it('honours 429 Retry-After within a pass', async () => {
    const proxy = await proxied();
    const kiosk = await kioskWith(10, { url: proxy.url });
    let n = 0;
    proxy.decide = ({ path }) =>
      path === '/v1/batches' && n++ === 0
        ? {
            status: 429,
            headers: { 'retry-after': '1' },
            body: JSON.stringify({ error: 'rate_limited', message: 'slow down' }),
          }
        : 'pass';
    const slept: number[] = [];
    const engine = testEngine(kiosk, {
      clock: { now: Date.now, sleep: async (ms) => void slept.push(ms) },
      backoff: { baseMs: 10, capMs: 100 },
    });
    cleanups.push(() => engine.stop());
    const r = await engine.runOnce({ retries: 2 });
    expect(r).toMatchObject({ ok: true, inserted: 10 });
    expect(slept).toEqual([1_000]);
  });

  it('sends heartbeats central can show: queue, acked seq, versions, clock, disk, procedure', async () => {
    const kiosk = await kioskWith(12);
    const engine = testEngine(kiosk, {
      limits: { maxCount: 5 },
      freeDisk: async () => 123_456_789,
      appVersion: '9.9.9-test',
    });
    cleanups.push(() => engine.stop());
    await engine.runOnce({ maxBatches: 1 });
    await engine.runOnce({ maxBatches: 0, config: false });
    const device = (await listDevices(suite.central.db)).find((d) => d.id === kiosk.deviceId)!;
    const state = now(kiosk.core.getKioskState({}));
    expect(device.lastHeartbeatAt).not.toBeNull();
    expect(device.appVersion).toBe('9.9.9-test');
    expect(device.lastHeartbeat).toMatchObject({
      deviceId: kiosk.deviceId,
      appVersion: '9.9.9-test',
      configVersion: kiosk.core.config().version,
      lastSeq: 12,
      lastAckedSeq: 5,
      queueDepth: 7,
      freeDiskBytes: 123_456_789,
      procedureCode: state.ok ? state.value.assignment.procedureCode : 'unknown',
    });
    expect(Math.abs(device.clockDriftMs!)).toBeLessThan(5_000);
    expect(readSyncStatus(kiosk.db).lastHeartbeatAt).not.toBeNull();
    // Stamped when sent: central judges it against its clock (test/central/heartbeat-window.test.ts).
    const sentAt = Date.parse(Heartbeat.parse(device.lastHeartbeat).sentAt ?? 'missing');
    expect(Math.abs(sentAt - Date.now())).toBeLessThan(60_000);
  });

  it('a kiosk clock too far from central: the heartbeat is refused, the answers still go in', async () => {
    const kiosk = await kioskWith(6);
    const logged: string[] = [];
    const hourAhead = () => Date.now() + 60 * 60_000;
    const engine = testEngine(kiosk, {
      clock: { now: hourAhead, sleep: realSyncClock.sleep },
      log: (_level, message) => void logged.push(message),
    });
    cleanups.push(() => engine.stop());
    const r = await engine.runOnce();
    expect(r).toMatchObject({ ok: true, heartbeat: 'failed', inserted: 6, failure: null });
    expect(logged.some((m) => /refused the heartbeat: the kiosk clock is wrong/.test(m))).toBe(true);
    expect((await listDevices(suite.central.db)).find((d) => d.id === kiosk.deviceId)?.lastHeartbeatAt).toBeNull();
    await expectExactlyOnce(kiosk);
  });

  it('idles while not enrolled, and starts sending once enrolled (kioskctl enroll while the kiosk runs)', async () => {
    const kiosk = await kioskWith(30, { enrol: false });
    const engine = testEngine(kiosk, { pollIntervalMs: 10 });
    cleanups.push(() => engine.stop());
    engine.start();
    await new Promise((r) => setTimeout(r, 100));
    expect(engine.status()).toMatchObject({ state: 'not_enrolled', enrolled: false, queueDepth: 30 });
    expect(await engine.runOnce()).toMatchObject({ ok: false, enrolled: false, failure: { code: 'not_enrolled' } });
    await enrolTestKiosk(kiosk, suite.central);
    await until(() => queueDepth(kiosk.db) === 0);
    await engine.stop();
    await expectExactlyOnce(kiosk);
  });
});
