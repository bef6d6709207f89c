// Issue 14.4 and 14.5: what an enrolment trusts. No re-enrolment without a deliberate reset (admin
// PIN, audited, never losing an unsent answer), a central key pinned at install, no plain http to
// another machine unless IT allows it, and no enrolment or sync while a demo PIN still opens a panel.
// Against a real central service on loopback and the kiosk core's own handlers and engine.
import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type RunningCentral, startCentral } from '../../central/index.ts';
import { type KioskCore, openKioskCore } from '../../electron/core/kiosk-core.ts';
import { setSetting } from '../../electron/core/store/settings.ts';
import { enrol, readEnrolment } from '../../electron/core/sync/enrolment.ts';
import { queueDepth } from '../../electron/core/sync/sync-store.ts';
import { call, errorOf, kioskctl, okValue, silentLog } from '../support/kiosk.ts';
import { OFFICE_ADMIN_PIN, OFFICE_STAFF_PIN, setOfficePins } from '../support/pins.ts';
import { tempDir } from '../support/tmp.ts';
import { insertBacklog } from '../sync/support/kiosk.ts';

let central: RunningCentral;
let other: RunningCentral;
const startTestCentral = () =>
  startCentral({ memory: true, port: 0, host: '127.0.0.1', rateLimit: { perIp: false, perDevice: false } });
beforeAll(async () => {
  [central, other] = await Promise.all([startTestCentral(), startTestCentral()]);
});
afterAll(async () => {
  await Promise.all([central?.close(), other?.close()]);
});
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

type Kiosk = { core: KioskCore; dir: string; session: string };
const fingerprint = (c: RunningCentral) =>
  createHash('sha256').update(Buffer.from(c.centralKey.publicKey, 'base64url')).digest('hex');

const kiosk = async ({ officePins = true } = {}): Promise<Kiosk> => {
  const t = tempDir('kiosk-trust-');
  const core = openKioskCore({
    dataDir: t.dir,
    log: silentLog,
    sync: { pollIntervalMs: 60_000, freeDisk: async () => 1e9, backoff: { baseMs: 10, capMs: 200 } },
    enrolTimeouts: { idleMs: 3_000, smallDeadlineMs: 5_000 },
  });
  cleanups.push(
    () => t.cleanup(),
    () => core.close(),
    () => core.sync.stop(),
  );
  if (officePins) setOfficePins(core.db);
  const pin = officePins ? OFFICE_ADMIN_PIN : '924680';
  const session = okValue(await call(core, 'adminUnlock', { pin })).session;
  return { core, dir: t.dir, session };
};
const enrolWith = async (k: Kiosk, on: RunningCentral, url = on.url) =>
  call(k.core, 'adminEnrol', { session: k.session, centralUrl: url, code: await on.enrolmentCode() });
const audit = (k: Kiosk, action: string) =>
  (
    k.core.db.prepare('SELECT actor, details FROM audit_log WHERE action = ? ORDER BY id').all(action) as {
      actor: string;
      details: string;
    }[]
  ).map((r) => ({ actor: r.actor, ...(JSON.parse(r.details) as Record<string, unknown>) }));

describe('re-enrolment takes a deliberate reset', () => {
  it('refuses to enrol an enrolled kiosk elsewhere (already_enrolled), before asking central', async () => {
    const k = await kiosk();
    okValue(await enrolWith(k, central));
    const before = readEnrolment(k.core.db);
    const code = await other.enrolmentCode();
    expect(
      errorOf(await call(k.core, 'adminEnrol', { session: k.session, centralUrl: other.url, code })),
    ).toMatchObject({ code: 'enrol_failed', reason: 'already_enrolled', status: null });
    expect(readEnrolment(k.core.db)).toEqual(before);
    // Central was never asked: the code is still unused there.
    const fresh = await kiosk();
    okValue(await call(fresh.core, 'adminEnrol', { session: fresh.session, centralUrl: other.url, code }));
  });

  it('resets with the admin PIN, audited, then enrols elsewhere; a wrong PIN counts toward the lockout', async () => {
    const k = await kiosk();
    okValue(await enrolWith(k, central));
    expect(errorOf(await call(k.core, 'adminResetEnrolment', { session: k.session, pin: '111222' }))).toMatchObject({
      code: 'bad_pin',
      attemptsLeft: 2,
    });
    expect(readEnrolment(k.core.db)?.centralUrl).toBe(`${central.url}/`);
    // The staff PIN is not the admin PIN.
    expect(errorOf(await call(k.core, 'adminResetEnrolment', { session: k.session, pin: OFFICE_STAFF_PIN })).code).toBe(
      'bad_pin',
    );
    const reset = okValue(await call(k.core, 'adminResetEnrolment', { session: k.session, pin: OFFICE_ADMIN_PIN }));
    expect(reset.previous).toEqual({ centralUrl: `${central.url}/`, unit: central.defaultUnit });
    expect(readEnrolment(k.core.db)).toBeUndefined();
    expect(audit(k, 'enrolment_reset')).toEqual([
      { actor: 'admin', centralUrl: `${central.url}/`, unit: central.defaultUnit },
    ]);
    okValue(await enrolWith(k, other));
    expect(readEnrolment(k.core.db)?.centralUrl).toBe(`${other.url}/`);
  });

  it('refuses a reset while answers are neither acknowledged nor exported; allows it once they are exported', async () => {
    const k = await kiosk();
    okValue(await enrolWith(k, central));
    insertBacklog(k.core, 30);
    expect(errorOf(await call(k.core, 'adminResetEnrolment', { session: k.session, pin: OFFICE_ADMIN_PIN }))).toEqual({
      code: 'unsent_responses',
      unsent: 30,
      message: expect.stringMatching(/30 answer\(s\) have not reached .* sync now, or export them to USB/),
    });
    expect(readEnrolment(k.core.db)).toBeDefined();
    expect(audit(k, 'enrolment_reset_refused')).toEqual([
      { actor: 'admin', centralUrl: `${central.url}/`, unsent: 30 },
    ]);
    const folder = tempDir('kiosk-trust-usb-');
    cleanups.push(folder.cleanup);
    const job = okValue(await call(k.core, 'adminExport', { session: k.session, target: folder.dir }));
    for (let j = job; j.state === 'running'; await new Promise((r) => setTimeout(r, 10)))
      Object.assign(j, okValue(await call(k.core, 'adminJob', { session: k.session, jobId: job.id })));
    okValue(await call(k.core, 'adminResetEnrolment', { session: k.session, pin: OFFICE_ADMIN_PIN }));
    // Nothing deleted: the answers still wait, for the next central (and are in the files for the old one).
    expect(queueDepth(k.core.db)).toBe(30);
  });

  it('kioskctl reset-enrolment follows the same rule', async () => {
    const k = await kiosk();
    okValue(await enrolWith(k, central));
    insertBacklog(k.core, 3);
    const refused = kioskctl(k.dir, 'reset-enrolment');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/3 answer\(s\) have not reached/);
    okValue(await call(k.core, 'adminStatus', { session: k.session }));
    const sync = await k.core.sync.runOnce();
    expect(sync.failure).toBeNull();
    const done = kioskctl(k.dir, 'reset-enrolment');
    expect(done.code, done.stderr).toBe(0);
    expect(done.stdout).toMatch(/enrolment reset: no longer enrolled with/);
    expect(readEnrolment(k.core.db)).toBeUndefined();
  });
});

describe('the central key pinned at install', () => {
  it('enrols with the central whose key matches, refuses another and stores nothing', async () => {
    const k = await kiosk();
    // As IT pastes it: upper case with colons, through kioskctl.
    const typed = fingerprint(central).toUpperCase().match(/../g)!.join(':');
    expect(kioskctl(k.dir, 'config', 'set', 'centralKeyFingerprint', typed).code).toBe(0);
    const status = okValue(await call(k.core, 'adminStatus', { session: k.session }));
    expect(status.trust.pinnedCentralKey).toBe(fingerprint(central));
    const wrong = errorOf(await enrolWith(k, other));
    expect(wrong).toMatchObject({ code: 'enrol_failed', reason: 'central_key_mismatch' });
    expect(wrong.message).toContain(fingerprint(other));
    expect(readEnrolment(k.core.db)).toBeUndefined();
    expect(audit(k, 'enrol_refused')).toMatchObject([
      { code: 'central_key_mismatch', centralKeyFingerprint: fingerprint(other) },
    ]);
    okValue(await enrolWith(k, central));
  });

  it("takes central's public key itself as the pin, and refuses a malformed one", async () => {
    const k = await kiosk();
    expect(kioskctl(k.dir, 'config', 'set', 'centralKeyFingerprint', central.centralKey.publicKey).code).toBe(0);
    expect(kioskctl(k.dir, 'config', 'get', 'centralKeyFingerprint').stdout.trim()).toBe(fingerprint(central));
    const bad = kioskctl(k.dir, 'config', 'set', 'centralKeyFingerprint', 'abc123');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/SHA-256 fingerprint \(64 hex digits\)/);
  });

  it('holds the sync of a kiosk enrolled before a different key was pinned', async () => {
    const k = await kiosk();
    okValue(await enrolWith(k, central));
    expect(setSetting(k.core.db, 'centralKeyFingerprint', fingerprint(other))).toEqual({ ok: true });
    const r = await k.core.sync.runOnce();
    expect(r.failure).toMatchObject({ code: 'central_key_mismatch' });
  });
});

describe('plain http', () => {
  it('refuses http:// to another machine unless IT allows it for a LAN; loopback is fine', async () => {
    const k = await kiosk();
    // Nothing listens there: the refusal must come before any connection.
    const lan = 'http://192.0.2.10:4790/';
    expect(
      errorOf(await call(k.core, 'adminEnrol', { session: k.session, centralUrl: lan, code: 'ABCD-EFGH-JKLM' })),
    ).toMatchObject({ code: 'enrol_failed', reason: 'plain_http', status: null });
    expect(
      await enrol({
        db: k.core.db,
        dataDir: k.dir,
        centralUrl: 'http://khaosat.example.gov.vn',
        code: 'ABCD-EFGH-JKLM',
      }),
    ).toMatchObject({ ok: false, code: 'plain_http' });
    expect(kioskctl(k.dir, 'config', 'set', 'allowPlainHttpLan', 'true').code).toBe(0);
    const allowed = errorOf(
      await call(k.core, 'adminEnrol', { session: k.session, centralUrl: lan, code: 'ABCD-EFGH-JKLM' }),
    );
    // Allowed: now it is tried (and nothing answers at that test address).
    expect(allowed).toMatchObject({ code: 'enrol_failed', reason: 'unreachable' });
    expect(kioskctl(k.dir, 'config', 'set', 'allowPlainHttpLan', 'false').code).toBe(0);
    // central.url is http://127.0.0.1:PORT: loopback needs no exception.
    okValue(await enrolWith(k, central));
  }, 30_000);
});

describe('demo PINs on a kiosk meant for a counter', () => {
  it('refuses to enrol while the admin or staff PIN is the demo default, saying to change it first', async () => {
    const k = await kiosk({ officePins: false });
    const demo = errorOf(await enrolWith(k, central));
    expect(demo).toMatchObject({ code: 'enrol_failed', reason: 'demo_pins', status: null });
    expect(demo.message).toMatch(/the staff PIN and admin PIN are still the published demo default: change them first/);
    expect(okValue(await call(k.core, 'adminStatus', { session: k.session })).trust.demoPins).toEqual([
      'staff',
      'admin',
    ]);
    okValue(await call(k.core, 'adminChangePin', { session: k.session, role: 'admin', newPin: OFFICE_ADMIN_PIN }));
    expect(errorOf(await enrolWith(k, central)).message).toMatch(/the staff PIN is still the published demo default/);
    okValue(await call(k.core, 'adminChangePin', { session: k.session, role: 'staff', newPin: OFFICE_STAFF_PIN }));
    okValue(await enrolWith(k, central));
  });

  it('holds the sync of a kiosk already enrolled with a demo PIN, says so, and resumes once it is changed', async () => {
    // Enrolled before this rule existed: the enrolment is in the database, the demo PIN still set.
    const k = await kiosk();
    okValue(await enrolWith(k, central));
    k.core.db.prepare("DELETE FROM settings WHERE key = 'staffPin'").run();
    insertBacklog(k.core, 5);
    const held = await k.core.sync.runOnce();
    expect(held.failure).toMatchObject({ code: 'demo_pins', meaning: expect.stringMatching(/sync is held/) });
    expect(queueDepth(k.core.db)).toBe(5);
    const status = okValue(await call(k.core, 'adminStatus', { session: k.session }));
    expect(status.trust.demoPins).toEqual(['staff']);
    const ctl = kioskctl(k.dir, 'status');
    expect(ctl.stdout).toMatch(/warning .*staff PIN is still the published demo PIN: .*sync held/);
    const ctlSync = kioskctl(k.dir, 'sync');
    expect(ctlSync.code).toBe(1);
    expect(ctlSync.stderr + ctlSync.stdout).toMatch(/demo_pins/);
    okValue(await call(k.core, 'adminChangePin', { session: k.session, role: 'staff', newPin: OFFICE_STAFF_PIN }));
    const resumed = await k.core.sync.runOnce();
    expect(resumed.failure).toBeNull();
    expect(queueDepth(k.core.db)).toBe(0);
  }, 60_000);
});
