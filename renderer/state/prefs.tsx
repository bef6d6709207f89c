import { type ReactNode, createContext, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { DEFAULT_LOCALE } from '../../shared/locale.ts';
import { i18n } from '../i18n/index.ts';

/**
 * What a citizen may change for themselves: language, larger text, high contrast. Applied to <html>
 * (lang, data attributes) so CSS and assistive technology follow; reset after every respondent.
 */
export type Prefs = {
  locale: string;
  largeText: boolean;
  highContrast: boolean;
  /**
   * This respondent has used read-aloud (issue 15): a slow reader, whose idle countdown is doubled.
   * Set by the read-aloud control, read by the idle timer; reset with everything else.
   */
  readAloudUsed: boolean;
};

type PrefsApi = Prefs & {
  setLocale: (locale: string) => void;
  toggleLargeText: () => void;
  toggleContrast: () => void;
  markReadAloudUsed: () => void;
  /** Back to the defaults; `locale` overrides the default language (the first configured one). */
  reset: (locale?: string) => void;
};

const DEFAULTS: Prefs = { locale: DEFAULT_LOCALE, largeText: false, highContrast: false, readAloudUsed: false };

const PrefsContext = createContext<PrefsApi | null>(null);

export const PrefsProvider = ({
  children,
  defaultLocale = DEFAULT_LOCALE,
}: {
  children: ReactNode;
  defaultLocale?: string;
}) => {
  const [prefs, setPrefs] = useState<Prefs>({ ...DEFAULTS, locale: defaultLocale });

  useEffect(() => {
    const root = document.documentElement;
    root.lang = prefs.locale;
    root.dataset['text'] = prefs.largeText ? 'large' : 'normal';
    root.dataset['contrast'] = prefs.highContrast ? 'high' : 'normal';
    const retitle = () => {
      document.title = i18n.t('app.title');
    };
    if (i18n.language !== prefs.locale) void i18n.changeLanguage(prefs.locale).then(retitle);
    else retitle();
  }, [prefs]);

  const setLocale = useCallback((locale: string) => setPrefs((p) => ({ ...p, locale })), []);
  const toggleLargeText = useCallback(() => setPrefs((p) => ({ ...p, largeText: !p.largeText })), []);
  const toggleContrast = useCallback(() => setPrefs((p) => ({ ...p, highContrast: !p.highContrast })), []);
  const markReadAloudUsed = useCallback(
    () => setPrefs((p) => (p.readAloudUsed ? p : { ...p, readAloudUsed: true })),
    [],
  );
  const reset = useCallback(
    (locale?: string) => setPrefs({ ...DEFAULTS, locale: locale ?? defaultLocale }),
    [defaultLocale],
  );

  const value = useMemo(
    () => ({ ...prefs, setLocale, toggleLargeText, toggleContrast, markReadAloudUsed, reset }),
    [prefs, setLocale, toggleLargeText, toggleContrast, markReadAloudUsed, reset],
  );
  return <PrefsContext.Provider value={value}>{children}</PrefsContext.Provider>;
};

export const usePrefs = (): PrefsApi => {
  const p = useContext(PrefsContext);
  if (!p) throw new Error('usePrefs outside <PrefsProvider>');
  return p;
};
