// Several central instances on one database (issue 16): rate limits counted across them, a console
// login made through both, one central key however many start at once, and a database that refuses
// an instance holding another key. The two-process test under faults is test/fault/instances.test.ts.
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type RunningCentral, type StartCentralOptions, startCentral } from '../../central/index.ts';
import { runJobOnce } from '../../central/jobs/periodic.ts';
import { drainReportQueue, drainReportQueueFully } from '../../central/reports/drain.ts';
import { pruneRateLimitsJob } from '../../central/jobs/prune-rate-limits.ts';
import { CentralKeyMismatchError } from '../../central/key-identity.ts';
import { CENTRAL_KEY_FILE } from '../../central/keys.ts';
import { newKeyPair } from '../../shared/node/signing.ts';
import { bundleChild } from '../support/bundle-child.ts';
import { enrolled, envelopeOf, kbatchBytes, makeResponses, postBatch } from '../support/central.ts';
import { BatchAck } from '../../shared/sync.ts';
import { ConsoleClient, makeAccount } from '../support/console-client.ts';
import { requirePostgresOrSkip, sharedPostgres, stopSharedPostgres } from '../support/postgres.ts';
import { tempDir } from '../support/tmp.ts';

const postgres = requirePostgresOrSkip();
afterAll(stopSharedPostgres);

/** Two instances on one new PostgreSQL database, with one key, as behind a load balancer. */
const twoInstances = async (
  options: Partial<StartCentralOptions> = {},
): Promise<{ a: RunningCentral; b: RunningCentral; close: () => Promise<void> }> => {
  const url = await (await sharedPostgres()).createDatabase();
  const base: StartCentralOptions = {
    databaseUrl: url,
    centralKey: newKeyPair(),
    host: '127.0.0.1',
    port: 0,
    trustProxy: true,
    reportDrain: false,
    ...options,
  };
  const a = await startCentral(base);
  const b = await startCentral(base);
  return { a, b, close: async () => void (await Promise.all([a.close(), b.close()])) };
};

const from = (address: string) => ({ 'x-forwarded-for': address });

describe.skipIf(!postgres.ok)('two instances on one PostgreSQL', () => {
  test('a per-address budget holds across both: requests spread over them get it once, not twice', async () => {
    const { a, b, close } = await twoInstances({
      rateLimit: { perIp: { max: 10, windowMs: 60_000 }, perDevice: false },
    });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++) {
        const res = await fetch(`${(i % 2 === 0 ? a : b).url}/v1/health`, { headers: from('203.0.113.7') });
        statuses.push(res.status);
        if (res.status === 429) expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      }
      // In-process counters would have let all 12 through (6 per instance, under 10 each).
      expect(statuses).toEqual([...Array<number>(10).fill(200), 429, 429]);
      // Another address has its own budget.
      expect((await fetch(`${b.url}/v1/health`, { headers: from('198.51.100.9') })).status).toBe(200);
    } finally {
      await close();
    }
  });

  test("the console's login budget is counted across both too, apart from the protocol's", async () => {
    const { a, b, close } = await twoInstances({
      rateLimit: { perIp: { max: 3, windowMs: 60_000 }, perDevice: false },
      console: { loginPerMinute: 4 },
    });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) {
        const res = await fetch(`${(i % 2 === 0 ? a : b).url}/console/login`, {
          method: 'POST',
          headers: { ...from('203.0.113.8'), 'content-type': 'application/x-www-form-urlencoded' },
          body: 'username=x&password=y&_csrf=z',
        });
        statuses.push(res.status);
      }
      // Refused for a bad form token until the 5th, which the shared budget stops first.
      expect(statuses).toEqual([403, 403, 403, 403, 429]);
      // The protocol's per-address budget (3) was not spent by the logins.
      expect((await fetch(`${a.url}/v1/health`, { headers: from('203.0.113.8') })).status).toBe(200);
    } finally {
      await close();
    }
  });

  test('a login form served by one instance is accepted by the other, and the session works on both', async () => {
    const { a, b, close } = await twoInstances({ rateLimit: { perIp: false, perDevice: false } });
    try {
      await makeAccount(a.db, 'it-tinh');
      const onA = new ConsoleClient(a.url);
      expect((await onA.get('/login')).status).toBe(200);
      // The same browser, its next request routed to B by the proxy.
      const onB = new ConsoleClient(b.url);
      for (const [k, v] of onA.cookies) onB.cookies.set(k, v);
      onB.csrf = onA.csrf;
      const login = await onB.post('/login', { username: 'it-tinh', password: 'mật khẩu thử 2026' });
      expect(login.status, login.text.slice(0, 300)).toBe(303);
      for (const [k, v] of onB.cookies) onA.cookies.set(k, v);
      for (const client of [onA, onB]) {
        const page = await client.get('/devices');
        expect(page.status).toBe(200);
        expect(page.text).toContain('it-tinh');
      }
    } finally {
      await close();
    }
  });

  test('batches of one device reaching both instances at once are stored exactly once, gap-free', async () => {
    const { a, b, close } = await twoInstances({ rateLimit: { perIp: false, perDevice: false } });
    try {
      const device = await enrolled(a);
      const all = makeResponses(device, 1, 300);
      // Each batch goes to both instances at the same moment, twice over, and overlapping ranges too.
      const sends = [all.slice(0, 150), all.slice(100, 300), all.slice(0, 300)].flatMap((part) => {
        const bytes = kbatchBytes(device, envelopeOf(device, part));
        return [a, b, a, b].map(async (to) => BatchAck.parse(await (await postBatch(to, bytes)).json()));
      });
      const acks = await Promise.all(sends);
      expect(acks.reduce((n, ack) => n + ack.inserted, 0)).toBe(300);
      expect(acks.flatMap((ack) => ack.conflicts)).toEqual([]);
      const rows = await a.db.query('SELECT seq FROM responses WHERE device_id = $1 ORDER BY seq', [device.id]);
      expect(rows.rows.map((r) => Number(r['seq']))).toEqual(all.map((r) => r.seq));
      const progress = await b.db.query(
        'SELECT highest_contiguous_seq AS h FROM device_progress WHERE device_id = $1',
        [device.id],
      );
      expect(progress.rows).toEqual([{ h: 300 }]);
    } finally {
      await close();
    }
  });

  test('the report job draining on both instances at once counts each queued batch once', async () => {
    const { a, b, close } = await twoInstances({ rateLimit: { perIp: false, perDevice: false } });
    try {
      const devices = await Promise.all(Array.from({ length: 4 }, () => enrolled(a)));
      for (const [i, device] of devices.entries()) {
        const all = makeResponses(device, 1, 60);
        for (let from = 0; from < 60; from += 20)
          expect(
            (await postBatch(i % 2 === 0 ? a : b, kbatchBytes(device, envelopeOf(device, all.slice(from, from + 20)))))
              .status,
          ).toBe(200);
      }
      // Concurrent drains on both, then whatever a drain's batch cap left, mopped up.
      const drained = await Promise.all([a, b, a, b].map((c) => drainReportQueue(c.db)));
      drained.push(await drainReportQueueFully(b.db));
      expect(drained.reduce((n, d) => n + d.batches, 0)).toBe(12);
      expect(drained.reduce((n, d) => n + d.responses, 0)).toBe(240);
      expect((await a.db.query('SELECT count(*)::int AS n FROM report_pending')).rows).toEqual([{ n: 0 }]);
    } finally {
      await close();
    }
  });

  test('ended rate-limit windows are pruned, by one instance at a time', async () => {
    const { a, close } = await twoInstances();
    try {
      await a.db.query(
        `INSERT INTO rate_limit_counters (key, window_ends_at, hits) VALUES
           ('v1-address:192.0.2.1', now() - interval '1 second', 5), ('v1-address:192.0.2.2', now() + interval '1 minute', 5)`,
      );
      // While another instance holds the job's lock, this one skips the round instead of waiting.
      const skipped = await a.db.transaction(async (tx) => {
        await tx.query('SELECT pg_advisory_xact_lock($1)', [pruneRateLimitsJob.lockKey]);
        return runJobOnce(a.db, pruneRateLimitsJob);
      });
      expect(skipped).toBe(false);
      expect(await runJobOnce(a.db, pruneRateLimitsJob)).toBe(true);
      expect((await a.db.query('SELECT key FROM rate_limit_counters')).rows).toEqual([{ key: 'v1-address:192.0.2.2' }]);
    } finally {
      await close();
    }
  });

  test('the database records the first key it is used with and refuses an instance holding another', async () => {
    const url = await (await sharedPostgres()).createDatabase();
    const first = tempDir('central-key-a-');
    const other = tempDir('central-key-b-');
    const options = { databaseUrl: url, port: 0, reportDrain: false as const };
    try {
      const a = await startCentral({ ...options, dataDir: first.dir });
      await a.close();
      const refused = startCentral({ ...options, dataDir: other.dir });
      await expect(refused).rejects.toBeInstanceOf(CentralKeyMismatchError);
      await expect(refused).rejects.toThrow(/same key file/);
      // The first key, by --key-file from anywhere, is accepted.
      const again = await startCentral({ ...options, dataDir: other.dir, keyFile: join(first.dir, CENTRAL_KEY_FILE) });
      expect(again.centralKey.publicKey).toBe(a.centralKey.publicKey);
      await again.close();
    } finally {
      first.cleanup();
      other.cleanup();
    }
  });
});

describe('the central key when several processes start at once', () => {
  const work = tempDir('central-key-race-');
  let script = '';
  beforeAll(async () => {
    script = await bundleChild('test/central/support/key-child.ts', join(work.dir, 'key-child.mjs'));
  }, 60_000);
  afterAll(() => work.cleanup());

  const race = async (processes: number, dataDir: string, keyFile?: string): Promise<string[]> => {
    const startAt = Date.now() + 1500;
    const runs = Array.from(
      { length: processes },
      () =>
        new Promise<string>((resolve, reject) => {
          const child = spawn(process.execPath, [script, dataDir, String(startAt), ...(keyFile ? [keyFile] : [])]);
          let out = '';
          let err = '';
          child.stdout.on('data', (d: Buffer) => (out += d.toString()));
          child.stderr.on('data', (d: Buffer) => (err += d.toString()));
          child.on('exit', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`exit ${code}: ${err}`))));
        }),
    );
    return Promise.all(runs);
  };

  test('on one empty data dir, or one shared key file, they all end with the same single key', async () => {
    for (let round = 0; round < 5; round++) {
      const dataDir = join(work.dir, `data-${round}`);
      const keys = await race(8, dataDir);
      expect(new Set(keys).size, keys.join('\n')).toBe(1);
      expect(JSON.parse(readFileSync(join(dataDir, CENTRAL_KEY_FILE), 'utf8'))).toMatchObject({ publicKey: keys[0] });
      // No temporary file is left behind.
      expect(readdirSync(dataDir)).toEqual([CENTRAL_KEY_FILE]);
    }
    const shared = join(work.dir, 'shared');
    mkdirSync(shared, { mode: 0o700 });
    const keyFile = join(shared, 'the-key.json');
    const keys = await race(6, join(work.dir, 'unused'), keyFile);
    expect(new Set(keys).size).toBe(1);
    expect(readdirSync(shared)).toEqual(['the-key.json']);
  }, 60_000);
});
