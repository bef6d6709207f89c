import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';

/** Shown for `seconds` after a submit, then back to the attract screen (or at once on a tap). */
export const ThankYouScreen = ({ seconds, onDone }: { seconds: number; onDone: () => void }) => {
  const { t } = useTranslation();
  const done = useRef(onDone);
  useEffect(() => {
    done.current = onDone;
  }, [onDone]);
  useEffect(() => {
    const id = window.setTimeout(() => done.current(), seconds * 1000);
    return () => window.clearTimeout(id);
  }, [seconds]);
  return (
    <main className="screen thanks" data-testid="thank-you">
      <div className="thanks-mark" aria-hidden="true">
        ✓
      </div>
      <h1 className="thanks-title" role="status">
        {t('thanks.title')}
      </h1>
      <p className="thanks-body">{t('thanks.body')}</p>
      <button type="button" className="btn btn-big" data-testid="thank-you-done" onClick={onDone}>
        {t('thanks.done')}
      </button>
    </main>
  );
};
