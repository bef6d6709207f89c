import { z } from 'zod';
import { FactRule } from './case-facts.ts';
import { LocalizedText } from './locale.ts';
import { Int32 } from './numbers.ts';

/**
 * Config schemas are strict: an unknown key (a misspelt "showif") is an error naming the field, never
 * silently dropped, because a dropped condition would show a follow-up to everyone.
 */

/** Identifiers used in data files: short, stable, safe in URLs, CSV headers and SQL JSON paths. */
export const Slug = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'expected lower-case letters, digits, "-" or "_" (at most 64)');

/**
 * Which official instrument a question feeds, so scoring never depends on question ids.
 * - per-case: one of the nine 2/1/0 indicators of the per-case evaluation (đánh giá việc giải quyết TTHC)
 * - sipas: a criterion of one of the five SIPAS elements
 * - csat: the overall satisfaction question of a questionnaire
 */
export const Feeds = z.discriminatedUnion('instrument', [
  z.strictObject({ instrument: z.literal('per-case'), indicator: z.number().int().min(1).max(20) }),
  z.strictObject({ instrument: z.literal('sipas'), element: Slug, criterion: Slug }),
  z.strictObject({ instrument: z.literal('csat') }),
]);
export type Feeds = z.infer<typeof Feeds>;

export const ChoiceOption = z.strictObject({ value: Slug, label: LocalizedText });
export const IndicatorOption = z.strictObject({
  points: z.union([z.literal(0), z.literal(1), z.literal(2)]),
  label: LocalizedText,
});

/**
 * Follow-up conditions refer to an earlier question's answer.
 * "lte 2" on a 5-level scale means "at or below Không hài lòng".
 */
export const Condition = z.discriminatedUnion('op', [
  z.strictObject({ question: Slug, op: z.enum(['lte', 'gte', 'eq']), value: z.number().int() }),
  z.strictObject({ question: Slug, op: z.literal('is'), value: z.boolean() }),
  z.strictObject({ question: Slug, op: z.literal('in'), value: z.array(Slug).min(1) }),
  z.strictObject({ question: Slug, op: z.literal('answered') }),
]);
export type Condition = z.infer<typeof Condition>;

const base = {
  id: Slug,
  text: LocalizedText,
  help: LocalizedText.optional(),
  required: z.boolean().default(true),
  showIf: Condition.optional(),
  feeds: Feeds.optional(),
};

/**
 * Question types. Numeric scales store integers: satisfaction5 1..5 (1 = Rất không hài lòng,
 * 5 = Rất hài lòng); satisfaction3 1..3 (1 = Không hài lòng, 3 = Rất hài lòng); indicator 0..2 points.
 */
export const Question = z.discriminatedUnion('type', [
  z.strictObject({ ...base, type: z.literal('satisfaction5') }),
  z.strictObject({ ...base, type: z.literal('satisfaction3') }),
  z.strictObject({
    ...base,
    type: z.literal('indicator'),
    options: z.array(IndicatorOption).length(3),
    /** Points the kiosk takes from the case's facts when it has them; the citizen is then not asked. */
    fromFacts: FactRule.optional(),
  }),
  z.strictObject({ ...base, type: z.literal('yesno') }),
  z.strictObject({ ...base, type: z.literal('single'), options: z.array(ChoiceOption).min(2).max(12) }),
  z.strictObject({
    ...base,
    type: z.literal('multi'),
    options: z.array(ChoiceOption).min(2).max(12),
    maxSelected: z.number().int().min(1).optional(),
  }),
  z.strictObject({ ...base, type: z.literal('text'), maxLength: z.number().int().min(1).max(2000).default(500) }),
]);
export type Question = z.infer<typeof Question>;
export type QuestionType = Question['type'];

export const GradeBand = z.strictObject({ min: z.number().int().min(0), label: LocalizedText });
export type GradeBand = z.infer<typeof GradeBand>;

export const QuestionnaireKind = z.enum(['quick', 'per-case', 'sipas', 'custom']);

/**
 * When the kiosk offers a dissatisfied citizen to be contacted (issue 12), after the last question.
 * Absent: the default rule (shared/follow-up-offer.ts: the overall question at or below "Không hài
 * lòng", or any per-case indicator at 0 points). false: never. { anyOf }: when any condition holds.
 * Offered only while the active configuration from central carries its contact key.
 */
export const FollowUpTrigger = z.union([
  z.literal(false),
  z.strictObject({ anyOf: z.array(Condition).min(1).max(20) }),
]);
export type FollowUpTrigger = z.infer<typeof FollowUpTrigger>;

export const Questionnaire = z
  .object({
    id: Slug,
    /** Kept in central's `questionnaires.version` (integer). */
    version: Int32(1),
    kind: QuestionnaireKind,
    title: LocalizedText,
    intro: LocalizedText.optional(),
    /** SIPAS elements shown in reports, in order. */
    elements: z.array(z.strictObject({ id: Slug, name: LocalizedText })).optional(),
    /** Grade bands for the per-case total, highest first; a total gets the first band whose min it reaches. */
    grading: z.array(GradeBand).min(1).optional(),
    questions: z.array(Question).min(1).max(60),
    followUp: FollowUpTrigger.optional(),
  })
  .superRefine((q, ctx) => {
    const seen = new Map<string, Question>();
    q.questions.forEach((question, i) => {
      if (seen.has(question.id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['questions', i, 'id'],
          message: `duplicate question id "${question.id}"`,
        });
      }
      const cond = question.showIf;
      if (cond) {
        const target = seen.get(cond.question);
        if (!target) {
          ctx.addIssue({
            code: 'custom',
            path: ['questions', i, 'showIf', 'question'],
            message: `condition refers to "${cond.question}", which is not an earlier question`,
          });
        } else if (!conditionFits(cond, target)) {
          ctx.addIssue({
            code: 'custom',
            path: ['questions', i, 'showIf'],
            message: `condition "${cond.op}" does not fit question "${target.id}" of type ${target.type}`,
          });
        }
      }
      if (
        question.feeds?.instrument === 'sipas' &&
        !q.elements?.some((e) => e.id === (question.feeds as { element: string }).element)
      ) {
        ctx.addIssue({
          code: 'custom',
          path: ['questions', i, 'feeds', 'element'],
          message: 'SIPAS element is not listed in "elements"',
        });
      }
      factRuleIssues(question, seen).forEach((issue) =>
        ctx.addIssue({ code: 'custom', path: ['questions', i, ...issue.path], message: issue.message }),
      );
      seen.set(question.id, question);
    });
    if (q.followUp) {
      q.followUp.anyOf.forEach((cond, i) => {
        const target = seen.get(cond.question);
        if (!target || !conditionFits(cond, target))
          ctx.addIssue({
            code: 'custom',
            path: ['followUp', 'anyOf', i],
            message: target
              ? `condition "${cond.op}" does not fit question "${target.id}" of type ${target.type}`
              : `condition refers to "${cond.question}", which is not a question of this questionnaire`,
          });
      });
    }
    if (q.questions.every((x) => x.type === 'indicator' && x.fromFacts))
      ctx.addIssue({
        code: 'custom',
        path: ['questions'],
        message: 'at least one question must be for the citizen (every question here comes from facts)',
      });
    if (q.grading) {
      for (let i = 1; i < q.grading.length; i++) {
        if (q.grading[i]!.min >= q.grading[i - 1]!.min) {
          ctx.addIssue({
            code: 'custom',
            path: ['grading', i, 'min'],
            message: 'grade bands must be listed highest first',
          });
        }
      }
    }
  });
export type Questionnaire = z.infer<typeof Questionnaire>;

/** Whether a question's answer may come from the case's facts instead of the citizen. */
export const factRuleOf = (question: Question): FactRule | undefined =>
  question.type === 'indicator' ? question.fromFacts : undefined;

/**
 * A question answered from facts is taken out of the citizen's questionnaire when the facts are there,
 * so nothing may depend on it being shown: it has no condition of its own, and no condition refers to it.
 */
const factRuleIssues = (
  question: Question,
  earlier: ReadonlyMap<string, Question>,
): { path: (string | number)[]; message: string }[] => {
  const issues: { path: (string | number)[]; message: string }[] = [];
  if (factRuleOf(question) && question.showIf)
    issues.push({ path: ['showIf'], message: 'a question answered from facts cannot have a condition' });
  const target = question.showIf && earlier.get(question.showIf.question);
  if (target && factRuleOf(target))
    issues.push({
      path: ['showIf', 'question'],
      message: `condition refers to "${target.id}", which may be answered from facts and not shown`,
    });
  return issues;
};

const isNumericScale = (t: QuestionType) => t === 'satisfaction5' || t === 'satisfaction3' || t === 'indicator';

const conditionFits = (c: Condition, target: Question): boolean => {
  switch (c.op) {
    case 'answered':
      return true;
    case 'is':
      return target.type === 'yesno';
    case 'in':
      return (
        (target.type === 'single' || target.type === 'multi') &&
        c.value.every((v) => target.options.some((o) => o.value === v))
      );
    default:
      return isNumericScale(target.type);
  }
};

/** Highest value of a numeric scale. */
export const scaleMax = (type: 'satisfaction5' | 'satisfaction3' | 'indicator'): number =>
  type === 'satisfaction5' ? 5 : type === 'satisfaction3' ? 3 : 2;

/** Lowest value of a numeric scale. */
export const scaleMin = (type: 'satisfaction5' | 'satisfaction3' | 'indicator'): number =>
  type === 'indicator' ? 0 : 1;
