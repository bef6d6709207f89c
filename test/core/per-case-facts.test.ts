// Per-case version 2 on the kiosk (issue 11): the case's facts set with kioskctl's set-procedure, the
// indicators they decide not asked and stored with source "system", and one evaluation per case number.
import { afterEach, describe, expect, it } from 'vitest';
import { setProcedure } from '../../electron/cli/commands.ts';
import { type KioskCore, openKioskCore } from '../../electron/core/kiosk-core.ts';
import { listResponses } from '../../electron/core/store/responses.ts';
import { setSetting } from '../../electron/core/store/settings.ts';
import type { CaseFacts } from '../../shared/case-facts.ts';
import { buildAnswers, call, errorOf, fakeClock, okValue, rowCount, silentLog } from '../support/kiosk.ts';
import { tempDir } from '../support/tmp.ts';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

const BIRTH = '1.001193'; // Hộ tịch: per-case
const FACTS: CaseFacts = {
  receivedAt: '2026-03-01T08:00:00+07:00',
  dueAt: '2026-03-05T17:00:00+07:00',
  returnedAt: '2026-03-04T10:00:00+07:00',
  returnVisits: 0,
};

const setup = () => {
  const t = tempDir('per-case-facts-');
  cleanups.push(t.cleanup);
  const clock = fakeClock();
  const core = openKioskCore({ dataDir: t.dir, clock, log: silentLog });
  cleanups.push(() => core.close());
  return { core, clock };
};

const assign = (core: KioskCore, caseNumber: string, facts?: CaseFacts) => {
  const out = setProcedure(core.db, BIRTH, caseNumber, facts && JSON.stringify(facts));
  expect(out.exitCode, out.text).toBe(0);
};

/** Begins a survey and answers every question the citizen is shown. */
const evaluate = async (core: KioskCore) => {
  const draft = okValue(await call(core, 'beginResponse', {}));
  const answers = buildAnswers(draft.questionnaire, { optional: 'never' });
  return {
    draft,
    answers,
    result: await call(core, 'submitResponse', { draftId: draft.draftId, locale: 'vi', answers }),
  };
};

const shownIds = (q: { questions: { id: string }[] }) => q.questions.map((x) => x.id);

describe('per-case v2 with the case facts set', () => {
  it('does not ask indicators 1 and 3, stores them from the facts with source "system"', async () => {
    const { core } = setup();
    assign(core, 'HS-2026-0001', FACTS);
    const { draft, answers, result } = await evaluate(core);
    expect([draft.questionnaire.id, draft.questionnaire.version]).toEqual(['per-case', 2]);
    expect(shownIds(draft.questionnaire)).toEqual([
      'so-co-quan-lien-he',
      'thai-do-can-bo',
      'muc-do-thuan-tien',
      'danh-gia-tong-the',
      'comment',
    ]);
    const { seq } = okValue(result);
    const [stored] = listResponses(core.db, core.deviceId, { sinceSeq: seq - 1 });
    expect(stored).toMatchObject({
      questionnaireVersion: 2,
      caseNumber: 'HS-2026-0001',
      answers: { ...answers, 'tong-thoi-gian': 2, 'so-lan-lien-he': 2 },
      sources: {
        'tong-thoi-gian': 'system',
        'so-lan-lien-he': 'system',
        'so-co-quan-lien-he': 'citizen',
        'thai-do-can-bo': 'citizen',
        'muc-do-thuan-tien': 'citizen',
        'danh-gia-tong-the': 'citizen',
      },
    });
  });

  it('refuses a citizen answer to an indicator the facts decided, storing nothing', async () => {
    const { core } = setup();
    assign(core, 'HS-2026-0002', { ...FACTS, returnedAt: '2026-03-09T10:00:00+07:00' });
    const draft = okValue(await call(core, 'beginResponse', {}));
    const answers = { ...buildAnswers(draft.questionnaire, { optional: 'never' }), 'tong-thoi-gian': 2 };
    const r = await call(core, 'submitResponse', { draftId: draft.draftId, locale: 'vi', answers });
    expect(errorOf(r)).toMatchObject({ code: 'invalid_input', issues: [{ path: 'answers.tong-thoi-gian' }] });
    expect(rowCount(core.db, 'responses')).toBe(0);
  });

  it('without facts asks indicator 3, leaves indicator 1 out, and every source is the citizen', async () => {
    const { core } = setup();
    assign(core, 'HS-2026-0003');
    const { draft, answers, result } = await evaluate(core);
    expect(shownIds(draft.questionnaire)[0]).toBe('so-lan-lien-he');
    expect(shownIds(draft.questionnaire)).not.toContain('tong-thoi-gian');
    okValue(result);
    const [stored] = listResponses(core.db, core.deviceId);
    expect(stored!.answers).toEqual(answers);
    expect(stored!.answers).not.toHaveProperty('tong-thoi-gian');
    expect(new Set(Object.values(stored!.sources ?? {}))).toEqual(new Set(['citizen']));
  });

  it('facts of a late case give indicator 1 zero points', async () => {
    const { core } = setup();
    assign(core, 'HS-2026-0004', { dueAt: '2026-03-05T17:00:00+07:00', returnedAt: '2026-03-06T08:00:00+07:00' });
    okValue((await evaluate(core)).result);
    const [stored] = listResponses(core.db, core.deviceId);
    expect(stored!.answers['tong-thoi-gian']).toBe(0);
    expect(stored!.sources?.['so-lan-lien-he']).toBe('citizen'); // no count of returns in these facts
  });

  it('a staff assignment from the PIN panel drops the facts of the previous case', async () => {
    const { core } = setup();
    assign(core, 'HS-2026-0005', FACTS);
    const session = okValue(await call(core, 'staffUnlock', { pin: '1357' })).session;
    const set = await call(core, 'setAssignment', {
      session,
      procedureCode: BIRTH,
      caseNumber: 'HS-2026-0006',
      officerId: null,
      counterId: null,
    });
    expect(okValue(set).facts).toBeUndefined();
    expect(shownIds(okValue(await call(core, 'beginResponse', {})).questionnaire)[0]).toBe('so-lan-lien-he');
  });
});

describe('one evaluation per case number', () => {
  it('refuses a second evaluation politely at the start, and a second draft of the same case at the submit', async () => {
    const { core, clock } = setup();
    assign(core, 'HS-2026-0100', FACTS);
    const early = okValue(await call(core, 'beginResponse', {})); // begun before the first is stored
    okValue((await evaluate(core)).result);
    clock.advance(60_000);
    const again = errorOf(await call(core, 'beginResponse', {}));
    expect(again).toMatchObject({ code: 'already_evaluated', caseNumber: 'HS-2026-0100' });
    const late = await call(core, 'submitResponse', {
      draftId: early.draftId,
      locale: 'vi',
      answers: buildAnswers(early.questionnaire, { optional: 'never' }),
    });
    expect(errorOf(late)).toMatchObject({ code: 'already_evaluated' });
    expect(rowCount(core.db, 'responses')).toBe(1);
    // another case on the same kiosk is evaluated as usual
    assign(core, 'HS-2026-0101');
    okValue((await evaluate(core)).result);
  });

  it('an abandoned survey is not an evaluation: the citizen may start again', async () => {
    const { core } = setup();
    assign(core, 'HS-2026-0200');
    const draft = okValue(await call(core, 'beginResponse', {}));
    okValue(await call(core, 'abandonResponse', { draftId: draft.draftId, locale: 'vi', answers: {} }));
    okValue((await evaluate(core)).result);
  });

  it('with repeatCasePolicy "flag" stores the second and flags it repeatCase', async () => {
    const { core, clock } = setup();
    setSetting(core.db, 'repeatCasePolicy', 'flag');
    assign(core, 'HS-2026-0300', FACTS);
    const first = okValue((await evaluate(core)).result);
    clock.advance(60_000);
    const second = okValue((await evaluate(core)).result);
    expect(first.flags.repeatCase).toBeUndefined();
    expect(second.flags).toMatchObject({ repeatCase: true });
    const stored = listResponses(core.db, core.deviceId);
    expect(stored.map((r) => r.flags.repeatCase ?? false)).toEqual([false, true]);
  });
});
