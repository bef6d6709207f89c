// The LAN bridge's API (issue 11): a paired counter PC sends invitations to the kiosk; everything else
// is refused precisely, logged without secrets, and nothing reaches the kiosk core. Loopback only.
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { issuePairingCode, revokeClient } from '../../electron/core/lan-bridge/pairing.ts';
import { LAN_RATE_LIMITS } from '../../electron/core/lan-bridge/rate-limit.ts';
import { setSetting } from '../../electron/core/store/settings.ts';
import { uuidv7 } from '../../shared/ids.ts';
import { INVITATION_TTL } from '../../shared/invitation.ts';
import { DEFAULT_SETTINGS, settingSchemas } from '../../shared/settings.ts';
import { type LanKiosk, freePort, lanKiosk, request } from '../support/lan-bridge.ts';

const open: LanKiosk[] = [];
afterEach(async () => {
  for (const k of open.splice(0)) await k.close();
});

/** A kiosk with one paired PC. */
const paired = async () => {
  const k = await lanKiosk();
  open.push(k);
  const { code } = issuePairingCode(k.core.db, k.clock.now());
  const r = await request(`${k.base}/pair`, { body: { code, label: 'Quầy 1' } });
  return { k, token: String(r.body.token), clientId: String(r.body.clientId) };
};

const PROCEDURE = '1.001193';
const invite = (over: Record<string, unknown> = {}) => ({
  counterId: 'q1',
  caseNumber: 'HS-2026-000123',
  procedureCode: PROCEDURE,
  officerId: 'cb01',
  ...over,
});

/** Whether anything accepts a TCP connection on the port. */
const accepting = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });

describe('LAN bridge invitations', () => {
  it('a paired PC sends an invitation: the kiosk receives it from "lan", and its status can be read', async () => {
    const { k, token } = await paired();
    const r = await request(`${k.base}/invitations`, { token, body: invite() });
    expect(r.status).toBe(201);
    expect(k.recorder.received).toHaveLength(1);
    const { invitation, source } = k.recorder.received[0]!;
    expect(source).toBe('lan');
    expect(invitation).toMatchObject({ counterId: 'q1', caseNumber: 'HS-2026-000123', procedureCode: PROCEDURE });
    expect(invitation.officerId).toBe('cb01');
    expect(invitation.issuedAt).toBe(new Date(k.clock.now()).toISOString());
    expect(Date.parse(invitation.expiresAt) - Date.parse(invitation.issuedAt)).toBe(
      INVITATION_TTL.defaultSeconds * 1000,
    );
    expect(r.body).toEqual({ invitation, status: 'delivered' });

    k.recorder.statuses.set(invitation.id, 'answered');
    const status = await request(`${k.base}/invitations/${invitation.id}`, { token });
    expect(status).toMatchObject({ status: 200, body: { id: invitation.id, status: 'answered' } });
    expect((await request(`${k.base}/invitations/${uuidv7()}`, { token })).status).toBe(404);
    expect((await request(`${k.base}/invitations/not-an-id`, { token })).status).toBe(400);
  });

  it("takes the ttl asked for, else IT's invitationTtlSeconds", async () => {
    const { k, token } = await paired();
    await request(`${k.base}/invitations`, { token, body: invite({ ttlSeconds: 90 }) });
    const { invitation } = k.recorder.received[0]!;
    expect(Date.parse(invitation.expiresAt) - Date.parse(invitation.issuedAt)).toBe(90_000);
    setSetting(k.core.db, 'invitationTtlSeconds', 120);
    await request(`${k.base}/invitations`, { token, body: invite({ caseNumber: 'HS-2026-000124' }) });
    const second = k.recorder.received[1]!.invitation;
    expect(Date.parse(second.expiresAt) - Date.parse(second.issuedAt)).toBe(120_000);
  });

  it('refuses an unpaired PC and a wrong token with 401, logs it without the token, and stores nothing', async () => {
    const { k } = await paired();
    const forged = `lan_${'A'.repeat(43)}`;
    for (const token of [undefined, forged, 'not-a-token']) {
      const r = await request(`${k.base}/invitations`, { token, body: invite() });
      expect(r.status).toBe(401);
      expect(r.body.error).toBe('unauthorized');
      expect((await request(`${k.base}/procedures`, { token })).status).toBe(401);
    }
    expect(k.recorder.received).toEqual([]);
    const log = k.logs.join('\n');
    expect(log).toMatch(/refused POST \/invitations from 127\.0\.0\.1: unauthorized/);
    expect(log).not.toContain(forged);
  });

  it('a revoked PC gets 401 at once and nothing reaches the kiosk', async () => {
    const { k, token, clientId } = await paired();
    expect((await request(`${k.base}/invitations`, { token, body: invite() })).status).toBe(201);
    revokeClient(k.core.db, clientId, k.clock.now());
    const r = await request(`${k.base}/invitations`, { token, body: invite({ caseNumber: 'HS-2' }) });
    expect(r.status).toBe(401);
    expect(k.recorder.received).toHaveLength(1);
  });

  it('refuses a bad body with 400 naming the field, and bad JSON or another type precisely', async () => {
    const { k, token } = await paired();
    const bad = await request(`${k.base}/invitations`, { token, body: invite({ caseNumber: 'HS 1; drop' }) });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe('invalid_request');
    expect(bad.body.message).toBe('invalid invitation: caseNumber');
    expect(bad.body.issues).toEqual([
      { path: 'caseNumber', message: expect.stringContaining('case number') as string },
    ]);
    const extra = await request(`${k.base}/invitations`, { token, body: invite({ unitId: 'x' }) });
    expect(extra.status).toBe(400);
    const json = await request(`${k.base}/invitations`, { token, body: '{"counterId":' });
    expect(json).toMatchObject({ status: 400, body: { error: 'invalid_json' } });
    const form = await request(`${k.base}/invitations`, {
      token,
      body: 'counterId=q1',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form).toMatchObject({ status: 415, body: { error: 'unsupported_media_type' } });
    expect(k.recorder.received).toEqual([]);
  });

  it('passes the kiosk\'s "unknown procedure" through as 422, and refuses a counter the kiosk does not have', async () => {
    const { k, token } = await paired();
    const unknown = await request(`${k.base}/invitations`, { token, body: invite({ procedureCode: '9.999999' }) });
    expect(unknown).toMatchObject({ status: 422, body: { error: 'unknown_procedure' } });
    expect(unknown.body.message).toContain('9.999999');
    const counter = await request(`${k.base}/invitations`, { token, body: invite({ counterId: 'q9' }) });
    expect(counter).toMatchObject({ status: 422, body: { error: 'unknown_counter' } });
    expect(k.recorder.received).toEqual([]);
  });

  it('refuses a body over 16 KB with 413, declared or not', async () => {
    const { k, token } = await paired();
    const huge = JSON.stringify(invite({ note: 'x'.repeat(17 * 1024) }));
    expect((await request(`${k.base}/invitations`, { token, body: huge })).status).toBe(413);
    // Streamed without a length: cut off at the limit all the same.
    const chunked = await fetch(`${k.base}/invitations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: new ReadableStream({
        start(c) {
          c.enqueue(new TextEncoder().encode(huge));
          c.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);
    expect(k.recorder.received).toEqual([]);
  });

  it('rate-limits a burst from one PC: only the budget is admitted, the rest get 429, the kiosk still answers', async () => {
    const { k, token } = await paired();
    // The clock stands still: no bucket refills, so the count admitted is exact.
    const replies = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        request(`${k.base}/invitations`, { token, body: invite({ caseNumber: `HS-${i}` }) }),
      ),
    );
    const created = replies.filter((r) => r.status === 201).length;
    // Pairing took one request of the global bucket; the client's own bucket holds perClient.capacity.
    expect(created).toBe(LAN_RATE_LIMITS.perClient.capacity);
    expect(replies.filter((r) => r.status === 429)).toHaveLength(200 - created);
    expect(replies.find((r) => r.status === 429)?.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(k.recorder.received).toHaveLength(created);
    // Refusals are logged, but a flood does not flood the log.
    expect(k.logs.filter((l) => l.includes('rate_limited')).length).toBeLessThanOrEqual(30);
    k.clock.advance(60_000);
    expect((await request(`${k.base}/invitations`, { token, body: invite({ caseNumber: 'HS-after' }) })).status).toBe(
      201,
    );
  });

  it('answers 404 for unknown paths, 405 for a wrong method, 403 for a foreign page, and serves the send page', async () => {
    const { k, token } = await paired();
    expect((await request(`${k.base}/admin`, { token })).status).toBe(404);
    expect((await request(`${k.base}/invitations`, { token })).status).toBe(405);
    const foreign = await request(`${k.base}/invitations`, {
      token,
      body: invite(),
      headers: { origin: 'http://evil.example' },
    });
    expect(foreign.status).toBe(403);
    const page = await fetch(`${k.base}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await page.text()).toContain('<script src="/send.js"');
    expect(k.recorder.received).toEqual([]);
  });
});

describe('LAN bridge lifecycle', () => {
  it('is off by default, and takes only an IP address of this PC and an unprivileged port', () => {
    expect(DEFAULT_SETTINGS.lanBridgeEnabled).toBe(false);
    expect(settingSchemas.lanBridgeHost.safeParse('0.0.0.0').success).toBe(true);
    expect(settingSchemas.lanBridgeHost.safeParse('fe80::1').success).toBe(true);
    const name = settingSchemas.lanBridgeHost.safeParse('kiosk.local');
    expect(name.error?.issues[0]?.message).toBe('expected an IP address of this PC, or 0.0.0.0 for all of them');
    expect(settingSchemas.lanBridgePort.safeParse(80).success).toBe(false);
    expect(settingSchemas.lanBridgePort.safeParse(4790).success).toBe(true);
  });

  it('listens only while enabled, and moves when the port changes', async () => {
    const k = await lanKiosk({ enabled: false });
    open.push(k);
    expect(await accepting(k.port)).toBe(false);
    expect(k.bridge.state()).toEqual({ enabled: false, listening: null, error: null });

    setSetting(k.core.db, 'lanBridgeEnabled', true);
    await k.bridge.refresh();
    expect(await accepting(k.port)).toBe(true);
    expect(k.bridge.state().listening).toBe(`127.0.0.1:${k.port}`);

    const next = await freePort();
    setSetting(k.core.db, 'lanBridgePort', next);
    await k.bridge.refresh();
    expect(await accepting(next)).toBe(true);
    expect(await accepting(k.port)).toBe(false);

    setSetting(k.core.db, 'lanBridgeEnabled', false);
    await k.bridge.refresh();
    expect(await accepting(next)).toBe(false);
  });

  it('says why it is not listening when the port is taken', async () => {
    const a = await lanKiosk();
    open.push(a);
    const b = await lanKiosk({ enabled: false });
    open.push(b);
    setSetting(b.core.db, 'lanBridgePort', a.port);
    setSetting(b.core.db, 'lanBridgeEnabled', true);
    await b.bridge.refresh();
    expect(b.bridge.state()).toMatchObject({
      enabled: true,
      listening: null,
      error: expect.stringMatching(/EADDRINUSE/) as string,
    });
  });
});
