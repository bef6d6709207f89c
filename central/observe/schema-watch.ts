/**
 * What this instance knows about the database it serves: is it reachable, is a migration running,
 * and is its schema newer than this code. Several instances share one PostgreSQL; during an upgrade the
 * NEW release migrates while the OLD instances still run. An old instance must then stop serving
 * (its SQL may no longer fit the tables) and say so: the request guard (health.ts) answers 503 with a
 * sentence, and readiness is false so the proxy sends traffic to the new instances.
 */
import { MIGRATION_LOCK, centralSchemaVersion } from '../db/migrate.ts';
import { LATEST_CENTRAL_SCHEMA } from '../db/migrations.ts';
import type { CentralDb } from '../db/types.ts';
import { errorMessage } from '../../shared/error-message.ts';

export type DbState = {
  /** The database answered within the timeout. */
  reachable: boolean;
  /** Another session holds the migration lock (PostgreSQL only: PGlite is this process alone). */
  migrating: boolean;
  /** schema_migrations' highest version, when reachable. */
  schemaVersion: number | null;
  /** The newest schema this code knows. */
  codeSchemaVersion: number;
  /** Why the database was not reachable (a driver message: no secrets, the URL is never in it). */
  problem?: string;
  checkedAt: Date;
};

export const schemaTooNew = (s: DbState): boolean => s.schemaVersion !== null && s.schemaVersion > s.codeSchemaVersion;

export type SchemaWatchOptions = {
  /** How often the schema version is read in the background (default 5 s; 0 = only when asked). */
  intervalMs?: number;
  /** A check slower than this counts as "unreachable" (default 2 s). */
  timeoutMs?: number;
};

const withTimeout = <T>(p: Promise<T>, ms: number): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });

/** Is the advisory lock of migrateCentral held by anyone (a starting instance migrating)? */
const migrationRunning = async (db: CentralDb): Promise<boolean> => {
  if (db.kind !== 'postgres') return false;
  // A bigint advisory key shows in pg_locks as classid (high 32 bits) and objid (low 32), objsubid 1.
  const r = await db.query(
    `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND classid = 0 AND objid::bigint = $1 AND objsubid = 1 AND granted`,
    [MIGRATION_LOCK],
  );
  return Number(r.rows[0]?.['n'] ?? 0) > 0;
};

export type SchemaWatch = {
  /** The last known state (cheap: no query). Before the first check: reachable, current schema. */
  current: () => DbState;
  /** Checks now (readiness, and after an internal error) and returns the fresh state. */
  check: () => Promise<DbState>;
  stop: () => void;
};

export const startSchemaWatch = (db: CentralDb, options: SchemaWatchOptions = {}): SchemaWatch => {
  const timeoutMs = options.timeoutMs ?? 2000;
  let state: DbState = {
    reachable: true,
    migrating: false,
    schemaVersion: LATEST_CENTRAL_SCHEMA,
    codeSchemaVersion: LATEST_CENTRAL_SCHEMA,
    checkedAt: new Date(),
  };
  let running: Promise<DbState> | undefined;
  const probe = async (): Promise<DbState> => {
    try {
      const [schemaVersion, migrating] = await withTimeout(
        Promise.all([centralSchemaVersion(db), migrationRunning(db)]),
        timeoutMs,
      );
      return {
        reachable: true,
        migrating,
        schemaVersion,
        codeSchemaVersion: LATEST_CENTRAL_SCHEMA,
        checkedAt: new Date(),
      };
    } catch (e) {
      return {
        reachable: false,
        migrating: false,
        schemaVersion: null,
        codeSchemaVersion: LATEST_CENTRAL_SCHEMA,
        problem: errorMessage(e),
        checkedAt: new Date(),
      };
    }
  };
  // Concurrent callers (readiness probes from several balancers) share one probe.
  const check = (): Promise<DbState> =>
    (running ??= probe()
      .then((s) => {
        state = s;
        return s;
      })
      .finally(() => {
        running = undefined;
      }));
  const intervalMs = options.intervalMs ?? 5000;
  const timer = intervalMs > 0 ? setInterval(() => void check(), intervalMs) : undefined;
  timer?.unref();
  return { current: () => state, check, stop: () => timer && clearInterval(timer) };
};
