import { tightenTree } from '../data-dir.ts';
import { migrateCentral } from './migrate.ts';
import { openPglite } from './pglite.ts';
import { openPostgres } from './postgres.ts';
import type { CentralDb } from './types.ts';

export type OpenCentralDbOptions =
  /** PostgreSQL at this URL (DATABASE_URL). */
  | { databaseUrl: string; poolSize?: number }
  /** PGlite on disk in this directory. */
  | { pgliteDir: string }
  /** PGlite in memory (tests). */
  | { memory: true };

let memoryTemplate: Promise<Blob> | undefined;

/**
 * A freshly migrated in-memory database, as a PGlite data-dir image made once per process: initdb
 * in WebAssembly takes seconds, loading the image about one.
 */
const openMemory = async (): Promise<CentralDb> => {
  memoryTemplate ??= (async () => {
    const first = await openPglite();
    try {
      await migrateCentral(first);
      return await first.dump();
    } finally {
      await first.close();
    }
  })();
  return openPglite(undefined, await memoryTemplate);
};

/**
 * Opens the database and applies pending migrations (refusing a newer schema). `migrate: false`
 * opens it as it is: backup (a backup before an upgrade is of the old schema) and restore (into an
 * empty database).
 */
export const openCentralDb = async (
  options: OpenCentralDbOptions,
  { migrate = true }: { migrate?: boolean } = {},
): Promise<CentralDb> => {
  const db =
    'databaseUrl' in options
      ? await openPostgres(options.databaseUrl, options.poolSize)
      : 'pgliteDir' in options
        ? await openPglite(options.pgliteDir)
        : await openMemory();
  try {
    if (migrate) await migrateCentral(db);
    if ('pgliteDir' in options) {
      tightenTree(options.pgliteDir);
      const close = db.close.bind(db);
      return {
        ...db,
        close: async () => {
          await close();
          tightenTree(options.pgliteDir);
        },
      };
    }
    return db;
  } catch (e) {
    await db.close().catch(() => undefined);
    throw e;
  }
};
