import Database from 'better-sqlite3';
import type { Database as Db } from 'better-sqlite3';
import { LATEST_SCHEMA_VERSION, type Migration, migrations } from './migrations.ts';
import { ensurePrivateFile, narrowIfPresent } from './private-files.ts';

export class DatabaseTooNewError extends Error {
  constructor(
    readonly found: number,
    readonly supported: number,
  ) {
    super(
      `the database is at schema version ${found}, newer than this app supports (${supported}); install the newer app or restore a backup`,
    );
    this.name = 'DatabaseTooNewError';
  }
}

/**
 * Pragmas are set explicitly, never left to the build's defaults:
 * WAL lets kioskctl read while the kiosk writes; synchronous=FULL fsyncs the WAL at every commit, so
 * a response the UI calls saved survives power loss; busy_timeout lets a second process wait its turn.
 */
const applyPragmas = (db: Db): void => {
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  db.pragma('trusted_schema = OFF');
};

export const schemaVersion = (db: Db): number => db.pragma('user_version', { simple: true }) as number;

/** Applies every pending migration in one transaction: a failure leaves the database as it was. */
export const migrate = (
  db: Db,
  upTo: number = LATEST_SCHEMA_VERSION,
  list: readonly Migration[] = migrations,
): number => {
  const run = db.transaction(() => {
    const current = schemaVersion(db);
    if (current > LATEST_SCHEMA_VERSION) throw new DatabaseTooNewError(current, LATEST_SCHEMA_VERSION);
    const pending = list.filter((m) => m.version > current && m.version <= upTo);
    for (const m of pending) {
      m.up(db);
      db.pragma(`user_version = ${m.version}`);
    }
    return pending.length;
  });
  return run.immediate();
};

export type OpenOptions = { readonly?: boolean; migrateTo?: number };

/**
 * Opens (creating if needed) the kiosk database, refusing one from a newer app. A database opened
 * for writing is made 0600 before SQLite opens it: SQLite gives its -wal and -shm files the database
 * file's mode, so the answers never sit in a file others can read, whatever the umask.
 */
export const openDatabase = (file: string, options: OpenOptions = {}): Db => {
  if (!options.readonly) {
    ensurePrivateFile(file);
    narrowIfPresent([`${file}-wal`, `${file}-shm`, `${file}-journal`]);
  }
  const db = new Database(file, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
  try {
    if (options.readonly) {
      db.pragma('busy_timeout = 5000');
      const v = schemaVersion(db);
      if (v > LATEST_SCHEMA_VERSION) throw new DatabaseTooNewError(v, LATEST_SCHEMA_VERSION);
      return db;
    }
    applyPragmas(db);
    migrate(db, options.migrateTo);
    return db;
  } catch (e) {
    db.close();
    throw e;
  }
};
