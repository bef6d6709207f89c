import type { Result } from '../../shared/api.ts';
import type { Answers } from '../../shared/answers.ts';
import { type PublishedContactKey, SealedContact } from '../../shared/follow-up.ts';
import { type ContactSubmissionArgs, followUpWanted } from '../../shared/follow-up-offer.ts';
import { sealContact } from '../../shared/node/contact-seal.ts';
import type { Questionnaire } from '../../shared/questionnaire.ts';

/**
 * A citizen's follow-up contact, from what the touch UI sent to the SealedContact the kiosk stores:
 * checked against the offer (the draft's questionnaire, its answers, the contact key the draft began
 * with), then sealed at once. Only the sealed box leaves this function; the number in clear is never
 * written, logged or put in an error message.
 */

export type ContactContext = {
  responseId: string;
  questionnaire: Questionnaire;
  answers: Answers;
  status: 'complete' | 'abandoned';
  locale: string;
  /** The key of the configuration in force when the survey began (a survey keeps its configuration). */
  contactKey: PublishedContactKey | undefined;
  now: number;
};

const refuseContact = (message: string): Result<never> => ({
  ok: false,
  error: { code: 'invalid_input', message, issues: [{ path: 'contact', message }] },
});

export const sealSubmittedContact = (ctx: ContactContext, contact: ContactSubmissionArgs): Result<SealedContact> => {
  if (ctx.status !== 'complete') return refuseContact('a contact is only taken with a completed survey');
  if (!ctx.contactKey) return refuseContact('this kiosk does not take follow-up contacts now');
  if (!followUpWanted(ctx.questionnaire, ctx.answers))
    return refuseContact('these answers do not call for a follow-up under this questionnaire');
  return {
    ok: true,
    value: SealedContact.parse({
      responseId: ctx.responseId,
      consent: {
        purpose: 'follow-up',
        textVersion: contact.consent.textVersion,
        locale: ctx.locale,
        givenAt: new Date(ctx.now).toISOString(),
      },
      sealed: sealContact(ctx.contactKey, ctx.responseId, contact.details),
    }),
  };
};
