// The sync engine's one state record (electron/core/sync/engine-state.ts), read through passes: what
// a successful pass schedules, how failures count and back off, and how a refusal waits the cap.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type RunningCentral, revokeDevice } from '../../central/index.ts';
import { realSyncClock } from '../../electron/core/sync/engine.ts';
import { queueDepth, readSyncStatus } from '../../electron/core/sync/sync-store.ts';
import { type TestProxy, startProxy } from './support/proxy.ts';
import {
  type TestKiosk,
  enrolTestKiosk,
  insertBacklog,
  openTestKiosk,
  startTestCentral,
  testEngine,
} from './support/kiosk.ts';

let central: RunningCentral;
beforeAll(async () => {
  central = await startTestCentral();
});
afterAll(async () => {
  await central?.close();
});

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const kioskWith = async (backlog: number, url?: string): Promise<TestKiosk> => {
  const kiosk = openTestKiosk();
  cleanups.push(() => kiosk.close());
  insertBacklog(kiosk.core, backlog, { seed: backlog });
  await enrolTestKiosk(kiosk, central, url);
  return kiosk;
};

const proxied = async (): Promise<TestProxy> => {
  const proxy = await startProxy(central.url);
  cleanups.push(() => proxy.close());
  return proxy;
};

const until = async (cond: () => boolean, ms = 20_000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
};

const HEARTBEAT_MS = 5 * 60_000;
const CONFIG_MS = 60 * 60_000;

describe('the sync engine state record', () => {
  it('after a successful pass: no failures, heartbeat and pull scheduled from when the pass settled', async () => {
    const kiosk = await kioskWith(7);
    // A clock standing still at a real time (central judges the heartbeat's time against its own).
    const t0 = Date.now();
    const engine = testEngine(kiosk, {
      clock: { now: () => t0, sleep: realSyncClock.sleep },
      heartbeatIntervalMs: HEARTBEAT_MS,
      configIntervalMs: CONFIG_MS,
    });
    cleanups.push(() => engine.stop());
    expect(engine.state()).toEqual({
      activity: 'stopped',
      running: false,
      forced: false,
      failures: 0,
      nextAttemptAt: null,
      settledAt: 0,
      nextHeartbeatAt: 0,
      nextConfigAt: 0,
      configWanted: false,
      refusedConfigVersion: null,
    });
    const r = await engine.runOnce();
    expect(r).toMatchObject({ ok: true, heartbeat: 'sent', inserted: 7 });
    expect(engine.state()).toEqual({
      activity: 'stopped',
      running: false,
      forced: false,
      failures: 0,
      nextAttemptAt: null,
      settledAt: t0,
      nextHeartbeatAt: t0 + HEARTBEAT_MS,
      nextConfigAt: t0 + CONFIG_MS,
      configWanted: false,
      refusedConfigVersion: null,
    });
    // state() is a copy: a caller cannot move the engine's schedule.
    (engine.state() as { failures: number }).failures = 99;
    expect(engine.state().failures).toBe(0);
  });

  it('a passing failure counts and backs off with jitter; "sync now" after central recovers resets the count', async () => {
    const proxy = await proxied();
    const kiosk = await kioskWith(9, proxy.url);
    let down = true;
    proxy.decide = ({ path }) =>
      down && path === '/v1/batches'
        ? { status: 503, body: JSON.stringify({ error: 'internal', message: 'down for maintenance' }) }
        : 'pass';
    const engine = testEngine(kiosk, {
      random: () => 0.5,
      backoff: { baseMs: 40_000, capMs: 600_000 },
      pollIntervalMs: 60_000,
    });
    cleanups.push(() => engine.stop());
    engine.start();
    await until(() => engine.state().failures === 1 && engine.state().nextAttemptAt !== null);
    const failed = engine.state();
    expect(failed).toMatchObject({ activity: 'retrying', running: true, forced: false });
    // Full jitter: random 0.5 of the first ceiling (base 40 s), from when the pass settled.
    expect(failed.nextAttemptAt! - failed.settledAt).toBe(20_000);
    expect(failed.nextHeartbeatAt).toBeGreaterThan(failed.settledAt);
    expect(readSyncStatus(kiosk.db).attempts).toBe(1);
    expect(queueDepth(kiosk.db)).toBe(9);

    down = false;
    engine.wake();
    await until(() => engine.state().failures === 0 && engine.state().activity === 'idle');
    const recovered = engine.state();
    expect(recovered.nextAttemptAt! - recovered.settledAt).toBe(60_000);
    expect(recovered.settledAt).toBeGreaterThan(failed.settledAt);
    expect(queueDepth(kiosk.db)).toBe(0);
    expect(readSyncStatus(kiosk.db).attempts).toBe(0);
  });

  it('a refusal (revoked device) needs attention and waits the cap, not the jittered backoff', async () => {
    const kiosk = await kioskWith(3);
    await revokeDevice(central.db, kiosk.deviceId);
    const engine = testEngine(kiosk, { random: () => 0.5, backoff: { baseMs: 40_000, capMs: 600_000 } });
    cleanups.push(() => engine.stop());
    engine.start();
    await until(() => engine.state().failures === 1 && engine.state().nextAttemptAt !== null);
    const s = engine.state();
    expect(s).toMatchObject({ activity: 'needs_attention', running: true });
    expect(s.nextAttemptAt! - s.settledAt).toBe(600_000);
    expect(engine.status()).toMatchObject({ state: 'needs_attention', lastError: { code: 'device_revoked' } });
    await engine.stop();
    expect(engine.state()).toMatchObject({ activity: 'stopped', running: false, nextAttemptAt: null, failures: 1 });
  });
});
