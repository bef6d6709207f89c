/**
 * Sync section: a kiosk draining a backlog through the full path (its SQLite store → batch, sign,
 * gzip → HTTP on loopback → central gunzip, verify, validate → one transaction into PostgreSQL),
 * against the same rows written into PostgreSQL without the protocol, against one HTTP request per
 * response (how per-record submitters work), and central's sustained rate with 200 kiosks sending
 * at once. The kiosk runs in its own process, so its peak memory is its own.
 *
 * Environment (sizes, for a quick run):
 *   BENCH_SYNC_N              backlog drained through the full path (100000)
 *   BENCH_SYNC_SINGLE         responses sent one request each (2000)
 *   BENCH_SYNC_KIOSKS         simulated kiosks sending at once (200)
 *   BENCH_SYNC_KIOSK_BATCHES  batches per simulated kiosk (3)
 *   BENCH_SYNC_KIOSK_BATCH    responses per simulated kiosk's batch (250)
 *   BENCH_SYNC_POOL           central's PostgreSQL pool size (10, the product default)
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import {
  type RateLimitSettings,
  type RunningCentral,
  type StartCentralOptions,
  listDevices,
  openCentralDb,
  startCentral,
} from '../../central/index.ts';
import { databasePath, openKioskCore } from '../../electron/core/kiosk-core.ts';
import { setOfficePins } from '../support/pins.ts';
import { listResponses } from '../../electron/core/store/responses.ts';
import { enrol } from '../../electron/core/sync/enrolment.ts';
import type { StoredResponse } from '../../shared/response.ts';
import { type PostgresCluster, postgresAvailability, startPostgres } from '../support/postgres.ts';
import { ensureFixture } from './store-fixture.ts';
import { chunk, registerDevice, viaPlainInsert, viaStoreBatch } from './sync-direct.ts';
import { type SyncChildren, prepareChildren } from './sync-processes.ts';
import type { SyncChildResult } from './sync-kiosk-child.ts';
import { envInt, summarize } from './stats.ts';
import type { BenchContext, Check, Row, Section, SectionResult } from './types.ts';

const MB = 1024 * 1024;
const compact = (x: number): string =>
  x >= 1e6 && x % 1e5 === 0 ? `${x / 1e6}M` : x >= 1e3 && x % 100 === 0 ? `${x / 1e3}k` : String(x);
const sum = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0);

type Env = { ctx: BenchContext; pg: PostgresCluster; children: SyncChildren; pool: number };
/** `centralCpuMs`: CPU of this process (central's server) while the kiosk drained; PostgreSQL's own is not counted. */
type Drained = { result: SyncChildResult; deviceId: string; dataDir: string; centralCpuMs: number };

let databases = 0;
const freshCentral = async (
  env: Env,
  rateLimit: Partial<RateLimitSettings>,
  ingest: StartCentralOptions['ingest'] = {},
): Promise<RunningCentral> =>
  startCentral({
    databaseUrl: await env.pg.createDatabase(`bench_sync_${++databases}`),
    poolSize: env.pool,
    host: '127.0.0.1',
    port: 0,
    rateLimit,
    ingest,
  });

/** Central holds exactly 1..expected of this device, or the figures mean nothing. */
const expectHeld = async (central: RunningCentral, deviceId: string, expected: number): Promise<void> => {
  const d = (await listDevices(central.db)).find((x) => x.id === deviceId);
  if (!d || d.responses !== expected || d.highestContiguousSeq !== expected || d.conflicts !== 0) {
    throw new Error(
      `central holds ${d?.responses} responses (gap-free to ${d?.highestContiguousSeq}, ${d?.conflicts} conflicts) of device ${deviceId}; expected ${expected}`,
    );
  }
};

type Kiosk = { label: string; rows: number; dataDir: string; deviceId: string; central: RunningCentral };

/** A kiosk made from a cached fixture store, enrolled with a fresh central. */
const prepareKiosk = async (
  env: Env,
  label: string,
  rows: number,
  rateLimit: Partial<RateLimitSettings>,
): Promise<Kiosk> => {
  const fixture = ensureFixture(rows, env.ctx.progress);
  const dataDir = join(env.ctx.workDir, label);
  mkdirSync(dataDir, { recursive: true });
  copyFileSync(fixture.file, databasePath(dataDir));
  const central = await freshCentral(env, rateLimit);
  const core = openKioskCore({ dataDir, log: () => {} });
  setOfficePins(core.db);
  const deviceId = core.deviceId;
  const enrolled = await enrol({
    db: core.db,
    dataDir,
    centralUrl: central.url,
    code: await central.enrolmentCode(),
    label,
  });
  core.close();
  if (!enrolled.ok) {
    await central.close();
    throw new Error(`enrolment failed: ${enrolled.code} ${enrolled.message}`);
  }
  return { label, rows, dataDir, deviceId, central };
};

/** Drains the kiosk with the real engine in its own process; checks central holds it all; closes that central. */
const drainKiosk = async (env: Env, k: Kiosk, engineEnv: Record<string, string>): Promise<Drained> => {
  try {
    env.ctx.progress(`${k.label}: draining ${k.rows.toLocaleString('en')} responses`);
    const cpu0 = process.cpuUsage();
    const result = await env.children.drain(k.dataDir, engineEnv, env.ctx.progress);
    const cpu = process.cpuUsage(cpu0);
    if (!result.ok || result.left !== 0)
      throw new Error(`${k.label}: the kiosk did not drain: ${result.error ?? `${result.left} left`}`);
    await expectHeld(k.central, k.deviceId, k.rows);
    env.ctx.progress(
      `  ${k.label}: ${(result.ms / 1000).toFixed(1)} s, ${result.batches} batches, peak RSS ${(result.peakRssBytes / MB).toFixed(0)} MB`,
    );
    return { result, deviceId: k.deviceId, dataDir: k.dataDir, centralCpuMs: (cpu.user + cpu.system) / 1000 };
  } finally {
    await k.central.close();
  }
};

const drain = async (
  env: Env,
  label: string,
  rows: number,
  engineEnv: Record<string, string>,
  rateLimit: Partial<RateLimitSettings>,
): Promise<Drained> => drainKiosk(env, await prepareKiosk(env, label, rows, rateLimit), engineEnv);

/**
 * The kiosk's rows written into fresh databases on the same cluster without the protocol: through
 * storeBatch in two halves, one before the drain and one after (so a busy neighbour weighs on both
 * sides of the ratio alike), and by a plain INSERT.
 */
const directBaseline = async (env: Env, k: Kiosk) => {
  const sqlite = new Database(databasePath(k.dataDir), { readonly: true });
  const batches = chunk(listResponses(sqlite, k.deviceId), 1000);
  sqlite.close();
  const open = async () => {
    const db = await openCentralDb({
      databaseUrl: await env.pg.createDatabase(`bench_sync_${++databases}`),
      poolSize: env.pool,
    });
    await registerDevice(db, k.deviceId);
    return db;
  };
  const storeDb = await open();
  const half = Math.ceil(batches.length / 2);
  const storeBatchMs: number[] = [];
  let storeBatchCpuMs = 0;
  return {
    templates: batches[0] ?? [],
    storeBatchMs,
    cpuMs: () => storeBatchCpuMs,
    storeBatchHalf: async (which: 0 | 1) => {
      const part = which === 0 ? batches.slice(0, half) : batches.slice(half);
      env.ctx.progress(
        `direct: ${sum(part.map((b) => b.length)).toLocaleString('en')} rows through storeBatch (${which === 0 ? 'before' : 'after'} the drain)`,
      );
      const cpu0 = process.cpuUsage();
      storeBatchMs.push(...(await viaStoreBatch(storeDb, k.deviceId, part)));
      const cpu = process.cpuUsage(cpu0);
      storeBatchCpuMs += (cpu.user + cpu.system) / 1000;
    },
    plainInsert: async () => {
      env.ctx.progress(`direct: the same rows by a plain multi-row INSERT`);
      const db = await open();
      try {
        return await viaPlainInsert(db, k.deviceId, batches);
      } finally {
        await db.close();
      }
    },
    close: () => storeDb.close(),
  };
};

const fleet = async (env: Env, kiosks: number, batches: number, perBatch: number, templates: StoredResponse[]) => {
  // 200 kiosks behind one loopback address: the per-address budgets (requests, and batches waiting
  // for an ingest worker) are for real networks, so they are off or raised to the fleet's size.
  const central = await freshCentral(env, { perIp: false }, { perSourceJobs: kiosks * batches });
  try {
    const codes = await Promise.all(Array.from({ length: kiosks }, () => central.enrolmentCode()));
    env.ctx.progress(`fleet: ${kiosks} kiosks × ${batches} batches of ${perBatch}, all at once`);
    const r = await env.children.fleet(
      { centralUrl: central.url, codes, batches, perBatch, templates },
      env.ctx.progress,
    );
    if (r.failures.length > 0) throw new Error(`fleet: ${r.failures.length} batches refused, e.g. ${r.failures[0]}`);
    for (const id of r.devices) await expectHeld(central, id, batches * perBatch);
    return r;
  } finally {
    await central.close();
  }
};

const run = async (ctx: BenchContext): Promise<SectionResult> => {
  const n = envInt('BENCH_SYNC_N', 100_000);
  const single = envInt('BENCH_SYNC_SINGLE', 2_000);
  const kiosks = envInt('BENCH_SYNC_KIOSKS', 200);
  const kioskBatches = envInt('BENCH_SYNC_KIOSK_BATCHES', 3);
  const kioskBatch = Math.min(1000, envInt('BENCH_SYNC_KIOSK_BATCH', 250));
  const pool = envInt('BENCH_SYNC_POOL', 10);
  const small = Math.max(1, Math.floor(n / 10));
  const params = { n, single, kiosks, kioskBatches, kioskBatch, pool };
  const available = postgresAvailability();
  if (!available.ok) return { rows: [], checks: [], params, notes: [`sync section skipped: ${available.reason}`] };

  ctx.progress('starting a throwaway PostgreSQL cluster');
  const pg = await startPostgres();
  try {
    const env: Env = { ctx, pg, children: await prepareChildren(ctx.workDir), pool };
    // The product's defaults: 1,000 per batch, and central's per-device budget (120 requests a minute).
    const kiosk = await prepareKiosk(env, `drain-${compact(n)}`, n, { perIp: false });
    const base = await directBaseline(env, kiosk);
    let full: Drained;
    let plainInsertMs: number[];
    try {
      await base.storeBatchHalf(0);
      full = await drainKiosk(env, kiosk, {});
      await base.storeBatchHalf(1);
      plainInsertMs = await base.plainInsert();
    } finally {
      await base.close();
    }
    const flat = await drain(env, `drain-${compact(small)}`, small, {}, { perIp: false });
    // A per-record submitter would be throttled by the per-device budget at once: measured without it.
    const perRecord = await drain(
      env,
      `one-per-request-${compact(single)}`,
      single,
      { KIOSK_SYNC_MAX_BATCH: '1' },
      { perIp: false, perDevice: false },
    );
    const many = await fleet(env, kiosks, kioskBatches, kioskBatch, base.templates);

    const fullRate = n / (full.result.ms / 1000);
    const storeRate = n / (sum(base.storeBatchMs) / 1000);
    const plainRate = n / (sum(plainInsertMs) / 1000);
    const perRecordRate = single / (perRecord.result.ms / 1000);
    const fleetRate = many.responses / (many.ms / 1000);
    const rss = (d: Drained) => Math.max(d.result.peakRssBytes, d.result.maxRssBytes) / MB;
    const rows: Row[] = [
      {
        ...summarize(
          `sync drain ${compact(n)}: kiosk, ack to next send (records the ack; the next batch was built during the round trip)`,
          full.result.buildMs.slice(1),
        ),
      },
      {
        ...summarize(
          `sync drain ${compact(n)}: batch round trip (HTTP, gunzip, verify, validate, insert, commit)`,
          full.result.sendMs,
        ),
      },
      { ...summarize('direct: storeBatch of 1000 into PostgreSQL (no HTTP, gzip or signature)', base.storeBatchMs) },
      { ...summarize('direct: plain multi-row INSERT of 1000', plainInsertMs) },
      { ...summarize('one request per response: round trip', perRecord.result.sendMs) },
      { ...summarize(`${kiosks} kiosks at once: batch of ${kioskBatch} round trip`, many.latencyMs) },
    ];
    const drainLimit = (30 * n) / 100_000;
    const checks: Check[] = [
      {
        name: `sync: drain ${compact(n)} through the full path, seconds`,
        value: full.result.ms / 1000,
        unit: 's',
        target: { op: '<=', limit: drainLimit },
      },
      { name: 'sync: drain rate, responses/s', value: fullRate, unit: 'resp/s' },
      {
        name: 'sync: full path / direct storeBatch rate',
        value: fullRate / storeRate,
        unit: 'x',
        target: { op: '>=', limit: 0.5 },
      },
      { name: 'sync: full path / plain INSERT rate', value: fullRate / plainRate, unit: 'x' },
      { name: 'sync: batched / one request per response', value: fullRate / perRecordRate, unit: 'x' },
      {
        name: `sync: peak kiosk RSS draining ${compact(n)}, MB`,
        value: rss(full),
        unit: 'MB',
        target: { op: '<=', limit: 200 },
      },
      {
        name: `sync: peak kiosk RSS draining ${compact(small)}, MB`,
        value: rss(flat),
        unit: 'MB',
        target: { op: '<=', limit: 200 },
      },
      {
        name: `sync: peak kiosk JS heap draining ${compact(n)}, MB`,
        value: full.result.heapUsedPeakBytes / MB,
        unit: 'MB',
      },
      { name: "sync: wire bytes per response (signed, gzip'd)", value: full.result.bytes / n, unit: 'B' },
      { name: 'sync: kiosk CPU per 1,000 drained, ms', value: (full.result.cpuMs / n) * 1000, unit: 'ms' },
      {
        name: 'sync: central CPU per 1,000 drained (PostgreSQL apart), ms',
        value: (full.centralCpuMs / n) * 1000,
        unit: 'ms',
      },
      {
        name: 'sync: direct storeBatch CPU per 1,000 (PostgreSQL apart), ms',
        value: (base.cpuMs() / n) * 1000,
        unit: 'ms',
      },
      { name: `sync: ${kiosks} kiosks at once, sustained responses/s`, value: fleetRate, unit: 'resp/s' },
      {
        name: `sync: ${kiosks} kiosks at once, batches/s`,
        value: many.latencyMs.length / (many.ms / 1000),
        unit: 'req/s',
      },
    ];
    const notes = [
      `PostgreSQL is test/support/postgres.ts's throwaway cluster (fsync=off, synchronous_commit=off): commits cost no disk flush here, which flatters one-request-per-response most (a flush per response instead of per 1,000)`,
      `drained ${n.toLocaleString('en')} in ${full.result.batches} batches; one request per response: ${single.toLocaleString('en')} in ${(perRecord.result.ms / 1000).toFixed(1)} s (${perRecordRate.toFixed(0)}/s)`,
      `${kiosks} kiosks: ${many.responses.toLocaleString('en')} responses in ${(many.ms / 1000).toFixed(1)} s, ${many.retries429} answers of 429 waited out; central pool ${pool} connections, per-address limit off (one loopback address)`,
    ];
    return { rows, checks, params, notes };
  } finally {
    await pg.stop();
  }
};

export const syncSection: Section = {
  name: 'sync',
  description:
    'drain a backlog kiosk → central (PostgreSQL) against direct inserts, per-record requests, and 200 kiosks at once',
  run,
};
