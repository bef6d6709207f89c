// Issue 16: two central processes (npm run central) on one PostgreSQL, started at the same moment on
// an empty database and an empty shared key file; the sync fault proxy in front of them, sending each
// path to the two instances in turn, so that consecutive batches of one device alternate between them.
// 20 real kiosk cores (in this process, each with its own sync engine and its own faulty proxy) record
// respondents while the proxy resets, drops answers after commits, returns 5xx, stalls and trickles.
// After the faults stop and every kiosk drains, central must hold every kiosk's responses once, same
// content, no gaps, no conflicts. Then: a console session made through one instance works on the other,
// and a per-address rate limit is counted across both.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listDevices } from '../../central/index.ts';
import { migrations } from '../../central/db/migrations.ts';
import { openPostgres } from '../../central/db/postgres.ts';
import type { CentralDb } from '../../central/db/types.ts';
import { createEnrolmentCode } from '../../central/ops/enrolment-codes.ts';
import { listResponses, sequenceGaps } from '../../electron/core/store/responses.ts';
import { enrol } from '../../electron/core/sync/enrolment.ts';
import type { SyncEngine } from '../../electron/core/sync/engine.ts';
import { ackedRanges, queueDepth } from '../../electron/core/sync/sync-store.ts';
import { canonicalJson } from '../../shared/canonical.ts';
import { type ChildLog, stopProcess, waitForOutput } from '../support/child-process.ts';
import { ConsoleClient, TEST_PASSWORD, makeAccount } from '../support/console-client.ts';
import { REPO_ROOT } from '../support/kiosk.ts';
import { requirePostgresOrSkip, sharedPostgres, stopSharedPostgres } from '../support/postgres.ts';
import { tempDir } from '../support/tmp.ts';
import { type TestProxy, startProxy } from '../sync/support/proxy.ts';
import { type TestKiosk, openTestKiosk, recordResponses, silent, testEngine } from '../sync/support/kiosk.ts';
import { openKioskCore } from '../../electron/core/kiosk-core.ts';
import { scheduleFor, toProxyAction } from './support/schedule.ts';

const postgres = requirePostgresOrSkip();
afterAll(stopSharedPostgres);

const KIOSKS = 20;
/** Requests per minute per address on both instances: the rate-limit check at the end spends it. */
const RATE_IP = 300;
const FAULTS_MS = 8_000;
const DRAIN_MS = 45_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Instance = { proc: ChildProcess; url: string; publicKey: string; log: ChildLog };
/** Every central process started, so that a failed start of one does not leave the other running. */
const started: ChildProcess[] = [];

/** `npm run central` on PostgreSQL with a shared key file, listening on a loopback port of its choosing. */
const spawnCentral = async (databaseUrl: string, dataDir: string, keyFile: string): Promise<Instance> => {
  const proc = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(REPO_ROOT, 'central', 'main.ts'),
      ...['--data-dir', dataDir, '--key-file', keyFile, '--port', '0', '--trust-proxy'],
      ...['--rate-ip', String(RATE_IP), '--rate-device', '0'],
    ],
    { cwd: REPO_ROOT, env: { ...process.env, DATABASE_URL: databaseUrl } },
  );
  started.push(proc);
  const log: ChildLog = { text: '' };
  const m = await waitForOutput(proc, /listening on (http:\/\/127\.0\.0\.1:\d+)/, 'central', 60_000, log);
  const publicKey = /central public key: (\S+)/.exec(log.text)?.[1] ?? '';
  return { proc, url: m[1]!, publicKey, log };
};

type Kiosk = { kiosk: TestKiosk; proxy: TestProxy; engine: SyncEngine; faultsOn: boolean; recorded: number };

type SettingRow = { key: string; value: string; updated_at: string };

/**
 * The office PINs' stored hashes, made once by the real setting code: hashing them (scrypt) again for
 * each of 20 kiosks costs more CPU than the rest of the test. Sync refuses to run on the demo PINs.
 */
const officePinRows = (): SettingRow[] => {
  const template = openTestKiosk();
  try {
    return template.db
      .prepare("SELECT key, value, updated_at FROM settings WHERE key IN ('adminPin', 'staffPin')")
      .all() as SettingRow[];
  } finally {
    template.close();
  }
};

const openKiosk = (pins: SettingRow[]): TestKiosk => {
  const dir = tempDir('kiosk-instances-');
  const core = openKioskCore({ dataDir: dir.dir, log: silent });
  const put = core.db.prepare(
    'INSERT INTO settings (key, value, updated_at) VALUES (@key, @value, @updated_at) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  );
  for (const row of pins) put.run(row);
  return {
    core,
    dataDir: dir.dir,
    db: core.db,
    deviceId: core.deviceId,
    close: () => {
      core.close();
      dir.cleanup();
    },
  };
};

const startKiosk = async (db: CentralDb, kiosk: TestKiosk, targets: string[], i: number): Promise<Kiosk> => {
  // Each kiosk from its own office address (the proxy says so; the instances trust it).
  const proxy = await startProxy(targets, { headers: { 'x-forwarded-for': `10.0.0.${i + 1}` } });
  const enrolled = await enrol({
    db: kiosk.db,
    dataDir: kiosk.dataDir,
    centralUrl: proxy.url,
    code: (await createEnrolmentCode(db, { unitId: 'default' })).code,
    label: `kiosk ${i + 1}`,
  });
  if (!enrolled.ok) throw new Error(`enrolment of kiosk ${i + 1} failed: ${enrolled.code} ${enrolled.message}`);
  const k: Kiosk = { kiosk, proxy, engine: undefined as unknown as SyncEngine, faultsOn: true, recorded: 0 };
  const faults = scheduleFor(1000 + i).faults;
  let next = 0;
  // In this process nothing can be SIGKILLed: the schedule's kill-after-commit becomes a lost answer.
  proxy.decide = (req) => (k.faultsOn ? toProxyAction(faults[next++ % faults.length]!, req, () => {}) : 'pass');
  k.recorded += recordResponses(kiosk.core, 4, i).length;
  k.engine = testEngine(kiosk, {
    limits: { maxCount: 1 + (i % 4) },
    heartbeatIntervalMs: 700,
    configIntervalMs: 3_000,
    backoff: { baseMs: 20, capMs: 300 },
    timeouts: { idleMs: 800, batchDeadlineMs: 2_500, smallDeadlineMs: 2_500 },
  });
  k.engine.start();
  return k;
};

/** The kiosk's database is the truth: central holds each of its responses once, same content, gap-free. */
const expectCentralHolds = async (db: CentralDb, k: Kiosk): Promise<number> => {
  const { deviceId } = k.kiosk;
  const mine = listResponses(k.kiosk.db, deviceId);
  const n = mine.length;
  expect(sequenceGaps(k.kiosk.db)).toEqual([]);
  const theirs = await db.query(
    'SELECT response_id::text AS id, seq, body FROM responses WHERE device_id = $1 ORDER BY seq',
    [deviceId],
  );
  expect(theirs.rows.map((r) => String(r['id']))).toEqual(mine.map((r) => r.id));
  expect(theirs.rows.map((r) => Number(r['seq']))).toEqual(mine.map((r) => r.seq));
  expect(theirs.rows.map((r) => canonicalJson(r['body']))).toEqual(mine.map((r) => canonicalJson(r)));
  expect(ackedRanges(k.kiosk.db)).toEqual(n > 0 ? [{ from: 1, to: n }] : []);
  return n;
};

describe.skipIf(!postgres.ok)('two central processes on one PostgreSQL behind the sync fault proxy', () => {
  it(
    '20 kiosks with faults on: every response once, no gaps; a console session and a rate limit span both',
    { timeout: 180_000 },
    async () => {
      const url = await (await sharedPostgres()).createDatabase();
      const work = tempDir('central-instances-');
      const keyDir = join(work.dir, 'key');
      mkdirSync(keyDir, { mode: 0o700 });
      const keyFile = join(keyDir, 'central-key.json');
      const kiosks: Kiosk[] = [];
      let db: CentralDb | undefined;
      try {
        // Both start at once on an empty database and no key yet.
        const instances = await Promise.all(['a', 'b'].map((name) => spawnCentral(url, join(work.dir, name), keyFile)));
        const [a, b] = instances as [Instance, Instance];
        db = await openPostgres(url, 4);
        const applied = await db.query('SELECT version, count(*)::int AS n FROM schema_migrations GROUP BY version');
        expect(applied.rows).toHaveLength(migrations.length);
        expect(applied.rows.every((r) => r['n'] === 1)).toBe(true);
        expect(a.publicKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
        expect(b.publicKey, 'one key for both').toBe(a.publicKey);
        // One key file, and the contact key beside it (created once, whichever instance came first):
        // instances that share the key's directory share both keys.
        expect(readdirSync(keyDir).sort()).toEqual(['central-contact-key.json', 'central-key.json']);
        const contactKeyIds = await db.query('SELECT contact_key_id FROM follow_up_settings');
        expect(contactKeyIds.rows).toHaveLength(1);

        const t0 = Date.now();
        const central = db;
        const pins = officePinRows();
        const cores = Array.from({ length: KIOSKS }, () => openKiosk(pins));
        kiosks.push(...(await Promise.all(cores.map((kiosk, i) => startKiosk(central, kiosk, [a.url, b.url], i)))));
        const enrolledMs = Date.now() - t0;
        const faultsFrom = Date.now();
        // Respondents keep coming while the faults are on.
        while (Date.now() - faultsFrom < FAULTS_MS) {
          for (const [i, k] of kiosks.entries())
            if (Math.random() < 0.3) k.recorded += recordResponses(k.kiosk.core, 1, Date.now() + i).length;
          await sleep(150);
        }
        for (const k of kiosks) {
          k.faultsOn = false;
          k.engine.wake();
        }
        const drainFrom = Date.now();
        const deadline = drainFrom + DRAIN_MS;
        while (kiosks.some((k) => queueDepth(k.kiosk.db) > 0) && Date.now() < deadline) await sleep(100);
        // Bounded: the kiosks' faults and drain (opening 20 kiosk cores costs CPU that a loaded machine stretches).
        const elapsed = Date.now() - faultsFrom;
        const drainedMs = Date.now() - drainFrom;
        expect(
          kiosks.map((k) => queueDepth(k.kiosk.db)),
          'every kiosk drained',
        ).toEqual(kiosks.map(() => 0));
        expect(elapsed, 'faults and drain within 90 s').toBeLessThan(90_000);
        await Promise.all(kiosks.map((k) => k.engine.stop()));

        let total = 0;
        for (const k of kiosks) total += await expectCentralHolds(db, k);
        expect(total).toBe(kiosks.reduce((n, k) => n + k.recorded, 0));
        const held = await db.query('SELECT count(*)::int AS n FROM responses');
        expect(held.rows).toEqual([{ n: total }]);
        expect((await db.query('SELECT count(*)::int AS n FROM conflicts')).rows).toEqual([{ n: 0 }]);
        const devices = await listDevices(db);
        for (const k of kiosks) {
          const n = listResponses(k.kiosk.db, k.kiosk.deviceId).length;
          expect(devices.find((d) => d.id === k.kiosk.deviceId)).toMatchObject({
            responses: n,
            highestContiguousSeq: n,
            conflicts: 0,
          });
        }
        // Batches of one device were stored by both instances: consecutive batches alternate (a fault
        // that never reaches central does not take a turn, so a device with few batches may by chance
        // have all its stored ones on one instance).
        const storedBy = kiosks.map(
          (k) =>
            new Set(
              k.proxy.log
                .filter((l) => l.path.endsWith('/v1/batches') && l.upstreamStatus === 200)
                .map((l) => l.upstream),
            ),
        );
        const onBoth = storedBy.filter((set) => set.size === 2).length;
        expect(onBoth, 'devices whose batches were stored by both instances').toBeGreaterThanOrEqual(KIOSKS * 0.75);
        const faulted = kiosks.flatMap((k) => k.proxy.log.filter((l) => l.action !== 'pass'));
        expect(faulted.length, 'faults happened').toBeGreaterThan(KIOSKS);
        console.log(
          `two instances: ${KIOSKS} kiosks, ${total} responses, ${faulted.length} faults, enrolled in ${enrolledMs} ms, faults for ${FAULTS_MS} ms, drained in ${drainedMs} ms; ${onBoth} devices stored by both`,
        );

        // A console session made through A works through B (and the login form of one is accepted by the other).
        await makeAccount(db, 'it-tinh');
        const onA = new ConsoleClient(a.url);
        await onA.get('/login');
        const onB = new ConsoleClient(b.url);
        for (const [k, v] of onA.cookies) onB.cookies.set(k, v);
        onB.csrf = onA.csrf;
        expect((await onB.post('/login', { username: 'it-tinh', password: TEST_PASSWORD })).status).toBe(303);
        for (const [k, v] of onB.cookies) onA.cookies.set(k, v);
        for (const client of [onA, onB]) {
          const page = await client.get('/devices');
          expect(page.status).toBe(200);
          expect(page.text).toContain('it-tinh');
          expect(page.text).toContain('kiosk 20');
        }

        // One address, its requests spread over both: RATE_IP in all, not RATE_IP each.
        const statuses: number[] = [];
        for (let i = 0; i <= RATE_IP; i++) {
          const res = await fetch(`${(i % 2 === 0 ? a : b).url}/v1/health`, {
            headers: { 'x-forwarded-for': '203.0.113.9' },
          });
          statuses.push(res.status);
        }
        expect(statuses.filter((s) => s === 200)).toHaveLength(RATE_IP);
        expect(statuses.at(-1)).toBe(429);
      } finally {
        for (const k of kiosks) {
          await k.engine?.stop();
          await k.proxy.close();
          k.kiosk.close();
        }
        await Promise.all(started.splice(0).map((proc) => stopProcess(proc)));
        await db?.close();
        work.cleanup();
      }
    },
  );
});
