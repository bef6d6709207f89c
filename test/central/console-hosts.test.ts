import { request } from 'node:http';
import { expect, test } from 'vitest';
import { consoleHostsFor } from '../../central/console/options.ts';
import { hostNameOf } from '../../central/console/security.ts';
import { type TestCentral, startTestCentral } from '../support/central.ts';
import { ConsoleClient, TEST_PASSWORD, makeAccount } from '../support/console-client.ts';
import { forEachBackend } from './backends.ts';

type Answer = { status: number; body: string; setCookie: string[] };

/** One request with the Host header a DNS-rebinding page would send (fetch does not let a test set it). */
const withHost = (
  base: string,
  path: string,
  host: string,
  init: { method?: string; body?: string; headers?: Record<string, string> } = {},
): Promise<Answer> =>
  new Promise((ok, fail) => {
    const u = new URL(`${base}${path}`);
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname + u.search,
        method: init.method ?? 'GET',
        headers: { ...init.headers, host },
      },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => ok({ status: res.statusCode ?? 0, body, setCookie: res.headers['set-cookie'] ?? [] }));
        res.on('error', fail);
      },
    );
    req.on('error', fail);
    req.end(init.body);
  });

const count = async (c: TestCentral, sql: string): Promise<unknown> => (await c.db.query(sql)).rows[0];

test('host names: the port is dropped, case ignored; defaults are loopback plus the listen address', () => {
  expect(['127.0.0.1:4790', 'LOCALHOST', '[::1]:80', 'evil.example:4790', 'a:b:c'].map(hostNameOf)).toEqual([
    '127.0.0.1',
    'localhost',
    '[::1]',
    'evil.example',
    'a:b:c',
  ]);
  expect(consoleHostsFor('10.0.0.5', ['KhaoSat.Tinh.gov.vn'])).toEqual([
    '127.0.0.1',
    'localhost',
    '[::1]',
    '10.0.0.5',
    'khaosat.tinh.gov.vn',
  ]);
  expect(consoleHostsFor('::', [])).toEqual(['127.0.0.1', 'localhost', '[::1]', '[::]']);
});

forEachBackend('console: Host allow-list (DNS rebinding)', (backend) => {
  test('another Host gets a 421 page with no session work; loopback and configured names are answered; /v1 is not affected', async () => {
    const c = await startTestCentral(backend, { consoleHosts: ['khaosat.tinh.gov.vn'] });
    try {
      await makeAccount(c.db, 'it-host');
      const port = new URL(c.url).port;
      // A rebinding page: its own name in Host. The login form is refused before any cookie is set.
      const page = await withHost(c.url, '/console/login', `evil.example:${port}`);
      expect(page.status).toBe(421);
      expect(page.body).toMatch(/không phục vụ địa chỉ này/);
      expect(page.setCookie).toEqual([]);
      // Even a well-formed login from that page does nothing: no session, no audit row.
      const login = await withHost(c.url, '/console/login', `evil.example:${port}`, {
        method: 'POST',
        body: new URLSearchParams({ username: 'it-host', password: TEST_PASSWORD }).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(login.status).toBe(421);
      expect(await count(c, 'SELECT count(*)::int AS n FROM admin_sessions')).toEqual({ n: 0 });
      expect(await count(c, 'SELECT count(*)::int AS n FROM admin_audit')).toEqual({ n: 0 });
      // A session cookie stolen or not, it is not even looked up under a foreign name.
      const client = new ConsoleClient(c.url);
      expect((await client.login('it-host')).status).toBe(303);
      const cookie = `kc_session=${client.cookies.get('kc_session')}`;
      expect((await withHost(c.url, '/console/devices', `evil.example:${port}`, { headers: { cookie } })).status).toBe(
        421,
      );
      // The names it does answer to.
      for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LocalHost:${port}`, `khaosat.tinh.gov.vn:${port}`])
        expect((await withHost(c.url, '/console/login', host)).status, host).toBe(200);
      // Kiosks reach central by any name: the device API does not check Host.
      expect((await withHost(c.url, '/v1/health', `evil.example:${port}`)).status).toBe(200);
    } finally {
      await c.close();
    }
  });
});
