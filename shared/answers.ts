import { z } from 'zod';
import type { Condition, Question, Questionnaire } from './questionnaire.ts';
import { Slug, factRuleOf, scaleMax, scaleMin } from './questionnaire.ts';
import { MAX_INT32 } from './numbers.ts';
import { isStorableText } from './text.ts';

/** One answer as stored: a scale value, yes/no, a choice, several choices, or text. */
export const AnswerValue = z.union([
  z.number().int().min(-MAX_INT32).max(MAX_INT32),
  z.boolean(),
  z.string().max(2000),
  z.array(z.string().max(64)).max(12),
]);
export type AnswerValue = z.infer<typeof AnswerValue>;

/**
 * zod's record parser skips an own "__proto__" key silently (it would otherwise reach the prototype),
 * so a hostile answer set would be accepted minus that key. Refuse it instead: nothing a kiosk sends
 * may be quietly rewritten on the way in.
 */
const withoutProtoKey = z.custom<Record<string, AnswerValue>>(
  (v) => typeof v !== 'object' || v === null || !Object.hasOwn(v, '__proto__'),
  'the key "__proto__" is not a question id',
);

/** Answers keyed by question id (a Slug, as in the questionnaire). */
export const Answers = withoutProtoKey.pipe(
  z.record(Slug, AnswerValue).refine((a) => Object.keys(a).length <= 60, 'too many answers'),
);
export type Answers = z.infer<typeof Answers>;

export const conditionHolds = (c: Condition, answers: Answers): boolean => {
  const a = answers[c.question];
  if (a === undefined) return false;
  switch (c.op) {
    case 'answered':
      return true;
    case 'is':
      return a === c.value;
    case 'in':
      return Array.isArray(a) ? a.some((v) => c.value.includes(v)) : typeof a === 'string' && c.value.includes(a);
    case 'lte':
      return typeof a === 'number' && a <= c.value;
    case 'gte':
      return typeof a === 'number' && a >= c.value;
    case 'eq':
      return typeof a === 'number' && a === c.value;
  }
};

/**
 * Questions a respondent sees given the answers so far, in order. Conditions only look back, and only
 * at answers to questions that are themselves shown: a stale answer left on a question that became
 * hidden must not keep its own follow-ups visible.
 */
export const visibleQuestions = (q: Questionnaire, answers: Answers): Question[] => {
  const shown: Answers = {};
  const visible: Question[] = [];
  for (const question of q.questions) {
    if (question.showIf && !conditionHolds(question.showIf, shown)) continue;
    visible.push(question);
    const a = answers[question.id];
    if (a !== undefined) shown[question.id] = a;
  }
  return visible;
};

export type AnswerIssue = { question: string; message: string };

const checkValue = (question: Question, value: AnswerValue): string | null => {
  switch (question.type) {
    case 'satisfaction5':
    case 'satisfaction3':
    case 'indicator': {
      const min = scaleMin(question.type);
      const max = scaleMax(question.type);
      return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max
        ? null
        : `expected a whole number from ${min} to ${max}`;
    }
    case 'yesno':
      return typeof value === 'boolean' ? null : 'expected true or false';
    case 'single':
      return typeof value === 'string' && question.options.some((o) => o.value === value)
        ? null
        : 'expected one of the options';
    case 'multi': {
      if (!Array.isArray(value) || value.length === 0) return 'expected a non-empty list of options';
      if (new Set(value).size !== value.length) return 'an option is chosen twice';
      if (!value.every((v) => question.options.some((o) => o.value === v))) return 'expected only listed options';
      return question.maxSelected !== undefined && value.length > question.maxSelected
        ? `at most ${question.maxSelected} options`
        : null;
    }
    case 'text':
      if (typeof value !== 'string') return 'expected text';
      if (value.trim().length === 0) return 'empty text is sent as no answer';
      // eslint-disable-next-line no-control-regex
      if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/.test(value))
        return 'control characters are not allowed';
      if (!isStorableText(value)) return 'the text is not valid Unicode (a lone surrogate)';
      // Counted in composed form: "ệ" typed as e + two combining marks (some Vietnamese keyboards) is one character.
      return [...value.normalize('NFC')].length <= question.maxLength
        ? null
        : `at most ${question.maxLength} characters`;
  }
};

/**
 * Checks answers against a questionnaire. A complete response must answer every visible required
 * question; an abandoned one may stop anywhere. Answers to unknown or hidden questions are refused,
 * so a stored response never says more than the respondent was asked.
 */
export const checkAnswers = (q: Questionnaire, answers: Answers, status: 'complete' | 'abandoned'): AnswerIssue[] => {
  const issues: AnswerIssue[] = [];
  const byId = new Map(q.questions.map((x) => [x.id, x]));
  for (const id of Object.keys(answers)) {
    if (!byId.has(id)) issues.push({ question: id, message: 'no such question in this questionnaire' });
  }
  const visible = new Set(visibleQuestions(q, answers).map((x) => x.id));
  for (const question of q.questions) {
    const value = answers[question.id];
    if (value === undefined) {
      // An indicator never asked of a citizen is there only when the case's facts decided it.
      const askable = factRuleOf(question)?.askCitizen !== 'never';
      if (status === 'complete' && question.required && askable && visible.has(question.id)) {
        issues.push({ question: question.id, message: 'a required question has no answer' });
      }
      continue;
    }
    if (!visible.has(question.id)) {
      issues.push({ question: question.id, message: 'answer to a question that was not shown' });
      continue;
    }
    const problem = checkValue(question, value);
    if (problem) issues.push({ question: question.id, message: problem });
  }
  return issues;
};
