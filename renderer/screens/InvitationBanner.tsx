import { useTranslation } from 'react-i18next';
import type { CurrentInvitation } from '../../shared/api.ts';

/**
 * The attract screen's heading while a counter-bridge invitation waits (issue 11): "please rate case N"
 * in place of the general invitation; the procedure card under it already names the procedure. The core ends it (expiry, the next
 * invitation, an answer); the screen only follows the kiosk state.
 */
export const InvitationBanner = ({ invitation }: { invitation: CurrentInvitation }) => {
  const { t } = useTranslation();
  return (
    <div className="invitation" data-testid="attract-invitation" data-invitation-id={invitation.id}>
      <p className="welcome">{t('attract.welcome')}</p>
      <h1 className="invite invitation-case">{t('attract.invitationTitle', { caseNumber: invitation.caseNumber })}</h1>
    </div>
  );
};
