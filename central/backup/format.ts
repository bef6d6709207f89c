import { z } from 'zod';

/**
 * A central backup is a directory:
 *   manifest.json            what is in it, with a SHA-256 per file; written LAST, so a directory
 *                            without one is an interrupted backup and restore refuses it
 *   data/<table>.ndjson.gz   every row of the table, one JSON object per line (PostgreSQL's own
 *                            to_json of the row, read back by json_populate_recordset: no value
 *                            passes through a JavaScript number)
 *   keys/central-*.json      the data dir's key files (central's signing key, and any other
 *                            central-*.json), byte for byte
 * Directories 0700, files 0600: the keys and every response are in it.
 */
export const BACKUP_FORMAT = 'kiosk-central-backup';
export const BACKUP_FORMAT_VERSION = 1;
export const MANIFEST_FILE = 'manifest.json';
export const DATA_SUBDIR = 'data';
export const KEYS_SUBDIR = 'keys';

/** Table names as central's migrations write them; anything else in a manifest is refused (it names a file). */
export const TableName = z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/);
/** The key files of a data dir that go into a backup (central-key.json, central-contact-key.json, …). */
export const KeyFileName = z.string().regex(/^central-[a-z0-9-]{1,60}\.json$/);
export const isKeyFileName = (name: string): boolean => KeyFileName.safeParse(name).success;

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/);
const Count = z.number().int().min(0);

export const tableFile = (table: string): string => `${DATA_SUBDIR}/${table}.ndjson.gz`;
export const keyFile = (name: string): string => `${KEYS_SUBDIR}/${name}`;

export const BackupTable = z.object({
  name: TableName,
  /** Columns in the order of the dump (generated columns are left out: the target computes them). */
  columns: z.array(z.string().min(1).max(63)).min(1),
  rows: Count,
  bytes: Count,
  sha256: Sha256,
});
export type BackupTable = z.infer<typeof BackupTable>;

export const BackupSequence = z.object({
  name: TableName,
  /** bigint as text: a sequence may pass 2^53. */
  lastValue: z.string().regex(/^-?\d{1,19}$/),
  isCalled: z.boolean(),
});
export type BackupSequence = z.infer<typeof BackupSequence>;

export const BackupKey = z.object({ name: KeyFileName, bytes: Count, sha256: Sha256 });
export type BackupKey = z.infer<typeof BackupKey>;

export const BackupManifest = z
  .object({
    format: z.literal(BACKUP_FORMAT),
    formatVersion: z.literal(BACKUP_FORMAT_VERSION),
    createdAt: z.string(),
    /** The central schema version (schema_migrations) of the database backed up. */
    schemaVersion: z.number().int().min(1),
    /** Where it came from, for the operator ("PostgreSQL at db:5432/central"; never a password). */
    source: z.string().max(500),
    tables: z.array(BackupTable).min(1),
    sequences: z.array(BackupSequence),
    keys: z.array(BackupKey),
  })
  .strict();
export type BackupManifest = z.infer<typeof BackupManifest>;

export type BackupProgress =
  | { step: 'table'; table: string; done: number; total: number }
  | { step: 'verify'; file: string }
  | { step: 'keys'; count: number };
