import { expect, test } from 'vitest';
import { runCommand } from '../../central/cli/commands.ts';
import { DEMO_ADMIN, ensureInitialAdmin } from '../../central/console/initial-admin.ts';
import { html, trusted } from '../../central/console/html.ts';
import { CONSOLE_RESOURCES } from '../../central/console/i18n.ts';
import { openPglite } from '../../central/db/pglite.ts';
import { openPostgres } from '../../central/db/postgres.ts';
import { type CentralDb, migrateCentral } from '../../central/index.ts';
import type { TestCentral } from '../support/central.ts';
import { ConsoleClient, TEST_PASSWORD } from '../support/console-client.ts';
import { createAdminUser } from '../../central/console/auth/users.ts';
import { sharedPostgres } from '../support/postgres.ts';
import { tempDir } from '../support/tmp.ts';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { forEachBackend, sharedCentral } from './backends.ts';

const placeholders = (s: string) =>
  [...s.matchAll(/\{\{\s*(\w+)\s*\}\}/g)]
    .map((m) => m[1])
    .sort()
    .join(',');

test('console strings: every locale has the same keys and the same placeholders', () => {
  const vi = CONSOLE_RESOURCES.vi;
  const en = CONSOLE_RESOURCES.en;
  expect([...en.keys()].sort()).toEqual([...vi.keys()].sort());
  for (const [k, v] of vi) expect(placeholders(en.get(k)!), k).toBe(placeholders(v));
  for (const [k, v] of [...vi, ...en]) expect(v.trim(), k).not.toBe('');
});

test('html`` escapes every interpolated value; only our own markup passes through', () => {
  const name = `<script>alert("x")</script>&'`;
  expect(html`<p title="${name}">${name}</p>`.text).toBe(
    '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;</p>',
  );
  expect(html`<ul>${['a<', 'b'].map((x) => html`<li>${x}</li>`)}</ul>`.text).toBe('<ul><li>a&lt;</li><li>b</li></ul>');
  expect(html`${trusted('<br>')}${null}${undefined}${false}${0}`.text).toBe('<br>0');
});

forEachBackend('console: first account, centralctl', (backend) => {
  const central = sharedCentral(backend);

  const blank = async (): Promise<CentralDb> =>
    backend === 'pglite' ? openPglite() : openPostgres(await (await sharedPostgres()).createDatabase());

  test('the first start makes one province admin: the documented demo password on PGlite, a random one on PostgreSQL', async () => {
    const db = await blank();
    try {
      await migrateCentral(db);
      const demo = db.kind === 'pglite';
      const first = await ensureInitialAdmin(db, { demo });
      expect(first).toMatchObject({ username: DEMO_ADMIN.username, demo });
      if (demo) expect(first?.password).toBe(DEMO_ADMIN.password);
      else expect(first?.password).not.toBe(DEMO_ADMIN.password);
      expect(await ensureInitialAdmin(db, { demo })).toBeNull();
      expect((await db.query('SELECT username, role, password_is_initial FROM admin_users')).rows).toEqual([
        { username: 'admin', role: 'province_admin', password_is_initial: true },
      ]);
    } finally {
      await db.close();
    }
  });

  const ctl = async (c: TestCentral, args: string[], cwd = process.cwd()) => {
    let stdout = '';
    let stderr = '';
    const code = await runCommand(args, {
      db: c.db,
      centralKey: () => c.centralKey,
      cwd,
      out: (t) => (stdout += t),
      err: (t) => (stderr += t),
      now: () => new Date(),
    });
    return { code, stdout, stderr };
  };

  test('centralctl create-admin and reset-admin-password', async () => {
    const made = await ctl(central(), ['create-admin', 'it-ctl', '--name', 'IT tỉnh']);
    expect(made.code).toBe(0);
    const password = /password: (\S+)/.exec(made.stdout)![1]!;
    const client = new ConsoleClient(central().url);
    expect((await client.login('it-ctl', password)).status).toBe(303);
    expect((await client.get('/devices')).text).toContain('data-testid="initial-password-banner"');

    expect((await ctl(central(), ['create-admin', 'it-ctl'])).code).toBe(1);
    expect((await ctl(central(), ['create-admin', 'xem', '--role', 'unit-viewer'])).code).toBe(2);
    expect((await ctl(central(), ['create-admin', 'xem', '--role', 'unit-viewer', '--unit', 'khong-co'])).code).toBe(1);
    expect((await ctl(central(), ['create-admin', 'Bad Name'])).code).toBe(2);
    const t = tempDir();
    try {
      writeFileSync(join(t.dir, 'pw'), 'một mật khẩu từ tệp\n');
      expect(
        (
          await ctl(
            central(),
            ['create-admin', 'xem-default', '--role', 'unit-viewer', '--unit', 'default', '--password-file', 'pw'],
            t.dir,
          )
        ).code,
      ).toBe(0);
      expect((await new ConsoleClient(central().url).login('xem-default', 'một mật khẩu từ tệp')).status).toBe(303);
    } finally {
      t.cleanup();
    }

    // Locked out: the operator resets it from the machine; the old session ends.
    for (let i = 0; i < 5; i++) await new ConsoleClient(central().url).login('it-ctl', 'sai');
    const reset = await ctl(central(), ['reset-admin-password', 'it-ctl']);
    expect(reset.code).toBe(0);
    const fresh = /new password for it-ctl: (\S+)/.exec(reset.stdout)![1]!;
    expect((await client.get('/devices')).location).toMatch(/expired=1/);
    expect((await new ConsoleClient(central().url).login('it-ctl', fresh)).status).toBe(303);
    expect((await ctl(central(), ['reset-admin-password', 'nobody'])).code).toBe(1);
  });
});

forEachBackend('console: input the route schemas refuse', (backend) => {
  const central = sharedCentral(backend);
  test('a path, query or body that does not parse gets the console page in words, never a 500 or a raw JSON error', async () => {
    const c: TestCentral = central();
    await createAdminUser(c.db, {
      username: 'it-schema',
      role: 'province_admin',
      unitId: null,
      password: TEST_PASSWORD,
    });
    const client = new ConsoleClient(c.url);
    await client.login('it-schema');
    await client.get('/users');
    const pages = [
      ['/users/abc/password', 404, /Không tìm thấy trang này/],
      ['/devices/not%20a%20device', 404, /Không có thiết bị này/],
      ['/config/drafts/-1', 404, /Không tìm thấy trang này/],
      ['/lang/fr', 404, /Không tìm thấy trang này/],
      ['/devices?stale=abc&unit=' + 'x'.repeat(100), 200, /data-testid="devices-summary"/],
    ] as const;
    for (const [path, status, text] of pages) {
      const page = await client.get(path);
      expect(page.status, path).toBe(status);
      expect(page.headers.get('content-type'), path).toMatch(/^text\/html/);
      expect(page.text, path).toMatch(text);
    }
    // A form whose fields are of the wrong shape is the form again with its messages, not a bare 400.
    const odd = await client.post('/users', { username: ['a', 'b'], role: 'no-such-role' });
    expect(odd.status).toBe(400);
    expect(odd.text).toMatch(/data-testid="user-form"/);
    const post = await client.post('/users/abc/unlock');
    expect(post.status).toBe(404);
    expect(post.headers.get('content-type')).toMatch(/^text\/html/);
  });
});

test('console layout: a page imports no other page, and a view imports neither the request context, the database nor Fastify', () => {
  const pagesDir = join(import.meta.dirname, '../../central/console/pages');
  for (const page of readdirSync(pagesDir)) {
    for (const file of readdirSync(join(pagesDir, page))) {
      const source = readFileSync(join(pagesDir, page, file), 'utf8');
      const imports = [...source.matchAll(/from '([^']+)'/g)].map((m) => m[1]!);
      for (const path of imports) expect(path, `${page}/${file}`).not.toMatch(/^\.\.\/(?!\.\.\/)/);
      if (file === 'view.ts')
        for (const path of imports) expect(path, `${page}/${file}`).not.toMatch(/context\.ts$|\/db\/|^fastify/);
    }
  }
});
