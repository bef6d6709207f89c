import type { Queryable } from '../db/types.ts';

/**
 * Key of the advisory lock that serialises everything writing the report tables from the queue
 * (the drain, the rebuild): "rept" in ASCII. Another constant than the migration's (central/db/migrate.ts).
 */
const REPORT_DRAIN_LOCK = 0x72657074;

/**
 * Waits until no other transaction (in this process or another instance on the same database) drains
 * or rebuilds, and holds that until this transaction ends. PGlite has the same function.
 */
export const lockDrain = async (tx: Queryable): Promise<void> => {
  await tx.query('SELECT pg_advisory_xact_lock($1)', [REPORT_DRAIN_LOCK]);
};
