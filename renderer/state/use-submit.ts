import { useCallback, useRef, useState } from 'react';
import type { Answers } from '../../shared/answers.ts';
import type { ApiError, KioskApi, MethodOutput } from '../../shared/api.ts';
import type { ContactDetails } from '../../shared/follow-up.ts';
import { CONSENT_TEXT_VERSION, type ContactSubmission } from '../../shared/follow-up-offer.ts';
import { pruneAnswers } from './survey-flow.ts';

export type Draft = MethodOutput<'beginResponse'>;

export type SubmitState =
  { phase: 'idle' } | { phase: 'sending' } | { phase: 'failed'; reason: 'storage' | 'contact' | 'other' };

/** Why a submit failed, in the terms the screens speak: the disk, the contact the core refused, or anything else. */
const failureReason = (error: ApiError): 'storage' | 'contact' | 'other' =>
  error.code === 'storage_unavailable'
    ? 'storage'
    : error.code === 'invalid_input' && error.issues.some((i) => i.path.startsWith('contact'))
      ? 'contact'
      : 'other';

/**
 * Submitting and abandoning a response. A failed submit keeps everything on screen so the citizen
 * can retry. If the core no longer knows the draft (it restarted), a fresh one for the same
 * questionnaire and procedure carries the same answers.
 */
export const useSubmit = (api: KioskApi, draft: Draft) => {
  const [state, setState] = useState<SubmitState>({ phase: 'idle' });
  const draftId = useRef(draft.draftId);
  const busy = useRef(false);

  /** With `contact`, the citizen accepted the follow-up consent shown (CONSENT_TEXT_VERSION) and typed these. */
  const submit = useCallback(
    async (locale: string, answers: Answers, contact?: ContactDetails): Promise<boolean> => {
      if (busy.current) return false;
      busy.current = true;
      setState({ phase: 'sending' });
      try {
        const input = {
          locale,
          answers: pruneAnswers(draft.questionnaire, answers),
          ...(contact && {
            contact: {
              details: contact,
              consent: { textVersion: CONSENT_TEXT_VERSION, accepted: true },
            } satisfies ContactSubmission,
          }),
        };
        let r = await api.submitResponse({ ...input, draftId: draftId.current });
        if (!r.ok && r.error.code === 'draft_unknown') {
          const again = await api.beginResponse({});
          const same =
            again.ok &&
            again.value.questionnaire.id === draft.questionnaire.id &&
            again.value.questionnaire.version === draft.questionnaire.version &&
            again.value.assignment.procedureCode === draft.assignment.procedureCode;
          if (again.ok && same) {
            draftId.current = again.value.draftId;
            r = await api.submitResponse({ ...input, draftId: draftId.current });
          }
        }
        if (r.ok) {
          setState({ phase: 'idle' });
          return true;
        }
        setState({ phase: 'failed', reason: failureReason(r.error) });
        return false;
      } finally {
        busy.current = false;
      }
    },
    [api, draft],
  );

  /** Hands the partial answers to the core, which keeps or discards them by policy. Never fails the UI. */
  const abandon = useCallback(
    async (locale: string, answers: Answers): Promise<void> => {
      await api.abandonResponse({
        draftId: draftId.current,
        locale,
        answers: pruneAnswers(draft.questionnaire, answers),
      });
    },
    [api, draft],
  );

  return { state, submit, abandon };
};
