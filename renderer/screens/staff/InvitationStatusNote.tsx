import { useTranslation } from 'react-i18next';
import type { KioskState } from '../../../shared/api.ts';

/**
 * The officer's display (issue 11): where the last counter-bridge invitation stands, so the officer
 * sees that the citizen is invited, has rated the case, or let it expire.
 */
export const InvitationStatusNote = ({ last }: { last: NonNullable<KioskState['lastInvitation']> }) => {
  const { t } = useTranslation();
  const text = {
    waiting: t('staffDisplay.invitation.delivered', { caseNumber: last.caseNumber }),
    delivered: t('staffDisplay.invitation.delivered', { caseNumber: last.caseNumber }),
    answered: t('staffDisplay.invitation.answered', { caseNumber: last.caseNumber }),
    expired: t('staffDisplay.invitation.expired', { caseNumber: last.caseNumber }),
    replaced: t('staffDisplay.invitation.replaced', { caseNumber: last.caseNumber }),
    refused: t('staffDisplay.invitation.refused', { caseNumber: last.caseNumber }),
  }[last.status];
  return (
    <p
      className={last.status === 'refused' ? 'note note-error' : 'note'}
      role="status"
      data-testid="staff-display-invitation"
      data-status={last.status}
    >
      {text}
    </p>
  );
};
