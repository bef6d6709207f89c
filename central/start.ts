import { resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { EMBEDDED_CONFIG_DIR, loadConfigDir } from '../shared/node/config-loader.ts';
import { type KeyPairB64, newKeyPair } from '../shared/node/signing.ts';
import { type DataDirLock, DEFAULT_DATA_DIR, lockDataDir, pgliteDir, writeAdminToken } from './data-dir.ts';
import { openCentralDb } from './db/open.ts';
import type { CentralDb } from './db/types.ts';
import { loadOrCreateCentralKey } from './keys.ts';
import { claimCentralIdentity } from './key-identity.ts';
import { type ContactKeyPair, newContactKeyPair } from '../shared/node/contact-seal.ts';
import { loadOrCreateContactKey } from './follow-ups/contact-key.ts';
import { recordContactKey } from './follow-ups/settings.ts';
import { latestConfig, publishConfig } from './ops/configs.ts';
import { createEnrolmentCode } from './ops/enrolment-codes.ts';
import { DEFAULT_UNIT, type Unit, ensureUnit } from './ops/units.ts';
import type { RateLimitSettings } from './routes/rate-limit.ts';
import { type CentralServerOptions, centralObservability, createCentralServer } from './server.ts';
import { type MetricsListen, type MetricsServer, startMetricsServer } from './observe/metrics-server.ts';
import { consoleHostsFor } from './console/options.ts';

export type StartCentralOptions = {
  /**
   * Storage, first match wins:
   * - `db`: an open, migrated database you own (not closed by close());
   * - `memory: true`: PGlite in memory, central key in memory (tests, bench) — nothing on disk;
   * - `databaseUrl`: PostgreSQL; the data dir then only holds the central key;
   * - otherwise PGlite on disk in `dataDir/pgdata`, locked for this process.
   */
  db?: CentralDb;
  memory?: boolean;
  databaseUrl?: string;
  /** PostgreSQL connection pool size (default 10). */
  poolSize?: number;
  /** Default `.data/central` (relative to the working directory). */
  dataDir?: string;
  /** Default: from the data dir (created on first start), or a fresh one with `memory`/`db` and no dataDir. */
  centralKey?: KeyPairB64;
  /**
   * The central key's file instead of `dataDir/central-key.json` (created there on first start if
   * missing): the one secret every instance on a database shares. A key from a file is recorded in
   * the database on first start, and an instance holding another one is refused (key-identity.ts).
   */
  keyFile?: string;
  /** Default: from the data dir (central-contact-key.json), made like centralKey. */
  contactKey?: ContactKeyPair;
  /** See CentralServerOptions.followUpRetention. */
  followUpRetention?: CentralServerOptions['followUpRetention'];
  /** Default 127.0.0.1 (loopback only). */
  host?: string;
  /** Default 4790; 0 picks a free port. */
  port?: number;
  rateLimit?: Partial<RateLimitSettings>;
  logger?: CentralServerOptions['logger'];
  /**
   * Serve Prometheus metrics on their own listen address (central/observe/metrics-server.ts), never on
   * the public one. Default: none.
   */
  metrics?: MetricsListen;
  /** See CentralServerOptions.processMetrics (default true). */
  processMetrics?: boolean;
  /** See CentralServerOptions.schemaWatch. */
  schemaWatch?: CentralServerOptions['schemaWatch'];
  now?: () => Date;
  trustProxy?: boolean;
  /** Serve the protocol under this path prefix (see CentralServerOptions.basePath); `url` includes it. */
  basePath?: string;
  /** Created if missing. Default DEFAULT_UNIT ({ id: "default" }). */
  defaultUnit?: Unit;
  /** Publish assets/config to the default unit when it has no configuration yet. Default true. */
  publishEmbeddedConfig?: boolean;
  /** The web console's options (CentralServerOptions.console); false leaves it out. */
  console?: CentralServerOptions['console'];
  /** See CentralServerOptions.heartbeatWindowMs (default 10 minutes). */
  heartbeatWindowMs?: number;
  /** Runs on the open, migrated database before the server listens; a throw stops the start. */
  beforeListen?: (db: CentralDb) => Promise<void>;
  /** The batch-opening worker pool (CentralServerOptions.ingest). */
  ingest?: CentralServerOptions['ingest'];
  /** See CentralServerOptions.reportAggregates (default true). */
  reportAggregates?: boolean;
  /** See CentralServerOptions.bridge. */
  bridge?: CentralServerOptions['bridge'];
  /** See CentralServerOptions.reportDrain (default: drain again and again while batches arrive, 250 ms apart). */
  reportDrain?: CentralServerOptions['reportDrain'];
  /**
   * More host names the web console answers to (e.g. "khaosat.tinh.gov.vn" when IT open it by that
   * name), on top of the default: 127.0.0.1, localhost, [::1] and `host`. Any other Host header gets a
   * 421 page (DNS rebinding). The device API (/v1/*) is not restricted.
   */
  consoleHosts?: readonly string[];
};

export type RunningCentral = {
  /** Base URL, e.g. "http://127.0.0.1:4790" (no trailing slash; with basePath if given). */
  url: string;
  app: FastifyInstance;
  /** The Prometheus scrape URL when `metrics` was given. */
  metricsUrl?: string;
  db: CentralDb;
  centralKey: KeyPairB64;
  contactKey: ContactKeyPair;
  defaultUnit: Unit;
  /** A fresh one-time enrolment code (default: the default unit, 72 hours). */
  enrolmentCode: (options?: { unitId?: string; hours?: number }) => Promise<string>;
  close: () => Promise<void>;
};

export const DEFAULT_PORT = 4790;

/** Opens storage, applies migrations, ensures the default unit and its config, and listens. */
export const startCentral = async (options: StartCentralOptions = {}): Promise<RunningCentral> => {
  const dataDir = resolve(options.dataDir ?? DEFAULT_DATA_DIR);
  const onDisk = !options.db && !options.memory && !options.databaseUrl;
  let lock: DataDirLock | undefined;
  let db: CentralDb | undefined;
  let app: FastifyInstance | undefined;
  let metricsServer: MetricsServer | undefined;
  const listenHost = options.host ?? '127.0.0.1';
  try {
    if (onDisk) lock = lockDataDir(dataDir, 'server');
    db =
      options.db ??
      (options.memory
        ? await openCentralDb({ memory: true })
        : options.databaseUrl
          ? await openCentralDb({ databaseUrl: options.databaseUrl, poolSize: options.poolSize })
          : await openCentralDb({ pgliteDir: pgliteDir(dataDir) }));
    const useKeyFile =
      !options.centralKey &&
      (onDisk || options.databaseUrl !== undefined || options.dataDir !== undefined || options.keyFile !== undefined);
    const centralKey =
      options.centralKey ?? (useKeyFile ? loadOrCreateCentralKey(dataDir, options.keyFile) : newKeyPair());
    if (useKeyFile) await claimCentralIdentity(db, centralKey.publicKey);
    const contactKey =
      options.contactKey ?? (useKeyFile ? loadOrCreateContactKey(dataDir, options.keyFile) : newContactKeyPair());
    // Before any publication below, so the first configuration already carries it.
    const replaced = await recordContactKey(db, contactKey);
    if (replaced)
      console.error(
        `central: the contact key changed from ${replaced.keyId} to ${contactKey.keyId}; contacts sealed to the old key cannot be opened here (several instances must share one central-contact-key.json: with --key-file it is the file beside the key), and units get the new key with their next configuration`,
      );
    const unit = options.defaultUnit ?? DEFAULT_UNIT;
    await ensureUnit(db, unit);
    if ((options.publishEmbeddedConfig ?? true) && !(await latestConfig(db, unit.id))) {
      const loaded = loadConfigDir(EMBEDDED_CONFIG_DIR);
      if (!loaded.ok) throw new Error(`the embedded configuration does not load: ${JSON.stringify(loaded.problems)}`);
      await publishConfig(db, { unitId: unit.id, config: loaded.config, centralKey });
    }
    const adminToken = lock ? writeAdminToken(dataDir) : undefined;
    app = await createCentralServer({
      db,
      centralKey,
      contactKey,
      followUpRetention: options.followUpRetention,
      rateLimit: options.rateLimit,
      logger: options.logger,
      now: options.now,
      trustProxy: options.trustProxy,
      adminToken,
      adminDataDir: adminToken ? dataDir : undefined,
      basePath: options.basePath,
      console:
        options.console === false
          ? false
          : {
              ...options.console,
              allowedHosts: consoleHostsFor(listenHost, [
                ...(options.console?.allowedHosts ?? []),
                ...(options.consoleHosts ?? []),
              ]),
            },
      heartbeatWindowMs: options.heartbeatWindowMs,
      ingest: options.ingest,
      reportAggregates: options.reportAggregates,
      reportDrain: options.reportDrain,
      bridge: options.bridge,
      schemaWatch: options.schemaWatch,
      processMetrics: options.processMetrics,
    });
    await options.beforeListen?.(db);
    await app.listen({ host: listenHost, port: options.port ?? DEFAULT_PORT });
    if (options.metrics) metricsServer = await startMetricsServer(centralObservability(app).metrics, options.metrics);
    const address = app.server.address();
    if (!address || typeof address === 'string') throw new Error('the server did not report a TCP address');
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    const url = `http://${host}:${address.port}${(options.basePath ?? '').replace(/\/+$/, '')}`;
    // centralctl reaches a PGlite-holding server on loopback whatever address it listens on.
    lock?.update({ adminUrl: `http://127.0.0.1:${address.port}` });
    const ownsDb = !options.db;
    const openDb = db;
    const openApp = app;
    const openMetrics = metricsServer;
    let closed = false;
    return {
      url,
      app,
      ...(openMetrics ? { metricsUrl: openMetrics.url } : {}),
      db,
      centralKey,
      contactKey,
      defaultUnit: unit,
      enrolmentCode: async (o = {}) =>
        (await createEnrolmentCode(openDb, { unitId: o.unitId ?? unit.id, hours: o.hours, now: options.now?.() })).code,
      close: async () => {
        if (closed) return;
        closed = true;
        await openMetrics?.close();
        await openApp.close();
        if (ownsDb) await openDb.close();
        lock?.release();
      },
    };
  } catch (e) {
    await metricsServer?.close().catch(() => undefined);
    await app?.close().catch(() => undefined);
    if (db && !options.db) await db.close().catch(() => undefined);
    lock?.release();
    throw e;
  }
};
