import { describe, expect, it } from 'vitest';
import { followUpWanted } from '../../shared/follow-up-offer.ts';
import { Questionnaire } from '../../shared/questionnaire.ts';
import { readDefaultQuestionnaireJson } from './config-fixtures.ts';

const load = (id: 'quick' | 'per-case' | 'sipas', extra: Record<string, unknown> = {}) =>
  Questionnaire.parse({ ...(readDefaultQuestionnaireJson(id) as object), ...extra });

describe('when a follow-up is offered', () => {
  it('default: the overall (csat) question at 1-2 of 5, not at 3', () => {
    const quick = load('quick');
    expect(followUpWanted(quick, { overall: 1, attitude: 5, time: 3 })).toBe(true);
    expect(followUpWanted(quick, { overall: 2, attitude: 5, time: 3 })).toBe(true);
    expect(followUpWanted(quick, { overall: 3, attitude: 1, time: 1 })).toBe(false);
    const sipas = load('sipas');
    expect(followUpWanted(sipas, { overall: 2 })).toBe(true);
    expect(followUpWanted(sipas, { overall: 4, 'cong-chuc-lich-su': 1 })).toBe(false);
  });

  it('default: any per-case indicator at 0 points, not at 1', () => {
    const perCase = load('per-case');
    const ones = Object.fromEntries(perCase.questions.filter((q) => q.type === 'indicator').map((q) => [q.id, 1]));
    expect(followUpWanted(perCase, ones)).toBe(false);
    expect(followUpWanted(perCase, { ...ones, 'thai-do-can-bo': 0 })).toBe(true);
  });

  it('a questionnaire may turn it off, or give its own conditions', () => {
    expect(followUpWanted(load('quick', { followUp: false }), { overall: 1 })).toBe(false);
    const own = load('quick', { followUp: { anyOf: [{ question: 'attitude', op: 'lte', value: 3 }] } });
    expect(followUpWanted(own, { overall: 1, attitude: 4 })).toBe(false);
    expect(followUpWanted(own, { overall: 5, attitude: 3 })).toBe(true);
  });

  it('a condition on a question the questionnaire does not have, or that does not fit it, is refused by name', () => {
    const unknown = Questionnaire.safeParse({
      ...(readDefaultQuestionnaireJson('quick') as object),
      followUp: { anyOf: [{ question: 'overal', op: 'lte', value: 2 }] },
    });
    expect(unknown.success).toBe(false);
    expect(unknown.error?.issues[0]).toMatchObject({ path: ['followUp', 'anyOf', 0], message: /"overal"/ });
    const misfit = Questionnaire.safeParse({
      ...(readDefaultQuestionnaireJson('quick') as object),
      followUp: { anyOf: [{ question: 'overall', op: 'is', value: true }] },
    });
    expect(misfit.error?.issues[0]?.message).toMatch(/does not fit question "overall"/);
  });
});
