import type { Question, Questionnaire } from '../../shared/questionnaire.ts';
import { scaleMax, scaleMin } from '../../shared/questionnaire.ts';

/**
 * What counting and scoring a response needs from its questionnaire, worked out once per questionnaire
 * object rather than once per response: the ingest counts every batch's report rows on the server's
 * event loop (queue-rows.ts), and filtering the questions again for each of a batch's 1,000 responses was
 * a third of that. The ingest keeps one parsed object per questionnaire version (validate-responses.ts),
 * so a WeakMap on the object finds the plan again batch after batch and lets it go with the object.
 */
export type CountPlan = {
  /** The questions whose answers are counted (every type but free text), in the questionnaire's order. */
  counted: readonly { id: string; multi: boolean }[];
  /** The per-case indicators on a scale: when any is answered, the score is their points over 2 each. */
  indicators: readonly string[];
  /** Every scale question with its range, in order: the score when no indicator is answered. */
  scales: readonly { id: string; min: number; span: number }[];
  /** The free-text questions, in order: the comment. */
  texts: readonly string[];
};

const isScale = (q: Question): q is Question & { type: 'satisfaction5' | 'satisfaction3' | 'indicator' } =>
  q.type === 'satisfaction5' || q.type === 'satisfaction3' || q.type === 'indicator';

const planOf = (q: Questionnaire): CountPlan => ({
  counted: q.questions.filter((x) => x.type !== 'text').map((x) => ({ id: x.id, multi: x.type === 'multi' })),
  indicators: q.questions.filter((x) => x.feeds?.instrument === 'per-case' && isScale(x)).map((x) => x.id),
  scales: q.questions.flatMap((x) =>
    isScale(x) ? [{ id: x.id, min: scaleMin(x.type), span: scaleMax(x.type) - scaleMin(x.type) }] : [],
  ),
  texts: q.questions.filter((x) => x.type === 'text').map((x) => x.id),
});

const plans = new WeakMap<Questionnaire, CountPlan>();

export const countPlanOf = (q: Questionnaire): CountPlan => {
  let plan = plans.get(q);
  if (!plan) plans.set(q, (plan = planOf(q)));
  return plan;
};
