import { createReadStream, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { z } from 'zod';
import { errorMessage } from '../../shared/error-message.ts';
import { secureDataDir } from '../data-dir.ts';
import { centralSchemaVersion, migrateCentral } from '../db/migrate.ts';
import { LATEST_CENTRAL_SCHEMA } from '../db/migrations.ts';
import { Int, firstRow } from '../db/rows.ts';
import type { CentralDb, Queryable } from '../db/types.ts';
import { BackupManifest, type BackupProgress, type BackupTable, MANIFEST_FILE, keyFile, tableFile } from './format.ts';
import { hashFile, sha256Of } from './files.ts';
import {
  ident,
  listColumns,
  listTables,
  loadOrder,
  readSequences,
  schemaHasObjects,
  selfReferencing,
  tablesWithRows,
} from './schema.ts';

/** Rows per INSERT, and the most text one INSERT carries: memory stays small on any table. */
const CHUNK_ROWS = 1000;
const CHUNK_CHARS = 8 * 1024 * 1024;

export class RestoreRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RestoreRefusedError';
  }
}

export type RestoreOptions = {
  fromDir: string;
  /** Where the backup's key files go (the data dir central starts with). */
  dataDir: string;
  /** Replace a database that holds data, and key files that differ from the backup's. */
  force: boolean;
  onProgress?: (p: BackupProgress) => void;
};

export type RestoreSummary = {
  manifest: BackupManifest;
  /** Rows loaded per table, in load order. */
  tables: { name: string; rows: number }[];
  keys: { name: string; action: 'written' | 'unchanged' | 'replaced' }[];
  /** Tables that held rows before the restore (only with force). */
  replaced: string[];
};

/** The manifest, parsed; refused when missing (an interrupted backup) or not a central backup. */
export const readManifest = (dir: string): BackupManifest => {
  const path = join(dir, MANIFEST_FILE);
  if (!existsSync(path))
    throw new RestoreRefusedError(`${dir} has no ${MANIFEST_FILE}: not a central backup, or one that did not finish`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new RestoreRefusedError(`${path} is not JSON: ${errorMessage(e)}`);
  }
  const parsed = BackupManifest.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new RestoreRefusedError(
      `${path} is not a central backup manifest: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`,
    );
  }
  return parsed.data;
};

/** Every file's size and SHA-256 against the manifest, before anything is changed. */
export const verifyBackup = async (
  dir: string,
  manifest: BackupManifest,
  onProgress?: (p: BackupProgress) => void,
): Promise<void> => {
  const files = [
    ...manifest.tables.map((t) => ({ file: tableFile(t.name), bytes: t.bytes, sha256: t.sha256 })),
    ...manifest.keys.map((k) => ({ file: keyFile(k.name), bytes: k.bytes, sha256: k.sha256 })),
  ];
  for (const f of files) {
    onProgress?.({ step: 'verify', file: f.file });
    const path = join(dir, f.file);
    if (!existsSync(path)) throw new RestoreRefusedError(`the backup lacks ${f.file}, which its manifest lists`);
    const got = await hashFile(path);
    if (got.bytes !== f.bytes || got.sha256 !== f.sha256)
      throw new RestoreRefusedError(
        `${f.file} does not match the manifest (SHA-256 ${got.sha256.slice(0, 12)}…, ${got.bytes} bytes; expected ${f.sha256.slice(0, 12)}…, ${f.bytes} bytes): the backup is damaged`,
      );
  }
};

type KeyPlan = { name: string; bytes: Buffer; action: 'written' | 'unchanged' | 'replaced' };

/** What happens to each key file; a different key already in the data dir is refused unless forced. */
const planKeys = (dir: string, manifest: BackupManifest, dataDir: string, force: boolean): KeyPlan[] =>
  manifest.keys.map((k) => {
    const bytes = readFileSync(join(dir, keyFile(k.name)));
    const target = join(dataDir, k.name);
    if (!existsSync(target)) return { name: k.name, bytes, action: 'written' };
    if (sha256Of(readFileSync(target)) === k.sha256) return { name: k.name, bytes, action: 'unchanged' };
    if (!force)
      throw new RestoreRefusedError(
        `${target} holds another key than the backup's: kiosks enrolled with the backup's key would refuse this one. Move it away, or add --force to replace it`,
      );
    return { name: k.name, bytes, action: 'replaced' };
  });

const writeKeyFiles = (dataDir: string, plan: readonly KeyPlan[]): void => {
  secureDataDir(dataDir);
  for (const k of plan) {
    if (k.action === 'unchanged') continue;
    const tmp = join(dataDir, `${k.name}.restoring`);
    writeFileSync(tmp, k.bytes, { mode: 0o600 });
    renameSync(tmp, join(dataDir, k.name));
  }
};

/** PostgreSQL: other sessions on this database (a central instance still running) are refused unless forced. */
const refuseOtherClients = async (db: CentralDb, force: boolean): Promise<void> => {
  if (db.kind !== 'postgres' || force) return;
  const others = firstRow(
    z.object({ n: Int, apps: z.string().nullable() }),
    await db.query(
      `SELECT count(*) AS n, string_agg(DISTINCT coalesce(nullif(application_name, ''), '(unnamed)'), ', ') AS apps
         FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'`,
    ),
  );
  if (others && others.n > 0)
    throw new RestoreRefusedError(
      `${others.n} other session(s) are connected to this database (${others.apps ?? ''}): stop every central instance before restoring, or add --force`,
    );
};

/** migrateCentral wants a CentralDb; inside the restore's transaction every "transaction" is that one. */
const within = (db: CentralDb, tx: Queryable): CentralDb => ({
  kind: db.kind,
  description: db.description,
  query: tx.query.bind(tx),
  exec: tx.exec.bind(tx),
  copyIn: tx.copyIn.bind(tx),
  transaction: (fn) => fn(tx),
  close: async () => {},
});

const sameList = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((x, i) => x === b[i]);

/** The target's schema, migrated to the backup's version, must have exactly the backup's tables and columns. */
const checkShape = async (tx: Queryable, manifest: BackupManifest): Promise<void> => {
  const tables = await listTables(tx);
  const wanted = manifest.tables.map((t) => t.name).sort();
  if (!sameList(tables, wanted))
    throw new RestoreRefusedError(
      `schema ${manifest.schemaVersion} of this release has tables ${tables.join(', ')}; the backup has ${wanted.join(', ')}`,
    );
  for (const t of manifest.tables) {
    const columns = await listColumns(tx, t.name);
    if (!sameList(columns, t.columns))
      throw new RestoreRefusedError(
        `table ${t.name}: this release's columns (${columns.join(', ')}) differ from the backup's (${t.columns.join(', ')})`,
      );
  }
  const sequences = (await readSequences(tx)).map((s) => s.name);
  const wantedSeqs = manifest.sequences.map((s) => s.name).sort();
  if (!sameList(sequences, wantedSeqs))
    throw new RestoreRefusedError(
      `sequences differ: here ${sequences.join(', ')}, in the backup ${wantedSeqs.join(', ')}`,
    );
};

const loadTable = async (
  tx: Queryable,
  dir: string,
  t: BackupTable,
  oneStatement: boolean,
  onProgress?: (p: BackupProgress) => void,
): Promise<number> => {
  const cols = t.columns.map(ident).join(', ');
  // OVERRIDING SYSTEM VALUE: identity columns take the backup's values, like every other column.
  const insert = `INSERT INTO ${ident(t.name)} (${cols}) OVERRIDING SYSTEM VALUE
    SELECT ${cols} FROM json_populate_recordset(NULL::${ident(t.name)}, $1::json)`;
  let chunk: string[] = [];
  let chars = 0;
  let done = 0;
  const flush = async (): Promise<void> => {
    if (chunk.length === 0) return;
    await tx.query(insert, [`[${chunk.join(',')}]`]);
    done += chunk.length;
    chunk = [];
    chars = 0;
    onProgress?.({ step: 'table', table: t.name, done, total: t.rows });
  };
  const lines = createInterface({
    input: createReadStream(join(dir, tableFile(t.name))).pipe(createGunzip()),
    crlfDelay: Infinity,
  });
  for await (const line of lines) {
    if (line === '') continue;
    chunk.push(line);
    chars += line.length;
    if (!oneStatement && (chunk.length >= CHUNK_ROWS || chars >= CHUNK_CHARS)) await flush();
  }
  await flush();
  if (done !== t.rows)
    throw new RestoreRefusedError(`table ${t.name}: the backup file holds ${done} rows, its manifest says ${t.rows}`);
  return done;
};

/** Drops everything in the current schema (tables, views, sequences) by recreating the schema. */
const resetSchema = async (tx: Queryable): Promise<void> => {
  const name = firstRow(z.object({ s: z.string() }), await tx.query('SELECT current_schema() AS s'))?.s;
  if (!name) throw new Error('the connection has no current schema');
  await tx.exec(`DROP SCHEMA ${ident(name)} CASCADE; CREATE SCHEMA ${ident(name)};`);
};

/**
 * Restores a backup made by backupCentral into `db`, in ONE transaction (a failure leaves the
 * database as it was): checks every checksum first; refuses a database holding data (and, on
 * PostgreSQL, one other sessions are using) unless forced; recreates the schema at the backup's
 * version with this release's migrations and checks it has the backup's tables and columns; loads
 * every row and sets every sequence; then writes the key files. Starting the service afterwards
 * migrates an older backup to this release's schema, as for any upgrade.
 */
export const restoreCentral = async (db: CentralDb, o: RestoreOptions): Promise<RestoreSummary> => {
  const manifest = readManifest(o.fromDir);
  if (manifest.schemaVersion > LATEST_CENTRAL_SCHEMA)
    throw new RestoreRefusedError(
      `the backup is at schema version ${manifest.schemaVersion}, newer than this release (${LATEST_CENTRAL_SCHEMA}): restore it with the release that made it`,
    );
  await verifyBackup(o.fromDir, manifest, o.onProgress);
  const keys = planKeys(o.fromDir, manifest, o.dataDir, o.force);
  await refuseOtherClients(db, o.force);
  const result = await db.transaction(async (tx) => {
    const replaced = (await schemaHasObjects(tx)) ? await tablesWithRows(tx) : [];
    if (replaced.length > 0 && !o.force)
      throw new RestoreRefusedError(
        `${db.description} is not empty (rows in ${replaced.slice(0, 6).join(', ')}${replaced.length > 6 ? ', …' : ''}): restore into an empty database, or add --force to replace everything in it`,
      );
    if (await schemaHasObjects(tx)) await resetSchema(tx);
    await migrateCentral(within(db, tx), manifest.schemaVersion);
    if ((await centralSchemaVersion(tx)) !== manifest.schemaVersion)
      throw new RestoreRefusedError(`this release cannot build schema version ${manifest.schemaVersion}`);
    await checkShape(tx, manifest);
    // What the migrations themselves inserted goes: the backup has its own copy of every row.
    await tx.exec(`TRUNCATE ${manifest.tables.map((t) => ident(t.name)).join(', ')}`);
    const byName = new Map(manifest.tables.map((t) => [t.name, t]));
    const oneStatement = await selfReferencing(tx);
    const loaded: RestoreSummary['tables'] = [];
    for (const name of await loadOrder(tx, [...byName.keys()])) {
      const rows = await loadTable(tx, o.fromDir, byName.get(name)!, oneStatement.has(name), o.onProgress);
      loaded.push({ name, rows });
    }
    for (const s of manifest.sequences)
      await tx.query(
        `SELECT setval((quote_ident(current_schema()) || '.' || quote_ident($1))::regclass, $2::bigint, $3)`,
        [s.name, s.lastValue, s.isCalled],
      );
    return { tables: loaded, replaced };
  });
  writeKeyFiles(o.dataDir, keys);
  o.onProgress?.({ step: 'keys', count: keys.length });
  return { manifest, ...result, keys: keys.map((k) => ({ name: k.name, action: k.action })) };
};
