// The kiosk core end to end through dispatch(): what a respondent and the counter staff do, checked
// against what lands in a real SQLite file.
import { afterEach, describe, expect, it } from 'vitest';
import { type KioskCore, databasePath, openKioskCore } from '../../electron/core/kiosk-core.ts';
import { openDatabase } from '../../electron/core/db/open.ts';
import { BASE_LOCK_MS } from '../../electron/core/staff-auth.ts';
import { listResponses, sequenceGaps } from '../../electron/core/store/responses.ts';
import { setSetting } from '../../electron/core/store/settings.ts';
import { checkAnswers } from '../../shared/answers.ts';
import { questionnaireFor } from '../../shared/catalog.ts';
import type { Questionnaire } from '../../shared/questionnaire.ts';
import {
  type FakeClock,
  buildAnswers,
  call,
  errorOf,
  fakeClock,
  okValue,
  prng,
  rowCount,
  silentLog,
} from '../support/kiosk.ts';
import { tempDir } from '../support/tmp.ts';

const cleanups: (() => void)[] = [];
afterEach(() =>
  cleanups
    .splice(0)
    .reverse()
    .forEach((c) => c()),
);

const STAFF_PIN = '1357';
/** Wrong PINs that cannot appear by chance inside a logged number. */
const WRONG = ['918273', '827364', '736455', '645546', '554637', '463728'] as const;
/** Far enough apart that no response counts as a rapid repeat (default minimum is 20 s). */
const CALM_MS = 60_000;

const setup = (clock: FakeClock = fakeClock()) => {
  const t = tempDir('kiosk-core-');
  cleanups.push(t.cleanup);
  let core = openKioskCore({ dataDir: t.dir, clock, log: silentLog });
  cleanups.push(() => core.close());
  return {
    dir: t.dir,
    clock,
    get core() {
      return core;
    },
    reopen: () => {
      core.close();
      core = openKioskCore({ dataDir: t.dir, clock, log: silentLog });
      return core;
    },
  };
};

type Row = Record<string, unknown>;
const rowById = (core: KioskCore, id: string): Row | undefined =>
  core.db.prepare('SELECT * FROM responses WHERE id = ?').get(id) as Row | undefined;

const unlock = async (core: KioskCore) => okValue(await call(core, 'staffUnlock', { pin: STAFF_PIN })).session;

/** For each questionnaire of the running config, one procedure that uses it. */
const procedureFor = async (core: KioskCore) => {
  const { catalog, questionnaires } = okValue(await call(core, 'getCatalog', {}));
  const map = new Map<string, string>();
  for (const p of catalog.procedures) {
    const q = questionnaireFor(catalog, p.code)!;
    if (!map.has(q)) map.set(q, p.code);
  }
  return { map, questionnaireIds: questionnaires.map((q) => q.id) };
};

const auditActions = (core: KioskCore, action: string): Row[] =>
  (core.db.prepare('SELECT * FROM audit_log WHERE action = ? ORDER BY id').all(action) as Row[]).map((r) => ({
    ...r,
    details: JSON.parse(r.details as string) as unknown,
  }));

describe('respondent flow', () => {
  it('stores one complete response per default questionnaire, with seq 1, 2, 3 and the answers as given', async () => {
    const k = setup();
    const { map, questionnaireIds } = await procedureFor(k.core);
    expect(questionnaireIds.sort()).toEqual(['per-case', 'quick', 'sipas']);
    const session = await unlock(k.core);
    const rng = prng(42);
    const stored: { id: string; seq: number; q: Questionnaire; answers: Record<string, unknown>; procedure: string }[] =
      [];
    for (const qid of questionnaireIds) {
      const procedureCode = map.get(qid)!;
      const assignment = okValue(await call(k.core, 'setAssignment', { session, procedureCode }));
      expect(assignment.questionnaireId).toBe(qid);
      k.clock.advance(CALM_MS);
      const begun = okValue(await call(k.core, 'beginResponse', {}));
      expect(begun.questionnaire.id).toBe(qid);
      expect(begun.assignment.procedureCode).toBe(procedureCode);
      const answers = buildAnswers(begun.questionnaire, { rng, optional: 'always' });
      expect(checkAnswers(begun.questionnaire, answers, 'complete')).toEqual([]);
      k.clock.advance(30_000);
      const r = okValue(await call(k.core, 'submitResponse', { draftId: begun.draftId, locale: 'vi', answers }));
      expect(r.id).toBe(begun.draftId);
      expect(r.flags).toEqual({ rapidRepeat: false, clockSuspect: false });
      stored.push({ id: r.id, seq: r.seq, q: begun.questionnaire, answers, procedure: procedureCode });
    }
    expect(stored.map((s) => s.seq)).toEqual([1, 2, 3]);

    const rows = listResponses(k.core.db, k.core.deviceId);
    expect(rows).toHaveLength(3);
    for (const [i, s] of stored.entries()) {
      const row = rows[i]!;
      expect(row).toMatchObject({
        id: s.id,
        seq: s.seq,
        deviceId: k.core.deviceId,
        questionnaireId: s.q.id,
        questionnaireVersion: s.q.version,
        procedureCode: s.procedure,
        status: 'complete',
        locale: 'vi',
        durationMs: 30_000,
        flags: { rapidRepeat: false, clockSuspect: false },
      });
      expect(row.answers).toEqual(s.answers);
      expect(Date.parse(row.submittedAt) - Date.parse(row.startedAt)).toBe(30_000);
    }
    expect(sequenceGaps(k.core.db)).toEqual([]);
  });

  it('keeps the assignment of begin time: a staff switch before submit changes only the next respondent', async () => {
    const k = setup();
    const { map } = await procedureFor(k.core);
    const session = await unlock(k.core);
    const first = okValue(
      await call(k.core, 'setAssignment', {
        session,
        procedureCode: map.get('quick')!,
        caseNumber: 'HS-2026/001',
        officerId: 'cb01',
        counterId: 'q1',
      }),
    );
    const begun = okValue(await call(k.core, 'beginResponse', {}));
    expect(begun.assignment).toEqual(first);

    const second = okValue(
      await call(k.core, 'setAssignment', {
        session,
        procedureCode: map.get('sipas')!,
        caseNumber: 'HS-2026/002',
        officerId: 'cb02',
      }),
    );
    expect(second.questionnaireId).toBe('sipas');

    const answers = buildAnswers(begun.questionnaire, { fixed: { overall: 5 } });
    const r = okValue(await call(k.core, 'submitResponse', { draftId: begun.draftId, locale: 'en', answers }));
    const row = rowById(k.core, r.id)!;
    expect(row).toMatchObject({
      questionnaire_id: 'quick',
      procedure_code: map.get('quick'),
      field_code: first.fieldCode,
      case_number: 'HS-2026/001',
      officer_id: 'cb01',
      counter_id: 'q1',
      locale: 'en',
    });

    const next = okValue(await call(k.core, 'beginResponse', {}));
    expect(next.assignment).toMatchObject({
      procedureCode: map.get('sipas'),
      caseNumber: 'HS-2026/002',
      officerId: 'cb02',
      counterId: null,
    });
    expect(next.questionnaire.id).toBe('sipas');
  });

  it('a retried submit of the same draft returns the same id and seq and stores nothing new', async () => {
    const k = setup();
    const begun = okValue(await call(k.core, 'beginResponse', {}));
    const answers = buildAnswers(begun.questionnaire);
    const first = okValue(await call(k.core, 'submitResponse', { draftId: begun.draftId, locale: 'vi', answers }));
    const before = rowById(k.core, first.id);
    k.clock.advance(5_000);
    const again = okValue(await call(k.core, 'submitResponse', { draftId: begun.draftId, locale: 'vi', answers }));
    expect(again).toEqual(first);
    // Even a retry carrying different answers cannot change what was stored.
    const changed = okValue(
      await call(k.core, 'submitResponse', {
        draftId: begun.draftId,
        locale: 'en',
        answers: buildAnswers(begun.questionnaire, { rng: prng(9) }),
      }),
    );
    expect(changed).toEqual(first);
    expect(rowCount(k.core.db, 'responses')).toBe(1);
    expect(rowById(k.core, first.id)).toEqual(before);
  });

  it('refuses a submit for a draft it never started, and after a restart', async () => {
    const k = setup();
    const begun = okValue(await call(k.core, 'beginResponse', {}));
    const answers = buildAnswers(begun.questionnaire);
    expect(
      errorOf(
        await call(k.core, 'submitResponse', {
          draftId: '01890000-0000-7000-8000-000000000000',
          locale: 'vi',
          answers,
        }),
      ).code,
    ).toBe('draft_unknown');
    k.reopen();
    expect(errorOf(await call(k.core, 'submitResponse', { draftId: begun.draftId, locale: 'vi', answers })).code).toBe(
      'draft_unknown',
    );
    expect(rowCount(k.core.db, 'responses')).toBe(0);
  });

  it('a retry that arrives after a restart still gets the stored id and seq, not a second row or an error', async () => {
    const k = setup();
    const b = okValue(await call(k.core, 'beginResponse', {}));
    const answers = buildAnswers(b.questionnaire);
    const first = okValue(await call(k.core, 'submitResponse', { draftId: b.draftId, locale: 'vi', answers }));
    const walked = okValue(await call(k.core, 'beginResponse', {}));
    const kept = okValue(await call(k.core, 'abandonResponse', { draftId: walked.draftId, locale: 'vi', answers: {} }));
    k.reopen();
    expect(okValue(await call(k.core, 'submitResponse', { draftId: b.draftId, locale: 'vi', answers }))).toEqual(first);
    expect(
      okValue(await call(k.core, 'abandonResponse', { draftId: walked.draftId, locale: 'vi', answers: {} })),
    ).toEqual(kept);
    expect(setSetting(k.core.db, 'abandonedPolicy', 'discard')).toEqual({ ok: true });
    expect(okValue(await call(k.core, 'abandonResponse', { draftId: b.draftId, locale: 'vi', answers: {} }))).toEqual({
      stored: true,
      id: first.id,
      seq: first.seq,
    });
    expect(rowCount(k.core.db, 'responses')).toBe(2);
  });

  it('a submit that loses the race with the idle-timeout abandon is refused, not reported as saved', async () => {
    const k = setup();
    const b = okValue(await call(k.core, 'beginResponse', {}));
    const full = buildAnswers(b.questionnaire);
    const partial = buildAnswers(b.questionnaire, { limit: 1 });
    const abandoned = okValue(
      await call(k.core, 'abandonResponse', { draftId: b.draftId, locale: 'vi', answers: partial }),
    );
    expect(abandoned.stored).toBe(true);
    const late = errorOf(await call(k.core, 'submitResponse', { draftId: b.draftId, locale: 'vi', answers: full }));
    expect(late.code).toBe('draft_unknown');
    expect(late.message).toMatch(/abandoned/);
    // Also after a restart, when only the database remembers it.
    k.reopen();
    expect(
      errorOf(await call(k.core, 'submitResponse', { draftId: b.draftId, locale: 'vi', answers: full })).code,
    ).toBe('draft_unknown');
    expect(k.core.db.prepare('SELECT status, answers FROM responses').all()).toEqual([
      { status: 'abandoned', answers: JSON.stringify(partial) },
    ]);
  });

  it('abandon with policy keep stores the partial answers as abandoned; with discard nothing is stored', async () => {
    const k = setup();
    const begun = okValue(await call(k.core, 'beginResponse', {}));
    const partial = buildAnswers(begun.questionnaire, { limit: 2 });
    expect(Object.keys(partial)).toHaveLength(2);
    const kept = okValue(
      await call(k.core, 'abandonResponse', { draftId: begun.draftId, locale: 'vi', answers: partial }),
    );
    expect(kept).toEqual({ stored: true, id: begun.draftId, seq: 1 });
    expect(rowById(k.core, begun.draftId)).toMatchObject({
      status: 'abandoned',
      seq: 1,
      answers: JSON.stringify(partial),
      flags: 0,
    });
    // A partial answer set is fine for an abandoned response, not for a complete one.
    const b2 = okValue(await call(k.core, 'beginResponse', {}));
    const e = errorOf(await call(k.core, 'submitResponse', { draftId: b2.draftId, locale: 'vi', answers: partial }));
    expect(e.code).toBe('invalid_input');

    expect(setSetting(k.core.db, 'abandonedPolicy', 'discard')).toEqual({ ok: true });
    const before = rowCount(k.core.db, 'responses');
    const discarded = okValue(
      await call(k.core, 'abandonResponse', { draftId: b2.draftId, locale: 'vi', answers: partial }),
    );
    expect(discarded).toEqual({ stored: false, id: null, seq: null });
    expect(rowCount(k.core.db, 'responses')).toBe(before);
    // The draft is gone: neither a second abandon nor a late submit stores it.
    expect(
      errorOf(await call(k.core, 'abandonResponse', { draftId: b2.draftId, locale: 'vi', answers: partial })).code,
    ).toBe('draft_unknown');
    expect(
      errorOf(
        await call(k.core, 'submitResponse', {
          draftId: b2.draftId,
          locale: 'vi',
          answers: buildAnswers(b2.questionnaire),
        }),
      ).code,
    ).toBe('draft_unknown');
    expect(rowCount(k.core.db, 'responses')).toBe(before);
    // The next stored response continues the sequence without a gap.
    const b3 = okValue(await call(k.core, 'beginResponse', {}));
    k.clock.advance(CALM_MS);
    expect(
      okValue(
        await call(k.core, 'submitResponse', {
          draftId: b3.draftId,
          locale: 'vi',
          answers: buildAnswers(b3.questionnaire),
        }),
      ).seq,
    ).toBe(2);
    expect(sequenceGaps(k.core.db)).toEqual([]);
  });

  it('an abandon that arrives after the submit was stored does not lose it (either policy)', async () => {
    const k = setup();
    for (const policy of ['keep', 'discard'] as const) {
      expect(setSetting(k.core.db, 'abandonedPolicy', policy)).toEqual({ ok: true });
      k.clock.advance(CALM_MS);
      const b = okValue(await call(k.core, 'beginResponse', {}));
      const answers = buildAnswers(b.questionnaire);
      const done = okValue(await call(k.core, 'submitResponse', { draftId: b.draftId, locale: 'vi', answers }));
      const abandoned = okValue(
        await call(k.core, 'abandonResponse', { draftId: b.draftId, locale: 'vi', answers: {} }),
      );
      expect(abandoned).toEqual({ stored: true, id: done.id, seq: done.seq });
      expect(rowById(k.core, done.id)).toMatchObject({ status: 'complete' });
      // The reply to the submit may have been lost: a retry still gets the stored id and seq.
      expect(okValue(await call(k.core, 'submitResponse', { draftId: b.draftId, locale: 'vi', answers }))).toEqual(
        done,
      );
    }
    expect(rowCount(k.core.db, 'responses')).toBe(2);
  });
});

describe('flags', () => {
  const completeOne = async (k: ReturnType<typeof setup>, beforeSubmit?: () => void) => {
    const b = okValue(await call(k.core, 'beginResponse', {}));
    k.clock.advance(10_000);
    beforeSubmit?.();
    return okValue(
      await call(k.core, 'submitResponse', {
        draftId: b.draftId,
        locale: 'vi',
        answers: buildAnswers(b.questionnaire),
      }),
    );
  };

  it('flags a complete response closer than minSecondsBetweenResponses to the previous one, and not one farther', async () => {
    const k = setup();
    expect(setSetting(k.core.db, 'minSecondsBetweenResponses', 30)).toEqual({ ok: true });
    const first = await completeOne(k); // submitted at t0 + 10 s
    expect(first.flags.rapidRepeat).toBe(false);
    const state = okValue(await call(k.core, 'getKioskState', {}));
    expect(state.rapidUntil).toBe(new Date(k.clock.now() + 30_000).toISOString());

    const second = await completeOne(k); // 10 s later
    expect(second.flags).toEqual({ rapidRepeat: true, clockSuspect: false });
    expect(rowById(k.core, second.id)).toMatchObject({ flags: 1 });

    k.clock.advance(21_000);
    const third = await completeOne(k); // 31 s after the second
    expect(third.flags.rapidRepeat).toBe(false);

    // Just inside the window (29.999 s) still counts as rapid.
    const b = okValue(await call(k.core, 'beginResponse', {}));
    k.clock.advance(29_999);
    const fourth = okValue(
      await call(k.core, 'submitResponse', {
        draftId: b.draftId,
        locale: 'vi',
        answers: buildAnswers(b.questionnaire),
      }),
    );
    expect(fourth.flags.rapidRepeat).toBe(true);

    // Abandoned responses are never rapid repeats, and do not restart the window.
    k.clock.advance(31_000);
    const ab = okValue(await call(k.core, 'beginResponse', {}));
    const abandoned = okValue(
      await call(k.core, 'abandonResponse', { draftId: ab.draftId, locale: 'vi', answers: {} }),
    );
    expect(rowById(k.core, abandoned.id!)).toMatchObject({ status: 'abandoned', flags: 0 });
    const fifth = await completeOne(k);
    expect(fifth.flags.rapidRepeat).toBe(false);
    expect(okValue(await call(k.core, 'getKioskState', {})).rapidUntil).not.toBeNull();
    k.clock.advance(31_000);
    expect(okValue(await call(k.core, 'getKioskState', {})).rapidUntil).toBeNull();
  });

  it('measures the rapid-repeat window on the wall clock across a restart', async () => {
    const k = setup();
    await completeOne(k);
    k.reopen();
    k.clock.advance(2_000);
    expect((await completeOne(k)).flags.rapidRepeat).toBe(true); // 12 s after the previous one
    k.reopen();
    k.clock.advance(25_000);
    expect((await completeOne(k)).flags.rapidRepeat).toBe(false); // 35 s
  });

  it('never flags when the minimum is 0', async () => {
    const k = setup();
    expect(setSetting(k.core.db, 'minSecondsBetweenResponses', 0)).toEqual({ ok: true });
    await completeOne(k);
    expect((await completeOne(k)).flags.rapidRepeat).toBe(false);
  });

  it('flags clockSuspect when the wall clock jumps relative to the monotonic clock during a response', async () => {
    const k = setup();
    const forward = await completeOne(k, () => k.clock.jumpWall(60 * 60_000));
    expect(forward.flags).toEqual({ rapidRepeat: false, clockSuspect: true });
    expect(rowById(k.core, forward.id)).toMatchObject({ flags: 2, duration_ms: 10_000 });

    k.clock.advance(CALM_MS);
    const backward = await completeOne(k, () => k.clock.jumpWall(-30_000));
    expect(backward.flags.clockSuspect).toBe(true);
    // submitted "before" it started on the wall clock; the duration still comes from the monotonic clock
    const row = rowById(k.core, backward.id)!;
    expect(Date.parse(row.submitted_at as string)).toBeLessThan(Date.parse(row.started_at as string));
    expect(row.duration_ms).toBe(10_000);

    k.clock.advance(CALM_MS);
    const jitter = await completeOne(k, () => k.clock.jumpWall(3_000)); // NTP-sized correction: within tolerance
    expect(jitter.flags.clockSuspect).toBe(false);

    // rapid and clock-suspect together
    const both = await completeOne(k, () => k.clock.jumpWall(10 * 60_000));
    expect(both.flags).toEqual({ rapidRepeat: true, clockSuspect: true });
    expect(rowById(k.core, both.id)).toMatchObject({ flags: 3 });
  });
});

describe('staff PIN', () => {
  it('the default staff PIN unlocks; the admin PIN is not a staff PIN', async () => {
    const k = setup();
    const r = okValue(await call(k.core, 'staffUnlock', { pin: STAFF_PIN }));
    expect(r.session).toMatch(/^[A-Za-z0-9_-]{16,64}$/);
    expect(Date.parse(r.expiresAt)).toBe(k.clock.now() + 120_000);
    expect(errorOf(await call(k.core, 'staffUnlock', { pin: '924680' })).code).toBe('bad_pin');
    // The PIN is not stored in clear anywhere.
    const dump =
      JSON.stringify(k.core.db.prepare('SELECT * FROM settings').all()) +
      JSON.stringify(k.core.db.prepare('SELECT * FROM state').all());
    expect(dump).not.toContain(`"${STAFF_PIN}"`);
    expect(dump).toContain('scrypt');
  });

  it('counts wrong PINs down, then locks with doubling lock times that survive a restart; every failure is audited', async () => {
    const k = setup();
    const attempts: unknown[] = [];
    for (const pin of WRONG.slice(0, 3)) {
      const e = errorOf(await call(k.core, 'staffUnlock', { pin }));
      attempts.push(e.code === 'bad_pin' ? [e.attemptsLeft, e.lockedForMs] : e);
    }
    expect(attempts).toEqual([
      [2, 0],
      [1, 0],
      [0, BASE_LOCK_MS],
    ]);
    // Locked: even the right PIN is refused, with the time left.
    let e = errorOf(await call(k.core, 'staffUnlock', { pin: STAFF_PIN }));
    expect(e).toMatchObject({ code: 'locked', retryAfterMs: BASE_LOCK_MS });
    k.clock.advance(10_000);
    e = errorOf(await call(k.core, 'staffUnlock', { pin: WRONG[0] }));
    expect(e).toMatchObject({ code: 'locked', retryAfterMs: BASE_LOCK_MS - 10_000 });

    // The lock survives closing and reopening the core.
    k.reopen();
    e = errorOf(await call(k.core, 'staffUnlock', { pin: STAFF_PIN }));
    expect(e).toMatchObject({ code: 'locked', retryAfterMs: BASE_LOCK_MS - 10_000 });

    // After the lock, one more wrong PIN locks for twice as long, then four times.
    k.clock.advance(BASE_LOCK_MS);
    e = errorOf(await call(k.core, 'staffUnlock', { pin: WRONG[3] }));
    expect(e).toMatchObject({ code: 'bad_pin', attemptsLeft: 0, lockedForMs: 2 * BASE_LOCK_MS });
    k.reopen();
    expect(errorOf(await call(k.core, 'staffUnlock', { pin: STAFF_PIN }))).toMatchObject({
      code: 'locked',
      retryAfterMs: 2 * BASE_LOCK_MS,
    });
    k.clock.advance(2 * BASE_LOCK_MS);
    e = errorOf(await call(k.core, 'staffUnlock', { pin: WRONG[4] }));
    expect(e).toMatchObject({ code: 'bad_pin', lockedForMs: 4 * BASE_LOCK_MS });

    // Once the lock has passed, the right PIN unlocks and clears the count.
    k.clock.advance(4 * BASE_LOCK_MS);
    okValue(await call(k.core, 'staffUnlock', { pin: STAFF_PIN }));
    expect(errorOf(await call(k.core, 'staffUnlock', { pin: WRONG[5] }))).toMatchObject({
      code: 'bad_pin',
      attemptsLeft: 2,
      lockedForMs: 0,
    });

    const failed = auditActions(k.core, 'pin_failed');
    expect(failed.map((r) => [r.actor, (r.details as { failures: number }).failures])).toEqual([
      ['staff', 1],
      ['staff', 2],
      ['staff', 3],
      ['staff', 4],
      ['staff', 5],
      ['staff', 1],
    ]);
    expect(auditActions(k.core, 'pin_refused_locked')).toHaveLength(4);
    expect(auditActions(k.core, 'unlock')).toHaveLength(1);
    // No PIN, right or wrong, is ever written to the audit log.
    const audit = JSON.stringify(k.core.db.prepare('SELECT details FROM audit_log').all());
    expect(audit).not.toMatch(/pin"/i);
    for (const pin of [STAFF_PIN, ...WRONG]) expect(audit).not.toContain(pin);
  });

  it('a session ends after staffSessionSeconds without use, is extended by use, and ends on staffLock', async () => {
    const k = setup();
    const session = await unlock(k.core);
    k.clock.advance(100_000);
    okValue(await call(k.core, 'staffContext', { session }));
    k.clock.advance(100_000); // 200 s after unlock, 100 s after last use
    okValue(await call(k.core, 'staffContext', { session }));
    k.clock.advance(120_001);
    expect(errorOf(await call(k.core, 'staffContext', { session })).code).toBe('session_expired');
    expect(errorOf(await call(k.core, 'setAssignment', { session, procedureCode: '1.001193' })).code).toBe(
      'session_expired',
    );

    const s2 = await unlock(k.core);
    okValue(await call(k.core, 'staffLock', { session: s2 }));
    expect(errorOf(await call(k.core, 'toggleFavourite', { session: s2, procedureCode: '1.001193' })).code).toBe(
      'session_expired',
    );
    // Sessions live in memory only: a restart ends them.
    const s3 = await unlock(k.core);
    k.reopen();
    expect(errorOf(await call(k.core, 'staffContext', { session: s3 })).code).toBe('session_expired');
    expect(rowCount(k.core.db, 'procedure_usage')).toBe(0);
  });
});

describe('staff panel', () => {
  it('setAssignment refuses an unknown procedure, officer or counter and writes nothing', async () => {
    const k = setup();
    const session = await unlock(k.core);
    const before = [
      rowCount(k.core.db, 'audit_log'),
      rowCount(k.core.db, 'procedure_usage'),
      JSON.stringify(k.core.db.prepare('SELECT * FROM state').all()),
    ];
    expect(errorOf(await call(k.core, 'setAssignment', { session, procedureCode: '9.999999' })).code).toBe('not_found');
    expect(
      errorOf(await call(k.core, 'setAssignment', { session, procedureCode: '1.001193', officerId: 'cb99' })).code,
    ).toBe('not_found');
    expect(
      errorOf(await call(k.core, 'setAssignment', { session, procedureCode: '1.001193', counterId: 'q9' })).code,
    ).toBe('not_found');
    expect([
      rowCount(k.core.db, 'audit_log'),
      rowCount(k.core.db, 'procedure_usage'),
      JSON.stringify(k.core.db.prepare('SELECT * FROM state').all()),
    ]).toEqual(before);
    expect(okValue(await call(k.core, 'beginResponse', {})).assignment.procedureCode).toBe('1.001193');
  });

  it('setAssignment is audited, remembered across a restart, and used by the next beginResponse', async () => {
    const k = setup();
    const { map } = await procedureFor(k.core);
    const session = await unlock(k.core);
    const code = map.get('sipas')!;
    const a = okValue(
      await call(k.core, 'setAssignment', {
        session,
        procedureCode: code,
        caseNumber: '000.00.12.H61-260302-0001',
        counterId: 'q2',
      }),
    );
    expect(a).toMatchObject({
      procedureCode: code,
      questionnaireId: 'sipas',
      caseNumber: '000.00.12.H61-260302-0001',
      counterId: 'q2',
      officerId: null,
    });
    expect(a.setAt).toBe(new Date(k.clock.now()).toISOString());
    const entries = auditActions(k.core, 'set_assignment');
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      actor: 'staff',
      details: { procedureCode: code, caseNumber: '000.00.12.H61-260302-0001', counterId: 'q2' },
    });
    expect(okValue(await call(k.core, 'beginResponse', {})).assignment).toEqual(a);
    k.reopen();
    expect(okValue(await call(k.core, 'beginResponse', {})).assignment).toEqual(a);
    expect(okValue(await call(k.core, 'getKioskState', {})).questionnaire.id).toBe('sipas');
  });

  it('staffContext lists recent procedures newest first and favourites; toggleFavourite adds and removes', async () => {
    const k = setup();
    const session = await unlock(k.core);
    const codes = ['1.000894', '2.000908', '1.001612'];
    for (const code of codes) {
      okValue(await call(k.core, 'setAssignment', { session, procedureCode: code }));
      await new Promise((r) => setTimeout(r, 5)); // recency is kept with millisecond timestamps
    }
    okValue(await call(k.core, 'setAssignment', { session, procedureCode: '1.000894' }));
    let ctx = okValue(await call(k.core, 'staffContext', { session }));
    expect(ctx.recent).toEqual(['1.000894', '1.001612', '2.000908']);
    expect(ctx.favourites).toEqual([]);
    expect(ctx.officers.map((o) => o.id)).toEqual(['cb01', 'cb02']);
    expect(ctx.counters.map((c) => c.id)).toEqual(['q1', 'q2']);
    expect(ctx.assignment.procedureCode).toBe('1.000894');

    expect(okValue(await call(k.core, 'toggleFavourite', { session, procedureCode: '2.000908' })).favourites).toEqual([
      '2.000908',
    ]);
    expect(okValue(await call(k.core, 'toggleFavourite', { session, procedureCode: '1.001193' })).favourites).toEqual([
      '1.001193',
      '2.000908',
    ]);
    expect(okValue(await call(k.core, 'toggleFavourite', { session, procedureCode: '2.000908' })).favourites).toEqual([
      '1.001193',
    ]);
    // Favouriting a procedure does not make it "recent".
    ctx = okValue(await call(k.core, 'staffContext', { session }));
    expect(ctx.favourites).toEqual(['1.001193']);
    expect(ctx.recent).toEqual(['1.000894', '1.001612', '2.000908']);
    // A procedure that is not in the catalog cannot be made a favourite.
    expect(errorOf(await call(k.core, 'toggleFavourite', { session, procedureCode: '9.999999' })).code).toBe(
      'not_found',
    );
    k.reopen();
    const s2 = await unlock(k.core);
    expect(okValue(await call(k.core, 'staffContext', { session: s2 })).favourites).toEqual(['1.001193']);
  });
});

describe('persistence', () => {
  it('what the core reports as stored is in the file when another connection opens it', async () => {
    const k = setup();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      k.clock.advance(CALM_MS);
      const b = okValue(await call(k.core, 'beginResponse', {}));
      ids.push(
        okValue(
          await call(k.core, 'submitResponse', {
            draftId: b.draftId,
            locale: 'vi',
            answers: buildAnswers(b.questionnaire, { rng: prng(i) }),
          }),
        ).id,
      );
    }
    const other = openDatabase(databasePath(k.dir), { readonly: true });
    try {
      expect(listResponses(other, k.core.deviceId).map((r) => [r.seq, r.id])).toEqual(ids.map((id, i) => [i + 1, id]));
      expect(listResponses(other, k.core.deviceId)).toEqual(listResponses(k.core.db, k.core.deviceId));
    } finally {
      other.close();
    }
  });
});
