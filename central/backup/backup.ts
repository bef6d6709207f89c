import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { LATEST_CENTRAL_SCHEMA } from '../db/migrations.ts';
import { centralSchemaVersion } from '../db/migrate.ts';
import { Int, firstRow } from '../db/rows.ts';
import type { CentralDb, Queryable } from '../db/types.ts';
import {
  BACKUP_FORMAT,
  BACKUP_FORMAT_VERSION,
  type BackupKey,
  type BackupManifest,
  type BackupProgress,
  type BackupTable,
  DATA_SUBDIR,
  KEYS_SUBDIR,
  MANIFEST_FILE,
  keyFile,
  tableFile,
} from './format.ts';
import { fsyncPath, readKeyFiles, sha256Of, writeGzipFile } from './files.ts';
import { ident, listColumns, listTables, readSequences } from './schema.ts';

/** Rows fetched from the cursor per round trip: big enough to stream fast, small enough for memory. */
const FETCH_ROWS = 2000;

export class BackupRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackupRefusedError';
  }
}

export type BackupOptions = {
  /** A directory that does not exist yet, or an empty one. */
  outDir: string;
  /** The central data dir whose central-*.json key files go into the backup. */
  dataDir: string;
  now: Date;
  onProgress?: (p: BackupProgress) => void;
};

const prepareOutDir = (dir: string): void => {
  let existing: string[] = [];
  try {
    existing = readdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  if (existing.length > 0)
    throw new BackupRefusedError(`${dir} is not empty: a backup goes into a new or empty directory`);
  mkdirSync(join(dir, DATA_SUBDIR), { recursive: true, mode: 0o700 });
  mkdirSync(join(dir, KEYS_SUBDIR), { recursive: true, mode: 0o700 });
};

/** The rows of one table as NDJSON text, a cursor page at a time (PostgreSQL renders each row). */
async function* tableRows(
  tx: Queryable,
  table: string,
  columns: readonly string[],
  progress: (done: number) => void,
): AsyncGenerator<string> {
  const cursor = ident(`backup_${table}`);
  await tx.query(
    `DECLARE ${cursor} NO SCROLL CURSOR FOR SELECT to_json(r)::text AS j FROM (SELECT ${columns.map(ident).join(', ')} FROM ${ident(table)}) r`,
  );
  let done = 0;
  for (;;) {
    const page = await tx.query(`FETCH ${FETCH_ROWS} FROM ${cursor}`);
    if (page.rows.length === 0) break;
    yield page.rows.map((r) => `${z.string().parse(r['j'])}\n`).join('');
    done += page.rows.length;
    progress(done);
  }
  await tx.query(`CLOSE ${cursor}`);
}

const dumpTable = async (tx: Queryable, dir: string, table: string, o: BackupOptions): Promise<BackupTable> => {
  const columns = await listColumns(tx, table);
  const total = firstRow(z.object({ n: Int }), await tx.query(`SELECT count(*) AS n FROM ${ident(table)}`))?.n ?? 0;
  let rows = 0;
  o.onProgress?.({ step: 'table', table, done: 0, total });
  const written = await writeGzipFile(
    join(dir, tableFile(table)),
    tableRows(tx, table, columns, (done) => {
      rows = done;
      o.onProgress?.({ step: 'table', table, done, total });
    }),
  );
  return { name: table, columns, rows, ...written };
};

const writeKeys = (dir: string, dataDir: string): BackupKey[] =>
  readKeyFiles(dataDir).map(({ name, bytes }) => {
    writeFileSync(join(dir, keyFile(name)), bytes, { flag: 'wx', mode: 0o600 });
    return { name, bytes: bytes.length, sha256: sha256Of(bytes) };
  });

/**
 * Backs up the central database and the data dir's key files into `outDir`. Every table is read in
 * ONE read-only REPEATABLE READ transaction, so the backup is one consistent moment even while
 * kiosks keep sending (on PostgreSQL nothing waits for it; PGlite, one connection, serves other
 * requests only after it). The database is not migrated first: a backup taken before an upgrade
 * is of the schema as it was. The manifest is written last.
 */
export const backupCentral = async (db: CentralDb, o: BackupOptions): Promise<BackupManifest> => {
  prepareOutDir(o.outDir);
  const dumped = await db.transaction(async (tx) => {
    await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    const schemaVersion = await centralSchemaVersion(tx);
    if (schemaVersion === 0) throw new BackupRefusedError(`${db.description} holds no central database`);
    if (schemaVersion > LATEST_CENTRAL_SCHEMA)
      throw new BackupRefusedError(
        `${db.description} is at schema version ${schemaVersion}, newer than this centralctl (${LATEST_CENTRAL_SCHEMA}): back it up with the release that runs it`,
      );
    const tables: BackupTable[] = [];
    for (const table of await listTables(tx)) tables.push(await dumpTable(tx, o.outDir, table, o));
    return { schemaVersion, tables, sequences: await readSequences(tx) };
  });
  const keys = writeKeys(o.outDir, o.dataDir);
  o.onProgress?.({ step: 'keys', count: keys.length });
  const manifest: BackupManifest = {
    format: BACKUP_FORMAT,
    formatVersion: BACKUP_FORMAT_VERSION,
    createdAt: o.now.toISOString(),
    source: db.description,
    ...dumped,
    keys,
  };
  const manifestPath = join(o.outDir, MANIFEST_FILE);
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`, { flag: 'wx', mode: 0o600 });
  for (const path of [manifestPath, join(o.outDir, KEYS_SUBDIR), join(o.outDir, DATA_SUBDIR), o.outDir])
    await fsyncPath(path);
  return manifest;
};
