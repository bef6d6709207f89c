/**
 * Hostile section: what an attacker at the per-address rate limit costs everyone else. Central runs
 * in its own process (as deployed: `npm run central` on a throwaway PostgreSQL cluster, or PGlite on
 * disk where PostgreSQL is not installed; default limits and ingest workers; --trust-proxy so the
 * attacker's X-Forwarded-For address is one address). Twice, on a
 * fresh central each time: a kiosk drains a backlog while /v1/health is polled every 150 ms (from its own address, within its budget); the
 * second time, hostile bodies (test/sync/support/hostile.ts: nesting bombs, a forged maximum-size
 * batch in the kiosk's own name, unknown signers, garbage) arrive at the rate limit all along.
 *
 * Environment:
 *   BENCH_HOSTILE_N      responses the kiosk drains (20000)
 *   BENCH_HOSTILE_RATE   hostile requests per second (the default per-address limit: 10)
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_RATE_LIMITS } from '../../central/routes/rate-limit.ts';
import { databasePath, openKioskCore } from '../../electron/core/kiosk-core.ts';
import { enrol } from '../../electron/core/sync/enrolment.ts';
import { type ChildLog, stopProcess, waitForOutput } from '../support/child-process.ts';
import { setOfficePins } from '../support/pins.ts';
import { type PostgresCluster, postgresAvailability, startPostgres } from '../support/postgres.ts';
import { type HostileReport, hostileBodies, startHealthPoller, startHostileSender } from '../sync/support/hostile.ts';
import { ensureFixture } from './store-fixture.ts';
import { prepareChildren } from './sync-processes.ts';
import { envInt, percentile, summarize } from './stats.ts';
import type { BenchContext, Check, Row, Section, SectionResult } from './types.ts';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const ATTACKER = '203.0.113.7';
/**
 * The bound this section holds central to: under attack, health's p95 and the kiosk's drain time stay
 * within 1.5x of the same run without it (ratios, because the machine's own load moves both).
 */
const TARGET = { healthRatio: 1.5, drainRatio: 1.5 };

type Phase = { drainMs: number; healthMs: number[]; healthFailures: number; hostile: HostileReport | null };

const startCentralProcess = async (
  dataDir: string,
  databaseUrl: string | undefined,
): Promise<{ proc: ChildProcess; url: string; code: string }> => {
  const proc = spawn(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'central', 'main.ts'), '--data-dir', dataDir, '--port', '0', '--trust-proxy'],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, DATABASE_URL: databaseUrl ?? '' },
    },
  );
  const log: ChildLog = { text: '' };
  const [, url] = await waitForOutput(proc, /listening on (\S+)[\s\S]*?first console account/, 'central', 120_000, log);
  // Central prints no enrolment code at start (a printed code is a live credential in every log): ask for one.
  const code = execFileSync(
    process.execPath,
    [join(ROOT, 'bin', 'centralctl.js'), '--data-dir', dataDir, 'enrol-code'],
    {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, DATABASE_URL: databaseUrl ?? '' },
    },
  ).trim();
  return { proc, url: url!, code };
};

const phase = async (
  ctx: BenchContext,
  label: string,
  rows: number,
  attack: { perSecond: number } | null,
  pg: PostgresCluster | null,
): Promise<Phase> => {
  const dir = join(ctx.workDir, label);
  const kioskDir = join(dir, 'kiosk');
  mkdirSync(kioskDir, { recursive: true });
  copyFileSync(ensureFixture(rows, ctx.progress).file, databasePath(kioskDir));
  const central = await startCentralProcess(join(dir, 'central'), await pg?.createDatabase(`bench_hostile_${label}`));
  try {
    const core = openKioskCore({ dataDir: kioskDir, log: () => {} });
    setOfficePins(core.db); // a kiosk on the demo PINs refuses to enrol
    const enrolled = await enrol({ db: core.db, dataDir: kioskDir, centralUrl: central.url, code: central.code });
    const bodies = attack ? hostileBodies(core.deviceId) : [];
    core.close();
    if (!enrolled.ok) throw new Error(`enrolment failed: ${enrolled.code} ${enrolled.message}`);
    const children = await prepareChildren(dir);
    ctx.progress(
      `${label}: draining ${rows.toLocaleString('en')} responses${attack ? ` under ${attack.perSecond} hostile requests/s` : ''}`,
    );
    const health = startHealthPoller(central.url, 150);
    const sender = attack
      ? startHostileSender({ url: central.url, bodies, perSecond: attack.perSecond, address: ATTACKER })
      : null;
    const drained = await children.drain(kioskDir, {}, ctx.progress);
    // Health first: the sender's stop waits for answers still queued, which is no longer the drain.
    const polled = await health.stop();
    const hostile = sender ? await sender.stop() : null;
    if (!drained.ok || drained.left !== 0) throw new Error(`${label}: the kiosk did not drain: ${drained.error}`);
    const failed = polled.statuses.filter((s) => s !== 200);
    if (failed.length > 0)
      ctx.progress(`${label}: health answered ${[...new Set(failed)].join(', ')} ${failed.length} times`);
    return {
      drainMs: drained.ms,
      healthMs: polled.latenciesMs,
      healthFailures: polled.statuses.filter((s) => s !== 200).length,
      hostile,
    };
  } finally {
    await stopProcess(central.proc);
  }
};

const p95 = (xs: readonly number[]): number =>
  percentile(
    [...xs].sort((a, b) => a - b),
    95,
  );

const run = async (ctx: BenchContext): Promise<SectionResult> => {
  const rows = envInt('BENCH_HOSTILE_N', 20_000);
  const perIp = DEFAULT_RATE_LIMITS.perIp;
  const defaultRate = perIp ? Math.round((perIp.max * 1000) / perIp.windowMs) : 10;
  const rate = envInt('BENCH_HOSTILE_RATE', defaultRate);
  const pg = postgresAvailability().ok ? await startPostgres() : null;
  let quiet: Phase;
  let attacked: Phase;
  try {
    quiet = await phase(ctx, 'quiet', rows, null, pg);
    attacked = await phase(ctx, 'attack', rows, { perSecond: rate }, pg);
  } finally {
    await pg?.stop();
  }
  const hostile = attacked.hostile!;
  const byStatus = new Map<string, number>();
  for (const a of hostile.answers)
    byStatus.set(`${a.kind} ${a.status}`, (byStatus.get(`${a.kind} ${a.status}`) ?? 0) + 1);
  const accepted = hostile.answers.filter((a) => a.status < 400 || (a.status >= 500 && a.status !== 503));
  if (accepted.length > 0 || quiet.healthFailures + attacked.healthFailures > 0)
    throw new Error(
      `hostile: ${accepted.length} hostile bodies not refused, ${quiet.healthFailures + attacked.healthFailures} health checks failed`,
    );
  const rowsOut: Row[] = [
    summarize('hostile: GET /v1/health, quiet', quiet.healthMs),
    summarize(`hostile: GET /v1/health, ${rate} hostile req/s`, attacked.healthMs),
  ];
  const checks: Check[] = [
    { name: 'hostile: health p50, quiet', value: summarize('', quiet.healthMs).p50Ms, unit: 'ms' },
    { name: 'hostile: health p95, quiet', value: p95(quiet.healthMs), unit: 'ms' },
    { name: 'hostile: health p50, under attack', value: summarize('', attacked.healthMs).p50Ms, unit: 'ms' },
    { name: 'hostile: health p95, under attack', value: p95(attacked.healthMs), unit: 'ms' },
    {
      name: 'hostile: health p95 attack / quiet',
      value: p95(attacked.healthMs) / p95(quiet.healthMs),
      unit: 'x',
      target: { op: '<=', limit: TARGET.healthRatio },
    },
    { name: `hostile: kiosk drains ${rows} responses, quiet`, value: quiet.drainMs / 1000, unit: 's' },
    { name: `hostile: kiosk drains ${rows} responses, under attack`, value: attacked.drainMs / 1000, unit: 's' },
    {
      name: 'hostile: drain attack / quiet',
      value: attacked.drainMs / quiet.drainMs,
      unit: 'x',
      target: { op: '<=', limit: TARGET.drainRatio },
    },
  ];
  return {
    rows: rowsOut,
    checks,
    params: { rows, rate, attacker: ATTACKER, hostileSent: hostile.sent, database: pg ? 'postgres' : 'pglite' },
    notes: [
      `hostile answers: ${[...byStatus].map(([k, n]) => `${k} ×${n}`).join(', ')}; unanswered ${hostile.failures.length}`,
    ],
  };
};

export const hostileSection: Section = {
  name: 'hostile',
  description: 'health latency and a kiosk drain with and without hostile bodies at the per-address rate limit',
  run,
};
