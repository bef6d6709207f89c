import type { AnswerIssue, Answers } from './answers.ts';
import { type AnswerSource, type CaseFacts, pointsFromFacts } from './case-facts.ts';
import { type Questionnaire, factRuleOf } from './questionnaire.ts';

/**
 * Indicators from facts (issue 11): the kiosk answers an indicator itself where the case's facts
 * decide it, shows the citizen only the rest, and records who gave each answer. Pure functions, used
 * by the kiosk core (answers and sources) and by central's validation (sourceIssues).
 */

/** Whether any question of the questionnaire may be answered from facts: its responses then carry sources. */
export const usesFacts = (q: Questionnaire): boolean => q.questions.some((x) => factRuleOf(x) !== undefined);

/** The answers the facts decide, by question id; empty without facts. */
export const factAnswers = (q: Questionnaire, facts: CaseFacts | null | undefined): Answers => {
  const out: Answers = {};
  if (!facts) return out;
  for (const question of q.questions) {
    const rule = factRuleOf(question);
    const points = rule && pointsFromFacts(rule, facts);
    if (points !== undefined) out[question.id] = points;
  }
  return out;
};

/**
 * What the citizen is shown: the questionnaire without the questions the facts answered and without
 * those never asked of a citizen. Same id and version: it is a view of that questionnaire, not a new one.
 */
export const citizenQuestionnaire = (q: Questionnaire, system: Answers): Questionnaire => {
  const asked = q.questions.filter((x) => {
    const rule = factRuleOf(x);
    return !rule || (!Object.hasOwn(system, x.id) && rule.askCitizen !== 'never');
  });
  return asked.length === q.questions.length ? q : { ...q, questions: asked };
};

/** Who gave each answer, for a questionnaire that uses facts; undefined for one that does not. */
export const sourcesOf = (
  q: Questionnaire,
  answers: Answers,
  system: Answers,
): Record<string, AnswerSource> | undefined => {
  if (!usesFacts(q)) return undefined;
  return Object.fromEntries(
    Object.keys(answers).map((id) => [id, Object.hasOwn(system, id) ? 'system' : 'citizen'] as const),
  );
};

/**
 * Whether a response's sources fit its questionnaire and answers: one per answer and none without
 * one, "system" only where the questionnaire lets facts answer, and a question never asked of a
 * citizen answered only by the system. A questionnaire that uses facts must have them; others may
 * carry all-citizen sources or none.
 */
export const sourceIssues = (
  q: Questionnaire,
  answers: Answers,
  sources: Readonly<Record<string, AnswerSource>> | undefined,
): AnswerIssue[] => {
  if (sources === undefined)
    return usesFacts(q)
      ? [{ question: '(sources)', message: 'this questionnaire needs the source of each answer' }]
      : [];
  const issues: AnswerIssue[] = [];
  const byId = new Map(q.questions.map((x) => [x.id, x]));
  for (const [id, source] of Object.entries(sources)) {
    if (!Object.hasOwn(answers, id)) issues.push({ question: id, message: 'a source for a question not answered' });
    const rule = byId.has(id) ? factRuleOf(byId.get(id)!) : undefined;
    if (source === 'system' && !rule)
      issues.push({ question: id, message: 'only facts-derived indicators come from the system' });
    if (source === 'citizen' && rule?.askCitizen === 'never')
      issues.push({ question: id, message: 'this indicator is never asked of the citizen' });
  }
  for (const id of Object.keys(answers))
    if (!Object.hasOwn(sources, id)) issues.push({ question: id, message: 'an answer without its source' });
  return issues;
};
