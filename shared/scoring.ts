import type { Answers } from './answers.ts';
import type { LocalizedText } from './locale.ts';
import type { Question, Questionnaire } from './questionnaire.ts';
import { bandFor, meanOf } from './reports/formulas.ts';
import { DEFAULT_PER_CASE_GRADES } from './reports/settings.ts';

/**
 * Scoring as pure functions over answers. The formulas follow the official instruments where they are
 * published; where they are not (the SIPAS aggregation, the grade bands), the defaults below are the ones
 * docs/survey-instruments.md explains, and a questionnaire's data can override the bands.
 */

export { DEFAULT_PER_CASE_GRADES } from './reports/settings.ts';

export type PerCaseScore = {
  /** Points earned over the indicators answered. */
  total: number;
  /** 2 points per indicator the questionnaire has (18 for the nine-indicator evaluation). */
  max: number;
  answered: number;
  indicators: number;
  /** Present only when every indicator is answered: a partial total is not gradable. */
  grade: LocalizedText | null;
};

const perCaseQuestions = (q: Questionnaire): Question[] =>
  q.questions.filter((x) => x.feeds?.instrument === 'per-case' && x.type === 'indicator');

/** Per-case evaluation of one response: the sum of 2/1/0 points and its grade band. */
export const perCaseScore = (q: Questionnaire, answers: Answers): PerCaseScore => {
  const questions = perCaseQuestions(q);
  let total = 0;
  let answered = 0;
  for (const question of questions) {
    const v = answers[question.id];
    if (typeof v === 'number') {
      total += v;
      answered++;
    }
  }
  const bands = q.grading ?? DEFAULT_PER_CASE_GRADES;
  const complete = answered === questions.length && questions.length > 0;
  // One case's total is a whole number: the reports' band rule at 0 decimals is the same comparison.
  const grade = complete ? (bandFor(total, bands, 0)?.label ?? null) : null;
  return { total, max: 2 * questions.length, answered, indicators: questions.length, grade };
};

/** An answer on a satisfaction scale counts as satisfied at "Hài lòng" or above. */
export const isSatisfied = (type: Question['type'], value: unknown): boolean | null => {
  if (typeof value !== 'number') return null;
  if (type === 'satisfaction5') return value >= 4;
  if (type === 'satisfaction3') return value >= 2;
  return null;
};

export type Share = { satisfied: number; valid: number; share: number | null };

const share = (satisfied: number, valid: number): Share => ({
  satisfied,
  valid,
  share: valid === 0 ? null : satisfied / valid,
});

const mean = (xs: number[]): number | null => meanOf(xs);

export type SipasReport = {
  criteria: { element: string; criterion: string; question: string; result: Share }[];
  /** Mean of the criterion shares in each element, over criteria with at least one valid answer. */
  elements: { element: string; share: number | null; criteria: number }[];
  /** Mean of the element shares, over elements with data. */
  overall: number | null;
};

/**
 * SIPAS-style satisfaction: per criterion, the share of valid answers at Hài lòng or Rất hài lòng;
 * per element, the mean over its criteria; overall, the mean over elements. The national formula
 * is unpublished, so this is the documented default and reports say so.
 */
export const sipasReport = (q: Questionnaire, responses: readonly Answers[]): SipasReport => {
  const criteria: SipasReport['criteria'] = [];
  for (const question of q.questions) {
    if (question.feeds?.instrument !== 'sipas') continue;
    let satisfied = 0;
    let valid = 0;
    for (const answers of responses) {
      const s = isSatisfied(question.type, answers[question.id]);
      if (s === null) continue;
      valid++;
      if (s) satisfied++;
    }
    criteria.push({
      element: question.feeds.element,
      criterion: question.feeds.criterion,
      question: question.id,
      result: share(satisfied, valid),
    });
  }
  const elementIds = q.elements?.map((e) => e.id) ?? [...new Set(criteria.map((c) => c.element))];
  const elements = elementIds.map((element) => {
    const shares = criteria
      .filter((c) => c.element === element && c.result.share !== null)
      .map((c) => c.result.share as number);
    return { element, share: mean(shares), criteria: criteria.filter((c) => c.element === element).length };
  });
  const overall = mean(elements.filter((e) => e.share !== null).map((e) => e.share as number));
  return { criteria, elements, overall };
};

export type CsatReport = Share & {
  meanScore: number | null;
  scaleMax: number | null;
  distribution: Record<number, number>;
};

/**
 * Overall satisfaction (CSAT) over the questionnaire's "csat" question: share satisfied, mean score
 * and the count at each level.
 */
export const csatReport = (q: Questionnaire, responses: readonly Answers[]): CsatReport => {
  const question = q.questions.find((x) => x.feeds?.instrument === 'csat');
  if (!question || (question.type !== 'satisfaction5' && question.type !== 'satisfaction3')) {
    return { ...share(0, 0), meanScore: null, scaleMax: null, distribution: {} };
  }
  const values: number[] = [];
  const distribution: Record<number, number> = {};
  for (const answers of responses) {
    const v = answers[question.id];
    if (typeof v !== 'number') continue;
    values.push(v);
    distribution[v] = (distribution[v] ?? 0) + 1;
  }
  const satisfied = values.filter((v) => isSatisfied(question.type, v)).length;
  return {
    ...share(satisfied, values.length),
    meanScore: mean(values),
    scaleMax: question.type === 'satisfaction5' ? 5 : 3,
    distribution,
  };
};
