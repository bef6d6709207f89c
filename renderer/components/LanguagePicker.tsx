import { useTranslation } from 'react-i18next';
import { languageName } from '../i18n/index.ts';
import { usePrefs } from '../state/prefs.tsx';

/** One button per configured language, each named in its own language. */
export const LanguagePicker = ({ locales }: { locales: readonly string[] }) => {
  const { t } = useTranslation();
  const { locale, setLocale } = usePrefs();
  if (locales.length < 2) return null;
  return (
    <div className="language-picker" role="group" aria-label={t('display.language')}>
      {locales.map((code) => (
        <button
          key={code}
          type="button"
          className="toggle"
          lang={code}
          data-testid="language-option"
          data-locale={code}
          aria-pressed={code === locale}
          onClick={() => setLocale(code)}
        >
          {languageName(code)}
        </button>
      ))}
    </div>
  );
};
