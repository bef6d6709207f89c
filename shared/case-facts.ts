import { z } from 'zod';

/**
 * What the one-stop information system knows about a case (issue 11): received, due and returned
 * times, how many times the applicant had to come back, whether it was filed online. All optional:
 * an office whose software tells the kiosk nothing still has a kiosk, and each indicator that needs
 * a missing fact is asked of the citizen or left out, as its questionnaire says. The officer is not
 * here: it travels in the assignment (officerId) like any other per-case response.
 */
const Instant = z.iso.datetime({ offset: true });

export const CaseFacts = z
  .strictObject({
    receivedAt: Instant.optional(),
    /** The legal deadline ("hạn giải quyết"). */
    dueAt: Instant.optional(),
    /** When the result was returned to the applicant. */
    returnedAt: Instant.optional(),
    /** Times the applicant had to come back (or contact the office again) to complete the dossier. */
    returnVisits: z.number().int().min(0).max(99).optional(),
    /** Filed online (dịch vụ công trực tuyến). */
    online: z.boolean().optional(),
  })
  .superRefine((f, ctx) => {
    const before = (a: string | undefined, b: string | undefined) =>
      a !== undefined && b !== undefined && Date.parse(b) < Date.parse(a);
    if (before(f.receivedAt, f.returnedAt))
      ctx.addIssue({ code: 'custom', path: ['returnedAt'], message: 'returned before it was received' });
    if (before(f.receivedAt, f.dueAt))
      ctx.addIssue({ code: 'custom', path: ['dueAt'], message: 'due before it was received' });
  });
export type CaseFacts = z.infer<typeof CaseFacts>;

/**
 * When a fact-derived indicator has no facts to go on: ask the citizen instead, or leave it out
 * (indicators only the information system can know, such as the time against the legal limit).
 */
const askCitizen = z.enum(['when-facts-missing', 'never']).default('when-facts-missing');

/**
 * How an indicator's 2/1/0 points follow from the facts. Rules the sources do not settle are
 * parameters with documented defaults (docs/survey-instruments.md, "Indicators from facts").
 * - returned-vs-due (indicator 1): by calendar day in Vietnam's time, returned before the due day 2;
 *   on the due day `onDueDay` (default 1: "equal to the time allowed", Thông tư 01/2018/TT-VPCP;
 *   2 for provinces that count on time as full marks); up to `lateDaysForOne` days late 1
 *   (default 0: any lateness is 0); later 0.
 * - return-visits (indicator 3): no return 2, up to `oneUpTo` returns 1 (default 1), more 0.
 */
export const FactRule = z.discriminatedUnion('rule', [
  z.strictObject({
    rule: z.literal('returned-vs-due'),
    onDueDay: z.union([z.literal(1), z.literal(2)]).default(1),
    lateDaysForOne: z.number().int().min(0).max(60).default(0),
    askCitizen,
  }),
  z.strictObject({
    rule: z.literal('return-visits'),
    oneUpTo: z.number().int().min(1).max(10).default(1),
    askCitizen,
  }),
]);
export type FactRule = z.infer<typeof FactRule>;

/** Who gave an answer: the citizen on the screen, or the kiosk from the case's facts. */
export const AnswerSource = z.enum(['citizen', 'system']);
export type AnswerSource = z.infer<typeof AnswerSource>;

const DAY_MS = 86_400_000;
/** Vietnam keeps UTC+7 all year: a deadline is a day there, whatever offset the instant was written with. */
const VIETNAM_OFFSET_MS = 7 * 3_600_000;
const vietnamDayNumber = (iso: string): number => Math.floor((Date.parse(iso) + VIETNAM_OFFSET_MS) / DAY_MS);

/** The points a rule gives for these facts, or undefined when the facts it needs are missing. */
export const pointsFromFacts = (rule: FactRule, facts: CaseFacts): 0 | 1 | 2 | undefined => {
  switch (rule.rule) {
    case 'returned-vs-due': {
      if (facts.dueAt === undefined || facts.returnedAt === undefined) return undefined;
      const late = vietnamDayNumber(facts.returnedAt) - vietnamDayNumber(facts.dueAt);
      if (late < 0) return 2;
      if (late === 0) return rule.onDueDay;
      return late <= rule.lateDaysForOne ? 1 : 0;
    }
    case 'return-visits': {
      if (facts.returnVisits === undefined) return undefined;
      if (facts.returnVisits === 0) return 2;
      return facts.returnVisits <= rule.oneUpTo ? 1 : 0;
    }
  }
};
