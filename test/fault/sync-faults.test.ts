// Fault injection for sync: a real kiosk process (core + sync engine) records respondents and syncs
// through a loopback proxy that resets connections mid-request, drops answers after central
// committed, returns 5xx, stalls, trickles bytes and refuses batches as too large, on a schedule
// fast-check draws from one seed per run; the kiosk process is SIGKILLed and restarted, sometimes at
// the worst moment (central committed, the ack not yet delivered). After the faults stop and the
// kiosk drains, central must hold exactly the kiosk's responses: same ids, same content, nothing
// twice, no gaps; and the kiosk must show everything acknowledged.
//
// 20 seeds on PGlite by default; LONG_TESTS=1 (npm run test:long) runs 100 on PGlite and on
// PostgreSQL. FAULT_RUNS=N changes the number; FAULT_SEED=S replays one run (the seed is printed on
// failure); FAULT_CHILD_LOG=1 shows the kiosk's sync log.
import { mkdtempSync, rmSync } from 'node:fs';
import { randomInt } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listDevices } from '../../central/index.ts';
import { openKioskCore } from '../../electron/core/kiosk-core.ts';
import { setOfficePins } from '../support/pins.ts';
import { listResponses, sequenceGaps } from '../../electron/core/store/responses.ts';
import { enrol } from '../../electron/core/sync/enrolment.ts';
import { readStatus } from '../../electron/core/sync/status.ts';
import { ackedRanges, listConflicts } from '../../electron/core/sync/sync-store.ts';
import { canonicalJson } from '../../shared/canonical.ts';
import { BACKENDS } from '../central/backends.ts';
import { type Backend, type TestCentral, backendAvailable, startTestCentral } from '../support/central.ts';
import { requirePostgresOrSkip, stopSharedPostgres } from '../support/postgres.ts';
import { centralCount, centralResponses } from '../sync/support/kiosk.ts';
import { startProxy } from '../sync/support/proxy.ts';
import { hostileBodies, startHealthPoller, startHostileSender } from '../sync/support/hostile.ts';
import { DEFAULT_RATE_LIMITS } from '../../central/routes/rate-limit.ts';
import { bundleChild } from '../support/bundle-child.ts';
import { type KioskProcess, spawnKiosk } from './support/kiosk-process.ts';
import { FAULT_KINDS, type FaultKind, type Schedule, scheduleFor, toProxyAction } from './support/schedule.ts';
import { errorMessage } from '../../shared/error-message.ts';

const LONG = process.env.LONG_TESTS === '1';
const RUNS = Number(process.env.FAULT_RUNS ?? (LONG ? 100 : 20));
const REPLAY =
  process.env.FAULT_SEED !== undefined && process.env.FAULT_SEED !== '' ? Number(process.env.FAULT_SEED) : undefined;
const SUITE_SEED = randomInt(2 ** 31);
const SELECTED: readonly Backend[] = LONG ? BACKENDS : ['pglite'];
/** The kiosk's timeouts here: a stall is noticed in 0.8 s, a trickle over 2.5 s (+ body at 4 KiB/s) is given up. */
const CHILD_ENV = {
  KIOSK_SYNC_POLL_MS: '20',
  KIOSK_SYNC_BASE_MS: '20',
  KIOSK_SYNC_CAP_MS: '300',
  KIOSK_SYNC_CONFIG_MS: '3000',
  KIOSK_SYNC_IDLE_TIMEOUT_MS: '800',
  KIOSK_SYNC_DEADLINE_MS: '2500',
};
const DRAIN_TIMEOUT_MS = 90_000;

let work: string;
let script: string;
beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'kiosk-sync-faults-'));
  script = await bundleChild('test/fault/support/sync-child.ts', join(work, 'sync-child.mjs'));
}, 120_000);
afterAll(async () => {
  await stopSharedPostgres();
  if (work) rmSync(work, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type RunReport = {
  ms: Record<string, number>;
  responses: number;
  lives: number;
  kills: number;
  killsAtCommit: number;
  applied: Partial<Record<FaultKind, number>>;
  duplicates: number;
  requests: number;
};

/**
 * The kiosk's database is the truth: central must hold every response it stored, in seq order, once,
 * with the same content, no conflicts and no gaps; and the kiosk must show everything acknowledged.
 */
const expectCentralHoldsKiosk = async (
  central: TestCentral,
  dataDir: string,
  deviceId: string,
): Promise<{ responses: number; duplicates: number }> => {
  const check = openKioskCore({ dataDir, log: () => {} });
  try {
    const mine = listResponses(check.db, deviceId);
    const n = mine.length;
    expect(sequenceGaps(check.db)).toEqual([]);
    expect(mine.map((r) => r.seq)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    const theirs = await centralResponses(central, deviceId);
    expect(
      theirs.map((r) => r.id),
      'central holds the same ids in the same seqs',
    ).toEqual(mine.map((r) => r.id));
    expect(theirs.map((r) => r.seq)).toEqual(mine.map((r) => r.seq));
    expect(
      theirs.map((r) => canonicalJson(r.body)),
      'central holds the same content',
    ).toEqual(mine.map((r) => canonicalJson(r)));
    expect(
      await centralCount(central, 'SELECT count(*) AS n FROM conflicts WHERE device_id = $1', [deviceId]),
      'no conflicts',
    ).toBe(0);
    const device = (await listDevices(central.db)).find((d) => d.id === deviceId);
    expect(device, 'centralctl devices').toMatchObject({
      responses: n,
      highestContiguousSeq: n,
      highestSeq: n,
      conflicts: 0,
      revoked: false,
    });
    expect(ackedRanges(check.db), 'the kiosk shows everything acknowledged').toEqual(n > 0 ? [{ from: 1, to: n }] : []);
    expect(readStatus(check.db)).toMatchObject({ queueDepth: 0, ackedThrough: n, lastSeq: n, conflicts: 0 });
    expect(listConflicts(check.db)).toEqual([]);
    return { responses: n, duplicates: device?.duplicates ?? 0 };
  } finally {
    check.close();
  }
};

/** One seed: enrol a fresh kiosk through a fresh proxy, live the schedule's lives under faults, drain, compare. */
const runSeed = async (central: TestCentral, seed: number): Promise<RunReport> => {
  const schedule: Schedule = scheduleFor(seed);
  const dataDir = mkdtempSync(join(work, `kiosk-${seed}-`));
  const proxy = await startProxy(central.url);
  const t0 = Date.now();
  const report: RunReport = {
    ms: {},
    responses: 0,
    lives: schedule.lives.length + 1,
    kills: 0,
    killsAtCommit: 0,
    applied: {},
    duplicates: 0,
    requests: 0,
  };
  let current: KioskProcess | undefined;
  try {
    const core = openKioskCore({ dataDir, log: () => {} });
    setOfficePins(core.db);
    const enrolled = await enrol({
      db: core.db,
      dataDir,
      centralUrl: proxy.url,
      code: await central.enrolmentCode(),
      label: `fault seed ${seed}`,
    });
    const deviceId = core.deviceId;
    core.close();
    expect(enrolled.ok, 'enrolment through the proxy').toBe(true);

    let faultsOn = true;
    let next = 0;
    proxy.decide = (req) => {
      report.requests++;
      if (!faultsOn) return 'pass';
      const f = schedule.faults[next++ % schedule.faults.length]!;
      report.applied[f.kind] = (report.applied[f.kind] ?? 0) + 1;
      return toProxyAction(f, req, () => {
        if (current?.alive) {
          report.killsAtCommit++;
          current.kill();
        }
      });
    };
    const env = {
      ...CHILD_ENV,
      KIOSK_SYNC_MAX_BATCH: String(schedule.maxBatch),
      KIOSK_SYNC_HEARTBEAT_MS: String(schedule.heartbeatMs),
    };

    for (const [i, life] of schedule.lives.entries()) {
      const child = spawnKiosk(script, [dataDir, String(life.record), String(life.everyMs), String(seed + i)], env);
      current = child;
      await child.waitFor(/^ready /, 30_000);
      report.ms[`ready${i + 1}`] = Date.now() - t0;
      await Promise.race([sleep(life.lifeMs), child.exited]);
      if (child.alive) report.kills++;
      child.kill();
      const end = await child.exited;
      expect(child.stderr(), `kiosk stderr in life ${i + 1}`).toBe('');
      expect(end, `life ${i + 1} must end by SIGKILL`).toEqual({ code: null, signal: 'SIGKILL' });
      await sleep(life.pauseMs);
    }

    faultsOn = false;
    const last = spawnKiosk(
      script,
      [dataDir, String(schedule.final.record), String(schedule.final.everyMs), String(seed + 99), '--drain'],
      env,
    );
    current = last;
    report.ms['final'] = Date.now() - t0;
    await last.waitFor(/^drained /, DRAIN_TIMEOUT_MS);
    report.ms['drained'] = Date.now() - t0;
    expect(await last.exited).toEqual({ code: 0, signal: null });
    expect(last.stderr()).toBe('');
    await proxy.close();

    const held = await expectCentralHoldsKiosk(central, dataDir, deviceId);
    report.responses = held.responses;
    report.duplicates = held.duplicates;
    report.ms['checked'] = Date.now() - t0;
    if (process.env.FAULT_VERBOSE === '1')
      console.log(`seed ${seed}: ${JSON.stringify(report)} lives ${JSON.stringify(schedule.lives)}`);
    return report;
  } catch (e) {
    const message = errorMessage(e);
    const tail = proxy.log
      .slice(-15)
      .map((l) => `${l.path} ${l.action}${l.upstreamStatus ? ` → ${l.upstreamStatus}` : ''}`);
    throw new Error(
      `FAULT_SEED=${seed} (${central.backend}) failed: ${message}\nschedule: ${JSON.stringify(schedule)}\nlast proxy decisions:\n  ${tail.join('\n  ')}`,
      { cause: e },
    );
  } finally {
    current?.kill();
    await current?.exited;
    await proxy.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
};

for (const [index, backend] of SELECTED.entries()) {
  const available = backend === 'postgres' ? requirePostgresOrSkip() : backendAvailable(backend);
  const title = available.ok
    ? `sync under faults [${backend}]`
    : `sync under faults [${backend}] — skipped: ${'reason' in available ? available.reason : ''}`;
  describe.skipIf(!available.ok)(title, () => {
    let central: TestCentral;
    beforeAll(async () => {
      central = await startTestCentral(backend);
    }, 120_000);
    afterAll(async () => {
      await central?.close();
    });

    if (REPLAY !== undefined) {
      it(`replays FAULT_SEED=${REPLAY}`, { timeout: 600_000 }, async () => {
        const r = await runSeed(central, REPLAY);
        console.log(`sync faults [${backend}]: seed ${REPLAY}: ${JSON.stringify(r)}`);
      });
      return;
    }

    it(
      `central holds exactly the kiosk's responses after faults, kills and a drain (${RUNS} seeds)`,
      { timeout: RUNS * 90_000 },
      async () => {
        const suiteSeed = (SUITE_SEED + index) % 2 ** 31;
        console.log(
          `sync faults [${backend}]: ${RUNS} seeds drawn with fast-check seed ${suiteSeed}; a failure prints FAULT_SEED=<seed> to replay it`,
        );
        const reports: RunReport[] = [];
        await fc.assert(
          fc.asyncProperty(fc.noShrink(fc.noBias(fc.integer({ min: 0, max: 2 ** 31 - 1 }))), async (seed) => {
            reports.push(await runSeed(central, seed));
          }),
          { numRuns: RUNS, seed: suiteSeed, endOnFailure: true },
        );
        const total = (pick: (r: RunReport) => number) => reports.reduce((s, r) => s + pick(r), 0);
        const applied = Object.fromEntries(FAULT_KINDS.map((k) => [k, total((r) => r.applied[k] ?? 0)]));
        console.log(
          `sync faults [${backend}]: ${total((r) => r.responses)} responses, ${total((r) => r.requests)} requests, ${total((r) => r.kills)} timed kills, ` +
            `${total((r) => r.killsAtCommit)} kills after a commit, ${total((r) => r.duplicates)} duplicates absorbed; faults applied ${JSON.stringify(applied)}`,
        );
        // The suite means something only if the faults happened: with this many seeds each kind occurs.
        if (RUNS >= 8) {
          for (const k of FAULT_KINDS) expect(applied[k], `fault "${k}" never applied`).toBeGreaterThan(0);
          expect(total((r) => r.kills + r.killsAtCommit)).toBeGreaterThan(0);
          expect(
            total((r) => r.duplicates),
            'answers lost after a commit are resent as duplicates',
          ).toBeGreaterThan(0);
        }
      },
    );
  });
}

// Hostile load at the per-address rate limit: bodies built to be expensive (nesting bombs, a forged
// maximum-size batch in the kiosk's name, unknown signers, garbage) from one address, while a real
// kiosk records and drains and /v1/health is polled. Correctness only, never timing (the latency bound
// is measured by `npm run bench -- hostile`): every hostile request gets exactly one answer, a refusal;
// health always answers 200; the kiosk's drain ends with central holding exactly its rows.
describe('sync under hostile load [pglite]', () => {
  it(
    'health answers and the kiosk drains exactly while hostile bodies arrive at the rate limit',
    { timeout: 180_000 },
    async () => {
      const perIp = DEFAULT_RATE_LIMITS.perIp;
      if (!perIp) throw new Error('the default per-address rate limit is off');
      // Behind a proxy the attacker's address is the X-Forwarded-For one; the kiosk's is loopback.
      const central = await startTestCentral('pglite', { trustProxy: true, rateLimit: { perIp, perDevice: false } });
      const dataDir = mkdtempSync(join(work, 'kiosk-hostile-'));
      let kiosk: KioskProcess | undefined;
      try {
        const core = openKioskCore({ dataDir, log: () => {} });
        const deviceId = core.deviceId;
        setOfficePins(core.db);
        const enrolment = await enrol({
          db: core.db,
          dataDir,
          centralUrl: central.url,
          code: await central.enrolmentCode(),
        });
        core.close();
        expect(enrolment.ok).toBe(true);

        const health = startHealthPoller(central.url, 150);
        const attack = startHostileSender({
          url: central.url,
          bodies: hostileBodies(deviceId),
          perSecond: (perIp.max * 1000) / perIp.windowMs,
          address: '203.0.113.7',
        });
        kiosk = spawnKiosk(script, [dataDir, '150', '20', '7', '--drain'], {
          ...CHILD_ENV,
          KIOSK_SYNC_MAX_BATCH: '10',
        });
        await kiosk.waitFor(/^drained /, DRAIN_TIMEOUT_MS);
        expect(await kiosk.exited).toEqual({ code: 0, signal: null });
        expect(kiosk.stderr()).toBe('');
        const polled = await health.stop();
        const hostile = await attack.stop();

        expect(hostile.failures, 'every hostile request got an answer').toEqual([]);
        expect(hostile.answers).toHaveLength(hostile.sent);
        expect(hostile.sent).toBeGreaterThanOrEqual(20);
        const allowed = new Set([400, 401, 413, 429, 503]);
        expect(hostile.answers.filter((a) => !allowed.has(a.status))).toEqual([]);
        // Each kind reached the check meant for it (a 503 or 429 would have answered it sooner).
        const statusesOf = (kind: string) =>
          new Set(hostile.answers.filter((a) => a.kind === kind).map((a) => a.status));
        expect(statusesOf('forged-large')).toContain(401);
        expect(statusesOf('nested-named')).toContain(400);
        expect(statusesOf('unknown-signer')).toContain(401);
        expect(polled.statuses.length).toBeGreaterThan(10);
        expect(polled.statuses.filter((s) => s !== 200)).toEqual([]);
        const held = await expectCentralHoldsKiosk(central, dataDir, deviceId);
        expect(held.responses).toBe(150);
      } finally {
        kiosk?.kill();
        await kiosk?.exited;
        await central.close();
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  );
});
