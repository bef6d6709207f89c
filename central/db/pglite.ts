import { PGlite } from '@electric-sql/pglite';
import type { CentralDb, DbRow, Queryable } from './types.ts';

type PgliteLike = Pick<PGlite, 'query' | 'exec'>;

const wrap = (db: PgliteLike): Queryable => ({
  query: async (sql, params = []) => {
    const r = await db.query<DbRow>(sql, [...params]);
    return { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length };
  },
  exec: async (sql) => {
    await db.exec(sql);
  },
  // PGlite has no client stream: its COPY reads the rows from a Blob it names '/dev/blob'.
  copyIn: async (sql, data) => {
    await db.query(sql.replace(/\bFROM STDIN\b/, `FROM '/dev/blob'`), [], { blob: new Blob([...data]) });
  },
});

/**
 * PGlite: PostgreSQL compiled to WebAssembly, in-process. `dataDir` undefined means in memory (tests).
 * Only one process may open a data directory at a time (see central/data-dir.ts for the lock).
 */
export const openPglite = async (
  dataDir?: string,
  template?: Blob,
): Promise<CentralDb & { dump: () => Promise<Blob> }> => {
  const pg = template ? await PGlite.create({ loadDataDir: template }) : await PGlite.create(dataDir);
  const q = wrap(pg);
  return {
    kind: 'pglite',
    description: dataDir ? `PGlite at ${dataDir}` : 'PGlite in memory',
    query: q.query,
    exec: q.exec,
    copyIn: q.copyIn,
    transaction: (fn) => pg.transaction((tx) => fn(wrap(tx))),
    close: () => pg.close(),
    dump: () => pg.dumpDataDir('none'),
  };
};
