// The LAN bridge's refusals beyond the token (issue 11, "everything else is refused and logged"): a page
// that rebound its name onto the kiosk (Host), another PC's invitation, guessed tokens from one address,
// and bodies refused before they are read. Loopback (and this machine's own addresses) only.
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { lanStatus } from '../../electron/core/lan-bridge/admin-handlers.ts';
import { issuePairingCode, pairingCodeState } from '../../electron/core/lan-bridge/pairing.ts';
import { LAN_RATE_LIMITS, failureLimiter } from '../../electron/core/lan-bridge/rate-limit.ts';
import { startLanBridge } from '../../electron/core/lan-bridge/index.ts';
import { setSetting } from '../../electron/core/store/settings.ts';
import { uuidv7 } from '../../shared/ids.ts';
import { LAN_PAIRING } from '../../shared/lan-bridge.ts';
import { type LanKiosk, freePort, lanKiosk, rawRequest, request } from '../support/lan-bridge.ts';

const open: LanKiosk[] = [];
afterEach(async () => {
  for (const k of open.splice(0)) await k.close();
});

const kiosk = async (opts: { host?: string } = {}) => {
  const k = await lanKiosk(opts);
  open.push(k);
  return k;
};

/** Pairs one more PC with a fresh code, through `base` (default: the loopback address). */
const pairPc = async (k: LanKiosk, label: string, base = k.base) => {
  const { code } = issuePairingCode(k.core.db, k.clock.now());
  const r = await request(`${base}/pair`, { body: { code, label } });
  expect(r.status).toBe(201);
  return { token: String(r.body.token), clientId: String(r.body.clientId) };
};

const invite = (caseNumber = 'HS-2026-000123') => ({
  counterId: 'q1',
  caseNumber,
  procedureCode: '1.001193',
});

/** This PC's non-loopback IPv4 addresses: what the admin panel lists when the bridge listens on 0.0.0.0. */
const lanIPv4 = () =>
  Object.values(networkInterfaces())
    .flatMap((l) => l ?? [])
    .filter((a) => a.family === 'IPv4' && !a.internal)
    .map((a) => a.address);

describe('LAN bridge: Host must be the address the request arrived on (DNS rebinding)', () => {
  it('refuses a name, another address or another port with 421 before any route, code or token is used', async () => {
    const k = await kiosk();
    const { token } = await pairPc(k, 'Quầy 1');
    const { code } = issuePairingCode(k.core.db, k.clock.now());
    const rebound = `rebind.example:${k.port}`;
    for (const host of [rebound, `127.0.0.2:${k.port}`, `127.0.0.1:${k.port + 1}`, '127.0.0.1', 'localhost']) {
      const page = await rawRequest(`${k.base}/`, { host });
      expect(page.status).toBe(421);
      expect(page.body.error).toBe('wrong_host');
    }
    // The rebound page posts as its own origin, so the Origin check alone let this through.
    const posted = await rawRequest(`${k.base}/invitations`, {
      host: rebound,
      headers: {
        origin: `http://${rebound}`,
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify(invite()),
    });
    expect(posted).toMatchObject({ status: 421, body: { error: 'wrong_host' } });
    expect(posted.body.message).toContain(`http://127.0.0.1:${k.port}/`);
    const paired = await rawRequest(`${k.base}/pair`, {
      host: rebound,
      headers: { origin: `http://${rebound}`, 'content-type': 'application/json' },
      body: JSON.stringify({ code: '00000000', label: 'rebound' }),
    });
    expect(paired.status).toBe(421);
    // Nothing was spent: the open code still has every try, nothing reached the kiosk.
    expect(pairingCodeState(k.core.db, k.clock.now())?.attemptsLeft).toBe(LAN_PAIRING.maxWrongAttempts);
    expect(k.recorder.received).toEqual([]);
    const log = k.logs.join('\n');
    expect(log).toMatch(/refused POST \/invitations from 127\.0\.0\.1: wrong_host \(Host rebind\.example:\d+\)/);
    expect(log).not.toContain(token);
    expect(log).not.toContain(code);
    // The kiosk's own address still works, from the same PC.
    expect((await rawRequest(`${k.base}/`, { host: `127.0.0.1:${k.port}` })).status).toBe(200);
    expect((await request(`${k.base}/invitations`, { token, body: invite() })).status).toBe(201);
  });

  it('listening on 0.0.0.0, the send page works at every address the admin panel lists, and loopback', async () => {
    const k = await kiosk({ host: '0.0.0.0' });
    const status = lanStatus({ db: k.core.db, settings: k.core.settings, bridge: k.bridge, now: k.clock.now });
    expect(status.pageUrls).toEqual(lanIPv4().map((a) => `http://${a}:${k.port}/`));
    for (const url of [...status.pageUrls, `${k.base}/`]) {
      const page = await fetch(url);
      expect(page.status).toBe(200);
      const { token } = await pairPc(k, `PC via ${url}`, url.slice(0, -1));
      expect((await request(`${url}procedures`, { token })).status).toBe(200);
      // Arrived on this address, Host naming another of the PC's addresses: refused all the same.
      expect((await rawRequest(url, { host: `kiosk.lan:${k.port}` })).status).toBe(421);
    }
  });

  it('listening on ::, takes an IPv4 address (mapped on the socket) and an IPv6 one in brackets', async () => {
    const k = await kiosk({ host: '::' });
    expect((await fetch(`http://127.0.0.1:${k.port}/`)).status).toBe(200);
    expect((await fetch(`http://[::1]:${k.port}/`)).status).toBe(200);
    expect((await rawRequest(`http://[::1]:${k.port}/`, { host: `127.0.0.1:${k.port}` })).status).toBe(421);
    expect((await rawRequest(`http://127.0.0.1:${k.port}/`, { host: `[::ffff:127.0.0.1]:${k.port}` })).status).toBe(
      421,
    );
  });
});

describe("LAN bridge: an invitation's status is its sender's only", () => {
  /** Sends one invitation from `token`; its id. */
  const send = async (k: LanKiosk, token: string, caseNumber?: string) => {
    const r = await request(`${k.base}/invitations`, { token, body: invite(caseNumber) });
    expect(r.status).toBe(201);
    return String((r.body.invitation as { id: string }).id);
  };

  it('another paired PC gets the very 404 of an unknown id, and the probe is logged', async () => {
    const k = await kiosk();
    const a = await pairPc(k, 'Quầy 1');
    const b = await pairPc(k, 'Quầy 2');
    const id = await send(k, a.token);
    expect(await request(`${k.base}/invitations/${id}`, { token: a.token })).toMatchObject({
      status: 200,
      body: { id, status: 'delivered' },
    });
    const probed = await request(`${k.base}/invitations/${id}`, { token: b.token });
    const unknownId = uuidv7(k.clock.now());
    const unknown = await request(`${k.base}/invitations/${unknownId}`, { token: b.token });
    expect(probed.status).toBe(404);
    expect(probed.body).toEqual({ error: 'not_found', message: `no invitation ${id} on this kiosk` });
    expect(unknown.body).toEqual({ error: 'not_found', message: `no invitation ${unknownId} on this kiosk` });
    expect(k.logs.join('\n')).toContain(
      `refused the status of invitation ${id} to client ${b.clientId} (127.0.0.1): sent by client ${a.clientId}`,
    );
  });

  it("an invitation from central is no paired PC's", async () => {
    const k = await kiosk();
    const { token } = await pairPc(k, 'Quầy 1');
    const now = k.clock.now();
    const fromCentral = {
      ...invite('HS-central-1'),
      id: uuidv7(now),
      officerId: null,
      issuedAt: new Date(now).toISOString(),
      expiresAt: new Date(now + 600_000).toISOString(),
    };
    expect(k.recorder.sink.receive(fromCentral, 'central').ok).toBe(true);
    expect((await request(`${k.base}/invitations/${fromCentral.id}`, { token })).status).toBe(404);
  });

  it('the sender still reads it after the bridge moves to another port', async () => {
    const k = await kiosk();
    const { token } = await pairPc(k, 'Quầy 1');
    const id = await send(k, token);
    const port = await freePort();
    setSetting(k.core.db, 'lanBridgePort', port);
    await k.bridge.refresh();
    expect((await request(`http://127.0.0.1:${port}/invitations/${id}`, { token })).status).toBe(200);
  });

  it('the sender still reads it after the kiosk restarts its bridge (who sent what is in the database)', async () => {
    const k = await kiosk();
    const { token } = await pairPc(k, 'Quầy 1');
    const other = await pairPc(k, 'Quầy 2');
    const id = await send(k, token);
    await k.bridge.stop();
    // A fresh port: the client's pooled connection to the stopped server is not reused.
    const port = await freePort();
    setSetting(k.core.db, 'lanBridgePort', port);
    const again = startLanBridge({
      db: k.core.db,
      settings: k.core.settings,
      catalog: () => k.core.config().bundle.catalog,
      sink: () => k.recorder.sink,
      now: k.clock.now,
      log: () => {},
      watchMs: 60_000,
    });
    again.start();
    await again.refresh();
    try {
      const base = `http://127.0.0.1:${port}`;
      expect((await request(`${base}/invitations/${id}`, { token })).status).toBe(200);
      expect((await request(`${base}/invitations/${id}`, { token: other.token })).status).toBe(404);
    } finally {
      await again.stop();
    }
  });
});

describe('LAN bridge: bad tokens are limited per address', () => {
  const forged = `lan_${'A'.repeat(43)}`;

  it('after its budget of bad tokens an address gets 429 even with a good token; others do not; it recovers', async () => {
    const k = await kiosk();
    const { token } = await pairPc(k, 'Quầy 1');
    const budget = LAN_RATE_LIMITS.failedToken.capacity;
    for (let i = 0; i < budget; i++)
      expect((await request(`${k.base}/procedures`, { token: i % 2 ? forged : undefined })).status).toBe(401);
    const blocked = await request(`${k.base}/procedures`, { token: forged });
    expect(blocked).toMatchObject({ status: 429, body: { error: 'rate_limited' } });
    expect(Number(blocked.headers.get('retry-after'))).toBe(1 / LAN_RATE_LIMITS.failedToken.perSecond);
    // Refused before the token is looked up: the good one does not get through from this address either.
    expect((await request(`${k.base}/procedures`, { token })).status).toBe(429);
    expect((await request(`${k.base}/invitations`, { token, body: invite() })).status).toBe(429);
    expect(k.recorder.received).toEqual([]);
    // Another PC (address) is not held up.
    const other = await rawRequest(`${k.base}/procedures`, {
      host: `127.0.0.1:${k.port}`,
      headers: { authorization: `Bearer ${token}` },
      localAddress: '127.0.0.2',
    });
    expect(other.status).toBe(200);
    // The budget refills: one more try after 30 s.
    k.clock.advance(1000 / LAN_RATE_LIMITS.failedToken.perSecond);
    expect((await request(`${k.base}/procedures`, { token })).status).toBe(200);
    expect(k.logs.join('\n')).not.toContain(forged);
  });

  it('remembers a bounded number of addresses, forgetting the one that failed longest ago', () => {
    const t = { now: 0 };
    const limiter = failureLimiter({ capacity: 2, perSecond: 1 / 30 }, () => t.now, 3);
    limiter.fail('a');
    limiter.fail('a');
    expect(limiter.check('a').ok).toBe(false);
    expect(limiter.check('never-failed')).toEqual({ ok: true });
    for (const key of ['b', 'c', 'd']) limiter.fail(key);
    expect(limiter.size()).toBe(3);
    expect(limiter.check('a').ok).toBe(true);
    limiter.fail('b');
    limiter.fail('e');
    // b failed again after c, so c went first.
    expect(limiter.check('b').ok).toBe(false);
    expect(limiter.size()).toBe(3);
  });
});

describe('LAN bridge: refused before the work', () => {
  /**
   * Sends only a request's head, announcing a body of `length` bytes that never comes, and resolves
   * with the reply's status line: an answer proves the body was refused without waiting to read it.
   */
  const headOnly = (k: LanKiosk, method: string, path: string, length: number, headers: string[] = []) =>
    new Promise<string>((resolve, reject) => {
      const socket = connect(k.port, '127.0.0.1');
      let reply = '';
      socket.on('data', (c: Buffer) => {
        reply += c.toString('latin1');
        if (reply.includes('\r\n')) {
          socket.destroy();
          resolve(reply.split('\r\n')[0]!);
        }
      });
      socket.once('error', reject);
      socket.write(
        [
          `${method} ${path} HTTP/1.1`,
          `Host: 127.0.0.1:${k.port}`,
          'Content-Type: application/json',
          `Content-Length: ${length}`,
          ...headers,
          '',
          '',
        ].join('\r\n'),
      );
    });

  it('refuses an announced body over the limit, an unknown path and a wrong method without reading the body', async () => {
    const k = await kiosk();
    const { token } = await pairPc(k, 'Quầy 1');
    const { code } = issuePairingCode(k.core.db, k.clock.now());
    const gigabyte = 1024 ** 3;
    expect(await headOnly(k, 'POST', '/invitations', gigabyte, [`Authorization: Bearer ${token}`])).toMatch(/ 413 /);
    expect(await headOnly(k, 'POST', '/pair', gigabyte)).toMatch(/ 413 /);
    expect(await headOnly(k, 'POST', '/nowhere', gigabyte)).toMatch(/ 404 /);
    expect(await headOnly(k, 'PUT', '/invitations', gigabyte)).toMatch(/ 405 /);
    expect(k.recorder.received).toEqual([]);
    expect(pairingCodeState(k.core.db, k.clock.now())?.attemptsLeft).toBe(LAN_PAIRING.maxWrongAttempts);
    // A pairing body over 1 KB that does arrive is cut off at the limit, and the code is not spent on it.
    const long = await request(`${k.base}/pair`, { body: { code, label: 'x'.repeat(2048) } });
    expect(long).toMatchObject({ status: 413, body: { error: 'payload_too_large' } });
    expect(pairingCodeState(k.core.db, k.clock.now())?.attemptsLeft).toBe(LAN_PAIRING.maxWrongAttempts);
  });

  it('answers an unknown path 404 and a wrong method 405 (with Allow) before asking for a token', async () => {
    const k = await kiosk();
    expect((await request(`${k.base}/admin`)).status).toBe(404);
    expect((await request(`${k.base}/invitations/a/b`)).status).toBe(404);
    const wrong = await request(`${k.base}/procedures`, { method: 'DELETE' });
    expect(wrong).toMatchObject({ status: 405, body: { error: 'method_not_allowed' } });
    expect(wrong.headers.get('allow')).toBe('GET');
    expect((await request(`${k.base}/pair`)).headers.get('allow')).toBe('POST');
    // None of these counted as a bad token.
    for (let i = 0; i < LAN_RATE_LIMITS.failedToken.capacity; i++)
      expect((await request(`${k.base}/procedures`)).status).toBe(401);
  });

  it('pairs one PC only when two send the right code at once', async () => {
    const k = await kiosk();
    const { code } = issuePairingCode(k.core.db, k.clock.now());
    const replies = await Promise.all(
      ['Quầy 1', 'Quầy 2', 'Quầy 3'].map((label) => request(`${k.base}/pair`, { body: { code, label } })),
    );
    expect(replies.map((r) => r.status).sort()).toEqual([201, 401, 401]);
    expect(replies.filter((r) => r.status === 401).map((r) => r.body.error)).toEqual(['no_code', 'no_code']);
  });
});
