/**
 * Ingest with and without the report aggregates THROUGH THE FULL PATH, as a province runs it: a real
 * central (startCentral, Fastify, its worker pool, its PostgreSQL pool) on the seeded database, and N
 * simulated kiosks in their own process (sync-fleet-child.ts: each enrolled with a one-time code, its
 * batches signed and gzip'd, one batch in flight at a time) POSTing to /v1/batches.
 *
 * "On" is central as shipped: each batch queued for the reports in its own transaction, and the
 * server's report job (central/reports/drain-timer.ts, its default timing) draining concurrently; its
 * time runs until the last response is also in the report tables (the drain left after the last ack is
 * timed and added). "Off" is central started with the documented switch `reportAggregates: false,
 * reportDrain: false` (StartCentralOptions): stored, never queued nor counted. Phases off, on, on, off,
 * so both sides see the same table growth and the same neighbours on the machine.
 */
import { join } from 'node:path';
import { type RunningCentral, startCentral } from '../../central/index.ts';
import { drainReportQueueFully } from '../../central/reports/drain.ts';
import type { CentralDb } from '../../central/db/types.ts';
import { prng } from '../support/prng.ts';
import { batchOf } from './reports-ingest.ts';
import { communeId } from './reports-seed.ts';
import { prepareChildren } from './sync-processes.ts';

export type HttpIngestPlan = {
  databaseUrl: string;
  workDir: string;
  /** Simulated kiosks sending at once. */
  kiosks: number;
  /** Batches per kiosk per phase. */
  batchesPerKiosk: number;
  /** Responses per batch (≤ 1000, the protocol's batch size). */
  perBatch: number;
  /**
   * 'spread': every batch of every kiosk has responses from all over the month, in no order (what a
   * month-late upload of a quiet kiosk's backlog looks like, and the most distinct count rows per
   * batch). 'in-order': each kiosk's batches follow the order its responses were given, a batch about
   * three days of them (a kiosk catching up after a few days offline); the ten batches cover the same
   * month.
   */
  order: 'spread' | 'in-order';
  progress: (message: string) => void;
};

export type HttpIngestRates = {
  /** Round trip of each batch (sign-free: signed beforehand), with the reports / without. */
  onMs: number[];
  offMs: number[];
  /** Responses stored AND counted per second with the reports / stored per second without. */
  ratio: number;
  /** Acks per second only, with / without (the drain's work counted only as far as it slowed the acks). */
  ackRatio: number;
  note: string;
};

type Phase = { responses: number; sendMs: number; drainMs: number; latencyMs: number[] };

const counted = async (db: CentralDb, devices: readonly string[]): Promise<number> =>
  Number(
    (await db.query('SELECT count(*) AS n FROM report_facts WHERE device_id = ANY($1)', [devices])).rows[0]?.['n'],
  );

const phase = async (
  plan: HttpIngestPlan,
  children: Awaited<ReturnType<typeof prepareChildren>>,
  reports: boolean,
  templates: ReturnType<typeof batchOf>,
): Promise<Phase> => {
  const central: RunningCentral = await startCentral({
    databaseUrl: plan.databaseUrl,
    dataDir: join(plan.workDir, 'central'),
    poolSize: 10,
    host: '127.0.0.1',
    port: 0,
    console: false,
    publishEmbeddedConfig: false,
    // One loopback address for every kiosk: the per-address budgets are for real networks.
    rateLimit: { perIp: false, perDevice: false },
    ingest: { perSourceJobs: plan.kiosks * plan.batchesPerKiosk },
    // The switch measured: off = stored, never queued nor counted; on = the product's defaults.
    ...(reports ? {} : { reportAggregates: false, reportDrain: false as const }),
  });
  try {
    const codes = await Promise.all(
      Array.from({ length: plan.kiosks }, () => central.enrolmentCode({ unitId: communeId(0) })),
    );
    const r = await children.fleet(
      {
        centralUrl: central.url,
        codes,
        batches: plan.batchesPerKiosk,
        perBatch: plan.perBatch,
        templates,
        batchShiftMs: plan.order === 'in-order' ? (29 * 86_400_000) / plan.batchesPerKiosk : 0,
      },
      plan.progress,
    );
    if (r.failures.length > 0) throw new Error(`ingest: ${r.failures.length} batches refused, e.g. ${r.failures[0]}`);
    const t0 = performance.now();
    if (reports) await drainReportQueueFully(central.db);
    const drainMs = performance.now() - t0;
    // The figures mean nothing unless "on" counted every response and "off" none.
    const inReports = await counted(central.db, r.devices);
    if (inReports !== (reports ? r.responses : 0))
      throw new Error(`ingest: ${inReports} of ${r.responses} responses in report_facts (reports ${reports})`);
    return { responses: r.responses, sendMs: r.ms, drainMs, latencyMs: r.latencyMs };
  } finally {
    await central.close();
  }
};

export const httpIngestRates = async (plan: HttpIngestPlan): Promise<HttpIngestRates> => {
  const children = await prepareChildren(plan.workDir);
  const templates =
    plan.order === 'spread'
      ? batchOf('template', 1, prng(7)).slice(0, plan.perBatch)
      : batchOf('template', 1, prng(7), 29 / plan.batchesPerKiosk)
          .slice(0, plan.perBatch)
          .sort((a, b) => Date.parse(a.submittedAt) - Date.parse(b.submittedAt));
  const on: Phase[] = [];
  const off: Phase[] = [];
  for (const [i, reports] of [false, true, true, false].entries()) {
    const p = await phase(plan, children, reports, templates);
    (reports ? on : off).push(p);
    plan.progress(
      `ingest over HTTP (${plan.order}), phase ${i + 1} of 4 (${reports ? 'reports on' : 'reports off'}): ${p.responses} responses, ` +
        `${Math.round(p.sendMs)} ms sending, ${Math.round(p.drainMs)} ms draining after`,
    );
  }
  const sum = (xs: number[]) => xs.reduce((a, x) => a + x, 0);
  const onN = sum(on.map((p) => p.responses));
  const offN = sum(off.map((p) => p.responses));
  const rateOn = onN / (sum(on.map((p) => p.sendMs + p.drainMs)) / 1000);
  const rateOff = offN / (sum(off.map((p) => p.sendMs)) / 1000);
  const ackOn = onN / (sum(on.map((p) => p.sendMs)) / 1000);
  return {
    onMs: on.flatMap((p) => p.latencyMs),
    offMs: off.flatMap((p) => p.latencyMs),
    ratio: rateOn / rateOff,
    ackRatio: ackOn / rateOff,
    note:
      `${plan.order === 'spread' ? 'every batch spread over the month' : "each kiosk's batches in time order"} ` +
      `over HTTP (signed, gzip'd batches of ${plan.perBatch}, ${plan.kiosks} kiosks × ${plan.batchesPerKiosk} batches per phase, ` +
      `phases off/on/on/off): ${Math.round(rateOn)} responses/s stored and counted with the reports on, ` +
      `${Math.round(rateOff)} stored with them off; ${Math.round(sum(on.map((p) => p.drainMs)))} ms of draining left ` +
      `after the last ack, counted in the first figure`,
  };
};
