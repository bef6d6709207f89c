/**
 * The central survey service's HTTP server (docs/sync-protocol.md is the contract).
 *
 *   import { createCentralServer } from './central/server.ts';
 *   const app = await createCentralServer({ db, centralKey });   // db from openCentralDb()
 *   const url = await app.listen({ host: '127.0.0.1', port: 0 });
 *
 * Most callers want the one-call `startCentral()` from central/index.ts (opens the database, runs
 * migrations, makes the key, creates the default unit, publishes the demo config, listens).
 */
import { type DrainTimerOptions, startDrainTimer } from './reports/drain-timer.ts';
import { holdReportRowsFor } from './reports/held-rows.ts';
import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import type { ContactKeyPair } from '../shared/node/contact-seal.ts';
import type { KeyPairB64 } from '../shared/node/signing.ts';
import { startRetentionTimer } from './follow-ups/retention.ts';
import type { CentralDb } from './db/types.ts';
import { consoleRoutes } from './console/plugin.ts';
import type { ConsoleOptions } from './console/options.ts';
import { SyncError } from './errors.ts';
import { type IngestPoolOptions, startIngestPool } from './ingest/worker-pool.ts';
import { adminRoutes } from './routes/admin.ts';
import type { RouteContext } from './routes/context.ts';
import { startBridge } from './bridge/start.ts';
import {
  type Budget,
  DEFAULT_RATE_LIMITS,
  type RateLimitSettings,
  type RateLimiterFactory,
  makeLimiters,
  processLimiters,
} from './routes/rate-limit.ts';
import { sharedLimiters } from './routes/shared-rate-limit.ts';
import { startPeriodicJob } from './jobs/periodic.ts';
import { pruneRateLimitsJob } from './jobs/prune-rate-limits.ts';
import { JSON_BODY_LIMIT, v1Routes } from './routes/v1.ts';
import { DEFAULT_CONSOLE_OPTIONS } from './console/options.ts';
import { healthRoutes, refuseWhenSchemaTooNew } from './observe/health.ts';
import { type LoggerSettings, REQUEST_ID_HEADER, loggingOptions } from './observe/logger.ts';
import { type CentralMetrics, createMetrics } from './observe/metrics.ts';
import { type SchemaWatch, type SchemaWatchOptions, startSchemaWatch } from './observe/schema-watch.ts';
import { timedReports } from './observe/timed-reports.ts';
import { pausedWhenSchemaTooNew } from './observe/paused-db.ts';

export type CentralServerOptions = {
  /** An open, migrated database (openCentralDb). The server does not close it. */
  db: CentralDb;
  /** Central's Ed25519 key pair (loadOrCreateCentralKey, or newKeyPair() in tests). */
  centralKey: KeyPairB64;
  /** Central's follow-up contact key (loadOrCreateContactKey); without it the console cannot show numbers. */
  contactKey?: ContactKeyPair;
  /** The follow-up retention job (erases closed cases' contacts when due): its period, or false for none. */
  followUpRetention?: { everyMs?: number } | false;
  /** Per-address and per-device budgets; each false to turn it off. Default DEFAULT_RATE_LIMITS. */
  rateLimit?: Partial<RateLimitSettings>;
  /**
   * Count rate limits in the database (migration 10) so that they hold across every instance on it.
   * Default: on PostgreSQL yes, on PGlite no (one process by construction; memory is cheaper).
   */
  sharedRateLimits?: boolean;
  /**
   * Fastify's logger: JSON lines with request ids, secrets redacted (central/observe/logger.ts).
   * true = on, to stdout; settings to choose the stream or level; default off.
   */
  logger?: boolean | LoggerSettings;
  /** How often the database's schema version and reachability are checked (central/observe/schema-watch.ts). */
  schemaWatch?: SchemaWatchOptions;
  /** Node's process metrics in the registry (default true). */
  processMetrics?: boolean;
  /** The clock (tests move it to expire enrolment codes). */
  now?: () => Date;
  /** Honour X-Forwarded-For behind a reverse proxy (default false). */
  trustProxy?: boolean;
  /**
   * Enables POST /admin/v1/ctl for centralctl while this process holds a PGlite data dir: loopback
   * callers only, with this bearer token (kept in the data dir, mode 0600).
   */
  adminToken?: string;
  /** The data dir behind adminToken (centralctl backup run through the endpoint takes its key files). */
  adminDataDir?: string;
  /**
   * A path prefix the protocol is served under ("/khaosat" → "/khaosat/v1/batches"), for a reverse
   * proxy that passes the central URL's path through unchanged (device signatures cover the path as
   * sent). Default "" (routes at /v1/…).
   */
  basePath?: string;
  /** The web console for IT at `<basePath>/console` (central/console/), with these options; false leaves it out. */
  console?: Partial<ConsoleOptions> | false;
  /**
   * How far a heartbeat's sentAt may be from this server's clock, either way, before it is refused as
   * a replay (default DEFAULT_HEARTBEAT_WINDOW_MS, 10 minutes; routes/heartbeat.ts says why).
   */
  heartbeatWindowMs?: number;
  /**
   * The worker threads that open batches (gunzip, parse, signature) off the event loop: how many
   * (default 1 on a 2-core machine, at most 2) and how much may wait (DEFAULT_INGEST_POOL).
   */
  ingest?: Partial<IngestPoolOptions>;
  /**
   * Queue what /v1/batches stores for the report tables (default true; the report job and every
   * report drain the queue). false only for the bench's ingest rate without reports; reports then
   * miss those responses until `centralctl rebuild-reports`.
   */
  reportAggregates?: boolean;
  /**
   * The report job draining the queue the ingest writes (central/reports/drain-timer.ts): its waits, or
   * false for none (tests that show a report drains for itself; reports then drain before reading).
   */
  reportDrain?: Partial<Omit<DrainTimerOptions, 'log'>> | false;
  /**
   * The counter bridge (issue 11, central/bridge/): the budget per integration key (default
   * DEFAULT_PER_KEY_BUDGET, false for none), how often open streams get a keep-alive comment
   * (default INVITATION_STREAM.keepAliveSeconds), and the expiry job (false for none).
   */
  bridge?: { perKey?: Budget | false; keepAliveMs?: number; expiryJob?: false };
};

const normaliseBasePath = (p: string | undefined): string => {
  const trimmed = (p ?? '').replace(/\/+$/, '');
  if (trimmed === '') return '';
  if (!/^(\/[A-Za-z0-9._~-]+)+$/.test(trimmed)) throw new Error(`basePath must look like "/khaosat", got "${p}"`);
  return trimmed;
};

const internalError = new SyncError('internal', 'internal error; nothing from this request was stored');

/** Maps anything thrown to a protocol error: ours as they are, Fastify's 4xx by meaning, the rest to 500. */
export const toSyncError = (err: unknown): SyncError => {
  if (err instanceof SyncError) return err;
  const fe = err as Partial<FastifyError>;
  if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || fe.statusCode === 413) {
    return new SyncError('too_large', `the request body is over this endpoint's limit (${fe.message ?? 'too large'})`);
  }
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return new SyncError('invalid_body', `malformed request: ${fe.message ?? 'bad request'}`, { field: '(root)' });
  }
  return internalError;
};

/** What an operator watches on a running server: its metrics and its view of the database. */
export type CentralObservability = { metrics: CentralMetrics; watch: SchemaWatch };

const observability = new WeakMap<FastifyInstance, CentralObservability>();

/** The metrics registry and schema watch of a server made by createCentralServer. */
export const centralObservability = (app: FastifyInstance): CentralObservability => {
  const o = observability.get(app);
  if (!o) throw new Error('not a central server (createCentralServer)');
  return o;
};

const loggerSettings = (logger: CentralServerOptions['logger']): LoggerSettings | false =>
  logger === true ? {} : logger === false || logger === undefined ? false : logger;

/** Shared limiters (and the job that prunes their counters) on PostgreSQL, in-process ones on PGlite. */
const rateLimitersFor = (
  app: FastifyInstance,
  options: CentralServerOptions,
  jobDb: CentralDb,
  log: (message: string) => void,
): RateLimiterFactory => {
  if (!(options.sharedRateLimits ?? options.db.kind === 'postgres')) return processLimiters(app);
  const prune = startPeriodicJob(jobDb, pruneRateLimitsJob, log);
  app.addHook('onClose', () => prune.stop());
  return sharedLimiters(options.db);
};

export const createCentralServer = async (options: CentralServerOptions): Promise<FastifyInstance> => {
  const logging = loggerSettings(options.logger);
  const app = Fastify({
    ...loggingOptions(logging, options.trustProxy ?? false),
    trustProxy: options.trustProxy ?? false,
    bodyLimit: JSON_BODY_LIMIT,
  });
  const basePath = normaliseBasePath(options.basePath);
  const watch = startSchemaWatch(options.db, options.schemaWatch);
  app.addHook('onClose', async () => watch.stop());
  const consoleOptions = { ...DEFAULT_CONSOLE_OPTIONS, ...(options.console || {}) };
  const metrics = createMetrics(options.db, {
    staleAfterHours: consoleOptions.staleAfterHours,
    processMetrics: options.processMetrics,
    watch,
  });
  observability.set(app, { metrics, watch });
  app.addHook('onRequest', refuseWhenSchemaTooNew(watch, basePath));
  app.addHook('onSend', async (req, reply) => {
    void reply.header(REQUEST_ID_HEADER, req.id);
  });
  healthRoutes(app, watch);
  await app.register(rateLimit, { global: false });
  const log = (message: string) => (logging ? app.log.error(message) : console.error(message));
  // Background jobs get a database that refuses every statement once a newer release has migrated it.
  const jobDb = pausedWhenSchemaTooNew(options.db, watch);
  const limiter = rateLimitersFor(app, options, jobDb, log);
  const ingest = await startIngestPool(options.ingest);
  app.addHook('onClose', () => ingest.close());
  if (options.reportDrain !== false) {
    // The report rows of batches stored here, held for this process's drains (reports/held-rows.ts).
    const held = holdReportRowsFor(options.db);
    const drain = startDrainTimer(jobDb, { ...options.reportDrain, log, held });
    app.addHook('onClose', () => drain.stop());
  }
  if (options.followUpRetention !== false) {
    const retention = startRetentionTimer(jobDb, {
      everyMs: options.followUpRetention?.everyMs,
      now: options.now,
      log,
    });
    app.addHook('onClose', () => retention.stop());
  }
  app.setErrorHandler((err, req, reply) => {
    const e = toSyncError(err);
    metrics.refused(e.code);
    // An internal error may be the first sign of a lost database or of a newer release's migration.
    if (e.code === 'internal') void watch.check();
    if (e.code === 'internal') req.log.error({ err }, 'central: internal error');
    if (e.code === 'internal' && !logging)
      console.error(`central: internal error on ${req.method} ${req.url}: ${(err as Error).stack ?? String(err)}`);
    if (e.extra.retryAfterSeconds !== undefined) void reply.header('retry-after', String(e.extra.retryAfterSeconds));
    return reply.code(e.status).send(e.body());
  });
  const ctx: RouteContext = {
    db: options.db,
    centralKey: options.centralKey,
    ...(options.contactKey ? { contactKey: options.contactKey } : {}),
    now: options.now ?? (() => new Date()),
    limiter,
    ...makeLimiters(limiter, { ...DEFAULT_RATE_LIMITS, ...options.rateLimit }),
    ingest,
    reportAggregates: options.reportAggregates ?? true,
    metrics,
  };
  const bridge = await startBridge(app, options.db, jobDb, { ...options.bridge, now: ctx.now, log });
  await app.register(v1Routes(ctx, { heartbeat: { windowMs: options.heartbeatWindowMs }, bridge }), {
    prefix: `${basePath}/v1`,
  });
  if (options.console !== false)
    await app.register(
      consoleRoutes(ctx, {
        ...options.console,
        runReport: timedReports(consoleOptions.runReport, metrics),
        prefix: `${basePath}/console`,
      }),
      {
        prefix: `${basePath}/console`,
      },
    );
  if (options.adminToken)
    await app.register(adminRoutes(ctx, options.adminToken, options.adminDataDir), { prefix: '/admin/v1' });
  return app;
};
