// The admin panel's LAN bridge section (issue 11) on the real kiosk core: turning the bridge on makes the
// core's own bridge listen, a code made there pairs a PC once, the list shows it, revoking locks it out.
import { afterEach, describe, expect, it } from 'vitest';
import { type KioskCore, openKioskCore } from '../../electron/core/kiosk-core.ts';
import { setSetting } from '../../electron/core/store/settings.ts';
import { call, errorOf, fakeClock, kioskctl, okValue, silentLog } from '../support/kiosk.ts';
import { freePort, request } from '../support/lan-bridge.ts';
import { tempDir } from '../support/tmp.ts';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const kiosk = async () => {
  const t = tempDir('kiosk-lan-admin-');
  const clock = fakeClock();
  const core: KioskCore = openKioskCore({ dataDir: t.dir, clock, log: silentLog });
  cleanups.push(t.cleanup, () => core.close());
  const port = await freePort();
  setSetting(core.db, 'lanBridgeHost', '127.0.0.1');
  setSetting(core.db, 'lanBridgePort', port);
  core.lanBridge.start();
  await core.lanBridge.refresh();
  const session = okValue(await call(core, 'adminUnlock', { pin: '924680' })).session;
  return { core, clock, session, base: `http://127.0.0.1:${port}`, port, dir: t.dir };
};

const audited = (core: KioskCore) =>
  (core.db.prepare('SELECT action, details FROM audit_log ORDER BY id').all() as { action: string; details: string }[])
    .filter((r) => r.action.startsWith('lan_') || r.details.includes('lanBridge'))
    .map((r) => r.action);

describe('admin panel: LAN bridge', () => {
  it('is off by default; turning it on makes the kiosk listen, turning it off stops it', async () => {
    const { core, session, base, port } = await kiosk();
    const off = okValue(await call(core, 'adminLanStatus', { session }));
    expect(off).toMatchObject({
      enabled: false,
      listening: null,
      host: '127.0.0.1',
      port,
      openCode: null,
      clients: [],
    });
    await expect(fetch(`${base}/`)).rejects.toThrow();

    const on = okValue(await call(core, 'adminLanSetEnabled', { session, enabled: true }));
    expect(on).toMatchObject({ enabled: true, listening: `127.0.0.1:${port}`, error: null });
    expect((await fetch(`${base}/`)).status).toBe(200);

    okValue(await call(core, 'adminLanSetEnabled', { session, enabled: false }));
    await expect(fetch(`${base}/`)).rejects.toThrow();
    expect(audited(core)).toEqual(['settings_changed', 'settings_changed']);
  });

  it('a code made on the panel pairs one PC; the list shows it; revoking locks it out', async () => {
    const { core, clock, session, base } = await kiosk();
    okValue(await call(core, 'adminLanSetEnabled', { session, enabled: true }));
    const { code, expiresAt } = okValue(await call(core, 'adminLanNewCode', { session }));
    const shown = okValue(await call(core, 'adminLanStatus', { session }));
    // The panel sees that a code is open and until when, never the code again.
    expect(shown.openCode).toEqual({ expiresAt, attemptsLeft: 5 });
    expect(JSON.stringify(shown)).not.toContain(code);

    const paired = await request(`${base}/pair`, { body: { code, label: 'Quầy 2 - máy cán bộ' } });
    expect(paired.status).toBe(201);
    const token = String(paired.body.token);
    clock.advance(5_000);
    expect((await request(`${base}/procedures`, { token })).status).toBe(200);

    const listed = okValue(await call(core, 'adminLanStatus', { session }));
    expect(listed.openCode).toBeNull();
    expect(listed.clients).toEqual([
      {
        id: paired.body.clientId,
        label: 'Quầy 2 - máy cán bộ',
        pairedAt: new Date(clock.now() - 5_000).toISOString(),
        lastSeenAt: new Date(clock.now()).toISOString(),
        revokedAt: null,
      },
    ]);

    const revoked = okValue(await call(core, 'adminLanRevoke', { session, clientId: String(paired.body.clientId) }));
    expect(revoked.revokedAt).toBe(new Date(clock.now()).toISOString());
    expect((await request(`${base}/procedures`, { token })).status).toBe(401);
    expect(errorOf(await call(core, 'adminLanRevoke', { session, clientId: 'nobody' })).code).toBe('not_found');
    expect(audited(core)).toEqual(['settings_changed', 'lan_pairing_code', 'lan_client_paired', 'lan_client_revoked']);
  });

  it('needs the admin session: the staff PIN opens none of it', async () => {
    const { core } = await kiosk();
    const staff = okValue(await call(core, 'staffUnlock', { pin: '1357' })).session;
    expect(errorOf(await call(core, 'adminLanNewCode', { session: staff })).code).toBe('session_expired');
    expect(core.db.prepare('SELECT COUNT(*) AS n FROM lan_pairing_codes').get()).toEqual({ n: 0 });
  });
});

describe('kioskctl lan-pair and lan-clients', () => {
  it('prints a code the running kiosk pairs a PC with, lists the PC, and revokes it', async () => {
    const { core, session, base, dir } = await kiosk();
    okValue(await call(core, 'adminLanSetEnabled', { session, enabled: true }));
    const made = kioskctl(dir, 'lan-pair', '--json');
    expect(made.code).toBe(0);
    const { code } = JSON.parse(made.stdout) as { code: string };
    expect(code).toMatch(/^\d{8}$/);
    const paired = await request(`${base}/pair`, { body: { code, label: 'Quầy 1' } });
    expect(paired.status).toBe(201);

    const listed = JSON.parse(kioskctl(dir, 'lan-clients', '--json').stdout) as { clients: { id: string }[] };
    expect(listed.clients.map((c) => c.id)).toEqual([paired.body.clientId]);
    expect(kioskctl(dir, 'lan-clients', '--revoke', String(paired.body.clientId)).code).toBe(0);
    expect((await request(`${base}/procedures`, { token: String(paired.body.token) })).status).toBe(401);
    expect(kioskctl(dir, 'lan-clients', '--revoke', 'nobody').code).toBe(1);
  });
});
