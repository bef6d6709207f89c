/**
 * centralctl backup / restore (issue 16): a backup of a central on PostgreSQL restored onto a fresh
 * PostgreSQL cluster gives back every response, device and account, the central key, and a kiosk
 * that carries on syncing without re-enrolment; restored from an OLDER backup, the kiosk (whose
 * acknowledged seq is now ahead of central's) resends what central lost, and reconciliation shows
 * the loss and then its repair. Plus the refusals: a damaged backup, a non-empty target, another key.
 */
import { spawn } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningCentral, openCentralDb, startCentral } from '../../central/index.ts';
import { runCommand } from '../../central/cli/commands.ts';
import { createAdminUser } from '../../central/console/auth/users.ts';
import { loadOrCreateCentralKey } from '../../central/keys.ts';
import { ensureUnit } from '../../central/ops/units.ts';
import type { CentralDb } from '../../central/db/types.ts';
import { listDevices } from '../../central/ops/devices.ts';
import { exportResponses } from '../../central/ops/export.ts';
import { reconcile } from '../../central/ops/reconciliation.ts';
import { ackedThrough } from '../../electron/core/sync/sync-store.ts';
import { ConsoleClient, makeAccount } from '../support/console-client.ts';
import { type PostgresCluster, requirePostgresOrSkip, startPostgres } from '../support/postgres.ts';
import { tempDir } from '../support/tmp.ts';
import { drainReportQueueFully } from '../../central/reports/drain.ts';
import {
  type TestKiosk,
  centralResponses,
  enrolTestKiosk,
  openTestKiosk,
  recordResponses,
  testEngine,
} from '../sync/support/kiosk.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'centralctl.js');
type Run = { status: number | null; stdout: string; stderr: string };

/** centralctl as an operator runs it: a separate process, on PostgreSQL through DATABASE_URL. */
const centralctl = (args: string[], databaseUrl: string): Promise<Run> =>
  new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: databaseUrl },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });

const exported = async (db: CentralDb, format: 'ndjson' | 'csv'): Promise<string> => {
  let text = '';
  await exportResponses(db, format, (chunk) => {
    text += chunk;
  });
  return text;
};

/** What must come back identical: the exports of responses, the devices, the console accounts, the units. */
const snapshot = async (db: CentralDb) => ({
  ndjson: await exported(db, 'ndjson'),
  csv: await exported(db, 'csv'),
  devices: await listDevices(db),
  accounts: (
    await db.query(
      `SELECT id::text, username, display_name, role, unit_id, password_hash, password_is_initial,
              created_at::text, password_changed_at::text, disabled_at::text FROM admin_users ORDER BY id`,
    )
  ).rows,
  units: (await db.query('SELECT id, name, parent_id, kind, created_at::text FROM units ORDER BY id')).rows,
});

/** Every row of every table (as PostgreSQL renders it, sorted) and every sequence: the whole database. */
const wholeDatabase = (db: CentralDb): Promise<Record<string, string[]>> =>
  db.transaction(async (tx) => {
    // One time zone for rendering timestamps, whatever each cluster was initialised with.
    await tx.query(`SET LOCAL TIME ZONE 'UTC'`);
    const out: Record<string, string[]> = {};
    const tables = await tx.query(
      `SELECT relname AS name, relkind AS kind FROM pg_class
        WHERE relnamespace = current_schema()::regnamespace AND relkind IN ('r', 'S') ORDER BY relname`,
    );
    for (const { name, kind } of tables.rows as { name: string; kind: string }[]) {
      const sql =
        kind === 'S'
          ? `SELECT last_value::text || ' ' || is_called::text AS j FROM "${name}"`
          : `SELECT to_json(t)::text AS j FROM "${name}" t ORDER BY 1`;
      out[name] = (await tx.query(sql)).rows.map((r) => String(r['j']));
    }
    return out;
  });

const pg = requirePostgresOrSkip();

describe.skipIf(!pg.ok)('centralctl backup and restore onto a fresh PostgreSQL cluster', () => {
  let source: PostgresCluster;
  let target: PostgresCluster;
  let kiosk: TestKiosk;
  let central: RunningCentral | undefined;
  const dirs = tempDir('central-backup-');
  const sourceDir = join(dirs.dir, 'source-data');
  const backupDir = join(dirs.dir, 'backup-older');
  let port = 0;
  let before: Awaited<ReturnType<typeof snapshot>>;
  let sourceKey = '';

  const start = async (databaseUrl: string, dataDir: string): Promise<RunningCentral> => {
    central = await startCentral({ databaseUrl, dataDir, port, rateLimit: { perIp: false, perDevice: false } });
    port = Number(new URL(central.url).port);
    return central;
  };
  const stop = async (): Promise<void> => {
    await central?.close();
    central = undefined;
  };

  beforeAll(async () => {
    [source, target] = await Promise.all([startPostgres(), startPostgres()]);
    kiosk = openTestKiosk();
  }, 60_000);
  afterAll(async () => {
    await stop();
    kiosk?.close();
    await Promise.all([source?.stop(), target?.stop()]);
    dirs.cleanup();
  });

  it('gives back every response, device and account and the key; the kiosk carries on without re-enrolment', async () => {
    const sourceUrl = await source.createDatabase();
    const first = await start(sourceUrl, sourceDir);
    sourceKey = first.centralKey.publicKey;
    await enrolTestKiosk(kiosk, first);
    recordResponses(kiosk.core, 12);
    const engine = testEngine(kiosk);
    expect(await engine.runOnce()).toMatchObject({ ok: true, responses: 12 });
    await createAdminUser(first.db, { username: 'it-tinh', role: 'province_admin', password: 'mat-khau-dai-du-10' });
    // The server's report job would otherwise count the queued batches between the backup and the read of
    // `everything` below (after the server stops), and the two would differ by when the job ran.
    await drainReportQueueFully(first.db);

    const backup = await centralctl(['--data-dir', sourceDir, 'backup', '--out', backupDir], sourceUrl);
    expect(backup.stderr).toMatch(/backup responses: 12 of 12 rows/);
    expect(backup.status, backup.stderr).toBe(0);
    expect(backup.stdout).toMatch(/responses +12 rows/);
    expect(backup.stdout).toMatch(/key files: .*central-key\.json/);
    // The keys and every answer are in it: private to the service's user.
    expect(statSync(backupDir).mode & 0o777).toBe(0o700);
    expect(statSync(join(backupDir, 'keys', 'central-key.json')).mode & 0o777).toBe(0o600);
    expect(statSync(join(backupDir, 'data', 'responses.ndjson.gz')).mode & 0o777).toBe(0o600);
    before = await snapshot(first.db);
    expect(before.devices).toHaveLength(1);
    await stop();
    const sourceDb = await openCentralDb({ databaseUrl: sourceUrl });
    const everything = await wholeDatabase(sourceDb);
    await sourceDb.close();
    expect(everything['responses']).toHaveLength(12);
    // The report tables came too (counted or still queued): reals, arrays and jsonb round-trip.
    expect((everything['report_facts']?.length ?? 0) + (everything['report_pending']?.length ?? 0)).toBeGreaterThan(0);

    const restoredUrl = await target.createDatabase();
    const restoredDir = join(dirs.dir, 'restored-data');
    const restore = await centralctl(['--data-dir', restoredDir, 'restore', '--from', backupDir], restoredUrl);
    expect(restore.status, restore.stderr).toBe(0);
    expect(restore.stdout).toMatch(/checksums verified/);
    expect(restore.stdout).toMatch(/responses +12 rows/);
    expect(restore.stdout).toMatch(/central-key\.json \(written\)/);
    expect(readFileSync(join(restoredDir, 'central-key.json'))).toEqual(
      readFileSync(join(sourceDir, 'central-key.json')),
    );
    // A second restore into the same database is refused: it is no longer empty.
    const again = await centralctl(['--data-dir', restoredDir, 'restore', '--from', backupDir], restoredUrl);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/is not empty \(rows in .*\): restore into an empty database, or add --force/);

    // Every row of every table and every sequence, before the service touches it.
    const restoredDb = await openCentralDb({ databaseUrl: restoredUrl });
    expect(await wholeDatabase(restoredDb)).toEqual(everything);
    await restoredDb.close();

    const restored = await start(restoredUrl, restoredDir);
    expect(restored.centralKey.publicKey).toBe(sourceKey);
    expect(await snapshot(restored.db)).toEqual(before);

    // Same address, same key: the kiosk syncs on, sends only its new answers, nothing re-enrolled.
    recordResponses(kiosk.core, 5, 2);
    const pass = await engine.runOnce();
    expect(pass).toMatchObject({ ok: true, enrolled: true, responses: 5, inserted: 5, duplicates: 0 });
    expect(await listDevices(restored.db)).toMatchObject([{ responses: 17, highestContiguousSeq: 17, highestSeq: 17 }]);
    await engine.stop();
  }, 120_000);

  it('restored from an older backup, the kiosk resends what central lost and reconciliation shows it', async () => {
    const engine = testEngine(kiosk);
    recordResponses(kiosk.core, 6, 3);
    expect(await engine.runOnce()).toMatchObject({ ok: true, responses: 6 });
    expect(ackedThrough(kiosk.db)).toBe(23);
    await stop();

    // The province's server is lost; the last backup is the one with 12 responses.
    const olderUrl = await target.createDatabase();
    const olderDir = join(dirs.dir, 'older-data');
    const restore = await centralctl(['--data-dir', olderDir, 'restore', '--from', backupDir], olderUrl);
    expect(restore.status, restore.stderr).toBe(0);
    const older = await start(olderUrl, olderDir);

    // The first heartbeat: central holds 1..12, the kiosk says it has 23 and had 23 acknowledged.
    expect(await engine.runOnce({ maxBatches: 0 })).toMatchObject({ ok: true, heartbeat: 'sent', responses: 0 });
    const deviceId = kiosk.deviceId;
    expect(await reconcile(older.db, deviceId)).toMatchObject({
      highestContiguousSeq: 12,
      kioskLastSeq: 23,
      kioskAckedSeq: 23,
      tail: { from: 13, to: 23, count: 11 },
      missing: 11,
    });
    // The kiosk took central's word: 13..23 are unacknowledged again, not skipped for ever.
    expect(ackedThrough(kiosk.db)).toBe(12);
    // The console's device page says what happened, not only that 11 are missing.
    await makeAccount(older.db, 'it-restore');
    const client = new ConsoleClient(older.url);
    await client.login('it-restore');
    const devicePage = async (): Promise<string> => (await client.get(`/devices/${deviceId}`)).text;
    const page = await devicePage();
    expect(page).toMatch(
      /data-testid="reconcile-lost">Ki-ốt cho biết máy chủ đã xác nhận nhận phiếu đến số 23, nhưng nay máy chủ chỉ còn liên tục từ 1 đến 12/,
    );
    expect(page).toMatch(/data-testid="gap-row" data-from="13" data-to="23"/);

    const resend = await engine.runOnce();
    expect(resend).toMatchObject({ ok: true, responses: 11, inserted: 11, duplicates: 0, conflicts: 0 });
    expect(await reconcile(older.db, deviceId)).toMatchObject({
      highestContiguousSeq: 23,
      missing: 0,
      tail: null,
      gaps: [],
    });
    expect(await devicePage()).not.toMatch(/reconcile-lost|gap-row/);
    const held = await centralResponses(older, deviceId);
    expect(held.map((r) => r.seq)).toEqual(Array.from({ length: 23 }, (_, i) => i + 1));
    const mine = kiosk.db.prepare('SELECT id FROM responses ORDER BY seq').all() as { id: string }[];
    expect(held.map((r) => r.id)).toEqual(mine.map((r) => r.id));
    await engine.stop();
  }, 120_000);

  it('a backup of the embedded PGlite restores onto PostgreSQL (moving a commune server to the province)', async () => {
    const pglite = await openCentralDb({ memory: true });
    const pgliteDir = join(dirs.dir, 'pglite-data');
    const pgliteBackup = join(dirs.dir, 'pglite-backup');
    try {
      await ensureUnit(pglite, { id: 'xa-b', name: 'Xã B' });
      await createAdminUser(pglite, {
        username: 'it-xa',
        role: 'unit_viewer',
        unitId: 'xa-b',
        password: 'mat-khau-dai-du-10',
      });
      let err = '';
      const code = await runCommand(['backup', '--out', pgliteBackup], {
        db: pglite,
        centralKey: () => loadOrCreateCentralKey(pgliteDir),
        dataDir: pgliteDir,
        cwd: '/',
        now: () => new Date(),
        out: () => {},
        err: (t) => (err += t),
      });
      expect(code, err).toBe(0);
      const url = await target.createDatabase();
      const r = await centralctl(['--data-dir', join(dirs.dir, 'moved-data'), 'restore', '--from', pgliteBackup], url);
      expect(r.status, r.stderr).toBe(0);
      const moved = await openCentralDb({ databaseUrl: url });
      try {
        expect(await wholeDatabase(moved)).toEqual(await wholeDatabase(pglite));
      } finally {
        await moved.close();
      }
    } finally {
      await pglite.close();
    }
  }, 60_000);
});
