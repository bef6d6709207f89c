import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_BACKOFF, backoffCeiling, backoffDelay, parseRetryAfter } from '../../electron/core/sync/backoff.ts';
import type { SyncClock } from '../../electron/core/sync/engine.ts';
import { readSyncStatus } from '../../electron/core/sync/sync-store.ts';
import { seededRandom } from '../bench/stats.ts';
import { type FakeCentral, fakeEnrol, startFakeCentral } from './support/fake-central.ts';
import { type TestKiosk, insertBacklog, openTestKiosk, testEngine } from './support/kiosk.ts';

describe('backoff', () => {
  it('doubles the jitter ceiling from the 2 s base up to the 10 min cap', () => {
    expect([1, 2, 3, 4, 5].map((n) => backoffCeiling(n))).toEqual([2_000, 4_000, 8_000, 16_000, 32_000]);
    expect(backoffCeiling(9)).toBe(512_000);
    expect(backoffCeiling(10)).toBe(DEFAULT_BACKOFF.capMs);
    expect(backoffCeiling(10_000)).toBe(600_000);
  });

  it('full jitter: every delay in [0, ceiling), spread over the range', () => {
    const random = seededRandom(42);
    for (let n = 1; n <= 14; n++) {
      const delays = Array.from({ length: 400 }, () => backoffDelay(n, random));
      const ceiling = backoffCeiling(n);
      expect(Math.min(...delays)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...delays)).toBeLessThan(ceiling);
      // Full jitter, not "equal jitter": short waits happen too, and the mean is about half the ceiling.
      expect(Math.min(...delays)).toBeLessThan(ceiling * 0.05);
      const mean = delays.reduce((s, d) => s + d, 0) / delays.length;
      expect(mean / ceiling).toBeGreaterThan(0.4);
      expect(mean / ceiling).toBeLessThan(0.6);
    }
    expect(backoffDelay(3, () => 0)).toBe(0);
    expect(backoffDelay(3, () => 0.999_999)).toBe(7_999);
  });

  it('honours a Retry-After that asks for longer, within its own cap', () => {
    expect(backoffDelay(1, () => 0.5, DEFAULT_BACKOFF, 30_000)).toBe(30_000);
    expect(backoffDelay(12, () => 0.9, DEFAULT_BACKOFF, 30_000)).toBe(540_000);
    expect(backoffDelay(1, () => 0.5, DEFAULT_BACKOFF, 90 * 60_000)).toBe(DEFAULT_BACKOFF.maxRetryAfterMs);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-05-01T00:00:00.000Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('Fri, 01 May 2026 00:01:30 GMT', now)).toBe(90_000);
    expect(parseRetryAfter('Fri, 01 May 2026 00:00:00 GMT', now + 5_000)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});

/** A clock the test moves: sleeping advances it at once and records how long was asked. */
const fakeClock = () => {
  let t = Date.parse('2026-05-01T02:00:00.000Z');
  const sleeps: number[] = [];
  const clock: SyncClock = {
    now: () => t,
    sleep: async (ms) => {
      sleeps.push(ms);
      t += ms;
      await new Promise((r) => setImmediate(r));
    },
  };
  return { clock, sleeps };
};

const until = async (cond: () => boolean, ms = 15_000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('the engine schedule (injected clock and random, scripted central)', () => {
  let fake: FakeCentral;
  let kiosk: TestKiosk;
  afterEach(async () => {
    await fake?.close();
    kiosk?.close();
  });

  const setup = async (responses: number) => {
    fake = await startFakeCentral();
    kiosk = openTestKiosk();
    insertBacklog(kiosk.core, responses);
    fakeEnrol(kiosk, fake.url);
  };

  it('backs off exponentially with full jitter, honours Retry-After, then drains', async () => {
    await setup(10);
    const err = (status: number, headers: Record<string, string> = {}) => ({
      status,
      headers,
      body: { error: status === 429 ? 'rate_limited' : 'internal', message: 'scripted' },
    });
    fake.batchReplies.push(
      err(503),
      err(500),
      err(502),
      err(429, { 'retry-after': '120' }),
      'reset',
      err(503),
      err(503),
      err(503),
      err(503),
      err(503),
      err(503),
    );
    const { clock, sleeps } = fakeClock();
    const engine = testEngine(kiosk, { clock, random: () => 0.5, backoff: DEFAULT_BACKOFF, pollIntervalMs: 15_000 });
    engine.start();
    await until(() => fake.held.size === 10 && sleeps.length > 10);
    await engine.stop();
    // 0.5 × min(cap, 2 s × 2^(n−1)); the 4th failure was a 429 asking for 120 s. The reset connection
    // (a reused keep-alive socket) is retried at once on a new one, which met the next 503: one failure.
    expect(sleeps.slice(0, 10)).toEqual([
      1_000, 2_000, 4_000, 120_000, 16_000, 32_000, 64_000, 128_000, 256_000, 300_000,
    ]);
    // Then back to the idle poll.
    expect(sleeps[10]).toBe(15_000);
    expect(fake.requests.filter((q) => q.path === '/v1/batches')).toHaveLength(12);
    expect(readSyncStatus(kiosk.db)).toMatchObject({ attempts: 0, lastError: null });
  });

  it('treats a 4xx refusal as stop-and-report: the next try only after the cap', async () => {
    await setup(3);
    fake.batchReplies.push({ status: 403, body: { error: 'device_revoked', message: 'device x was revoked' } });
    const { clock, sleeps } = fakeClock();
    const engine = testEngine(kiosk, { clock, random: () => 0.01, backoff: DEFAULT_BACKOFF, pollIntervalMs: 15_000 });
    engine.start();
    await until(() => fake.held.size === 3);
    await engine.stop();
    // The wait is the cap (slept in steps, to notice a new enrolment), then the batch goes.
    const batchTimes = fake.requests.filter((q) => q.path === '/v1/batches');
    expect(batchTimes).toHaveLength(2);
    expect(sleeps.slice(0, 40).reduce((a, b) => a + b, 0)).toBe(DEFAULT_BACKOFF.capMs);
    expect(sleeps[0]).toBe(15_000);
  });

  it('ends the wait after a refusal as soon as the kiosk is enrolled again', async () => {
    await setup(3);
    fake.batchReplies.push({ status: 401, body: { error: 'unknown_device', message: 'enrol first' } });
    let t = Date.parse('2026-05-01T02:00:00.000Z');
    const sleeps: number[] = [];
    const clock: SyncClock = {
      now: () => t,
      sleep: async (ms) => {
        sleeps.push(ms);
        t += ms;
        // IT re-enrols (another process) during the third step of the wait.
        if (sleeps.length === 3) fakeEnrol(kiosk, fake.url);
        await new Promise((r) => setImmediate(r));
      },
    };
    const engine = testEngine(kiosk, { clock, backoff: DEFAULT_BACKOFF, pollIntervalMs: 5_000 });
    engine.start();
    await until(() => fake.held.size === 3);
    await engine.stop();
    expect(sleeps.slice(0, 3)).toEqual([5_000, 5_000, 5_000]);
  });

  it('keeps the failure count across a restart, so a crash loop does not reset the backoff', async () => {
    await setup(2);
    fake.batchReplies.push(
      ...Array.from({ length: 3 }, () => ({ status: 503, body: { error: 'internal', message: 'x' } })),
    );
    const { clock } = fakeClock();
    const first = testEngine(kiosk, { clock, random: () => 0.5, backoff: DEFAULT_BACKOFF });
    const r1 = await first.runOnce();
    const r2 = await first.runOnce();
    await first.stop();
    expect([r1.failure?.code, r2.failure?.code]).toEqual(['internal', 'internal']);
    expect(readSyncStatus(kiosk.db).attempts).toBe(2);
    const { clock: clock2, sleeps } = fakeClock();
    const second = testEngine(kiosk, { clock: clock2, random: () => 0.5, backoff: DEFAULT_BACKOFF });
    second.start();
    await until(() => fake.held.size === 2);
    await second.stop();
    expect(sleeps[0]).toBe(4_000); // third failure: 0.5 × 8 s
  });

  it('learns reachability by trying: a stalled link times out and is retried', async () => {
    await setup(4);
    fake.batchReplies.push('hang', 'reset');
    const { clock, sleeps } = fakeClock();
    const engine = testEngine(kiosk, {
      clock,
      random: () => 1 - 1e-9,
      backoff: { baseMs: 100, capMs: 1_000 },
      timeouts: { idleMs: 150, batchDeadlineMs: 2_000 },
    });
    engine.start();
    await until(() => fake.held.size === 4);
    await engine.stop();
    expect(sleeps.slice(0, 2)).toEqual([99, 199]);
  });

  it('halves the batch after a 413 from a proxy with a smaller body limit', async () => {
    await setup(100);
    fake.batchReplies.push({ status: 413, body: '<html>413 Request Entity Too Large</html>' }, { status: 413 });
    const engine = testEngine(kiosk, { limits: { maxCount: 80 } });
    const r = await engine.runOnce();
    await engine.stop();
    expect(r.ok).toBe(true);
    const sizes = fake.requests.filter((q) => q.path.endsWith('/v1/batches')).map((q) => q.body.length);
    expect(sizes).toHaveLength(2 + 5); // 80 refused, 40 refused, then 20 × 5
    expect(fake.held.size).toBe(100);
  });

  it('skips what central already holds (heartbeat highestContiguousSeq) instead of resending it', async () => {
    await setup(50);
    // Central already holds 1..30 (they arrived by USB); its heartbeat and acks say so.
    for (let seq = 1; seq <= 30; seq++) fake.held.add(seq);
    const engine = testEngine(kiosk, { limits: { maxCount: 100 } });
    const r = await engine.runOnce();
    await engine.stop();
    expect(r).toMatchObject({ ok: true, skippedByCentral: 30, responses: 20, batches: 1 });
    expect(fake.held.size).toBe(50);
  });
});
