import { z } from 'zod';
import { firstRow } from './rows.ts';
import { LATEST_CENTRAL_SCHEMA, type CentralMigration, migrations } from './migrations.ts';
import type { CentralDb, Queryable } from './types.ts';

export class CentralSchemaTooNewError extends Error {
  constructor(
    readonly found: number,
    readonly supported: number,
  ) {
    super(
      `the central database is at schema version ${found}, newer than this central service supports (${supported}); run the newer release or restore a backup`,
    );
    this.name = 'CentralSchemaTooNewError';
  }
}

/** Arbitrary constant key of the advisory lock taken while migrating ("cent" in ASCII). */
export const MIGRATION_LOCK = 0x63656e74;

const Version = z.object({ v: z.coerce.number().int() });

export const centralSchemaVersion = async (db: Queryable): Promise<number> => {
  const exists = await db.query(`SELECT to_regclass('schema_migrations') IS NOT NULL AS present`);
  if (exists.rows[0]?.['present'] !== true) return 0;
  return firstRow(Version, await db.query('SELECT coalesce(max(version), 0) AS v FROM schema_migrations'))?.v ?? 0;
};

/**
 * Applies every pending migration in ONE transaction (a failure leaves the database as it was),
 * refusing a database newer than this code.
 */
export const migrateCentral = async (
  db: CentralDb,
  upTo: number = LATEST_CENTRAL_SCHEMA,
  list: readonly CentralMigration[] = migrations,
): Promise<number> =>
  db.transaction(async (tx) => {
    // Serialises concurrent starters (two central processes on one PostgreSQL), including the
    // creation of schema_migrations itself; released at COMMIT or ROLLBACK.
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await tx.exec(
      `CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const current = await centralSchemaVersion(tx);
    const latest = Math.max(LATEST_CENTRAL_SCHEMA, ...list.map((m) => m.version));
    if (current > latest) throw new CentralSchemaTooNewError(current, latest);
    const pending = list.filter((m) => m.version > current && m.version <= upTo).sort((a, b) => a.version - b.version);
    for (const m of pending) {
      await tx.exec(m.sql);
      await m.after?.(tx);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
    }
    return pending.length;
  });
