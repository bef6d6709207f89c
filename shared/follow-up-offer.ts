import { z } from 'zod';
import { type Answers, conditionHolds } from './answers.ts';
import { ContactDetails } from './follow-up.ts';
import type { Question, Questionnaire } from './questionnaire.ts';

/**
 * The kiosk's side of follow-ups: when a citizen is offered to be contacted, and what the touch UI
 * hands the core when they accept. The wording of the consent lives in the renderer's translations
 * (followUp.consent.*); its version id is here so the core can refuse a consent to another text.
 */

/**
 * Version id of the consent text shown on the kiosk (vi and en together). Change it whenever the
 * wording of followUp.consent.* changes in either language, so a recorded consent names the text
 * the citizen actually read.
 */
export const CONSENT_TEXT_VERSION = 'kiosk-follow-up-2026-1';

/** The default rule's threshold on the overall question: at or below "Không hài lòng". */
const lowOverall = (q: Question, value: unknown): boolean =>
  typeof value === 'number' &&
  q.feeds?.instrument === 'csat' &&
  ((q.type === 'satisfaction5' && value <= 2) || (q.type === 'satisfaction3' && value <= 1));

/** The default rule's threshold on a per-case indicator: 0 points. */
const zeroIndicator = (q: Question, value: unknown): boolean => q.type === 'indicator' && value === 0;

/** Whether these (complete) answers call for the follow-up offer under the questionnaire's trigger. */
export const followUpWanted = (q: Questionnaire, answers: Answers): boolean => {
  if (q.followUp === false) return false;
  if (q.followUp) return q.followUp.anyOf.some((c) => conditionHolds(c, answers));
  return q.questions.some((question) => {
    const value = answers[question.id];
    return lowOverall(question, value) || zeroIndicator(question, value);
  });
};

/**
 * What the touch UI sends with the response when the citizen accepted: the details as typed (the core
 * validates and normalises them) and an explicit consent to the text version shown. The purpose, the
 * language and the time of the consent are the core's to record.
 */
export const ContactSubmission = z
  .object({
    details: ContactDetails,
    consent: z
      .object({
        textVersion: z.literal(CONSENT_TEXT_VERSION, {
          error: 'the consent text shown is not the one this kiosk records; start again',
        }),
        accepted: z.literal(true, { error: 'the citizen must accept the consent explicitly' }),
      })
      .strict(),
  })
  .strict();
export type ContactSubmission = z.input<typeof ContactSubmission>;
/** The submission as the core receives it: details validated and the phone normalised. */
export type ContactSubmissionArgs = z.output<typeof ContactSubmission>;
