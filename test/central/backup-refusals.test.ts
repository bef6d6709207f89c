/**
 * centralctl backup / restore: what each refuses, before changing anything (PGlite in memory,
 * in-process). The PostgreSQL round trip and the kiosks are in backup-restore.test.ts.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../central/cli/commands.ts';
import { centralSchemaVersion, migrateCentral } from '../../central/db/migrate.ts';
import { openCentralDb } from '../../central/db/open.ts';
import { openPglite } from '../../central/db/pglite.ts';
import { startCentral } from '../../central/start.ts';
import type { CentralDb } from '../../central/db/types.ts';
import { loadOrCreateCentralKey } from '../../central/keys.ts';
import { ensureUnit } from '../../central/ops/units.ts';
import { createAdminUser } from '../../central/console/auth/users.ts';
import { tempDir } from '../support/tmp.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'centralctl.js');

/** centralctl as an operator runs it: a separate process (no DATABASE_URL: the PGlite data dir). */
const spawnCentralctl = (args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> =>
  new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, DATABASE_URL: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });

type Run = { code: number; stdout: string; stderr: string };

const ctl = async (db: CentralDb, dataDir: string, args: string[], inServer = false): Promise<Run> => {
  let stdout = '';
  let stderr = '';
  const code = await runCommand(args, {
    db,
    centralKey: () => loadOrCreateCentralKey(dataDir),
    cwd: '/',
    dataDir,
    inServer,
    now: () => new Date('2026-12-05T01:00:00.000Z'),
    out: (t) => (stdout += t),
    err: (t) => (stderr += t),
  });
  return { code, stdout, stderr };
};

const units = async (db: CentralDb): Promise<unknown[]> =>
  (await db.query('SELECT id, name, parent_id, created_at::text FROM units ORDER BY id')).rows;

describe('centralctl backup and restore refuse what they must', () => {
  const t = tempDir('central-backup-refusals-');
  const sourceDir = join(t.dir, 'source');
  const backup = join(t.dir, 'backup');
  let source: CentralDb;
  const fresh: CentralDb[] = [];
  /** A fresh migrated database without rows, as central leaves one before its first start. */
  const emptyDb = async (): Promise<CentralDb> => {
    const db = await openCentralDb({ memory: true });
    fresh.push(db);
    return db;
  };
  const copyOfBackup = (name: string): string => {
    const dir = join(t.dir, name);
    cpSync(backup, dir, { recursive: true });
    return dir;
  };

  beforeAll(async () => {
    source = await openCentralDb({ memory: true });
    loadOrCreateCentralKey(sourceDir);
    await ensureUnit(source, { id: 'tinh', name: 'Tỉnh' });
    await ensureUnit(source, { id: 'xa-a', name: 'Xã A', parentId: 'tinh' });
    await createAdminUser(source, { username: 'it-tinh', role: 'province_admin', password: 'mat-khau-dai-du-10' });
    const r = await ctl(source, sourceDir, ['backup', '--out', backup]);
    expect(r.code, r.stderr).toBe(0);
  }, 60_000);
  afterAll(async () => {
    for (const db of [source, ...fresh]) await db?.close();
    t.cleanup();
  });

  it('backup refuses a directory that is not empty', async () => {
    const r = await ctl(source, sourceDir, ['backup', '--out', backup]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/is not empty: a backup goes into a new or empty directory/);
  });

  it('with a shared key file (CENTRAL_KEY_FILE), takes the key files from beside it, not from the data dir', async () => {
    const secrets = join(t.dir, 'secrets');
    mkdirSync(secrets, { mode: 0o700 });
    const keyFile = join(secrets, 'central-key.json');
    const shared = loadOrCreateCentralKey(sourceDir, keyFile);
    const out = join(t.dir, 'backup-shared-key');
    process.env['CENTRAL_KEY_FILE'] = keyFile;
    try {
      const r = await ctl(source, join(t.dir, 'no-keys-here'), ['backup', '--out', out]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/key files: .*central-key\.json/);
    } finally {
      delete process.env['CENTRAL_KEY_FILE'];
    }
    expect(JSON.parse(readFileSync(join(out, 'keys', 'central-key.json'), 'utf8'))).toMatchObject({
      publicKey: shared.publicKey,
    });
  });

  it('restores into an empty database (a unit under its parent, an account, the key)', async () => {
    const db = await emptyDb();
    const dataDir = join(t.dir, 'restored');
    const r = await ctl(db, dataDir, ['restore', '--from', backup]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/units +2 rows/);
    expect(await units(db)).toEqual(await units(source));
    expect(readFileSync(join(dataDir, 'central-key.json'))).toEqual(readFileSync(join(sourceDir, 'central-key.json')));
    // Not empty any more: refused, unless forced.
    const again = await ctl(db, dataDir, ['restore', '--from', backup]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/is not empty \(rows in .*units.*\): restore into an empty database, or add --force/);
    const forced = await ctl(db, dataDir, ['restore', '--from', backup, '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toMatch(/replaced what was there \(--force\): .*units/);
    expect(forced.stdout).toMatch(/central-key\.json \(unchanged\)/);
    expect(await units(db)).toEqual(await units(source));
  });

  it('refuses a damaged backup before touching the database', async () => {
    const dir = copyOfBackup('damaged');
    const file = join(dir, 'data', 'units.ndjson.gz');
    const bytes = readFileSync(file);
    bytes[bytes.length - 5] = bytes[bytes.length - 5]! ^ 0xff;
    writeFileSync(file, bytes);
    const db = await emptyDb();
    const r = await ctl(db, join(t.dir, 'damaged-data'), ['restore', '--from', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/data\/units\.ndjson\.gz does not match the manifest .*the backup is damaged/);
    expect(await units(db)).toEqual([]);
  });

  it('refuses a backup without its manifest (interrupted) or from a newer release', async () => {
    const unfinished = copyOfBackup('unfinished');
    rmSync(join(unfinished, 'manifest.json'));
    const db = await emptyDb();
    const r = await ctl(db, join(t.dir, 'x'), ['restore', '--from', unfinished]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/has no manifest\.json: not a central backup, or one that did not finish/);
    const newer = copyOfBackup('newer');
    const manifest = JSON.parse(readFileSync(join(newer, 'manifest.json'), 'utf8')) as { schemaVersion: number };
    writeFileSync(join(newer, 'manifest.json'), JSON.stringify({ ...manifest, schemaVersion: 999 }));
    const n = await ctl(db, join(t.dir, 'y'), ['restore', '--from', newer]);
    expect(n.code).toBe(1);
    expect(n.stderr).toMatch(/schema version 999, newer than this release/);
    // A manifest naming a file outside the backup is not a manifest.
    const hostile = copyOfBackup('hostile');
    const m = JSON.parse(readFileSync(join(hostile, 'manifest.json'), 'utf8')) as { tables: { name: string }[] };
    m.tables[0]!.name = '../../etc/passwd';
    writeFileSync(join(hostile, 'manifest.json'), JSON.stringify(m));
    const h = await ctl(db, join(t.dir, 'z'), ['restore', '--from', hostile]);
    expect(h.code).toBe(1);
    expect(h.stderr).toMatch(/is not a central backup manifest: tables\.0\.name/);
    expect(await units(db)).toEqual([]);
  });

  it('refuses to overwrite another central key in the data dir unless forced', async () => {
    const dataDir = join(t.dir, 'other-key');
    const other = loadOrCreateCentralKey(dataDir);
    const db = await emptyDb();
    const r = await ctl(db, dataDir, ['restore', '--from', backup]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/holds another key than the backup's/);
    expect(await units(db)).toEqual([]);
    expect(loadOrCreateCentralKey(dataDir)).toEqual(other);
    const forced = await ctl(db, dataDir, ['restore', '--from', backup, '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toMatch(/central-key\.json \(replaced\)/);
    expect(loadOrCreateCentralKey(dataDir)).toEqual(loadOrCreateCentralKey(sourceDir));
  });

  it('is refused inside a running server (its admin endpoint)', async () => {
    const r = await ctl(source, sourceDir, ['restore', '--from', backup], true);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/a running central server cannot restore over its own database/);
  });

  it('restores a backup of an older schema at that version into a database without tables; starting migrates it', async () => {
    const old = await openPglite();
    fresh.push(old);
    await migrateCentral(old, 6);
    // Schema 6 has no unit tree yet (ensureUnit is today's code).
    await old.query(`INSERT INTO units (id, name) VALUES ('xa-cu', 'Xã cũ')`);
    const oldDir = join(t.dir, 'old-source');
    const oldBackup = join(t.dir, 'old-backup');
    const b = await ctl(old, oldDir, ['backup', '--out', oldBackup]);
    expect(b.code, b.stderr).toBe(0);
    expect(b.stdout).toMatch(/schema version 6/);
    expect(b.stdout).toMatch(/key files: none/);

    const empty = await openPglite();
    fresh.push(empty);
    expect(await centralSchemaVersion(empty)).toBe(0);
    const r = await ctl(empty, join(t.dir, 'old-restored'), ['restore', '--from', oldBackup]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/migrates it from schema 6 to/);
    expect(await centralSchemaVersion(empty)).toBe(6);
    const names = async (db: CentralDb) => (await db.query('SELECT id, name FROM units ORDER BY id')).rows;
    expect(await names(empty)).toEqual(await names(old));
    // What the service does at start: the pending migrations, on the restored rows.
    expect(await migrateCentral(empty)).toBeGreaterThan(0);
    expect(await units(empty)).toEqual([expect.objectContaining({ id: 'xa-cu', parent_id: null })]);
  });
});

describe('centralctl backup while the server holds the PGlite data dir', () => {
  const t = tempDir('central-backup-remote-');
  afterAll(() => t.cleanup());

  it('goes through the server (its admin endpoint) with the key files, and restore is refused', async () => {
    const dataDir = join(t.dir, 'data');
    const central = await startCentral({ dataDir, port: 0, rateLimit: { perIp: false, perDevice: false } });
    try {
      const out = join(t.dir, 'backup');
      const r = await spawnCentralctl(['--data-dir', dataDir, 'backup', '--out', out]);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/key files: .*central-key\.json/);
      expect(readFileSync(join(out, 'keys', 'central-key.json'))).toEqual(
        readFileSync(join(dataDir, 'central-key.json')),
      );
      const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as {
        tables: { name: string; rows: number }[];
      };
      expect(manifest.tables.find((x) => x.name === 'units')?.rows).toBe(1);
      const refused = await spawnCentralctl(['--data-dir', dataDir, 'restore', '--from', out]);
      expect(refused.status).toBe(1);
      expect(refused.stderr).toMatch(/restore replaces the database: stop the server first/);
    } finally {
      await central.close();
    }
  }, 60_000);
});
