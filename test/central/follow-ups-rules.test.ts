import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { CentralDb } from '../../central/index.ts';
import { openPostgres } from '../../central/db/postgres.ts';
import { openCentralDb } from '../../central/db/open.ts';
import { CONTACT_KEY_FILE, loadOrCreateContactKey } from '../../central/follow-ups/contact-key.ts';
import { eraseExpiredContacts } from '../../central/follow-ups/retention.ts';
import {
  DEFAULT_FOLLOW_UP_SETTINGS,
  followUpSettings,
  publishedContactKey,
  recordContactKey,
  saveFollowUpSettings,
} from '../../central/follow-ups/settings.ts';
import { latestConfig, publishConfig } from '../../central/ops/configs.ts';
import { EMBEDDED_CONFIG_DIR, loadConfigDir } from '../../shared/node/config-loader.ts';
import { PublishedConfig } from '../../shared/sync.ts';
import { dueAfterWorkingDays } from '../../central/follow-ups/working-days.ts';
import { feedbackFigures } from '../../central/reports/engine/feedback.ts';
import { runCommand } from '../../central/cli/commands.ts';
import { ConsoleClient, makeAccount } from '../support/console-client.ts';
import { requirePostgresOrSkip, sharedPostgres } from '../support/postgres.ts';
import { tempDir } from '../support/tmp.ts';
import { forEachBackend, sharedCentral } from './backends.ts';

const vn = (local: string): Date => new Date(`${local}+07:00`);

describe('due dates in working days (Vietnam time, Mon-Fri, listed holidays off)', () => {
  test('the day asked does not count; weekends and holidays are skipped; due at midnight ending the last day', () => {
    // Monday 10:00 + 5 working days: due at the end of the next Monday.
    expect(dueAfterWorkingDays(vn('2026-11-23T10:00:00'), 5, [])).toEqual(vn('2026-12-01T00:00:00'));
    // Friday 23:30 (Vietnam; still Friday although it is Friday 16:30 UTC) + 1: the end of Monday.
    expect(dueAfterWorkingDays(vn('2026-11-27T23:30:00'), 1, [])).toEqual(vn('2026-12-01T00:00:00'));
    // Saturday + 1: the end of Monday, as from Friday.
    expect(dueAfterWorkingDays(vn('2026-11-28T09:00:00'), 1, [])).toEqual(vn('2026-12-01T00:00:00'));
    // Just after midnight Monday (Sunday 17:01 UTC) is already Monday: + 1 is the end of Tuesday.
    expect(dueAfterWorkingDays(new Date('2026-11-29T17:01:00Z'), 1, [])).toEqual(vn('2026-12-02T00:00:00'));
    // Tết 2027 (5-10 February, Friday to Wednesday) off: asked Thursday 4 February, + 2 = Thursday 11 and Friday 12.
    const tet = ['2027-02-05', '2027-02-08', '2027-02-09', '2027-02-10'];
    expect(dueAfterWorkingDays(vn('2027-02-04T15:00:00'), 2, tet)).toEqual(vn('2027-02-13T00:00:00'));
  });
});

describe('the contact key file', () => {
  test('created once with mode 0600, read back the same; a damaged or mismatched file is refused', () => {
    const { dir, cleanup } = tempDir('contact-key-');
    const first = loadOrCreateContactKey(dir);
    const file = join(dir, CONTACT_KEY_FILE);
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(loadOrCreateContactKey(dir)).toEqual(first);
    const other = tempDir('contact-key-');
    const second = loadOrCreateContactKey(other.dir);
    other.cleanup();
    writeFileSync(file, JSON.stringify({ ...first, publicKey: second.publicKey, createdAt: new Date().toISOString() }));
    expect(() => loadOrCreateContactKey(dir)).toThrow(/do not belong together/);
    writeFileSync(file, '{"keyId": "nope"}');
    expect(() => loadOrCreateContactKey(dir)).toThrow(/not a contact key file/);
    cleanup();
  });

  test('with a shared central key file, the contact key lives beside it: instances with their own data dirs share it', () => {
    const secrets = tempDir('contact-key-secrets-');
    const a = tempDir('contact-key-a-');
    const b = tempDir('contact-key-b-');
    const keyFile = join(secrets.dir, 'central-key.json');
    const first = loadOrCreateContactKey(a.dir, keyFile);
    expect(loadOrCreateContactKey(b.dir, keyFile)).toEqual(first);
    expect(existsSync(join(secrets.dir, CONTACT_KEY_FILE))).toBe(true);
    expect(existsSync(join(a.dir, CONTACT_KEY_FILE))).toBe(false);
    for (const t of [secrets, a, b]) t.cleanup();
  });
});

/** A unit, a device and `n` placeholder responses to hang follow-ups on. */
const seedCases = async (
  db: CentralDb,
  unit: string,
  cases: { asked: string; due: string; closed?: string }[],
): Promise<void> => {
  await db.query(`INSERT INTO units (id, name) VALUES ($1, $1) ON CONFLICT DO NOTHING`, [unit]);
  await db.query(
    `INSERT INTO devices (id, unit_id, public_key, app_version, enrolled_at) VALUES ($1, $2, 'k', '1', now())`,
    [`dev-${unit}`, unit],
  );
  for (const [i, c] of cases.entries()) {
    const id = `01900000-0000-7000-8000-${String(i + 1).padStart(12, '0')}`;
    await db.query(
      `INSERT INTO responses (device_id, response_id, seq, content_hash, body, received_at, batch_id)
       VALUES ($1, $2, $3, 'h', '{}', now(), '01900000-0000-7000-8000-0000000000b1')`,
      [`dev-${unit}`, id, i + 1],
    );
    await db.query(
      `INSERT INTO follow_ups (device_id, response_id, unit_id, consent_purpose, consent_text_version, consent_locale,
                               consent_given_at, sealed, received_at, due_at, status, closed_at)
       VALUES ($1, $2, $3, 'follow-up', 'v1', 'vi', $4, '{}', $4, $5, $6, $7)`,
      [`dev-${unit}`, id, unit, vn(c.asked), vn(c.due), c.closed ? 'resolved' : 'new', c.closed ? vn(c.closed) : null],
    );
  }
};

forEachBackend('follow-up settings, feedback figures and retention', (backend) => {
  const central = sharedCentral(backend, { followUpRetention: false });
  const db = () => central().db;

  test('feedback figures by unit and month: asked, closed, on time (closed by the due time), late, pending, share', async () => {
    await seedCases(db(), 'fb-a', [
      { asked: '2026-10-05T09:00:00', due: '2026-10-13T00:00:00', closed: '2026-10-12T23:59:59' }, // on time
      { asked: '2026-10-06T09:00:00', due: '2026-10-14T00:00:00', closed: '2026-10-14T00:00:00' }, // on time (at due)
      { asked: '2026-10-07T09:00:00', due: '2026-10-15T00:00:00', closed: '2026-10-15T00:00:01' }, // late
      { asked: '2026-10-30T09:00:00', due: '2026-11-07T00:00:00' }, // open, overdue at `now`: late
      { asked: '2026-11-02T09:00:00', due: '2026-11-20T00:00:00' }, // November: outside October
    ]);
    await seedCases(db(), 'fb-b', [{ asked: '2026-10-31T23:30:00', due: '2026-11-30T00:00:00' }]); // pending
    const now = vn('2026-11-10T12:00:00');
    const rows = await feedbackFigures(db(), {
      units: ['fb-a', 'fb-b'],
      from: '2026-10-01',
      to: '2026-10-31',
      by: ['unit'],
      now,
    });
    expect(rows).toEqual([
      { unitId: 'fb-a', month: null, asked: 4, closed: 3, onTime: 2, late: 2, pending: 0, shareOnTime: 0.5 },
      { unitId: 'fb-b', month: null, asked: 1, closed: 0, onTime: 0, late: 0, pending: 1, shareOnTime: null },
      { unitId: null, month: null, asked: 5, closed: 3, onTime: 2, late: 2, pending: 1, shareOnTime: 0.5 },
    ]);
    const byMonth = await feedbackFigures(db(), {
      units: ['fb-a'],
      from: '2026-10-01',
      to: '2026-11-30',
      by: ['month'],
      now,
    });
    expect(byMonth.map((r) => [r.month, r.asked])).toEqual([
      ['2026-10', 4],
      ['2026-11', 1],
      [null, 5],
    ]);
    expect(await feedbackFigures(db(), { units: [], from: '2026-10-01', to: '2026-10-31', by: [], now })).toEqual([
      { unitId: null, month: null, asked: 0, closed: 0, onTime: 0, late: 0, pending: 0, shareOnTime: null },
    ]);

    // centralctl feedback-report: the same figures as JSON (a unit with the units under it).
    let out = '';
    const code = await runCommand(['feedback-report', '--period', '2026-10', '--unit', 'fb-a'], {
      db: db(),
      centralKey: () => central().centralKey,
      cwd: process.cwd(),
      out: (t) => (out += t),
      err: () => {},
      now: () => now,
    });
    expect(code).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ report: 'feedback', from: '2026-10-01', to: '2026-10-31', unit: 'fb-a' });
    expect((JSON.parse(out) as { rows: unknown[] }).rows[0]).toEqual(rows[0]);
    // A date that is not a calendar date is named, with the option it was given to.
    let err = '';
    const bad = await runCommand(['feedback-report', '--from', '2026-10-01', '--to', '2026-13-45'], {
      db: db(),
      centralKey: () => central().centralKey,
      cwd: process.cwd(),
      out: () => {},
      err: (t) => (err += t),
      now: () => now,
    });
    expect(bad).toBe(2);
    expect(err).toContain('--to must be a calendar date YYYY-MM-DD (got "2026-13-45")');

    // The console report page shows them for the report's units and period.
    await makeAccount(db(), 'fb-admin', 'province_admin');
    const c = new ConsoleClient(central().url);
    await c.login('fb-admin');
    const page = await c.get('/reports?report=quick&period=range&from=2026-10-01&to=2026-10-31&unit=fb-a');
    expect(page.status).toBe(200);
    expect(page.text).toContain('data-testid="report-feedback"');
    expect(page.text).toMatch(/data-unit="fb-a">.*?<td data-testid="feedback-share">50 %/s);
  });

  test('every published configuration carries the contact key; one published before the key is republished with it', async () => {
    const loaded = loadConfigDir(EMBEDDED_CONFIG_DIR);
    if (!loaded.ok) throw new Error('the embedded configuration does not load');
    await db().query(`INSERT INTO units (id, name) VALUES ('ck-a', 'A')`);
    const key = await publishedContactKey(db());
    expect(key?.keyId).toBe(central().contactKey.keyId);
    const carried = async () => {
      const doc = JSON.parse((await latestConfig(db(), 'ck-a'))!.document) as { payload: string };
      return PublishedConfig.parse(JSON.parse(Buffer.from(doc.payload, 'base64url').toString('utf8')));
    };
    const publish = () =>
      publishConfig(db(), { unitId: 'ck-a', config: loaded.config, centralKey: central().centralKey });
    // Published while no key was recorded (before the upgrade): no key in it.
    await db().query('UPDATE follow_up_settings SET contact_key_id = NULL, contact_public_key = NULL');
    expect(await publish()).toMatchObject({ status: 'published', version: loaded.config.version });
    expect((await carried()).contactKey).toBeUndefined();
    await recordContactKey(db(), central().contactKey);
    const again = await publish();
    expect(again).toEqual({
      status: 'published',
      version: `${loaded.config.version}.k${key!.keyId.slice(0, 6)}`,
      unitId: 'ck-a',
    });
    expect((await carried()).contactKey).toEqual({ keyId: key!.keyId, publicKey: key!.publicKey });
    expect(await publish()).toEqual({ status: 'unchanged', version: again.version, unitId: 'ck-a' });
  });

  test('settings: defaults, saved by the province admin, refused when out of range; retention follows them', async () => {
    expect(await followUpSettings(db())).toEqual(DEFAULT_FOLLOW_UP_SETTINGS);
    await makeAccount(db(), 'fs-admin', 'province_admin');
    const c = new ConsoleClient(central().url);
    await c.login('fs-admin');
    await c.get('/follow-ups/settings');
    expect(
      (await c.post('/follow-ups/settings', { dueWorkingDays: '0', holidays: '', retentionDays: '30' })).status,
    ).toBe(400);
    expect(
      (await c.post('/follow-ups/settings', { dueWorkingDays: '5', holidays: '2027-02-31', retentionDays: '30' }))
        .status,
    ).toBe(400);
    const ok = await c.post('/follow-ups/settings', {
      dueWorkingDays: '7',
      holidays: '2027-02-08\n2027-02-05',
      retentionDays: '10',
    });
    expect(ok.status).toBe(200);
    expect(await followUpSettings(db())).toEqual({
      dueWorkingDays: 7,
      holidays: ['2027-02-05', '2027-02-08'],
      retentionDays: 10,
    });

    await seedCases(db(), 'rt-a', [
      { asked: '2026-10-05T09:00:00', due: '2026-10-13T00:00:00', closed: '2026-10-10T10:00:00' },
    ]);
    expect((await eraseExpiredContacts(db(), vn('2026-10-20T09:59:59'))).erased).toBe(0);
    expect((await eraseExpiredContacts(db(), vn('2026-10-20T10:00:00'))).erased).toBe(1);
    await saveFollowUpSettings(db(), DEFAULT_FOLLOW_UP_SETTINGS);
  });
});

describe.skipIf(!requirePostgresOrSkip().ok)('the retention job on several instances [postgres]', () => {
  test('runs once: while one instance holds the job lock, another does nothing', async () => {
    const url = await (await sharedPostgres()).createDatabase();
    const [a, b] = [await openCentralDb({ databaseUrl: url }), await openPostgres(url)];
    try {
      let release = () => {};
      const held = new Promise<void>((r) => (release = r));
      let locked = () => {};
      const isLocked = new Promise<void>((r) => (locked = r));
      const holder = a.transaction(async (tx) => {
        await tx.query('SELECT pg_advisory_xact_lock($1)', [0x66757072]);
        locked();
        await held;
      });
      await isLocked;
      expect(await eraseExpiredContacts(b, new Date())).toEqual({ ran: false, erased: 0 });
      release();
      await holder;
      expect(await eraseExpiredContacts(b, new Date())).toEqual({ ran: true, erased: 0 });
    } finally {
      await a.close();
      await b.close();
    }
  });
});
