/**
 * Prometheus metrics of one central instance (prom-client), served apart from the public API
 * (metrics-server.ts). Counters and histograms count what THIS instance did (Prometheus sums the
 * instances); the gauges about devices are read from the database at scrape time, so every instance
 * reports the same province-wide figure (take max(), not sum(), across instances).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { BatchAck } from '../../shared/sync.ts';
import type { CentralDb } from '../db/types.ts';
import type { SchemaWatch } from './schema-watch.ts';

export type CentralMetrics = {
  readonly registry: Registry;
  /** A batch stored and acknowledged (/v1/batches): its outcome per response and how long it took. */
  batchIngested: (via: 'http' | 'file', ack: BatchAck, seconds: number) => void;
  /** A request refused with a protocol error code (rate_limited, bad_signature, too_large, …). */
  refused: (reason: string) => void;
  /** One report computed (console pages, exports, the public report). */
  reportRan: (report: string, seconds: number) => void;
};

export type MetricsOptions = {
  /** A device counts as stale after this long without a heartbeat (the console's staleAfterHours). */
  staleAfterHours: number;
  /** Node's process metrics (CPU, memory, event-loop lag; default true). */
  processMetrics?: boolean;
  /** Adds the schema versions and database reachability (the server passes its watch). */
  watch?: SchemaWatch;
};

const DeviceFigures = `
  SELECT count(*) FILTER (WHERE last_heartbeat_at < now() - make_interval(secs => $1))::int AS stale,
         count(*) FILTER (WHERE last_heartbeat_at IS NULL)::int AS never_seen,
         count(*)::int AS active,
         coalesce(sum((last_heartbeat->>'queueDepth')::bigint), 0)::bigint AS queue_sum,
         coalesce(max((last_heartbeat->>'queueDepth')::bigint), 0)::bigint AS queue_max
    FROM devices WHERE revoked_at IS NULL`;

type Figures = { stale: number; neverSeen: number; active: number; queueSum: number; queueMax: number };

const readFigures = async (db: CentralDb, staleAfterHours: number): Promise<Figures> => {
  const row = (await db.query(DeviceFigures, [staleAfterHours * 3600])).rows[0] ?? {};
  const n = (k: string): number => Number(row[k] ?? 0);
  return {
    stale: n('stale'),
    neverSeen: n('never_seen'),
    active: n('active'),
    queueSum: n('queue_sum'),
    queueMax: n('queue_max'),
  };
};

/** The device gauges, read once per scrape (one query) whichever gauge is collected first. */
const deviceGauges = (registry: Registry, db: CentralDb, staleAfterHours: number): void => {
  let pending: Promise<Figures> | undefined;
  const figures = (): Promise<Figures> => {
    pending ??= readFigures(db, staleAfterHours).finally(() => setTimeout(() => (pending = undefined), 0));
    return pending;
  };
  const gauge = (name: string, help: string, pick: (f: Figures) => number): void => {
    new Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        // An unreachable database must not fail the scrape: the gauge keeps its last value and
        // central_database_up says why.
        const f = await figures().catch(() => undefined);
        if (f) this.set(pick(f));
      },
    });
  };
  gauge('central_devices_active', 'Enrolled, not revoked devices.', (f) => f.active);
  gauge(
    'central_devices_stale',
    'Devices (not revoked) whose last heartbeat is older than the stale limit.',
    (f) => f.stale,
  );
  gauge('central_devices_never_seen', 'Enrolled devices that never sent a heartbeat.', (f) => f.neverSeen);
  gauge(
    'central_kiosk_queue_depth_total',
    'Responses waiting on kiosks, summed over the last heartbeat of every device.',
    (f) => f.queueSum,
  );
  gauge(
    'central_kiosk_queue_depth_max',
    'The longest queue any one kiosk reported in its last heartbeat.',
    (f) => f.queueMax,
  );
};

const schemaGauges = (registry: Registry, watch: SchemaWatch): void => {
  new Gauge({
    name: 'central_database_up',
    help: '1 when the database answered the last check, else 0.',
    registers: [registry],
    collect() {
      this.set(watch.current().reachable ? 1 : 0);
    },
  });
  new Gauge({
    name: 'central_schema_version',
    help: 'Schema version of the database (role="database") and the newest this release knows (role="code").',
    labelNames: ['role'],
    registers: [registry],
    collect() {
      const s = watch.current();
      this.set({ role: 'code' }, s.codeSchemaVersion);
      if (s.schemaVersion !== null) this.set({ role: 'database' }, s.schemaVersion);
    },
  });
};

export const createMetrics = (db: CentralDb, options: MetricsOptions): CentralMetrics => {
  const registry = new Registry();
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  const batches = new Counter({
    name: 'central_batches_ingested_total',
    help: 'Batches stored and acknowledged, by how they came (http, or file: a .kbatch carried on a USB stick).',
    labelNames: ['via'],
    registers: [registry],
  });
  const responses = new Counter({
    name: 'central_responses_ingested_total',
    help: 'Responses in acknowledged batches, by outcome: inserted, duplicate (already held), refused (set aside as invalid), conflict.',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const refusals = new Counter({
    name: 'central_refusals_total',
    help: 'Device API requests refused, by protocol error code (docs/sync-protocol.md, "Errors").',
    labelNames: ['reason'],
    registers: [registry],
  });
  const ingestSeconds = new Histogram({
    name: 'central_ingest_duration_seconds',
    help: 'From a batch request arriving to its acknowledgement (open, verify, store, commit).',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const reportSeconds = new Histogram({
    name: 'central_report_query_duration_seconds',
    help: 'Time to compute one report, by report kind.',
    labelNames: ['report'],
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  deviceGauges(registry, db, options.staleAfterHours);
  if (options.watch) schemaGauges(registry, options.watch);
  return {
    registry,
    batchIngested: (via, ack, seconds) => {
      batches.inc({ via });
      responses.inc({ outcome: 'inserted' }, ack.inserted);
      responses.inc({ outcome: 'duplicate' }, ack.duplicates);
      responses.inc({ outcome: 'refused' }, ack.refused ?? 0);
      responses.inc({ outcome: 'conflict' }, ack.conflicts.length);
      ingestSeconds.observe(seconds);
    },
    refused: (reason) => refusals.inc({ reason }),
    reportRan: (report, seconds) => reportSeconds.observe({ report }, seconds),
  };
};
