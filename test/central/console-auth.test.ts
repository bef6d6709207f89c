import { expect, test } from 'vitest';
import { z } from 'zod';
import { Int } from '../../central/db/rows.ts';
import { addressKey } from '../../central/console/auth/login-failures.ts';
import { DEFAULT_LOCKOUT, lockSeconds } from '../../central/console/auth/login.ts';
import { hashPassword, verifyPassword } from '../../central/console/auth/password.ts';
import { CONSOLE_CSP } from '../../central/console/security.ts';
import { ensureUnit } from '../../central/index.ts';
import { type TestCentral, enrolled, startTestCentral } from '../support/central.ts';
import { ConsoleClient, TEST_PASSWORD, makeAccount } from '../support/console-client.ts';
import { forEachBackend } from './backends.ts';

/** A central whose clock the test moves (lockouts, session expiry). */
const withCentral = async (
  backend: 'pglite' | 'postgres',
  fn: (c: TestCentral, clock: { t: number }) => Promise<void>,
  options: Parameters<typeof startTestCentral>[1] = {},
) => {
  const clock = { t: Date.parse('2026-11-23T02:00:00.000Z') };
  const central = await startTestCentral(backend, { now: () => new Date(clock.t), ...options });
  try {
    await fn(central, clock);
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

test('passwords are scrypt hashes: verified, never stored in clear, salted', async () => {
  const a = await hashPassword('một mật khẩu dài');
  const b = await hashPassword('một mật khẩu dài');
  expect(a).toMatch(/^scrypt\$32768\$8\$1\$/);
  expect(a).not.toContain('một');
  expect(a).not.toBe(b);
  expect(await verifyPassword('một mật khẩu dài', a)).toBe(true);
  expect(await verifyPassword('một mật khẩu dàl', a)).toBe(false);
  // NFC and NFD spellings of the same Vietnamese text are the same password.
  expect(await verifyPassword('một mật khẩu dài'.normalize('NFD'), a)).toBe(true);
});

test('lockout delays grow from the threshold and are capped', () => {
  expect([4, 5, 6, 7, 20].map((n) => lockSeconds(n, DEFAULT_LOCKOUT))).toEqual([0, 30, 60, 120, 3600]);
});

forEachBackend('console: login, sessions, CSRF, roles', (backend) => {
  test('login sets an HttpOnly SameSite=Strict session cookie, pages carry a strict CSP; logout ends the session', async () => {
    await withCentral(backend, async (c) => {
      await makeAccount(c.db, 'it-tinh');
      const client = new ConsoleClient(c.url);
      const page = await client.login('it-tinh');
      expect(page.status).toBe(303);
      expect(page.location).toBe('/console/devices');
      const cookie = page.headers.getSetCookie().find((x) => x.startsWith('kc_session='))!;
      expect(cookie).toMatch(/HttpOnly/);
      expect(cookie).toMatch(/SameSite=Strict/);
      expect(cookie).toMatch(/Path=\/console/);
      expect(cookie).not.toMatch(/Secure/);
      const devices = await client.get('/devices');
      expect(devices.status).toBe(200);
      expect(devices.headers.get('content-security-policy')).toBe(CONSOLE_CSP);
      expect(devices.text).not.toMatch(/<script>|<script [^>]*>[^<]/); // only <script src=…></script>
      // The database keeps a hash of the token, never the token.
      const token = client.cookies.get('kc_session')!;
      expect(JSON.stringify((await c.db.query('SELECT * FROM admin_sessions')).rows)).not.toContain(token);
      const out = await client.post('/logout');
      expect(out.location).toBe('/console/login?loggedout=1');
      expect((await c.db.query('SELECT count(*)::int AS n FROM admin_sessions')).rows[0]).toEqual({ n: 0 });
      client.cookies.set('kc_session', token);
      expect((await client.get('/devices')).location).toMatch(/\/console\/login\?expired=1/);
      expect(await audit(c, 'it-tinh')).toEqual(['login', 'logout']);
    });
  });

  test('behind an https proxy the cookies are Secure', async () => {
    await withCentral(
      backend,
      async (c) => {
        await makeAccount(c.db, 'it-https');
        const client = new ConsoleClient(c.url, { 'x-forwarded-proto': 'https' });
        const page = await client.login('it-https');
        expect(page.headers.getSetCookie().find((x) => x.startsWith('kc_session='))).toMatch(/; Secure/);
      },
      { trustProxy: true },
    );
  });

  test('a wrong password and an unknown user get the same answer; both are audit-logged', async () => {
    await withCentral(backend, async (c) => {
      await makeAccount(c.db, 'it-a');
      const client = new ConsoleClient(c.url);
      const wrong = await client.login('it-a', 'not the password');
      const unknown = await client.login('nobody-here', 'not the password');
      expect(wrong.status).toBe(401);
      expect(unknown.status).toBe(401);
      const message = (p: { text: string }) => /data-testid="login-error">([^<]*)</.exec(p.text)?.[1];
      expect(message(wrong)).toBe(message(unknown));
      expect(message(wrong)).toMatch(/không đúng/);
      expect(await audit(c, 'it-a')).toEqual(['login_failed']);
      expect(await audit(c, 'nobody-here')).toEqual(['login_failed']);
    });
  });

  test('five wrong passwords lock the account from that address, even for the right one; the lock grows, is stored, and is logged', async () => {
    await withCentral(backend, async (c, clock) => {
      await makeAccount(c.db, 'it-lock');
      const client = new ConsoleClient(c.url);
      for (let i = 1; i <= 4; i++) expect((await client.login('it-lock', `sai ${i}`)).status).toBe(401);
      const fifth = await client.login('it-lock', 'sai 5');
      expect(fifth.status).toBe(429);
      expect(fifth.text).toMatch(/tạm bị khóa/);
      // The right password during the lock is refused and does not reset the count.
      expect((await client.login('it-lock')).status).toBe(429);
      const pair = async () =>
        z
          .array(z.object({ address: z.string(), failures: Int, locked_until: z.coerce.date().nullable() }))
          .parse(
            (
              await c.db.query(
                `SELECT address, failures, locked_until FROM admin_login_failures f JOIN admin_users u ON u.id = f.user_id WHERE username = 'it-lock'`,
              )
            ).rows,
          );
      expect(await pair()).toEqual([{ address: '127.0.0.1', failures: 5, locked_until: new Date(clock.t + 30_000) }]);
      clock.t += 31_000;
      // One more wrong password after the lock ran out: locked again, for twice as long.
      expect((await client.login('it-lock', 'sai 6')).status).toBe(429);
      expect((await pair())[0]?.locked_until?.getTime()).toBe(clock.t + 60_000);
      clock.t += 61_000;
      expect((await client.login('it-lock')).status).toBe(303);
      expect(await pair()).toEqual([]);
      expect(await audit(c, 'it-lock')).toEqual([
        ...Array(5).fill('login_failed'),
        'account_locked',
        'login_locked',
        'login_failed',
        'account_locked',
        'login',
      ]);
    });
  });

  test('a flood of wrong passwords from one address locks that address only: the officer logs in from another; an admin sees the address and lifts the lock', async () => {
    await withCentral(
      backend,
      async (c) => {
        await makeAccount(c.db, 'can-bo');
        await makeAccount(c.db, 'it-admin');
        // Behind the province's proxy: X-Forwarded-For is the client's address.
        const attacker = new ConsoleClient(c.url, { 'x-forwarded-for': '203.0.113.7' });
        for (let i = 1; i <= 12; i++) await attacker.login('can-bo', `đoán ${i}`);
        expect((await attacker.login('can-bo')).status).toBe(429); // A is locked, even with the right password
        const officer = new ConsoleClient(c.url, { 'x-forwarded-for': '198.51.100.20' });
        expect((await officer.login('can-bo')).status).toBe(303);
        expect(officer.cookies.has('kc_session')).toBe(true);
        // The users page lists the address that tried, with its count, and offers the unlock.
        const admin = new ConsoleClient(c.url, { 'x-forwarded-for': '192.0.2.50' });
        await admin.login('it-admin');
        const users = await admin.get('/users');
        const row = new RegExp(`data-user="can-bo" data-state="locked"[\\s\\S]*?</tr>`).exec(users.text)?.[0] ?? '';
        expect(row).toMatch(/data-address="203\.0\.113\.7" data-failures="5" data-locked="true"/);
        expect(row).not.toContain('198.51.100.20');
        expect(row).toContain('data-testid="user-unlock"');
        const id = /action="\/console\/users\/(\d+)\/unlock"/.exec(row)?.[1];
        // The unlock is a CSRF-protected POST, audited with the addresses it cleared.
        expect((await admin.post(`/users/${id}/unlock`, {}, { csrf: null })).status).toBe(403);
        const unlocked = await admin.post(`/users/${id}/unlock`);
        expect(unlocked.status).toBe(200);
        expect(unlocked.text).toMatch(/data-user="can-bo" data-state="active"/);
        expect(unlocked.text).not.toContain('203.0.113.7');
        const entry = z
          .object({ detail: z.object({ user: z.string(), addresses: z.array(z.string()) }) })
          .parse(
            (
              await c.db.query(
                `SELECT detail FROM admin_audit WHERE action = 'user_unlocked' AND username = 'it-admin'`,
              )
            ).rows[0],
          );
        expect(entry.detail).toEqual({ user: 'can-bo', addresses: ['203.0.113.7'] });
        expect((await attacker.login('can-bo')).status).toBe(303);
      },
      { trustProxy: true },
    );
  });

  test('failed logins are shared through the database: a second instance sees the lock the first one set', async () => {
    await withCentral(backend, async (c) => {
      await makeAccount(c.db, 'it-hai');
      const first = new ConsoleClient(c.url);
      for (let i = 1; i <= 5; i++) await first.login('it-hai', `sai ${i}`);
      const other = await startTestCentral(backend, {
        db: c.db,
        now: () => new Date(Date.parse('2026-11-23T02:00:10Z')),
      });
      try {
        expect((await new ConsoleClient(other.url).login('it-hai')).status).toBe(429);
      } finally {
        await other.close();
      }
    });
  });

  test('IPv6 clients are counted by their /64; IPv4-mapped addresses as IPv4', () => {
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8:1:2:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey(null)).toBe('unknown');
  });

  test('a session ends after the idle timeout and after its absolute lifetime; a form sent then stores nothing', async () => {
    await withCentral(
      backend,
      async (c, clock) => {
        await makeAccount(c.db, 'it-idle');
        const client = new ConsoleClient(c.url);
        await client.login('it-idle');
        await client.get('/codes');
        clock.t += 11 * 60_000;
        const before = await codeCount(c);
        const late = await client.post('/codes', { unit: 'default', hours: '24' });
        expect(late.status).toBe(303);
        expect(late.location).toBe('/console/login?expired=1');
        expect(await codeCount(c)).toBe(before);
        const login = await client.get('/login?expired=1');
        expect(login.text).toMatch(/hết hạn/);
        // Kept busy, it still ends at its absolute lifetime.
        await client.login('it-idle');
        for (let i = 0; i < 11; i++) {
          clock.t += 5 * 60_000;
          expect((await client.get('/devices')).status).toBe(200);
        }
        clock.t += 5 * 60_000;
        expect((await client.get('/devices')).location).toMatch(/expired=1/);
      },
      { console: { idleMinutes: 10, sessionHours: 1 } },
    );
  });

  test('a missing or wrong CSRF token, or a request from another site, is refused with nothing stored', async () => {
    await withCentral(backend, async (c) => {
      await makeAccount(c.db, 'it-csrf');
      const client = new ConsoleClient(c.url);
      await client.login('it-csrf');
      const before = await codeCount(c);
      const missing = await client.post('/codes', { unit: 'default', hours: '24' }, { csrf: null });
      expect(missing.status).toBe(403);
      expect(missing.text).toMatch(/mã bảo mật/);
      expect((await client.post('/codes', { unit: 'default', hours: '24' }, { csrf: 'x'.repeat(43) })).status).toBe(
        403,
      );
      const crossSite = await client.post(
        '/codes',
        { unit: 'default', hours: '24' },
        { headers: { origin: 'https://evil.example' } },
      );
      expect(crossSite.status).toBe(403);
      expect(
        (await client.post('/codes', { unit: 'default', hours: '24' }, { headers: { 'sec-fetch-site': 'cross-site' } }))
          .status,
      ).toBe(403);
      // An upload without the token, by the script's route and by the form.
      expect((await client.uploadFile('a.kbatch', Buffer.from('x'), { csrf: null })).status).toBe(403);
      expect(
        (
          await client.postMultipart(
            '/uploads',
            [{ field: 'files', name: 'a.kbatch', bytes: Buffer.from('x') }],
            {},
            { csrf: null },
          )
        ).status,
      ).toBe(403);
      expect(await codeCount(c)).toBe(before);
      expect(
        (
          await c.db.query(
            `SELECT count(*)::int AS n FROM admin_audit WHERE action IN ('batch_uploaded', 'batch_refused')`,
          )
        ).rows[0],
      ).toEqual({ n: 0 });
      // The same form with the token goes through.
      const ok = await client.post('/codes', { unit: 'default', hours: '24' });
      expect(ok.status).toBe(200);
      expect(await codeCount(c)).toBe(before + 1);
    });
  });

  test('the login form needs its own token: a login posted from elsewhere is refused', async () => {
    await withCentral(backend, async (c) => {
      await makeAccount(c.db, 'it-lcsrf');
      const client = new ConsoleClient(c.url);
      const page = await client.post('/login', { username: 'it-lcsrf', password: TEST_PASSWORD }, { csrf: null });
      expect(page.status).toBe(403);
      expect(client.cookies.has('kc_session')).toBe(false);
    });
  });

  test('a unit viewer sees only its unit, reads but changes nothing, and cannot reach admin pages', async () => {
    await withCentral(backend, async (c) => {
      await ensureUnit(c.db, { id: 'xa-a', name: 'Xã A' });
      await ensureUnit(c.db, { id: 'xa-b', name: 'Xã B' });
      const mine = await enrolled(c, undefined, 'xa-a');
      const theirs = await enrolled(c, undefined, 'xa-b');
      await makeAccount(c.db, 'xem-xa-a', 'unit_viewer', 'xa-a');
      const viewer = new ConsoleClient(c.url);
      await viewer.login('xem-xa-a');
      const list = await viewer.get('/devices');
      expect(list.text).toContain(mine.id);
      expect(list.text).not.toContain(theirs.id);
      expect((await viewer.get(`/devices/${mine.id}`)).status).toBe(200);
      expect((await viewer.get(`/devices/${theirs.id}`)).status).toBe(404);
      expect((await viewer.get(`/devices/${theirs.id}/missing.txt`)).status).toBe(404);
      expect(list.text).not.toContain('/console/codes');
      for (const path of ['/codes', '/uploads', '/users', '/audit', `/devices/${mine.id}/revoke`])
        expect((await viewer.get(path)).status, path).toBe(403);
      const before = await codeCount(c);
      expect((await viewer.post('/codes', { unit: 'xa-a', hours: '24' })).status).toBe(403);
      expect((await viewer.post(`/devices/${mine.id}/revoke`)).status).toBe(403);
      expect((await viewer.uploadFile('a.kbatch', Buffer.from('x'))).status).toBe(403);
      expect(await codeCount(c)).toBe(before);
      expect((await c.db.query('SELECT count(*)::int AS n FROM devices WHERE revoked_at IS NOT NULL')).rows[0]).toEqual(
        { n: 0 },
      );
      // Its own password it may change.
      expect((await viewer.get('/account')).status).toBe(200);
      const changed = await viewer.post('/account/password', {
        current: TEST_PASSWORD,
        password: 'một mật khẩu mới hơn',
        confirm: 'một mật khẩu mới hơn',
      });
      expect(changed.location).toBe('/console/account?done=1');
    });
  });
});
