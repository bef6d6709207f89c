// The kiosk core's invitations (issue 11): received once, shown as the assignment, replaced by the next,
// expired on the kiosk's own clock, answered in the response's transaction, and staff's choice kept under.
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { setProcedure } from '../../electron/cli/commands.ts';
import { type KioskCore, openKioskCore } from '../../electron/core/kiosk-core.ts';
import { listResponses } from '../../electron/core/store/responses.ts';
import { setSetting } from '../../electron/core/store/settings.ts';
import { buildAnswers, call, errorOf, fakeClock, okValue, rowCount, silentLog } from '../support/kiosk.ts';
import { CASE_FACTS, PER_CASE_PROCEDURE, makeInvitation } from '../support/invitations.ts';
import { tempDir } from '../support/tmp.ts';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

// Opening a fresh data dir hashes the demo PINs (scrypt, about a second here): every test starts from a
// copy of one opened once instead.
let template: { dir: string; cleanup: () => void };
beforeAll(() => {
  template = tempDir('invitations-template-');
  openKioskCore({ dataDir: template.dir, log: silentLog }).close();
});
afterAll(() => template.cleanup());
const freshDir = (): string => {
  const t = tempDir('invitations-');
  cleanups.push(t.cleanup);
  copyFileSync(join(template.dir, 'kiosk.sqlite'), join(t.dir, 'kiosk.sqlite'));
  return t.dir;
};

const QUICK = '1.001776'; // staff's standing choice in these tests: another procedure, another questionnaire

const setup = () => {
  const dir = freshDir();
  const clock = fakeClock();
  const core = openKioskCore({ dataDir: dir, clock, log: silentLog });
  cleanups.push(() => core.close());
  const out = setProcedure(core.db, QUICK, 'STAFF-1');
  expect(out.exitCode, out.text).toBe(0);
  return { core, clock, dir };
};

const state = async (core: KioskCore) => okValue(await call(core, 'getKioskState', {}));

const row = (core: KioskCore, id: string) =>
  core.db.prepare('SELECT status, response_id, reason, reported FROM invitations WHERE id = ?').get(id) as {
    status: string;
    response_id: string | null;
    reason: string | null;
    reported: number;
  };

/** Begins a survey and answers what the citizen is shown. */
const evaluate = async (core: KioskCore, beforeSubmit?: () => void) => {
  const draft = okValue(await call(core, 'beginResponse', {}));
  const answers = buildAnswers(draft.questionnaire, { optional: 'never' });
  beforeSubmit?.();
  const result = await call(core, 'submitResponse', { draftId: draft.draftId, locale: 'vi', answers });
  return { draft, stored: okValue(result) };
};

const expectStaffChoice = async (core: KioskCore) => {
  const s = await state(core);
  expect(s.invitation).toBeNull();
  expect(s.assignment).toMatchObject({ procedureCode: QUICK, caseNumber: 'STAFF-1' });
  expect(s.assignment.invitationId).toBeUndefined();
};

describe('receiving an invitation', () => {
  it('makes it the assignment at once, with case, procedure, officer, counter and facts, over staff choice', async () => {
    const { core, clock } = setup();
    const inv = makeInvitation({ issuedMs: clock.now(), facts: CASE_FACTS, counterId: 'q2' });
    expect(core.invitations.receive(inv, 'central')).toEqual({ ok: true, status: 'delivered', duplicate: false });
    const s = await state(core);
    expect(s.assignment).toMatchObject({
      procedureCode: PER_CASE_PROCEDURE,
      caseNumber: 'HS-2026-0001',
      officerId: 'cb01',
      counterId: 'q2',
      facts: CASE_FACTS,
      invitationId: inv.id,
      questionnaireId: 'per-case',
      questionnaireVersion: 2,
    });
    expect(s.invitation).toEqual({
      id: inv.id,
      caseNumber: 'HS-2026-0001',
      procedureName: s.assignment.procedureName,
      officerId: 'cb01',
      expiresAtMs: clock.now() + 600_000,
    });
    expect(core.invitations.statusOf(inv.id)).toBe('delivered');
    // Staff's own choice is untouched underneath.
    expect(
      JSON.parse(
        (core.db.prepare("SELECT value FROM state WHERE key = 'assignment'").get() as { value: string }).value,
      ),
    ).toMatchObject({ procedureCode: QUICK, caseNumber: 'STAFF-1' });
  });

  it('takes an id once: the same invitation again is a duplicate, not shown again after it ended', async () => {
    const { core, clock } = setup();
    const a = makeInvitation({ issuedMs: clock.now() });
    core.invitations.receive(a, 'central');
    expect(core.invitations.receive(a, 'central')).toEqual({ ok: true, status: 'delivered', duplicate: true });
    await evaluate(core);
    expect(core.invitations.statusOf(a.id)).toBe('answered');
    // Delivered again after the answer (at least once): not shown again.
    expect(core.invitations.receive(a, 'central')).toEqual({ ok: true, status: 'answered', duplicate: true });
    await expectStaffChoice(core);
    expect(rowCount(core.db, 'invitations')).toBe(1);
  });

  it('the next invitation replaces the current one; an earlier one re-sent stays replaced', async () => {
    const { core, clock } = setup();
    const a = makeInvitation({ issuedMs: clock.now(), caseNumber: 'HS-A' });
    const b = makeInvitation({ issuedMs: clock.now() + 1, caseNumber: 'HS-B' });
    core.invitations.receive(a, 'lan');
    clock.advance(1000);
    core.invitations.receive(b, 'lan');
    expect(core.invitations.statusOf(a.id)).toBe('replaced');
    expect(row(core, a.id).reason).toMatch(/next invitation/);
    expect((await state(core)).invitation?.caseNumber).toBe('HS-B');
    expect(core.invitations.receive(a, 'lan')).toMatchObject({ ok: true, status: 'replaced', duplicate: true });
    expect((await state(core)).invitation?.caseNumber).toBe('HS-B');
  });

  it('an older invitation arriving after a newer one from the same issuer does not replace it; from another issuer it does', async () => {
    const { core, clock } = setup();
    const older = makeInvitation({ issuedMs: clock.now(), caseNumber: 'HS-OLD' });
    const newer = makeInvitation({ issuedMs: clock.now() + 5_000, caseNumber: 'HS-NEW' });
    expect(core.invitations.receive(newer, 'central')).toMatchObject({ ok: true, status: 'delivered' });
    expect(core.invitations.receive(older, 'central')).toEqual({ ok: true, status: 'replaced', duplicate: false });
    expect((await state(core)).invitation?.caseNumber).toBe('HS-NEW');
    expect(row(core, older.id).reason).toMatch(/newer invitation from the same issuer/);
    // A LAN PC's clock is not central's: its invitation, whatever its time, is the next one.
    const fromLan = makeInvitation({ issuedMs: clock.now() - 60_000, caseNumber: 'HS-LAN' });
    expect(core.invitations.receive(fromLan, 'lan')).toMatchObject({ ok: true, status: 'delivered' });
    expect((await state(core)).invitation?.caseNumber).toBe('HS-LAN');
  });

  it('central no longer holding it open (its stream\'s "open" event) ends the current one from central, not a LAN one', async () => {
    const { core, clock } = setup();
    const a = makeInvitation({ issuedMs: clock.now(), caseNumber: 'HS-A' });
    core.invitations.receive(a, 'central');
    core.invitations.centralOpen(new Set([a.id]));
    expect(core.invitations.current()?.id).toBe(a.id);
    core.invitations.centralOpen(new Set());
    expect(core.invitations.statusOf(a.id)).toBe('replaced');
    expect(row(core, a.id).reason).toMatch(/no longer open at central/);
    expect(core.invitations.pendingReports(10)).toEqual([
      expect.objectContaining({ invitationId: a.id, status: 'replaced' }),
    ]);
    await expectStaffChoice(core);
    // Re-sent later (at least once): a duplicate, not shown again.
    expect(core.invitations.receive(a, 'central')).toMatchObject({ ok: true, status: 'replaced', duplicate: true });
    // Central knows nothing of what a paired counter PC sent on the LAN: that one stays.
    const lan = makeInvitation({ issuedMs: clock.now(), caseNumber: 'HS-LAN' });
    core.invitations.receive(lan, 'lan');
    core.invitations.centralOpen(new Set());
    expect(core.invitations.current()?.id).toBe(lan.id);
  });

  it('refuses a procedure the configuration does not have: stored as refused with its reason, never shown', async () => {
    const { core, clock } = setup();
    const inv = makeInvitation({ issuedMs: clock.now(), procedureCode: '9.999999' });
    const r = core.invitations.receive(inv, 'central');
    expect(r).toMatchObject({ ok: false, code: 'unknown_procedure' });
    expect(core.invitations.statusOf(inv.id)).toBe('refused');
    await expectStaffChoice(core);
    expect(core.invitations.pendingReports(10)).toEqual([
      expect.objectContaining({ invitationId: inv.id, status: 'refused', reason: expect.stringMatching(/9\.999999/) }),
    ]);
  });

  it('refuses what is not an invitation without storing it', () => {
    const { core, clock } = setup();
    const bad = { ...makeInvitation({ issuedMs: clock.now() }), caseNumber: 'HS 01\u0000' };
    expect(core.invitations.receive(bad, 'lan')).toMatchObject({ ok: false, code: 'invalid' });
    expect(rowCount(core.db, 'invitations')).toBe(0);
  });

  it('staff choosing on the kiosk itself ends the waiting invitation (replaced) and is what the next citizen rates', async () => {
    const { core, clock } = setup();
    const inv = makeInvitation({ issuedMs: clock.now() });
    core.invitations.receive(inv, 'central');
    const session = okValue(await call(core, 'staffUnlock', { pin: '1357' })).session;
    okValue(await call(core, 'setAssignment', { session, procedureCode: QUICK, caseNumber: 'STAFF-2' }));
    expect(core.invitations.statusOf(inv.id)).toBe('replaced');
    expect(row(core, inv.id).reason).toMatch(/staff/);
    expect((await state(core)).assignment).toMatchObject({ procedureCode: QUICK, caseNumber: 'STAFF-2' });
  });
});

describe('expiry on the kiosk clock', () => {
  it('ends at its deadline: read as expired, the kiosk back to staff choice, reported', async () => {
    const { core, clock } = setup();
    const inv = makeInvitation({ issuedMs: clock.now(), ttlMs: 60_000 });
    core.invitations.receive(inv, 'central');
    clock.advance(59_999);
    expect((await state(core)).invitation?.id).toBe(inv.id);
    clock.advance(1);
    await expectStaffChoice(core);
    expect((await state(core)).lastInvitation).toMatchObject({ id: inv.id, status: 'expired' });
    expect(core.invitations.statusOf(inv.id)).toBe('expired');
    expect(core.invitations.pendingReports(10)).toEqual([
      expect.objectContaining({ invitationId: inv.id, status: 'expired' }),
    ]);
  });

  it('past its deadline it is not shown even when the expiry cannot be written (a full disk)', async () => {
    const { core, clock } = setup();
    const inv = makeInvitation({ issuedMs: clock.now(), ttlMs: 60_000 });
    core.invitations.receive(inv, 'central');
    core.db.exec(`CREATE TRIGGER no_writes BEFORE UPDATE ON invitations
      BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END`);
    clock.advance(60_000);
    await expectStaffChoice(core);
    core.db.exec('DROP TRIGGER no_writes');
    expect(core.invitations.statusOf(inv.id)).toBe('expired');
  });

  it('a timer ends it without anyone reading, and wakes a waiting screen', async () => {
    const core = openKioskCore({ dataDir: freshDir(), log: silentLog }); // the real clock: the timer is real
    cleanups.push(() => core.close());
    const inv = makeInvitation({ ttlMs: 300 });
    core.invitations.receive(inv, 'cli');
    const started = Date.now();
    const woke = okValue(await call(core, 'awaitInvitation', { knownId: inv.id, waitMs: 5000 }));
    expect(woke.invitation).toBeNull();
    expect(Date.now() - started).toBeLessThan(2000);
    expect(row(core, inv.id).status).toBe('expired');
  });

  it('an invitation that already expired where it was issued is refused as expired, never shown', async () => {
    const { core, clock } = setup();
    // Central's clock is the kiosk's here (the heartbeat measured no drift); this one ended a minute ago.
    core.db.prepare('UPDATE sync_status SET clock_drift_ms = 0 WHERE id = 1').run();
    const inv = makeInvitation({ issuedMs: clock.now() - 660_000, ttlMs: 600_000 });
    expect(core.invitations.receive(inv, 'central')).toMatchObject({ ok: false, code: 'expired' });
    expect(core.invitations.statusOf(inv.id)).toBe('expired');
    await expectStaffChoice(core);
  });

  it('clock skew: a kiosk two hours off shows a fresh invitation for its whole lifetime', async () => {
    const { core, clock } = setup();
    // Central issued it now on ITS clock, two hours behind the kiosk's; no heartbeat yet (drift unknown).
    const inv = makeInvitation({ issuedMs: clock.now() - 7_200_000, ttlMs: 600_000 });
    expect(core.invitations.receive(inv, 'central')).toMatchObject({ ok: true, status: 'delivered' });
    expect((await state(core)).invitation?.expiresAtMs).toBe(clock.now() + 600_000);
    clock.advance(599_000);
    expect((await state(core)).invitation?.id).toBe(inv.id);
  });

  it('clock skew: with the drift known, one re-sent late keeps only the lifetime it has left', async () => {
    const { core, clock } = setup();
    core.db.prepare('UPDATE sync_status SET clock_drift_ms = 7200000 WHERE id = 1').run(); // kiosk 2 h ahead
    // Issued 8 minutes ago on central's clock, re-sent now after a reconnect: 2 minutes left, not 10.
    const inv = makeInvitation({ issuedMs: clock.now() - 7_200_000 - 480_000, ttlMs: 600_000 });
    core.invitations.receive(inv, 'central');
    expect((await state(core)).invitation?.expiresAtMs).toBe(clock.now() + 120_000);
    clock.advance(120_000);
    expect((await state(core)).invitation).toBeNull();
  });
});

describe('answering', () => {
  it('a complete response answers the invitation in the same transaction, with its id, and the kiosk goes back to staff', async () => {
    const { core, clock } = setup();
    const inv = makeInvitation({ issuedMs: clock.now(), facts: CASE_FACTS });
    core.invitations.receive(inv, 'central');
    const { stored } = await evaluate(core);
    expect(row(core, inv.id)).toMatchObject({ status: 'answered', response_id: stored.id, reported: 0 });
    const [response] = listResponses(core.db, core.deviceId);
    expect(response).toMatchObject({
      id: stored.id,
      caseNumber: 'HS-2026-0001',
      procedureCode: PER_CASE_PROCEDURE,
      fieldCode: 'ho-tich',
      officerId: 'cb01',
      counterId: 'q1',
      questionnaireVersion: 2,
      sources: expect.objectContaining({ 'tong-thoi-gian': 'system', 'thai-do-can-bo': 'citizen' }),
    });
    await expectStaffChoice(core);
    // The officer's display sees it answered.
    expect((await state(core)).lastInvitation).toMatchObject({
      id: inv.id,
      caseNumber: 'HS-2026-0001',
      status: 'answered',
    });
    expect(core.invitations.pendingReports(10)).toEqual([
      expect.objectContaining({ invitationId: inv.id, status: 'answered', responseId: stored.id }),
    ]);
  });

  it('the link and the response commit together: a failing link stores no response either', async () => {
    const { core, clock } = setup();
    const inv = makeInvitation({ issuedMs: clock.now() });
    core.invitations.receive(inv, 'central');
    core.db.exec(`CREATE TRIGGER fail_answer BEFORE UPDATE ON invitations WHEN NEW.status = 'answered'
      BEGIN SELECT RAISE(ABORT, 'link failed'); END`);
    const draft = okValue(await call(core, 'beginResponse', {}));
    const answers = buildAnswers(draft.questionnaire, { optional: 'never' });
    await expect(call(core, 'submitResponse', { draftId: draft.draftId, locale: 'vi', answers })).rejects.toThrow(
      /link failed/,
    );
    expect(rowCount(core.db, 'responses')).toBe(0);
    expect(row(core, inv.id).status).toBe('delivered');
  });

  it('an abandoned survey does not answer it: the invitation waits on for the citizen', async () => {
    const { core, clock } = setup();
    const inv = makeInvitation({ issuedMs: clock.now() });
    core.invitations.receive(inv, 'central');
    const draft = okValue(await call(core, 'beginResponse', {}));
    okValue(await call(core, 'abandonResponse', { draftId: draft.draftId, locale: 'vi', answers: {} }));
    expect(core.invitations.statusOf(inv.id)).toBe('delivered');
  });

  it('an expired invitation cannot be answered: begun after expiry, the survey is staff choice, not linked', async () => {
    const { core, clock } = setup();
    const inv = makeInvitation({ issuedMs: clock.now(), ttlMs: 60_000 });
    core.invitations.receive(inv, 'central');
    clock.advance(61_000);
    const { draft, stored } = await evaluate(core);
    expect(draft.assignment).toMatchObject({ procedureCode: QUICK, caseNumber: 'STAFF-1' });
    expect(draft.assignment.invitationId).toBeUndefined();
    expect(listResponses(core.db, core.deviceId)[0]).toMatchObject({ id: stored.id, caseNumber: 'STAFF-1' });
    expect(row(core, inv.id)).toMatchObject({ status: 'expired', response_id: null });
  });

  it('an expired invitation cannot be answered: begun in time, submitted after expiry, stored but not linked', async () => {
    const { core, clock } = setup();
    const inv = makeInvitation({ issuedMs: clock.now(), ttlMs: 60_000 });
    core.invitations.receive(inv, 'central');
    const { stored } = await evaluate(core, () => clock.advance(61_000));
    expect(rowCount(core.db, 'responses')).toBe(1);
    expect(row(core, inv.id)).toMatchObject({ status: 'expired', response_id: null });
    expect(core.invitations.statusOf(inv.id)).toBe('expired');
    expect(stored.id).toBeTruthy();
    await expectStaffChoice(core);
  });

  it('a replaced invitation is not answered by a survey begun under it', async () => {
    const { core, clock } = setup();
    const a = makeInvitation({ issuedMs: clock.now(), caseNumber: 'HS-A' });
    const b = makeInvitation({ issuedMs: clock.now(), caseNumber: 'HS-B' });
    core.invitations.receive(a, 'central');
    await evaluate(core, () => core.invitations.receive(b, 'central'));
    expect(row(core, a.id)).toMatchObject({ status: 'replaced', response_id: null });
    expect(row(core, b.id).status).toBe('delivered');
  });

  it('one evaluation per case: an invitation for a case rated here already is refused at the start (policy refuse)', async () => {
    const { core, clock } = setup();
    core.invitations.receive(makeInvitation({ issuedMs: clock.now(), caseNumber: 'HS-9' }), 'central');
    await evaluate(core);
    clock.advance(30_000);
    const again = makeInvitation({ issuedMs: clock.now(), caseNumber: 'HS-9' });
    core.invitations.receive(again, 'central');
    expect(errorOf(await call(core, 'beginResponse', {}))).toMatchObject({
      code: 'already_evaluated',
      caseNumber: 'HS-9',
    });
    expect(core.invitations.statusOf(again.id)).toBe('delivered');
  });

  it('one evaluation per case: with policy flag, the second is stored flagged and answers its invitation', async () => {
    const { core, clock } = setup();
    setSetting(core.db, 'repeatCasePolicy', 'flag');
    core.invitations.receive(makeInvitation({ issuedMs: clock.now(), caseNumber: 'HS-9' }), 'central');
    await evaluate(core);
    clock.advance(30_000);
    const again = makeInvitation({ issuedMs: clock.now(), caseNumber: 'HS-9' });
    core.invitations.receive(again, 'central');
    const { stored } = await evaluate(core);
    expect(stored.flags.repeatCase).toBe(true);
    expect(row(core, again.id)).toMatchObject({ status: 'answered', response_id: stored.id });
  });
});

describe('status reports and the screens waiting', () => {
  it('reports the status as it stands; an acknowledgement of an older status leaves the newer one pending', async () => {
    const { core, clock } = setup();
    const inv = makeInvitation({ issuedMs: clock.now() });
    core.invitations.receive(inv, 'central');
    const [delivered] = core.invitations.pendingReports(10);
    expect(delivered).toMatchObject({ invitationId: inv.id, status: 'delivered' });
    clock.advance(1000);
    await evaluate(core);
    core.invitations.markReported([delivered!]); // the ack of "delivered" arrives after the answer
    expect(core.invitations.pendingReports(10)).toEqual([expect.objectContaining({ status: 'answered' })]);
    core.invitations.markReported(core.invitations.pendingReports(10));
    expect(core.invitations.pendingReports(10)).toEqual([]);
    // Made on the kiosk (LAN, kioskctl): nothing to report to central.
    core.invitations.receive(makeInvitation({ issuedMs: clock.now() }), 'lan');
    expect(core.invitations.pendingReports(10)).toEqual([]);
  });

  it('awaitInvitation answers at once when an invitation arrives, and after waitMs when nothing does', async () => {
    const { core, clock } = setup();
    const idle = Date.now();
    expect(okValue(await call(core, 'awaitInvitation', { knownId: null, waitMs: 50 })).invitation).toBeNull();
    expect(Date.now() - idle).toBeGreaterThanOrEqual(45);
    const inv = makeInvitation({ issuedMs: clock.now() });
    const waiting = call(core, 'awaitInvitation', { knownId: null, waitMs: 10_000 });
    const sent = performance.now();
    setTimeout(() => core.invitations.receive(inv, 'central'), 20);
    const woke = okValue(await waiting);
    expect(woke.invitation?.id).toBe(inv.id);
    expect(performance.now() - sent).toBeLessThan(1000);
    // Already different from what the screen knows: answered without waiting.
    expect(okValue(await call(core, 'awaitInvitation', { knownId: null, waitMs: 10_000 })).invitation?.id).toBe(inv.id);
  });

  it('awaitInvitation sees an invitation another process wrote (kioskctl) within a few hundred ms', async () => {
    const { core, clock, dir } = setup();
    const other = openKioskCore({ dataDir: dir, clock, log: silentLog });
    cleanups.push(() => other.close());
    const inv = makeInvitation({ issuedMs: clock.now() });
    const waiting = call(core, 'awaitInvitation', { knownId: null, waitMs: 10_000 });
    const sent = performance.now();
    setTimeout(() => other.invitations.receive(inv, 'cli'), 20);
    expect(okValue(await waiting).invitation?.id).toBe(inv.id);
    expect(performance.now() - sent).toBeLessThan(1000);
  });
});
