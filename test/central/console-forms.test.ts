import { expect, test } from 'vitest';
import { z } from 'zod';
import { Int } from '../../central/db/rows.ts';
import { type TestCentral, startTestCentral } from '../support/central.ts';
import { ConsoleClient, TEST_PASSWORD, makeAccount } from '../support/console-client.ts';
import { forEachBackend } from './backends.ts';

const withCentral = async (backend: 'pglite' | 'postgres', fn: (c: TestCentral) => Promise<void>) => {
  const central = await startTestCentral(backend);
  try {
    await fn(central);
  } finally {
    await central.close();
  }
};

const audit = async (c: TestCentral, username: string) =>
  z
    .array(z.object({ action: z.string() }))
    .parse((await c.db.query('SELECT action FROM admin_audit WHERE username = $1 ORDER BY id', [username])).rows)
    .map((r) => r.action);

const codeCount = async (c: TestCentral) =>
  z.object({ n: Int }).parse((await c.db.query('SELECT count(*) AS n FROM enrolment_codes')).rows[0]).n;

forEachBackend('console: forms refuse bad input and store nothing', (backend) => {
  test("accounts: a province admin creates a viewer; bad input is named by field and stores nothing; disabling ends sessions, never one's own account", async () => {
    await withCentral(backend, async (c) => {
      const admin = await makeAccount(c.db, 'it-users');
      const client = new ConsoleClient(c.url);
      await client.login('it-users');
      await client.get('/users');
      const count = async () =>
        z.object({ n: Int }).parse((await c.db.query('SELECT count(*) AS n FROM admin_users')).rows[0]).n;
      const before = await count();
      const bad = [
        {
          fields: {
            username: 'X',
            displayName: '',
            role: 'unit_viewer',
            unit: 'default',
            password: 'đủ dài rồi đấy',
            confirm: 'đủ dài rồi đấy',
          },
          field: 'username',
        },
        {
          fields: {
            username: 'ok-name',
            displayName: '',
            role: 'unit_viewer',
            unit: 'default',
            password: 'ngắn',
            confirm: 'ngắn',
          },
          field: 'password',
        },
        {
          fields: {
            username: 'ok-name',
            displayName: '',
            role: 'unit_viewer',
            unit: 'default',
            password: 'đủ dài rồi đấy',
            confirm: 'khác hẳn luôn',
          },
          field: 'confirm',
        },
        {
          fields: {
            username: 'ok-name',
            displayName: '',
            role: 'unit_viewer',
            unit: '',
            password: 'đủ dài rồi đấy',
            confirm: 'đủ dài rồi đấy',
          },
          field: 'unit',
        },
        {
          fields: {
            username: 'ok-name',
            displayName: '',
            role: 'god',
            unit: '',
            password: 'đủ dài rồi đấy',
            confirm: 'đủ dài rồi đấy',
          },
          field: 'role',
        },
        {
          fields: {
            username: 'it-users',
            displayName: '',
            role: 'province_admin',
            unit: '',
            password: 'đủ dài rồi đấy',
            confirm: 'đủ dài rồi đấy',
          },
          field: 'username',
        },
      ];
      for (const b of bad) {
        const page = await client.post('/users', b.fields);
        expect(page.status, b.field).toBeGreaterThanOrEqual(400);
        expect(page.text, b.field).toContain(`data-testid="error-${b.field}"`);
      }
      expect(await count()).toBe(before);
      const ok = await client.post('/users', {
        username: 'xem-default',
        displayName: 'Xem',
        role: 'unit_viewer',
        unit: 'default',
        password: 'đủ dài rồi đấy',
        confirm: 'đủ dài rồi đấy',
      });
      expect(ok.status).toBe(200);
      expect(await count()).toBe(before + 1);
      // The viewer logs in; disabled by the admin, its session ends at once.
      const viewer = new ConsoleClient(c.url);
      expect((await viewer.login('xem-default', 'đủ dài rồi đấy')).status).toBe(303);
      const viewerId = (await c.db.query(`SELECT id FROM admin_users WHERE username = 'xem-default'`)).rows[0]!['id'];
      expect((await client.post(`/users/${String(viewerId)}/disable`)).text).toContain('data-testid="users-message"');
      expect((await viewer.get('/devices')).location).toMatch(/expired=1/);
      expect((await viewer.login('xem-default', 'đủ dài rồi đấy')).status).toBe(401);
      const self = await client.post(`/users/${admin.id}/disable`);
      expect(self.status).toBe(400);
      expect((await c.db.query('SELECT disabled_at FROM admin_users WHERE id = $1', [admin.id])).rows[0]).toEqual({
        disabled_at: null,
      });
      expect(await audit(c, 'it-users')).toContain('user_created');
    });
  });

  test('enrolment codes and passwords: bad input is named by field and stores nothing', async () => {
    await withCentral(backend, async (c) => {
      await makeAccount(c.db, 'it-forms');
      const client = new ConsoleClient(c.url);
      await client.login('it-forms');
      await client.get('/codes');
      const units = async () => (await c.db.query('SELECT id FROM units ORDER BY id')).rows.map((r) => r['id']);
      const before = { codes: await codeCount(c), units: await units() };
      const cases: [Record<string, string>, string][] = [
        [{ unit: 'default', hours: 'abc' }, 'hours'],
        [{ unit: 'default', hours: '0' }, 'hours'],
        [{ unit: 'default', hours: '9000' }, 'hours'],
        [{ unit: 'khong-co', hours: '24' }, 'unit'],
        [{ unit: '__new__', newUnitId: 'Xã Mới', newUnitName: 'Xã Mới', hours: '24' }, 'newUnitId'],
        [{ unit: '__new__', newUnitId: 'default', newUnitName: 'Trùng', hours: '24' }, 'newUnitId'],
        [{ unit: '__new__', newUnitId: 'xa-moi', newUnitName: '', hours: '24' }, 'newUnitName'],
        [{ unit: '__new__', newUnitId: 'xa-moi', newUnitName: 'Xã mới', hours: 'x' }, 'hours'],
      ];
      for (const [fields, field] of cases) {
        const page = await client.post('/codes', fields);
        expect(page.status, JSON.stringify(fields)).toBe(400);
        expect(page.text, JSON.stringify(fields)).toContain(`data-testid="error-${field}"`);
        expect(page.text).not.toContain('data-testid="issued-code"');
      }
      expect({ codes: await codeCount(c), units: await units() }).toEqual(before);
      const made = await client.post('/codes', {
        unit: '__new__',
        newUnitId: 'xa-moi',
        newUnitName: 'Xã Mới',
        hours: '12',
      });
      expect(made.text).toMatch(/data-testid="issued-code">[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}</);
      expect(await units()).toContain('xa-moi');

      await client.get('/account');
      const hash = async () =>
        (await c.db.query(`SELECT password_hash FROM admin_users WHERE username = 'it-forms'`)).rows[0]![
          'password_hash'
        ];
      const h0 = await hash();
      expect(
        (
          await client.post('/account/password', {
            current: 'sai',
            password: 'mật khẩu mới dài',
            confirm: 'mật khẩu mới dài',
          })
        ).text,
      ).toContain('data-testid="error-current"');
      expect(
        (await client.post('/account/password', { current: TEST_PASSWORD, password: 'ngắn', confirm: 'ngắn' })).text,
      ).toContain('data-testid="error-password"');
      expect(
        (
          await client.post('/account/password', {
            current: TEST_PASSWORD,
            password: 'mật khẩu mới dài',
            confirm: 'khác',
          })
        ).text,
      ).toContain('data-testid="error-confirm"');
      expect(await hash()).toBe(h0);
    });
  });
});
