import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { Modal } from '../components/Modal.tsx';
import { secondsLeft } from '../state/use-activity.ts';
import { useNow } from '../state/use-now.ts';

type Props = {
  /** When the countdown reaches zero (ms since epoch). */
  deadline: number;
  onContinue: () => void;
  onTimeout: () => void;
};

/** "Are you still there?" with a visible countdown; any touch on it continues the survey. */
export const IdlePrompt = ({ deadline, onContinue, onTimeout }: Props) => {
  const { t } = useTranslation();
  const now = useNow(250);
  const left = secondsLeft(deadline, now);
  const fired = useRef(false);
  useEffect(() => {
    if (left > 0 || fired.current) return;
    fired.current = true;
    onTimeout();
  }, [left, onTimeout]);
  return (
    <Modal
      labelledBy="idle-title"
      describedBy="idle-body"
      testId="idle-prompt"
      className="idle-prompt"
      onAnyTap={onContinue}
    >
      <h2 id="idle-title">{t('idle.title')}</h2>
      <p className="idle-countdown" aria-hidden="true" data-testid="idle-countdown">
        {left}
      </p>
      <p id="idle-body" aria-live="polite">
        {t('idle.body', { seconds: left })}
      </p>
      <button type="button" className="btn btn-primary btn-big" data-testid="idle-continue">
        {t('idle.continue')}
      </button>
    </Modal>
  );
};
