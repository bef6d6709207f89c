// The admin panel's methods that need no central: the admin PIN and its lockout, the idle session,
// PIN changes, opening hours and idle settings, the audit log, and both transports.
import { afterEach, describe, expect, it } from 'vitest';
import { type KioskCore, openKioskCore } from '../../electron/core/kiosk-core.ts';
import { createHostServer } from '../../electron/host/server.ts';
import { BASE_LOCK_MS } from '../../electron/core/staff-auth.ts';
import type { MethodOutput, Result } from '../../shared/api.ts';
import { PublishedConfig } from '../../shared/sync.ts';
import { type FakeClock, call, errorOf, fakeClock, okValue, silentLog, snapshotDb } from '../support/kiosk.ts';
import { tempDir } from '../support/tmp.ts';

const ADMIN_PIN = '924680';
const STAFF_PIN = '1357';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const kiosk = (dataDir?: string): { core: KioskCore; clock: FakeClock; dir: string } => {
  const t = dataDir ? { dir: dataDir, cleanup: () => {} } : tempDir('kiosk-admin-');
  const clock = fakeClock();
  const core = openKioskCore({ dataDir: t.dir, clock, log: silentLog });
  cleanups.push(
    () => t.cleanup(),
    () => core.close(),
  );
  return { core, clock, dir: t.dir };
};

const unlock = async (core: KioskCore, pin = ADMIN_PIN) => okValue(await call(core, 'adminUnlock', { pin })).session;

const auditActions = (core: KioskCore): { actor: string; action: string; details: Record<string, unknown> }[] =>
  (
    core.db.prepare('SELECT actor, action, details FROM audit_log ORDER BY id').all() as {
      actor: string;
      action: string;
      details: string;
    }[]
  ).map((r) => ({
    ...r,
    details: JSON.parse(r.details) as Record<string, unknown>,
  }));

describe('admin PIN and session', () => {
  it('opens with the admin PIN only, and locks after three wrong ones like the staff panel', async () => {
    const { core, clock, dir } = kiosk();
    // The staff PIN is not an admin PIN: it counts as a wrong one.
    const first = errorOf(await call(core, 'adminUnlock', { pin: STAFF_PIN }));
    expect(first).toMatchObject({ code: 'bad_pin', attemptsLeft: 2, lockedForMs: 0 });
    expect(errorOf(await call(core, 'adminUnlock', { pin: '000000' }))).toMatchObject({
      code: 'bad_pin',
      attemptsLeft: 1,
    });
    expect(errorOf(await call(core, 'adminUnlock', { pin: '111111' }))).toMatchObject({
      code: 'bad_pin',
      attemptsLeft: 0,
      lockedForMs: BASE_LOCK_MS,
    });
    // Locked: even the right PIN is refused, with the time left.
    const locked = errorOf(await call(core, 'adminUnlock', { pin: ADMIN_PIN }));
    expect(locked).toMatchObject({ code: 'locked', retryAfterMs: BASE_LOCK_MS });
    // The staff panel has its own counter: still open.
    okValue(await call(core, 'staffUnlock', { pin: STAFF_PIN }));
    // A restart does not reset the lockout.
    core.close();
    const again = kiosk(dir);
    again.clock.advance(clock.now() - again.clock.now() + 10_000);
    expect(errorOf(await call(again.core, 'adminUnlock', { pin: ADMIN_PIN }))).toMatchObject({
      code: 'locked',
      retryAfterMs: BASE_LOCK_MS - 10_000,
    });
    // One more wrong PIN after the lock doubles it.
    again.clock.advance(BASE_LOCK_MS);
    expect(errorOf(await call(again.core, 'adminUnlock', { pin: '222222' }))).toMatchObject({
      code: 'bad_pin',
      lockedForMs: 2 * BASE_LOCK_MS,
    });
    again.clock.advance(2 * BASE_LOCK_MS);
    await unlock(again.core);
    const log = auditActions(again.core).filter((e) => e.actor === 'admin');
    expect(log.map((e) => e.action)).toEqual([
      'pin_failed',
      'pin_failed',
      'pin_failed',
      'pin_refused_locked',
      'pin_refused_locked',
      'pin_failed',
      'unlock',
    ]);
    // No PIN, right or wrong, is ever written to the log.
    const text = JSON.stringify(auditActions(again.core));
    for (const pin of [ADMIN_PIN, STAFF_PIN, '000000', '111111', '222222']) expect(text).not.toContain(pin);
  });

  it('the session ends when left idle, is extended by use, and ends at once on adminLock', async () => {
    const { core, clock } = kiosk();
    const session = await unlock(core);
    // Default panel session: 120 s from the last call.
    clock.advance(100_000);
    okValue(await call(core, 'adminStatus', { session }));
    clock.advance(100_000);
    okValue(await call(core, 'adminGetSettings', { session }));
    clock.advance(121_000);
    expect(errorOf(await call(core, 'adminStatus', { session }))).toMatchObject({ code: 'session_expired' });
    const other = await unlock(core);
    okValue(await call(core, 'adminLock', { session: other }));
    expect(errorOf(await call(core, 'adminGetSettings', { session: other }))).toMatchObject({
      code: 'session_expired',
    });
    expect(auditActions(core).map((e) => e.action)).toEqual(['unlock', 'unlock', 'lock']);
  });

  it('a staff session opens no admin method, and an admin session no staff method', async () => {
    const { core } = kiosk();
    const staff = okValue(await call(core, 'staffUnlock', { pin: STAFF_PIN })).session;
    const admin = await unlock(core);
    expect(errorOf(await call(core, 'adminStatus', { session: staff }))).toMatchObject({ code: 'session_expired' });
    expect(
      errorOf(await call(core, 'adminChangePin', { session: staff, role: 'admin', newPin: '86420975' })),
    ).toMatchObject({ code: 'session_expired' });
    expect(errorOf(await call(core, 'staffContext', { session: admin }))).toMatchObject({ code: 'session_expired' });
    // Neither refusal ended the other role's session.
    okValue(await call(core, 'staffContext', { session: staff }));
    okValue(await call(core, 'adminStatus', { session: admin }));
  });
});

describe('PIN changes', () => {
  it('changes the staff and the admin PIN, stores only hashes, and resets the lockout', async () => {
    const { core } = kiosk();
    const session = await unlock(core);
    // Two wrong staff PINs, then IT sets a new one: the old failures no longer count.
    for (const pin of ['0000', '9999']) errorOf(await call(core, 'staffUnlock', { pin }));
    expect(okValue(await call(core, 'adminChangePin', { session, role: 'staff', newPin: '8642' }))).toEqual({
      role: 'staff',
    });
    expect(errorOf(await call(core, 'staffUnlock', { pin: STAFF_PIN }))).toMatchObject({
      code: 'bad_pin',
      attemptsLeft: 2,
    });
    okValue(await call(core, 'staffUnlock', { pin: '8642' }));

    okValue(await call(core, 'adminChangePin', { session, role: 'admin', newPin: '50913786' }));
    // The session that changed it stays open; new sessions need the new PIN.
    okValue(await call(core, 'adminStatus', { session }));
    expect(errorOf(await call(core, 'adminUnlock', { pin: ADMIN_PIN }))).toMatchObject({ code: 'bad_pin' });
    await unlock(core, '50913786');

    const stored = JSON.stringify(
      core.db.prepare("SELECT key, value FROM settings WHERE key IN ('staffPin', 'adminPin')").all(),
    );
    expect(stored).toContain('scrypt');
    expect(stored).not.toContain('8642');
    expect(stored).not.toContain('50913786');
    const changes = auditActions(core).filter((e) => e.action === 'pin_changed');
    expect(changes).toEqual([
      { actor: 'admin', action: 'pin_changed', details: { role: 'staff' } },
      { actor: 'admin', action: 'pin_changed', details: { role: 'admin' } },
    ]);
  });

  it('refuses weak PINs and a staff PIN equal to the admin PIN, with the reason, changing nothing', async () => {
    const { core } = kiosk();
    const session = await unlock(core);
    const cases = [
      ['staff', '7777', 'repeated'],
      ['staff', '3456', 'sequence'],
      ['admin', '876543', 'sequence'],
      ['admin', '86420', 'too_short'],
      ['staff', STAFF_PIN, 'demo'],
      ['staff', ADMIN_PIN, 'same_as_other'],
    ] as const;
    for (const [role, newPin, reason] of cases) {
      const before = snapshotDb(core.db);
      expect(errorOf(await call(core, 'adminChangePin', { session, role, newPin })), `${role} ${newPin}`).toMatchObject(
        { code: 'pin_rule', reason },
      );
      expect(snapshotDb(core.db)).toEqual(before);
    }
    okValue(await call(core, 'staffUnlock', { pin: STAFF_PIN }));
  });
});

describe('opening hours and idle settings', () => {
  it('reads and changes them, the touch UI sees the change, and the audit log says from what to what', async () => {
    const { core } = kiosk();
    const session = await unlock(core);
    const before = okValue(await call(core, 'adminGetSettings', { session }));
    expect(before).toMatchObject({ idleSeconds: 45, countdownSeconds: 15 });
    expect(before.openingHours.length).toBeGreaterThan(0);
    const openingHours = [
      { days: [1, 2, 3, 4, 5], from: '07:00', to: '11:30' },
      { days: [1, 2, 3, 4, 5], from: '13:00', to: '17:30' },
    ];
    const after = okValue(await call(core, 'adminSetSettings', { session, idleSeconds: 90, openingHours }));
    // The display settings of issue 15 come along, unchanged (off by default).
    const display = { accessibleLayout: false, pictureFirst: false };
    expect(after).toEqual({ idleSeconds: 90, countdownSeconds: 15, openingHours, ...display });
    expect(okValue(await call(core, 'getKioskState', {})).settings.idleSeconds).toBe(90);
    okValue(await call(core, 'adminSetSettings', { session, countdownSeconds: 20 }));
    expect(okValue(await call(core, 'adminGetSettings', { session }))).toEqual({
      idleSeconds: 90,
      countdownSeconds: 20,
      openingHours,
      ...display,
    });
    const changes = auditActions(core).filter((e) => e.action === 'settings_changed');
    expect(changes.map((c) => c.details)).toEqual([
      { idleSeconds: { from: 45, to: 90 }, openingHours: { from: before.openingHours, to: openingHours } },
      { countdownSeconds: { from: 15, to: 20 } },
    ]);
    // Setting the same value again is not a change worth a log line.
    okValue(await call(core, 'adminSetSettings', { session, countdownSeconds: 20 }));
    expect(auditActions(core).filter((e) => e.action === 'settings_changed')).toHaveLength(2);
  });

  it('an invalid value refuses the whole change: a valid field next to it is not applied', async () => {
    const { core } = kiosk();
    const session = await unlock(core);
    const before = snapshotDb(core.db);
    const r = errorOf(
      await call(core, 'adminSetSettings', {
        session,
        idleSeconds: 60,
        openingHours: [
          { days: [1], from: '08:00', to: '12:00' },
          { days: [1], from: '11:00', to: '14:00' },
        ],
      }),
    );
    expect(r).toMatchObject({
      code: 'invalid_input',
      issues: [{ path: 'openingHours.1', message: expect.stringContaining('overlaps entry 1') }],
    });
    expect(snapshotDb(core.db)).toEqual(before);
    expect(okValue(await call(core, 'adminGetSettings', { session })).idleSeconds).toBe(45);
  });
});

describe('accessible layout and picture-first (issue 15)', () => {
  it('IT turns them on for this kiosk: the touch UI sees them, the audit log says so', async () => {
    const { core } = kiosk();
    const session = await unlock(core);
    expect(okValue(await call(core, 'getKioskState', {})).settings).toMatchObject({
      accessibleLayout: false,
      pictureFirst: false,
    });
    const after = okValue(await call(core, 'adminSetSettings', { session, accessibleLayout: true }));
    expect(after).toMatchObject({ accessibleLayout: true, pictureFirst: false, idleSeconds: 45 });
    okValue(await call(core, 'adminSetSettings', { session, pictureFirst: true }));
    expect(okValue(await call(core, 'getKioskState', {})).settings).toMatchObject({
      accessibleLayout: true,
      pictureFirst: true,
    });
    expect(
      auditActions(core)
        .filter((e) => e.action === 'settings_changed')
        .map((e) => e.details),
    ).toEqual([{ accessibleLayout: { from: false, to: true } }, { pictureFirst: { from: false, to: true } }]);
  });

  it("a configuration central publishes cannot carry them: they are this kiosk's, not the unit's", () => {
    const published = PublishedConfig.shape.settings.unwrap();
    expect(published.parse({ idleSeconds: 90, accessibleLayout: true, pictureFirst: true })).toEqual({
      idleSeconds: 90,
    });
  });
});

describe('audit log', () => {
  it('pages back newest first, every entry once, with its details', async () => {
    const { core } = kiosk();
    const session = await unlock(core);
    for (let i = 0; i < 7; i++) okValue(await call(core, 'adminSetSettings', { session, idleSeconds: 50 + i }));
    const all = auditActions(core);
    const seen: number[] = [];
    let before: number | undefined;
    let pages = 0;
    for (;;) {
      const page: MethodOutput<'adminAuditLog'> = okValue(
        await call(core, 'adminAuditLog', { session, limit: 3, ...(before ? { before } : {}) }),
      );
      expect(page.total).toBe(all.length);
      seen.push(...page.entries.map((e) => e.id));
      pages++;
      if (page.nextBefore === null) break;
      before = page.nextBefore;
    }
    expect(pages).toBe(Math.ceil(all.length / 3));
    expect(seen).toEqual([...seen].sort((a, b) => b - a));
    expect(seen).toHaveLength(all.length);
    const newest = okValue(await call(core, 'adminAuditLog', { session })).entries[0]!;
    expect(newest).toMatchObject({
      actor: 'admin',
      action: 'settings_changed',
      details: { idleSeconds: { from: 55, to: 56 } },
    });
  });
});

describe('both transports', () => {
  it('the admin methods work over the loopback HTTP host as over dispatch', async () => {
    const { core } = kiosk();
    const token = 'admin-test-token-0123456789';
    const app = createHostServer({ handlers: core, rendererDir: '/nonexistent/renderer', token });
    cleanups.push(() => app.close());
    const post = async <T>(method: string, payload: object): Promise<Result<T>> => {
      const r = await app.inject({
        method: 'POST',
        url: `/api/${method}`,
        headers: { host: '127.0.0.1', 'x-kiosk-token': token, 'content-type': 'application/json' },
        payload,
      });
      expect(r.statusCode).toBe(200);
      return r.json() as Result<T>;
    };
    const { session } = okValue(await post<{ session: string }>('adminUnlock', { pin: ADMIN_PIN }));
    const status = okValue(await post<MethodOutput<'adminStatus'>>('adminStatus', { session }));
    expect(status).toMatchObject({
      device: { deviceId: core.deviceId, dataDir: expect.any(String) },
      enrolment: null,
      sync: { state: 'not_enrolled', queueDepth: 0 },
    });
    expect(status.device.freeDiskBytes).toBeGreaterThan(0);
    expect(errorOf(await post('adminSyncNow', { session }))).toMatchObject({ code: 'not_enrolled' });
    expect(errorOf(await post('adminChangePin', { session, role: 'staff', newPin: '12' }))).toMatchObject({
      code: 'invalid_input',
      issues: [{ path: 'newPin' }],
    });
  });
});
