import { useTranslation } from 'react-i18next';
import { usePrefs } from '../state/prefs.tsx';

/** Larger text and high contrast, each a toggle button the citizen can reach on every screen. */
export const DisplayToggles = ({ compact = false }: { compact?: boolean }) => {
  const { t } = useTranslation();
  const { largeText, highContrast, toggleLargeText, toggleContrast } = usePrefs();
  return (
    <div className={`display-toggles ${compact ? 'is-compact' : ''}`} role="group" aria-label={t('display.group')}>
      <button
        type="button"
        className="toggle"
        data-testid="toggle-large-text"
        aria-pressed={largeText}
        onClick={toggleLargeText}
      >
        <span className="toggle-icon" aria-hidden="true">
          A<span className="toggle-icon-big">A</span>
        </span>
        <span>{t('display.largeText')}</span>
      </button>
      <button
        type="button"
        className="toggle"
        data-testid="toggle-contrast"
        aria-pressed={highContrast}
        onClick={toggleContrast}
      >
        <span className="toggle-icon toggle-icon-contrast" aria-hidden="true" />
        <span>{t('display.contrast')}</span>
      </button>
    </div>
  );
};
