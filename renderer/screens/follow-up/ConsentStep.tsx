import { useTranslation } from 'react-i18next';
import { CONSENT_TEXT_VERSION } from '../../../shared/follow-up-offer.ts';

type Props = { office: string; onAgree: () => void; onDecline: () => void };

/**
 * What is done with the number, by whom, for how long, and the citizen's rights, before anything is
 * typed (Nghị định 13/2023/NĐ-CP, Điều 11: informed, explicit, per purpose). Consent is one deliberate
 * tap on "I agree"; nothing is pre-selected, and declining sends the rating alone.
 */
export const ConsentStep = ({ office, onAgree, onDecline }: Props) => {
  const { t } = useTranslation();
  return (
    <>
      <div className="follow-up-body follow-up-consent" data-testid="follow-up-consent">
        <ul className="follow-up-points">
          <li>{t('followUp.consent.what')}</li>
          <li>{t('followUp.consent.purpose', { office })}</li>
          <li>{t('followUp.consent.who')}</li>
          <li>{t('followUp.consent.howLong')}</li>
          <li>{t('followUp.consent.anonymous')}</li>
          <li>{t('followUp.consent.rights')}</li>
        </ul>
        <p className="follow-up-version" data-testid="follow-up-consent-version">
          {t('followUp.consent.version', { version: CONSENT_TEXT_VERSION })}
        </p>
      </div>
      <footer className="follow-up-actions">
        <button type="button" className="btn btn-big" data-testid="follow-up-decline" onClick={onDecline}>
          {t('followUp.consent.decline')}
        </button>
        <button type="button" className="btn btn-big btn-primary" data-testid="follow-up-agree" onClick={onAgree}>
          {t('followUp.consent.agree')}
        </button>
      </footer>
    </>
  );
};
