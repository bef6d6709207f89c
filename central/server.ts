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
import { DEFAULT_RATE_LIMITS, type RateLimitSettings, makeLimiters } from './routes/rate-limit.ts';
import { JSON_BODY_LIMIT, v1Routes } from './routes/v1.ts';

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
  /** Fastify's logger (default off). */
  logger?: boolean;
  /** The clock (tests move it to expire enrolment codes). */
  now?: () => Date;
  /** Honour X-Forwarded-For behind a reverse proxy (default false). */
  trustProxy?: boolean;
  /**
   * Enables POST /admin/v1/ctl for centralctl while this process holds a PGlite data dir: loopback
   * callers only, with this bearer token (kept in the data dir, mode 0600).
   */
  adminToken?: string;
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

export const createCentralServer = async (options: CentralServerOptions): Promise<FastifyInstance> => {
  const app = Fastify({
    logger: options.logger ?? false,
    trustProxy: options.trustProxy ?? false,
    bodyLimit: JSON_BODY_LIMIT,
  });
  await app.register(rateLimit, { global: false });
  const ingest = await startIngestPool(options.ingest);
  app.addHook('onClose', () => ingest.close());
  if (options.reportDrain !== false) {
    const drain = startDrainTimer(options.db, {
      ...options.reportDrain,
      log: (message) => (options.logger ? app.log.error(message) : console.error(message)),
    });
    app.addHook('onClose', () => drain.stop());
  }
  if (options.followUpRetention !== false) {
    const retention = startRetentionTimer(options.db, {
      everyMs: options.followUpRetention?.everyMs,
      now: options.now,
      log: (message) => (options.logger ? app.log.error(message) : console.error(message)),
    });
    app.addHook('onClose', () => retention.stop());
  }
  app.setErrorHandler((err, req, reply) => {
    const e = toSyncError(err);
    if (e.code === 'internal') req.log.error({ err }, 'central: internal error');
    if (e.code === 'internal' && !options.logger)
      console.error(`central: internal error on ${req.method} ${req.url}: ${(err as Error).stack ?? String(err)}`);
    if (e.extra.retryAfterSeconds !== undefined) void reply.header('retry-after', String(e.extra.retryAfterSeconds));
    return reply.code(e.status).send(e.body());
  });
  const ctx: RouteContext = {
    db: options.db,
    centralKey: options.centralKey,
    ...(options.contactKey ? { contactKey: options.contactKey } : {}),
    now: options.now ?? (() => new Date()),
    ...makeLimiters(app, { ...DEFAULT_RATE_LIMITS, ...options.rateLimit }),
    ingest,
    reportAggregates: options.reportAggregates ?? true,
  };
  const basePath = normaliseBasePath(options.basePath);
  await app.register(v1Routes(ctx, { heartbeat: { windowMs: options.heartbeatWindowMs } }), {
    prefix: `${basePath}/v1`,
  });
  if (options.console !== false)
    await app.register(consoleRoutes(ctx, { ...options.console, prefix: `${basePath}/console` }), {
      prefix: `${basePath}/console`,
    });
  if (options.adminToken) await app.register(adminRoutes(ctx, options.adminToken), { prefix: '/admin/v1' });
  return app;
};
