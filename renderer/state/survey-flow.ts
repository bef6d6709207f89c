import { type AnswerValue, type Answers, conditionHolds, visibleQuestions } from '../../shared/answers.ts';
import type { Question, Questionnaire } from '../../shared/questionnaire.ts';

/**
 * Pure navigation over a questionnaire: which question comes next or before, how far along the
 * respondent is, and which answers still count. Conditions only look back, so one pass in order
 * decides what is visible.
 */

/** Drops answers to questions that are no longer shown (a changed answer can hide a follow-up). */
export const pruneAnswers = (q: Questionnaire, answers: Answers): Answers => {
  const kept: Answers = {};
  for (const question of q.questions) {
    const value = answers[question.id];
    if (value === undefined) continue;
    if (question.showIf && !conditionHolds(question.showIf, kept)) continue;
    kept[question.id] = value;
  }
  return kept;
};

/** Sets or clears (undefined) one answer, then drops what it hides. */
export const withAnswer = (q: Questionnaire, answers: Answers, id: string, value: AnswerValue | undefined): Answers => {
  const next: Answers = { ...answers };
  if (value === undefined) delete next[id];
  else next[id] = value;
  return pruneAnswers(q, next);
};

export const firstQuestionId = (q: Questionnaire, answers: Answers = {}): string | null =>
  visibleQuestions(q, answers)[0]?.id ?? null;

/** The next visible question after `id`, or null when `id` is the last (time to submit). */
export const nextQuestionId = (q: Questionnaire, answers: Answers, id: string): string | null => {
  const visible = visibleQuestions(q, answers);
  const i = visible.findIndex((x) => x.id === id);
  if (i < 0) return null;
  return visible[i + 1]?.id ?? null;
};

/** The visible question before `id`, or null on the first. */
export const previousQuestionId = (q: Questionnaire, answers: Answers, id: string): string | null => {
  const visible = visibleQuestions(q, answers);
  const i = visible.findIndex((x) => x.id === id);
  return i > 0 ? (visible[i - 1]?.id ?? null) : null;
};

/** 1-based position and the number of questions the respondent will see given the answers so far. */
export const progressOf = (q: Questionnaire, answers: Answers, id: string): { position: number; total: number } => {
  const visible = visibleQuestions(q, answers);
  return { position: Math.max(1, visible.findIndex((x) => x.id === id) + 1), total: visible.length };
};

/** Whether the respondent may move on from a question with this answer. */
export const canLeave = (question: Question, value: AnswerValue | undefined): boolean => {
  if (!question.required) return true;
  if (value === undefined) return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'string') return value.trim().length > 0;
  return true;
};

/** Questions answered by one tap, where the survey may move on by itself. */
export const isOneTap = (question: Question): boolean =>
  question.type === 'satisfaction5' ||
  question.type === 'satisfaction3' ||
  question.type === 'indicator' ||
  question.type === 'yesno' ||
  question.type === 'single';

/** The comment as it is stored: trimmed text, or no answer when empty. */
export const textAnswer = (raw: string): string | undefined => {
  const t = raw.normalize('NFC').trim();
  return t.length === 0 ? undefined : t;
};

/** Toggles one option of a multi-choice answer, keeping the questionnaire's option order and the limit. */
export const toggleChoice = (
  question: Question & { type: 'multi' },
  current: readonly string[],
  value: string,
): string[] => {
  const chosen = new Set(current);
  if (chosen.has(value)) chosen.delete(value);
  else if (question.maxSelected === undefined || chosen.size < question.maxSelected) chosen.add(value);
  return question.options.map((o) => o.value).filter((v) => chosen.has(v));
};

export const questionById = (q: Questionnaire, id: string | null): Question | undefined =>
  id === null ? undefined : q.questions.find((x) => x.id === id);
