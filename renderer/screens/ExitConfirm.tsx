import { useTranslation } from 'react-i18next';
import { Modal } from '../components/Modal.tsx';

export const ExitConfirm = ({ onStay, onExit }: { onStay: () => void; onExit: () => void }) => {
  const { t } = useTranslation();
  return (
    <Modal labelledBy="exit-title" describedBy="exit-body" testId="exit-confirm" onBackdrop={onStay}>
      <h2 id="exit-title">{t('survey.exitTitle')}</h2>
      <p id="exit-body">{t('survey.exitBody')}</p>
      <div className="modal-actions">
        <button type="button" className="btn btn-primary btn-big" data-testid="exit-no" onClick={onStay}>
          {t('survey.exitNo')}
        </button>
        <button type="button" className="btn btn-big" data-testid="exit-yes" onClick={onExit}>
          {t('survey.exitYes')}
        </button>
      </div>
    </Modal>
  );
};
