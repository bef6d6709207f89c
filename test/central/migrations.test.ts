import { expect, test } from 'vitest';
import { drainReportQueueFully } from '../../central/reports/drain.ts';
import { openPglite } from '../../central/db/pglite.ts';
import { openPostgres } from '../../central/db/postgres.ts';
import {
  type CentralDb,
  CentralSchemaTooNewError,
  LATEST_CENTRAL_SCHEMA,
  centralSchemaVersion,
  migrateCentral,
  openCentralDb,
  storeBatch,
} from '../../central/index.ts';
import { migrations } from '../../central/db/migrations.ts';
import { makeSigned, newKeyPair, privateKeyFrom } from '../../shared/node/signing.ts';
import type { Backend } from '../support/central.ts';
import { sharedPostgres } from '../support/postgres.ts';
import { forEachBackend } from './backends.ts';
import { reportFixture } from './reports-aggregate-fixture.ts';
import { type ReportTables, readReportTables, rebuiltReportTables } from './reports-aggregate-tables.ts';
import { questionnaireFinder } from '../../central/reports/rebuild.ts';
import { writeAggregates } from '../../central/reports/write-aggregates.ts';
import { uuidv7 } from '../../shared/ids.ts';
import { makeDevice, makeResponse } from '../support/central.ts';
import { PER_CASE_QUESTIONS } from '../support/responses.ts';

let blankImage: Promise<Blob> | undefined;

/** A database with no schema at all (PGlite: from an image of a fresh one, since initdb takes seconds). */
const blankDb = async (backend: Backend): Promise<{ db: CentralDb; url?: string }> => {
  if (backend === 'pglite') {
    blankImage ??= openPglite().then(async (first) => {
      const image = await first.dump();
      await first.close();
      return image;
    });
    return { db: await openPglite(undefined, await blankImage) };
  }
  const url = await (await sharedPostgres()).createDatabase();
  return { db: await openPostgres(url), url };
};

/** How many migrations a database at `version` still has to apply (versions may skip numbers while branches land). */
const pendingAfter = (version: number): number => migrations.filter((m) => m.version > version).length;

const tables = async (db: CentralDb): Promise<string[]> =>
  (
    await db.query(`SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`)
  ).rows.map((r) => String(r['t']));

const withBlank = async (backend: Backend, fn: (db: CentralDb, url?: string) => Promise<void>): Promise<void> => {
  const { db, url } = await blankDb(backend);
  try {
    await fn(db, url);
  } finally {
    await db.close();
  }
};

forEachBackend('central migrations', (backend) => {
  test('1: units, enrolment codes, devices (from an empty database)', async () => {
    await withBlank(backend, async (db) => {
      expect(await centralSchemaVersion(db)).toBe(0);
      expect(await migrateCentral(db, 1)).toBe(1);
      expect(await centralSchemaVersion(db)).toBe(1);
      expect(await tables(db)).toEqual(['devices', 'enrolment_codes', 'schema_migrations', 'units']);
    });
  });

  test('2: responses, conflicts, batches, progress (from 1, with devices in place: each gets its progress row)', async () => {
    await withBlank(backend, async (db) => {
      await migrateCentral(db, 1);
      await db.query(`INSERT INTO units (id, name) VALUES ('xa-a', 'Xã A')`);
      await db.query(
        `INSERT INTO devices (id, unit_id, public_key, app_version, enrolled_at) VALUES ('dev-1', 'xa-a', 'k', '0.1.0', now())`,
      );
      expect(await migrateCentral(db, 2)).toBe(1);
      expect((await db.query('SELECT device_id, highest_contiguous_seq AS h FROM device_progress')).rows).toEqual([
        { device_id: 'dev-1', h: 0 },
      ]);
      expect(await tables(db)).toEqual(
        expect.arrayContaining(['responses', 'conflicts', 'batches', 'device_progress']),
      );
    });
  });

  test('3: configurations and questionnaire versions (from 2, data intact)', async () => {
    await withBlank(backend, async (db) => {
      await migrateCentral(db, 2);
      await db.query(`INSERT INTO units (id, name) VALUES ('xa-a', 'Xã A')`);
      expect(await migrateCentral(db, 3)).toBe(1);
      expect(await centralSchemaVersion(db)).toBe(3);
      expect((await db.query('SELECT id FROM units')).rows).toEqual([{ id: 'xa-a' }]);
      expect(await tables(db)).toEqual(expect.arrayContaining(['configs', 'questionnaires']));
      expect(await migrateCentral(db, 3)).toBe(0);
    });
  });

  test('4: web console accounts, sessions, audit log, drafts (from 3, data intact; a unit viewer must have a unit)', async () => {
    await withBlank(backend, async (db) => {
      await migrateCentral(db, 3);
      await db.query(`INSERT INTO units (id, name) VALUES ('xa-a', 'Xã A')`);
      expect(await migrateCentral(db, 4)).toBe(1);
      expect(await centralSchemaVersion(db)).toBe(4);
      expect((await db.query('SELECT id FROM units')).rows).toEqual([{ id: 'xa-a' }]);
      expect(await tables(db)).toEqual(
        expect.arrayContaining(['admin_users', 'admin_sessions', 'admin_audit', 'config_drafts']),
      );
      const insert = (role: string, unit: string | null) =>
        db.query(
          `INSERT INTO admin_users (username, display_name, role, unit_id, password_hash, created_at, password_changed_at) VALUES ($1, 'x', $2, $3, 'h', now(), now())`,
          [`u-${role.replace('_', '-')}-${unit ?? 'none'}`, role, unit],
        );
      await expect(insert('unit_viewer', null)).rejects.toThrow();
      await expect(insert('province_admin', 'xa-a')).rejects.toThrow();
      await insert('unit_viewer', 'xa-a');
      await insert('province_admin', null);
      expect(await migrateCentral(db)).toBe(migrations.filter((m) => m.version > 4).length);
    });
  });

  test('6: refused responses, per-unit questionnaires backfilled from published configs, received seqs (from 5, data intact)', async () => {
    await withBlank(backend, async (db) => {
      await migrateCentral(db, 5);
      await db.query(`INSERT INTO units (id, name) VALUES ('xa-a', 'Xã A'), ('xa-b', 'Xã B')`);
      await db.query(
        `INSERT INTO devices (id, unit_id, public_key, app_version, enrolled_at) VALUES ('dev-1', 'xa-a', 'k', '0.1.0', now())`,
      );
      await db.query(
        `INSERT INTO device_progress (device_id, highest_contiguous_seq, responses) VALUES ('dev-1', 1, 1)`,
      );
      await db.query(
        `INSERT INTO responses (device_id, response_id, seq, content_hash, body, received_at, batch_id)
         VALUES ('dev-1', '01900000-0000-7000-8000-000000000001', 1, 'h1', '{"seq":1}', now(), '01900000-0000-7000-8000-0000000000b1')`,
      );
      for (const [id, version] of [
        ['quick', 1],
        ['quick', 2],
        ['sipas', 1],
      ] as const)
        await db.query(
          `INSERT INTO questionnaires (id, version, hash, body, first_published_at) VALUES ($1, $2, 'h', '{}', now())`,
          [id, version],
        );
      // Signed documents as publishConfig stores them: the bundle inside a base64url payload (with Vietnamese text).
      const key = newKeyPair();
      const doc = (questionnaires: { id: string; version: number }[]) =>
        JSON.stringify(
          makeSigned(
            'kconfig',
            'central',
            {
              version: 'v',
              publishedAt: new Date().toISOString(),
              bundle: { name: 'Cấu hình ổn định', questionnaires },
            },
            privateKeyFrom(key.privateKey),
          ),
        );
      const publish = (unit: string, at: string, questionnaires: { id: string; version: number }[]) =>
        db.query(`INSERT INTO configs (unit_id, version, hash, document, published_at) VALUES ($1, 'v', 'h', $2, $3)`, [
          unit,
          doc(questionnaires),
          at,
        ]);
      await publish('xa-a', '2026-01-01T00:00:00Z', [{ id: 'quick', version: 1 }]);
      await publish('xa-a', '2026-02-01T00:00:00Z', [
        { id: 'quick', version: 2 },
        { id: 'sipas', version: 1 },
      ]);
      await publish('xa-b', '2026-03-01T00:00:00Z', [{ id: 'quick', version: 1 }]);

      expect(await migrateCentral(db, 6)).toBe(1);
      expect(await centralSchemaVersion(db)).toBe(6);
      expect(
        (
          await db.query(
            `SELECT unit_id, questionnaire_id AS id, version, first_published_at AS at FROM unit_questionnaires ORDER BY 1, 2, 3`,
          )
        ).rows.map((r) => [r['unit_id'], r['id'], r['version'], new Date(String(r['at'])).toISOString()]),
      ).toEqual([
        ['xa-a', 'quick', 1, '2026-01-01T00:00:00.000Z'],
        ['xa-a', 'quick', 2, '2026-02-01T00:00:00.000Z'],
        ['xa-a', 'sipas', 1, '2026-02-01T00:00:00.000Z'],
        ['xa-b', 'quick', 1, '2026-03-01T00:00:00.000Z'],
      ]);
      expect((await db.query(`SELECT refused::int AS refused FROM device_progress`)).rows).toEqual([{ refused: 0 }]);
      await db.query(
        `INSERT INTO refused_responses (device_id, response_id, seq, reason, detail, content_hash, body, received_at, batch_id)
         VALUES ('dev-1', '01900000-0000-7000-8000-000000000002', 2, 'invalid_answers', 'x: no such question', 'h2', '{"seq":2}', now(), '01900000-0000-7000-8000-0000000000b2')`,
      );
      await expect(
        db.query(
          `INSERT INTO refused_responses (device_id, response_id, seq, reason, detail, content_hash, body, received_at, batch_id)
           VALUES ('dev-1', '01900000-0000-7000-8000-000000000003', 3, 'because', '', 'h3', '{}', now(), '01900000-0000-7000-8000-0000000000b2')`,
        ),
      ).rejects.toThrow();
      expect(
        (await db.query(`SELECT seq FROM received_seqs WHERE device_id = 'dev-1' ORDER BY seq`)).rows.map(
          (r) => r['seq'],
        ),
      ).toEqual([1, 2]);
      // Migration 7 came later; its rebuild skips this test's placeholder body ({"seq":1} is no response).
      expect(await migrateCentral(db)).toBe(pendingAfter(6));
      expect((await db.query('SELECT count(*)::int AS n FROM report_facts')).rows).toEqual([{ n: 0 }]);
    });
  });

  test('7: unit tree, report tables rebuilt from the stored responses as the ingest would have written them (from 6)', async () => {
    const surveyed = await reportFixture();
    await withBlank(backend, async (db) => {
      await migrateCentral(db, 6);
      await surveyed.seed(db);
      await db.query(
        `INSERT INTO responses (device_id, response_id, seq, content_hash, body, received_at, batch_id)
         SELECT $1, t.id, t.seq, 'h', t.body, now(), '01900000-0000-7000-8000-0000000000b1'
           FROM json_to_recordset($2::json) AS t (id uuid, seq int, body jsonb)`,
        [surveyed.deviceId, JSON.stringify(surveyed.responses.map((r) => ({ id: r.id, seq: r.seq, body: r })))],
      );
      // Stored before central checked responses: a questionnaire version found nowhere, on another unit's device.
      await db.query(
        `INSERT INTO responses (device_id, response_id, seq, content_hash, body, received_at, batch_id)
         VALUES ('dev-old', $1, 1, 'h', $2, now(), '01900000-0000-7000-8000-0000000000b2')`,
        [surveyed.orphan.id, JSON.stringify(surveyed.orphan)],
      );
      expect(await migrateCentral(db, 7)).toBe(1);
      expect(await centralSchemaVersion(db)).toBe(7);
      // The rebuild counted every stored response: nothing is left queued for the report job.
      expect((await db.query('SELECT count(*)::int AS n FROM report_pending')).rows).toEqual([{ n: 0 }]);

      // Exactly what the ingest writes for the same responses into a database made at the latest schema.
      const { db: ingested } = await blankDb(backend);
      try {
        await migrateCentral(ingested);
        await surveyed.seed(ingested);
        const envelope = { ...surveyed.envelope, responses: surveyed.responses };
        expect((await storeBatch(ingested, envelope, 'http', new Date())).inserted).toBe(surveyed.responses.length);
        expect(await drainReportQueueFully(ingested)).toEqual({ batches: 1, responses: surveyed.responses.length });
        const ofUnitA = (t: ReportTables) =>
          Object.fromEntries(
            Object.entries(t).map(([k, rows]) => [
              k,
              rows.filter((r) => (r as { unit_id: string }).unit_id === 'xa-a'),
            ]),
          );
        const migrated = await readReportTables(db, true);
        expect(ofUnitA(migrated)).toEqual(await readReportTables(ingested, true));
        expect(migrated.facts).toHaveLength(surveyed.responses.length + 1);
      } finally {
        await ingested.close();
      }
      // The orphan: counted as a response under kind "custom", none of its answers.
      expect((await db.query(`SELECT kind, complete, score FROM report_facts WHERE unit_id = 'xa-b'`)).rows).toEqual([
        { kind: 'custom', complete: true, score: null },
      ]);
      expect(
        (await db.query(`SELECT question_id, value, n::int AS n FROM report_daily WHERE unit_id = 'xa-b'`)).rows,
      ).toEqual([{ question_id: '_status', value: 'complete', n: 1 }]);
      // Hand-checked figures: 3 complete quick answers (overall 5, 5, 2) and one abandoned.
      expect(
        (
          await db.query(
            `SELECT question_id, value, sum(n)::int AS n FROM report_monthly
              WHERE unit_id = 'xa-a' AND questionnaire_id = 'quick' AND question_id IN ('_status', 'overall', 'problems')
              GROUP BY 1, 2 ORDER BY 1, 2`,
          )
        ).rows,
      ).toEqual([
        { question_id: '_status', value: 'abandoned', n: 1 },
        { question_id: '_status', value: 'complete', n: 3 },
        { question_id: 'overall', value: '2', n: 1 },
        { question_id: 'overall', value: '5', n: 2 },
        { question_id: 'problems', value: 'cho-lau', n: 1 },
      ]);

      // Units keep working: roots of kind "unit", not public; the device's next batch is stored and counted.
      expect((await db.query(`SELECT id, parent_id, kind, public_report FROM units ORDER BY id`)).rows).toEqual([
        { id: 'xa-a', parent_id: null, kind: 'unit', public_report: false },
        { id: 'xa-b', parent_id: null, kind: 'unit', public_report: false },
      ]);
      // This code drains into migration 8's roll-ups too, so the next batch comes once the database is at
      // the latest schema (as it always is when central serves: it migrates on start).
      expect(await migrateCentral(db)).toBe(pendingAfter(7));
      const next = { ...surveyed.next, seq: surveyed.responses.length + 1 };
      const ack = await storeBatch(
        db,
        { ...surveyed.envelope, seqFrom: next.seq, seqTo: next.seq, responses: [next] },
        'http',
        new Date(),
      );
      expect(ack.inserted).toBe(1);
      expect((await db.query('SELECT device_id, seqs FROM report_pending')).rows).toEqual([
        { device_id: surveyed.deviceId, seqs: [next.seq] },
      ]);
      expect(await drainReportQueueFully(db)).toEqual({ batches: 1, responses: 1 });
      expect((await db.query(`SELECT count(*)::int AS n FROM report_facts WHERE unit_id = 'xa-a'`)).rows).toEqual([
        { n: surveyed.responses.length + 1 },
      ]);
    });
  });

  test('5: login failures per account and address (from 4, accounts intact, the per-account lock columns gone)', async () => {
    await withBlank(backend, async (db) => {
      await migrateCentral(db, 4);
      await db.query(
        `INSERT INTO admin_users (username, display_name, role, password_hash, created_at, password_changed_at, failed_logins, locked_until)
         VALUES ('it-tinh', 'IT', 'province_admin', 'h', now(), now(), 7, now() + interval '1 hour')`,
      );
      expect(await migrateCentral(db, 5)).toBe(1);
      expect(await centralSchemaVersion(db)).toBe(5);
      expect((await db.query('SELECT username FROM admin_users')).rows).toEqual([{ username: 'it-tinh' }]);
      expect(await tables(db)).toEqual(expect.arrayContaining(['admin_login_failures']));
      await expect(db.query('SELECT failed_logins FROM admin_users')).rejects.toThrow();
      const insert = (address: string, failures: number) =>
        db.query(
          `INSERT INTO admin_login_failures (user_id, address, failures, first_failed_at, last_failed_at)
           SELECT id, $1, $2, now(), now() FROM admin_users`,
          [address, failures],
        );
      await insert('203.0.113.7', 3);
      await insert('198.51.100.9', 1);
      await expect(insert('203.0.113.7', 1)).rejects.toThrow(); // one row per (account, address)
      await expect(insert('192.0.2.1', 0)).rejects.toThrow();
      // Deleting an account deletes its counts.
      await db.query('DELETE FROM admin_users');
      expect((await db.query('SELECT count(*)::int AS n FROM admin_login_failures')).rows).toEqual([{ n: 0 }]);
      expect(await migrateCentral(db)).toBe(pendingAfter(5));
    });
  });

  test('9: follow-ups, their settings, the follow-up officer role, contact counts per batch (from 7, data intact)', async () => {
    await withBlank(backend, async (db) => {
      await migrateCentral(db, 7);
      await db.query(`INSERT INTO units (id, name) VALUES ('xa-a', 'Xã A')`);
      await db.query(
        `INSERT INTO devices (id, unit_id, public_key, app_version, enrolled_at) VALUES ('dev-1', 'xa-a', 'k', '0.1.0', now())`,
      );
      await db.query(
        `INSERT INTO batches (batch_id, device_id, seq_from, seq_to, via, received, inserted, duplicates, conflicts, received_at)
         VALUES ('01900000-0000-7000-8000-0000000000b1', 'dev-1', 1, 1, 'http', 1, 1, 0, 0, now())`,
      );
      const user = (name: string, role: string, unit: string | null) =>
        db.query(
          `INSERT INTO admin_users (username, display_name, role, unit_id, password_hash, created_at, password_changed_at) VALUES ($1, 'x', $2, $3, 'h', now(), now())`,
          [name, role, unit],
        );
      await user('xem-xa-a', 'unit_viewer', 'xa-a');
      await expect(user('cb-xa-a', 'follow_up_officer', 'xa-a')).rejects.toThrow();
      expect(await migrateCentral(db, 9)).toBe(pendingAfter(7) - pendingAfter(9));
      expect(await tables(db)).toEqual(expect.arrayContaining(['follow_ups', 'follow_up_notes', 'follow_up_settings']));
      expect((await db.query('SELECT username, role FROM admin_users')).rows).toEqual([
        { username: 'xem-xa-a', role: 'unit_viewer' },
      ]);
      await user('cb-xa-a', 'follow_up_officer', 'xa-a');
      await expect(user('cb-none', 'follow_up_officer', null)).rejects.toThrow();
      await expect(user('tinh-xa', 'province_admin', 'xa-a')).rejects.toThrow();
      await expect(user('bad-role', 'caller', 'xa-a')).rejects.toThrow();
      expect(
        (
          await db.query(
            'SELECT due_working_days, retention_days, cardinality(holidays) AS h, contact_key_id FROM follow_up_settings',
          )
        ).rows,
      ).toEqual([{ due_working_days: 5, retention_days: 30, h: 0, contact_key_id: null }]);
      expect((await db.query('SELECT contacts, contacts_dropped FROM batches')).rows).toEqual([
        { contacts: 0, contacts_dropped: 0 },
      ]);
      // A follow-up must point to a stored response, and an erased one keeps no sealed contact.
      await expect(
        db.query(
          `INSERT INTO follow_ups (device_id, response_id, unit_id, consent_purpose, consent_text_version, consent_locale,
                                   consent_given_at, sealed, received_at, due_at)
           VALUES ('dev-1', '01900000-0000-7000-8000-000000000001', 'xa-a', 'follow-up', 'v1', 'vi', now(), '{}', now(), now())`,
        ),
      ).rejects.toThrow();
      expect(await migrateCentral(db)).toBe(pendingAfter(9));
    });
  });

  test('10: shared rate-limit counters and the central identity (from 7, data intact)', async () => {
    await withBlank(backend, async (db) => {
      await migrateCentral(db, 7);
      await db.query(`INSERT INTO units (id, name) VALUES ('xa-a', 'Xã A') ON CONFLICT DO NOTHING`);
      await migrateCentral(db, 10);
      expect(await centralSchemaVersion(db)).toBe(10);
      expect((await db.query(`SELECT name FROM units WHERE id = 'xa-a'`)).rows).toEqual([{ name: 'Xã A' }]);
      expect(await tables(db)).toEqual(expect.arrayContaining(['central_identity', 'rate_limit_counters']));
      // One counter per key; hits are positive.
      const hit = (key: string, hits: number) =>
        db.query(`INSERT INTO rate_limit_counters (key, window_ends_at, hits) VALUES ($1, now(), $2)`, [key, hits]);
      await hit('v1-address:203.0.113.7', 1);
      await expect(hit('v1-address:203.0.113.7', 1)).rejects.toThrow();
      await expect(hit('v1-device:x', 0)).rejects.toThrow();
      // At most one recorded key.
      await db.query(`INSERT INTO central_identity (public_key) VALUES ('a')`);
      await expect(db.query(`INSERT INTO central_identity (public_key) VALUES ('b')`)).rejects.toThrow();
      await expect(
        db.query(`INSERT INTO central_identity (only_row, public_key) VALUES (false, 'b')`),
      ).rejects.toThrow();
      expect(await migrateCentral(db)).toBe(pendingAfter(10));
    });
  });

  test('11: integration keys, bridge invitations, the counter of a device (from 10, devices intact)', async () => {
    await withBlank(backend, async (db) => {
      await migrateCentral(db, 10);
      await db.query(`INSERT INTO units (id, name) VALUES ('xa-a', 'Xã A') ON CONFLICT DO NOTHING`);
      await db.query(
        `INSERT INTO devices (id, unit_id, public_key, app_version, enrolled_at) VALUES ('kiosk-1', 'xa-a', 'pk', '1', now())`,
      );
      const user = (name: string, role: string, unit: string | null) =>
        db.query(
          `INSERT INTO admin_users (username, display_name, role, unit_id, password_hash, created_at, password_changed_at) VALUES ($1, 'x', $2, $3, 'h', now(), now())`,
          [name, role, unit],
        );
      await user('cb-fu', 'follow_up_officer', 'xa-a');
      await expect(user('quay-xa-a', 'counter_officer', 'xa-a')).rejects.toThrow();
      await migrateCentral(db, 11);
      // The counter officer role exists now, scoped to a unit like every role but the province admin's.
      await user('quay-xa-a', 'counter_officer', 'xa-a');
      await expect(user('quay-none', 'counter_officer', null)).rejects.toThrow();
      expect((await db.query(`SELECT count(*)::int AS n FROM admin_users`)).rows).toEqual([{ n: 2 }]);
      expect(await centralSchemaVersion(db)).toBe(11);
      expect(await tables(db)).toEqual(expect.arrayContaining(['integration_keys', 'bridge_invitations']));
      // Existing devices stand at no counter until IT places them; a counter id is a StaffRef.
      expect((await db.query(`SELECT counter_id FROM devices`)).rows).toEqual([{ counter_id: null }]);
      await db.query(`UPDATE devices SET counter_id = 'quay-3'`);
      await expect(db.query(`UPDATE devices SET counter_id = 'quầy 3'`)).rejects.toThrow();
      const key = (hash: string, units: string) =>
        db.query(
          `INSERT INTO integration_keys (id, label, key_hash, unit_ids, created_by) VALUES (gen_random_uuid(), 'mc', $1, $2::text[], 'cli')`,
          [hash, units],
        );
      await key('a'.repeat(64), '{xa-a}');
      await expect(key('a'.repeat(64), '{xa-a}')).rejects.toThrow(); // hashes are unique
      await expect(key('b'.repeat(64), '{}')).rejects.toThrow(); // a key covers at least one unit
      await expect(key('secret', '{xa-a}')).rejects.toThrow(); // only a hash is stored
      const invite = (status: string, expires = `now() + interval '10 minutes'`) =>
        db.query(
          `INSERT INTO bridge_invitations (id, unit_id, counter_id, case_number, procedure_code, issued_by, created_at, expires_at, status, status_at)
           VALUES (gen_random_uuid(), 'xa-a', 'quay-3', 'HS-1', '1.001193', 'cli', now(), ${expires}, $1, now())`,
          [status],
        );
      for (const s of ['waiting', 'delivered', 'answered', 'expired', 'replaced', 'refused']) await invite(s);
      await expect(invite('lost')).rejects.toThrow();
      await expect(invite('waiting', `now() - interval '1 second'`)).rejects.toThrow();
      expect(await migrateCentral(db)).toBe(pendingAfter(11));
    });
  });

  test('15: a case number counted twice in a unit before the rule is recounted once; the index of counted case numbers (from 14)', async () => {
    await withBlank(backend, async (db) => {
      await migrateCentral(db, 14);
      await db.query(`INSERT INTO units (id, name) VALUES ('xa-a', 'Xã A') ON CONFLICT DO NOTHING`);
      await db.query(`INSERT INTO devices (id, unit_id, public_key, app_version, enrolled_at)
                      VALUES ('kiosk-1', 'xa-a', 'pk', '1', now()), ('kiosk-2', 'xa-a', 'pk', '1', now())`);
      const evaluation = (deviceId: string, caseNumber: string, at: string, points: number) =>
        makeResponse({ ...makeDevice(), id: deviceId }, 1 + Number(caseNumber.slice(3)), {
          id: uuidv7(Date.parse(at)),
          questionnaireId: 'per-case',
          caseNumber,
          startedAt: at,
          submittedAt: at,
          answers: Object.fromEntries(PER_CASE_QUESTIONS.map((id) => [id, points])),
        });
      const stored = [
        evaluation('kiosk-1', 'HS-1', '2026-11-10T02:00:00.000Z', 2),
        evaluation('kiosk-2', 'HS-1', '2026-11-09T02:00:00.000Z', 0), // the earlier: counted after the migration
        evaluation('kiosk-2', 'HS-2', '2026-11-11T02:00:00.000Z', 1),
      ];
      await db.query(
        `INSERT INTO responses (device_id, response_id, seq, content_hash, body, received_at, batch_id)
         SELECT t.device_id, t.id, t.seq, 'h', t.body, now(), '01900000-0000-7000-8000-0000000000c1'
           FROM json_to_recordset($1::json) AS t (device_id text, id uuid, seq int, body jsonb)`,
        [JSON.stringify(stored.map((r) => ({ device_id: r.deviceId, id: r.id, seq: r.seq, body: r })))],
      );
      // Drained before the rule: each batch counted on its own, so HS-1 twice.
      const find = await questionnaireFinder(db);
      for (const r of stored)
        await writeAggregates(db, [
          {
            response: r,
            place: { deviceId: r.deviceId, responseId: r.id, unitId: 'xa-a' },
            questionnaire: find('xa-a', 'per-case', 1),
          },
        ]);
      const flags = async () =>
        (await db.query(`SELECT device_id, case_number, flagged FROM report_facts ORDER BY device_id, case_number`))
          .rows;
      expect(await flags()).toEqual([
        { device_id: 'kiosk-1', case_number: 'HS-1', flagged: false },
        { device_id: 'kiosk-2', case_number: 'HS-1', flagged: false },
        { device_id: 'kiosk-2', case_number: 'HS-2', flagged: false },
      ]);
      expect(await migrateCentral(db, 15)).toBe(1);
      expect(await centralSchemaVersion(db)).toBe(15);
      expect(await flags()).toEqual([
        { device_id: 'kiosk-1', case_number: 'HS-1', flagged: true },
        { device_id: 'kiosk-2', case_number: 'HS-1', flagged: false },
        { device_id: 'kiosk-2', case_number: 'HS-2', flagged: false },
      ]);
      const counted = await db.query(
        `SELECT flagged, value, sum(n)::int AS n FROM report_monthly_unit WHERE question_id = '_status' GROUP BY 1, 2 ORDER BY 1, 2`,
      );
      expect(counted.rows).toEqual([
        { flagged: false, value: 'complete', n: 2 },
        { flagged: true, value: 'complete', n: 1 },
      ]);
      expect(await readReportTables(db)).toEqual(await rebuiltReportTables(db));
      expect(
        (await db.query(`SELECT indexname FROM pg_indexes WHERE indexname = 'report_facts_open_cases'`)).rows,
      ).toEqual([{ indexname: 'report_facts_open_cases' }]);
      expect(await migrateCentral(db)).toBe(pendingAfter(15));
    });
  });

  test('16: report_daily and report_monthly leave a fifth of each new page free, their counts intact (from 15)', async () => {
    await withBlank(backend, async (db) => {
      await migrateCentral(db, 15);
      await db.query(`INSERT INTO units (id, name) VALUES ('xa-a', 'Xã A') ON CONFLICT DO NOTHING`);
      await db.query(
        `INSERT INTO report_daily (unit_id, day, questionnaire_id, version, field_code, procedure_code, officer_id, counter_id,
                                   flagged, question_id, value, n)
         VALUES ('xa-a', '2026-11-10', 'quick', 1, '', '', '', '', false, '_status', 'complete', 3)`,
      );
      const fillfactors = async () =>
        (
          await db.query(
            `SELECT relname, reloptions FROM pg_class WHERE relname IN ('report_daily', 'report_monthly') ORDER BY relname`,
          )
        ).rows;
      expect(await fillfactors()).toEqual([
        { relname: 'report_daily', reloptions: null },
        { relname: 'report_monthly', reloptions: null },
      ]);
      expect(await migrateCentral(db, 16)).toBe(1);
      expect(await fillfactors()).toEqual([
        { relname: 'report_daily', reloptions: ['fillfactor=80'] },
        { relname: 'report_monthly', reloptions: ['fillfactor=80'] },
      ]);
      expect((await db.query(`SELECT n::int AS n FROM report_daily WHERE unit_id = 'xa-a'`)).rows).toEqual([{ n: 3 }]);
      expect(await migrateCentral(db)).toBe(pendingAfter(16));
    });
  });

  test('13: read-aloud clips, one per text, bytes matching the audio (from 10, data intact)', async () => {
    await withBlank(backend, async (db) => {
      await migrateCentral(db, 10);
      await db.query(`INSERT INTO units (id, name) VALUES ('xa-a', 'Xã A') ON CONFLICT DO NOTHING`);
      await migrateCentral(db, 13);
      expect(await centralSchemaVersion(db)).toBe(13);
      expect((await db.query(`SELECT name FROM units WHERE id = 'xa-a'`)).rows).toEqual([{ name: 'Xã A' }]);
      const clip = (text: string, audio: string, bytes: number) =>
        db.query(
          `INSERT INTO read_aloud_clips (text_sha256, locale, audio_sha256, mime, bytes, audio, text)
           VALUES ($1, 'vi', $2, 'audio/wav', $3, convert_to('abc', 'UTF8'), 'Câu hỏi')`,
          [text, audio, bytes],
        );
      await clip('a'.repeat(64), 'b'.repeat(64), 3);
      await expect(clip('a'.repeat(64), 'c'.repeat(64), 3)).rejects.toThrow(); // one clip per text
      await expect(clip('d'.repeat(64), 'b'.repeat(64), 4)).rejects.toThrow(); // size must be the audio's
      await expect(clip('E'.repeat(64), 'b'.repeat(64), 3)).rejects.toThrow(); // lower-case hex only
      expect(await migrateCentral(db)).toBe(pendingAfter(13));
    });
  });

  test('14: each queued batch carries its report rows; a row queued before keeps its seqs only (from 13, queue intact)', async () => {
    await withBlank(backend, async (db) => {
      await migrateCentral(db, 13);
      await db.query(`INSERT INTO report_pending (device_id, seqs, queued_at) VALUES ('d-old', '{1,2}', now())`);
      await migrateCentral(db, 14);
      expect(await centralSchemaVersion(db)).toBe(14);
      // The row queued before is still there, without rows: the drain counts it from responses.
      expect((await db.query('SELECT device_id, seqs, facts, counts FROM report_pending')).rows).toEqual([
        { device_id: 'd-old', seqs: [1, 2], facts: null, counts: null },
      ]);
      const queue = (facts: string | null, counts: string | null) =>
        db.query(
          `INSERT INTO report_pending (device_id, seqs, queued_at, facts, counts) VALUES ('d', '{3}', now(), $1, $2)`,
          [facts, counts],
        );
      await queue('[]', '[]');
      await expect(queue('[]', null)).rejects.toThrow(); // both or neither
      await expect(queue(null, '[]')).rejects.toThrow();
      await expect(queue('{not json', '[]')).rejects.toThrow();
      expect(await migrateCentral(db)).toBe(pendingAfter(14));
    });
  });

  test('all pending migrations run in one transaction: a failing one leaves the database as it was', async () => {
    await withBlank(backend, async (db) => {
      const broken = [
        { version: 1, name: 'fine', sql: 'CREATE TABLE a (x int);' },
        { version: 2, name: 'broken', sql: 'CREATE TABLE b (x int); SELECT no_such_function();' },
      ];
      await expect(migrateCentral(db, 2, broken)).rejects.toThrow();
      expect(await centralSchemaVersion(db)).toBe(0);
      expect(await tables(db)).toEqual([]);
    });
  });

  test('a database newer than the code is refused, untouched', async () => {
    await withBlank(backend, async (db, url) => {
      await migrateCentral(db);
      await db.query(`INSERT INTO schema_migrations (version, name) VALUES ($1, 'from the future')`, [
        LATEST_CENTRAL_SCHEMA + 1,
      ]);
      await expect(migrateCentral(db)).rejects.toBeInstanceOf(CentralSchemaTooNewError);
      if (url) await expect(openCentralDb({ databaseUrl: url })).rejects.toThrow(/newer than this central service/);
      expect(await centralSchemaVersion(db)).toBe(LATEST_CENTRAL_SCHEMA + 1);
    });
  });

  test('concurrent starters apply each migration once', async () => {
    await withBlank(backend, async (db, url) => {
      const others = url ? await Promise.all([openPostgres(url), openPostgres(url)]) : [];
      try {
        const applied = await Promise.all([db, ...others].map((d) => migrateCentral(d)));
        expect(applied.reduce((a, b) => a + b, 0)).toBe(migrations.length);
      } finally {
        await Promise.all(others.map((d) => d.close()));
      }
    });
  });

  test('8: report roll-ups per unit and per ancestor, summed from report_monthly as it stands (from 7, tree in place)', async () => {
    await withBlank(backend, async (db) => {
      await migrateCentral(db, 7);
      // tinh ─ xa-a ─ xa-a-cn ; tinh ─ xa-b
      await db.query(`INSERT INTO units (id, name, parent_id) VALUES ('tinh', 'Tỉnh', NULL), ('xa-a', 'Xã A', 'tinh'),
        ('xa-a-cn', 'Chi nhánh', 'xa-a'), ('xa-b', 'Xã B', 'tinh')`);
      const monthly = (unit: string, procedure: string, flagged: boolean, value: string, n: number) =>
        db.query(
          `INSERT INTO report_monthly (unit_id, month, questionnaire_id, version, field_code, procedure_code, flagged, question_id, value, n)
           VALUES ($1, '2026-01-01', 'per-case', 1, 'ho-tich', $2, $3, 'i1', $4, $5)`,
          [unit, procedure, flagged, value, n],
        );
      await monthly('xa-a', 'p1', false, '2', 3);
      await monthly('xa-a', 'p2', false, '2', 1);
      await monthly('xa-a-cn', 'p1', false, '2', 5);
      await monthly('xa-b', 'p1', true, '0', 2);
      expect(await migrateCentral(db, 8)).toBe(1);
      const rows = async (sql: string) => (await db.query(sql)).rows;
      // Per unit, field and procedure summed away: xa-a's two procedures become one row.
      expect(
        await rows(
          `SELECT unit_id, flagged, value, n::int AS n FROM report_monthly_unit ORDER BY unit_id, flagged, value`,
        ),
      ).toEqual([
        { unit_id: 'xa-a', flagged: false, value: '2', n: 4 },
        { unit_id: 'xa-a-cn', flagged: false, value: '2', n: 5 },
        { unit_id: 'xa-b', flagged: true, value: '0', n: 2 },
      ]);
      // Per strict ancestor: tinh has everything under it (3 + 5 on p1), xa-a its branch; a leaf has no row.
      expect(
        await rows(`SELECT ancestor_id, procedure_code, flagged, value, n::int AS n FROM report_monthly_tree
                     ORDER BY ancestor_id, procedure_code, flagged, value`),
      ).toEqual([
        { ancestor_id: 'tinh', procedure_code: 'p1', flagged: false, value: '2', n: 8 },
        { ancestor_id: 'tinh', procedure_code: 'p1', flagged: true, value: '0', n: 2 },
        { ancestor_id: 'tinh', procedure_code: 'p2', flagged: false, value: '2', n: 1 },
        { ancestor_id: 'xa-a', procedure_code: 'p1', flagged: false, value: '2', n: 5 },
      ]);
    });
  });
});
