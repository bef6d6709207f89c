import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { DEFAULT_LOCALE } from '../../shared/locale.ts';
import en from './en.json';
import vi from './vi.json';

/**
 * UI strings. Vietnamese is the default and the fallback; English is complete. A province can add a
 * language for questionnaire texts through configuration alone: screens without UI resources for
 * it fall back to Vietnamese, unless the configuration also carries a language pack for it (./packs.ts).
 * `npm run check:i18n` keeps the locale files and the code in step.
 */
export const resources = { vi: { translation: vi }, en: { translation: en } } as const;

export const UI_LOCALES: readonly string[] = Object.keys(resources);

export const i18n = i18next.createInstance();

void i18n.use(initReactI18next).init({
  resources,
  lng: DEFAULT_LOCALE,
  fallbackLng: DEFAULT_LOCALE,
  interpolation: { escapeValue: false },
  initAsync: false,
  returnNull: false,
});

/** The name of a language in that language ("Tiếng Việt", "English"), for the language buttons. */
export const languageName = (locale: string): string => {
  // Built in, or added by a language pack (./packs.ts).
  if (Object.hasOwn(resources, locale) || i18n.hasResourceBundle(locale, 'translation'))
    return i18n.getFixedT(locale)('language.name');
  try {
    return new Intl.DisplayNames([locale], { type: 'language' }).of(locale) ?? locale;
  } catch {
    return locale;
  }
};
