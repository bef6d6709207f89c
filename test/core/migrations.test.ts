import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { LATEST_SCHEMA_VERSION, migrations } from '../../electron/core/db/migrations.ts';
import { DatabaseTooNewError, migrate, openDatabase, schemaVersion } from '../../electron/core/db/open.ts';
import { tempDir } from '../support/tmp.ts';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));
const dbFile = () => {
  const t = tempDir();
  cleanups.push(t.cleanup);
  return join(t.dir, 'kiosk.sqlite');
};

const tables = (db: Database.Database) =>
  (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map(
    (r) => r.name,
  );

/** Data a kiosk at a given schema version could hold, written with that version's tables only. */
const seedAt = (db: Database.Database, version: number) => {
  if (version >= 1) {
    db.prepare(
      "INSERT INTO settings (key, value, updated_at) VALUES ('counterName', '\"Quầy 7\"', '2026-01-01T00:00:00.000Z')",
    ).run();
    db.prepare("INSERT INTO questionnaires (id, version, hash, body) VALUES ('quick', 1, 'h', '{}')").run();
    db.prepare(
      `INSERT INTO responses (seq, id, questionnaire_id, questionnaire_version, procedure_code, field_code, locale, status,
        started_at, submitted_at, duration_ms, answers, flags)
       VALUES (1, '0190a0f0-0000-7000-8000-000000000001', 'quick', 1, '1.001193', 'ho-tich', 'vi', 'complete',
        '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:30.000Z', 30000, '{"overall":5}', 0)`,
    ).run();
  }
  if (version >= 2)
    db.prepare(
      "INSERT INTO audit_log (at, actor, action, details) VALUES ('2026-01-01T00:00:00.000Z', 'staff', 'unlock', '{}')",
    ).run();
  if (version >= 3)
    db.prepare("INSERT INTO procedure_usage (code, use_count, favourite) VALUES ('1.001193', 3, 1)").run();
  if (version >= 4) {
    db.prepare("INSERT INTO sync_acked (seq_from, seq_to, acked_at) VALUES (1, 1, '2026-01-01T00:01:00.000Z')").run();
    db.prepare("UPDATE sync_status SET attempts = 2, last_error_code = 'network' WHERE id = 1").run();
  }
};

describe('migration 6: answer sources and the case-number index', () => {
  it('keeps responses of version 5 (sources NULL), then stores sources and finds a case by its index', () => {
    const file = dbFile();
    const old = openDatabase(file, { migrateTo: 5 });
    seedAt(old, 4);
    old.close();
    const db = openDatabase(file);
    expect(db.prepare('SELECT seq, sources FROM responses').all()).toEqual([{ seq: 1, sources: null }]);
    db.prepare(
      `INSERT INTO responses (seq, id, questionnaire_id, questionnaire_version, procedure_code, field_code, case_number,
        locale, status, started_at, submitted_at, duration_ms, answers, flags, sources)
       VALUES (2, '0190a0f0-0000-7000-8000-000000000002', 'quick', 1, '1.001193', 'ho-tich', 'HS-1', 'vi', 'complete',
        '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:30.000Z', 30000, '{"overall":5}', 0, '{"overall":"citizen"}')`,
    ).run();
    expect(() => db.prepare("UPDATE responses SET sources = 'not json' WHERE seq = 2").run()).toThrow(/CHECK/);
    const plan = db
      .prepare("EXPLAIN QUERY PLAN SELECT 1 FROM responses WHERE case_number = 'HS-1' AND status = 'complete'")
      .all() as { detail: string }[];
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/responses_case_number/);
    db.close();
  });
});

describe('migration 7: counter-bridge invitations', () => {
  const invitation = (id: string, status: string, responseId: string | null) => [
    id,
    'central',
    'q1',
    'HS-1',
    '1.001193',
    status,
    responseId,
  ];
  const insert = `INSERT INTO invitations (id, source, counter_id, case_number, procedure_code, issued_at, expires_at,
      received_at, expires_local_ms, status, status_at, response_id)
    VALUES (?, ?, ?, ?, ?, '2026-01-01T00:00:00.000Z', '2026-01-01T00:10:00.000Z', '2026-01-01T00:00:01.000Z',
      1767226201000, ?, '2026-01-01T00:00:01.000Z', ?)`;

  it('keeps the responses of version 6 and links an answered invitation to one of them, and only to one', () => {
    const file = dbFile();
    const old = openDatabase(file, { migrateTo: 6 });
    seedAt(old, 4);
    old.close();
    const db = openDatabase(file);
    expect(db.prepare('SELECT COUNT(*) AS n FROM responses').get()).toEqual({ n: 1 });
    const row = db.prepare(insert);
    row.run(...invitation('0190a0f0-0000-7000-8000-00000000000a', 'delivered', null));
    row.run(...invitation('0190a0f0-0000-7000-8000-00000000000b', 'answered', '0190a0f0-0000-7000-8000-000000000001'));
    expect(db.prepare('SELECT id, status, reported FROM invitations ORDER BY id').all()).toEqual([
      { id: '0190a0f0-0000-7000-8000-00000000000a', status: 'delivered', reported: 0 },
      { id: '0190a0f0-0000-7000-8000-00000000000b', status: 'answered', reported: 0 },
    ]);
    // An answer names a stored response; only an answered invitation names one; statuses are the contract's.
    expect(() =>
      row.run(
        ...invitation('0190a0f0-0000-7000-8000-00000000000c', 'answered', '0190a0f0-0000-7000-8000-0000000000ff'),
      ),
    ).toThrow(/FOREIGN KEY/);
    expect(() => row.run(...invitation('0190a0f0-0000-7000-8000-00000000000d', 'answered', null))).toThrow(/CHECK/);
    expect(() =>
      row.run(...invitation('0190a0f0-0000-7000-8000-00000000000e', 'expired', '0190a0f0-0000-7000-8000-000000000001')),
    ).toThrow(/CHECK/);
    expect(() => row.run(...invitation('0190a0f0-0000-7000-8000-00000000000f', 'waiting', null))).toThrow(/CHECK/);
    expect(() => row.run(...invitation('0190a0f0-0000-7000-8000-00000000000a', 'delivered', null))).toThrow(/UNIQUE/);
    const plan = db
      .prepare("EXPLAIN QUERY PLAN SELECT * FROM invitations WHERE status = 'delivered' ORDER BY received_at DESC")
      .all() as { detail: string }[];
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/invitations_delivered/);
    db.close();
  });
});

describe('migration 8: LAN bridge clients and pairing codes', () => {
  it('keeps the data of version 6, then holds hashed tokens once each and codes that end one way only', () => {
    const file = dbFile();
    const old = openDatabase(file, { migrateTo: 6 });
    seedAt(old, 4);
    old.close();
    const db = openDatabase(file);
    expect(schemaVersion(db)).toBe(LATEST_SCHEMA_VERSION);
    expect(db.prepare('SELECT COUNT(*) AS n FROM responses').get()).toEqual({ n: 1 });
    const client = db.prepare('INSERT INTO lan_clients (id, label, token_hash, paired_at) VALUES (?, ?, ?, ?)');
    client.run('c1', 'Quầy 1', 'h1', '2026-01-01T00:00:00.000Z');
    expect(() => client.run('c2', 'Quầy 2', 'h1', '2026-01-01T00:00:00.000Z')).toThrow(/UNIQUE/);
    const code = db.prepare(
      'INSERT INTO lan_pairing_codes (code_hash, created_at, expires_at, ended_reason, client_id) VALUES (?, ?, ?, ?, ?)',
    );
    code.run('{}', '2026-01-01T00:00:00.000Z', '2026-01-01T00:10:00.000Z', 'used', 'c1');
    expect(() => code.run('not json', '2026-01-01', '2026-01-01', null, null)).toThrow(/CHECK/);
    expect(() => code.run('{}', '2026-01-01', '2026-01-01', 'forgotten', null)).toThrow(/CHECK/);
    expect(() => code.run('{}', '2026-01-01', '2026-01-01', 'used', 'nobody')).toThrow(/FOREIGN KEY/);
    db.close();
  });
});

describe('migration 9: which paired PC sent which LAN invitation', () => {
  it('keeps the data of version 8, then holds one sender per invitation, a paired PC only', () => {
    const file = dbFile();
    const old = openDatabase(file, { migrateTo: 8 });
    seedAt(old, 4);
    old
      .prepare('INSERT INTO lan_clients (id, label, token_hash, paired_at) VALUES (?, ?, ?, ?)')
      .run('c1', 'Quầy 1', 'h1', '2026-01-01T00:00:00.000Z');
    old.close();
    const db = openDatabase(file);
    expect(schemaVersion(db)).toBe(LATEST_SCHEMA_VERSION);
    expect(db.prepare('SELECT COUNT(*) AS n FROM responses').get()).toEqual({ n: 1 });
    const sender = db.prepare('INSERT INTO lan_invitation_senders (invitation_id, client_id) VALUES (?, ?)');
    sender.run('0190a0f0-0000-7000-8000-000000000001', 'c1');
    expect(() => sender.run('0190a0f0-0000-7000-8000-000000000001', 'c1')).toThrow(/UNIQUE|PRIMARY/);
    expect(() => sender.run('0190a0f0-0000-7000-8000-000000000002', 'nobody')).toThrow(/FOREIGN KEY/);
    db.close();
  });
});

describe('migrations', () => {
  it('are numbered 1..N without gaps', () => {
    expect(migrations.map((m) => m.version)).toEqual(migrations.map((_, i) => i + 1));
    expect(LATEST_SCHEMA_VERSION).toBe(migrations.length);
  });

  it('bring an empty file to the latest version with the pragmas set', () => {
    const db = openDatabase(dbFile());
    expect(schemaVersion(db)).toBe(LATEST_SCHEMA_VERSION);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2); // FULL
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(tables(db)).toEqual([
      'audit_log',
      'config_versions',
      'follow_up_contacts',
      'invitations',
      'lan_clients',
      'lan_invitation_senders',
      'lan_pairing_codes',
      'procedure_usage',
      'questionnaires',
      'responses',
      'settings',
      'state',
      'sync_acked',
      'sync_batches',
      'sync_conflicts',
      'sync_exports',
      'sync_status',
    ]);
    expect(db.prepare('SELECT attempts FROM sync_status WHERE id = 1').get()).toEqual({ attempts: 0 });
    db.close();
  });

  // One test per starting version: data written under version k survives the upgrade to the latest.
  for (let from = 1; from < LATEST_SCHEMA_VERSION; from++) {
    it(`upgrade from version ${from} keeps its data`, () => {
      const file = dbFile();
      const old = openDatabase(file, { migrateTo: from });
      expect(schemaVersion(old)).toBe(from);
      seedAt(old, from);
      old.close();

      const db = openDatabase(file);
      expect(schemaVersion(db)).toBe(LATEST_SCHEMA_VERSION);
      expect(db.prepare('SELECT COUNT(*) AS n FROM responses').get()).toEqual({ n: 1 });
      expect(db.prepare("SELECT value FROM settings WHERE key = 'counterName'").get()).toEqual({ value: '"Quầy 7"' });
      if (from >= 2) expect(db.prepare('SELECT COUNT(*) AS n FROM audit_log').get()).toEqual({ n: 1 });
      // the tables added after `from` exist and are usable
      db.prepare(
        "INSERT INTO audit_log (at, actor, action, details) VALUES ('2026-01-02T00:00:00.000Z', 'system', 'test', '{}')",
      ).run();
      db.prepare("INSERT INTO procedure_usage (code) VALUES ('2.000908') ON CONFLICT DO NOTHING").run();
      db.prepare(
        "INSERT INTO sync_acked (seq_from, seq_to, acked_at) VALUES (5, 6, '2026-01-02T00:00:00.000Z') ON CONFLICT DO NOTHING",
      ).run();
      expect(db.prepare('SELECT COUNT(*) AS n FROM sync_status').get()).toEqual({ n: 1 });
      // Migration 5: a contact row points at an existing response, and only at one.
      const contact = db.prepare('INSERT INTO follow_up_contacts (response_id, body) VALUES (?, ?)');
      contact.run('0190a0f0-0000-7000-8000-000000000001', '{}');
      expect(() => contact.run('0190a0f0-0000-7000-8000-0000000000ff', '{}')).toThrow(/FOREIGN KEY/);
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      db.close();
    });
  }

  it('run all pending steps in one transaction: a failing step leaves the file at its old version', () => {
    const file = dbFile();
    openDatabase(file, { migrateTo: 1 }).close();
    const db = new Database(file);
    const broken = [
      ...migrations,
      {
        version: LATEST_SCHEMA_VERSION + 1,
        name: 'broken',
        up: (d: Database.Database) => d.exec('CREATE TABLE nonsense (x INTEGER) STRICT; SELECT * FROM no_such_table;'),
      },
    ];
    expect(() => migrate(db, LATEST_SCHEMA_VERSION + 1, broken)).toThrow(/no_such_table/);
    expect(schemaVersion(db)).toBe(1);
    expect(tables(db)).not.toContain('audit_log');
    expect(tables(db)).not.toContain('nonsense');
    db.close();
  });

  it('refuse a database written by a newer app, without touching it', () => {
    const file = dbFile();
    const db = openDatabase(file);
    db.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => openDatabase(file)).toThrow(DatabaseTooNewError);
    expect(() => openDatabase(file, { readonly: true })).toThrow(/newer than this app supports/);
    const raw = new Database(file, { readonly: true });
    expect(schemaVersion(raw)).toBe(LATEST_SCHEMA_VERSION + 1);
    raw.close();
  });
});
