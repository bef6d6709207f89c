// The LAN bridge's pairing (issue 11): a one-time code from the admin panel gives a counter PC its own
// token, once; wrong codes void it; an expired or replaced code pairs nobody. Loopback only.
import { afterEach, describe, expect, it } from 'vitest';
import { issuePairingCode, listClients, pairingCodeState } from '../../electron/core/lan-bridge/pairing.ts';
import { LAN_PAIRING, LanToken } from '../../shared/lan-bridge.ts';
import { type LanKiosk, lanKiosk, request } from '../support/lan-bridge.ts';

const open: LanKiosk[] = [];
afterEach(async () => {
  for (const k of open.splice(0)) await k.close();
});
const kiosk = async () => {
  const k = await lanKiosk();
  open.push(k);
  return k;
};

const pair = (k: LanKiosk, code: string, label = 'Quầy 1 - máy cán bộ') =>
  request(`${k.base}/pair`, { body: { code, label } });

/** A code that is not `code` (same length). */
const otherCode = (code: string) => String((Number(code) + 1) % 10 ** LAN_PAIRING.codeDigits).padStart(8, '0');

describe('LAN bridge pairing', () => {
  it('pairs once: the code gives a token that works, and the same code never pairs a second PC', async () => {
    const k = await kiosk();
    const { code } = issuePairingCode(k.core.db, k.clock.now());
    const first = await pair(k, code);
    expect(first.status).toBe(201);
    expect(LanToken.safeParse(first.body.token).success).toBe(true);
    expect(first.body.label).toBe('Quầy 1 - máy cán bộ');

    const procedures = await request(`${k.base}/procedures`, { token: String(first.body.token) });
    expect(procedures.status).toBe(200);
    expect((procedures.body.procedures as unknown[]).length).toBeGreaterThan(0);

    const again = await pair(k, code, 'another PC');
    expect(again.status).toBe(401);
    expect(again.body.error).toBe('no_code');
    expect(listClients(k.core.db).map((c) => c.label)).toEqual(['Quầy 1 - máy cán bộ']);
    // The token is stored hashed only, and neither it nor the code reaches the log.
    const stored = JSON.stringify(k.core.db.prepare('SELECT * FROM lan_clients').all());
    expect(stored).not.toContain(String(first.body.token));
    expect(k.logs.join('\n')).not.toContain(String(first.body.token));
    expect(k.logs.join('\n')).not.toContain(code);
    expect(pairingCodeState(k.core.db, k.clock.now())).toBeNull();
  });

  it(`voids the code after ${LAN_PAIRING.maxWrongAttempts} wrong tries: even the right code is then refused`, async () => {
    const k = await kiosk();
    const { code } = issuePairingCode(k.core.db, k.clock.now());
    const wrong = otherCode(code);
    for (let left = LAN_PAIRING.maxWrongAttempts - 1; left >= 0; left--) {
      const r = await pair(k, wrong);
      expect(r.status).toBe(401);
      expect(r.body).toMatchObject({ error: 'wrong_code', attemptsLeft: left });
    }
    const right = await pair(k, code);
    expect(right.body.error).toBe('no_code');
    expect(listClients(k.core.db)).toEqual([]);
    expect(k.logs.filter((l) => l.includes('pairing refused (wrong_code)'))).toHaveLength(LAN_PAIRING.maxWrongAttempts);
  });

  it('refuses a code past its ten minutes', async () => {
    const k = await kiosk();
    const { code, expiresAt } = issuePairingCode(k.core.db, k.clock.now());
    expect(Date.parse(expiresAt) - k.clock.now()).toBe(LAN_PAIRING.codeTtlSeconds * 1000);
    k.clock.advance(LAN_PAIRING.codeTtlSeconds * 1000);
    expect((await pair(k, code)).body.error).toBe('no_code');
    expect(listClients(k.core.db)).toEqual([]);
  });

  it('a new code replaces the open one', async () => {
    const k = await kiosk();
    const old = issuePairingCode(k.core.db, k.clock.now()).code;
    const fresh = issuePairingCode(k.core.db, k.clock.now()).code;
    if (old !== fresh) expect((await pair(k, old)).status).toBe(401);
    expect((await pair(k, fresh)).status).toBe(201);
  });

  it('refuses a malformed pairing request naming the field, before looking at any code', async () => {
    const k = await kiosk();
    issuePairingCode(k.core.db, k.clock.now());
    const r = await pair(k, '1234');
    expect(r.status).toBe(400);
    expect(r.body.issues).toEqual([{ path: 'code', message: 'a pairing code is 8 digits' }]);
    expect(pairingCodeState(k.core.db, k.clock.now())?.attemptsLeft).toBe(LAN_PAIRING.maxWrongAttempts);
  });
});
