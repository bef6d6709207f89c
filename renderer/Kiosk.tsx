import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Assignment } from '../shared/api.ts';
import { DEFAULT_LOCALE, pickText } from '../shared/locale.ts';
import { useApi } from './api/context.ts';
import { AttractScreen, type StartProblem } from './screens/AttractScreen.tsx';
import { useLanguagePacks } from './i18n/packs.ts';
import { Notice } from './screens/Notice.tsx';
import { StaffLayer } from './screens/staff/StaffLayer.tsx';
import { SurveyScreen } from './screens/SurveyScreen.tsx';
import { ThankYouScreen } from './screens/ThankYouScreen.tsx';
import { PictureFirstScope, pictureFirstFor } from './components/picture-first.tsx';
import { useLayoutAttribute } from './state/accessible-layout.ts';
import { usePrefs } from './state/prefs.tsx';
import { useIdleTimer } from './state/use-activity.ts';
import { useKioskState } from './state/use-kiosk-state.ts';
import type { Draft } from './state/use-submit.ts';

type Screen = { kind: 'attract' } | { kind: 'survey'; draft: Draft } | { kind: 'thanks' };

const TOAST_MS = 4000;

/** The screen flow: attract → survey → thank-you → attract, with the staff panel over any of them. */
export const Kiosk = () => {
  const { t } = useTranslation();
  const api = useApi();
  const prefs = usePrefs();
  const [screen, setScreen] = useState<Screen>({ kind: 'attract' });
  const [starting, setStarting] = useState(false);
  const [startProblem, setStartProblem] = useState<StartProblem | null>(null);
  const [staffOpen, setStaffOpen] = useState(false);
  const [toast, setToast] = useState<string | null>(null);
  const kiosk = useKioskState(api, screen.kind === 'attract');
  const { refresh } = kiosk;
  useLanguagePacks(kiosk.state?.languagePacks);
  const settings = kiosk.state?.settings;
  const locales = settings?.locales;
  const defaultLocale = locales && !locales.includes(DEFAULT_LOCALE) ? (locales[0] ?? DEFAULT_LOCALE) : DEFAULT_LOCALE;
  const { reset, locale, largeText, highContrast } = prefs;
  useLayoutAttribute(settings?.accessibleLayout ?? false);

  // A language IT removed (or a first configured language other than Vietnamese) takes effect at once.
  useEffect(() => {
    if (locales && !locales.includes(locale)) reset(defaultLocale);
  }, [locales, locale, defaultLocale, reset]);

  const backToAttract = useCallback(() => {
    reset(defaultLocale);
    setScreen({ kind: 'attract' });
    void refresh();
  }, [reset, defaultLocale, refresh]);

  // Someone changed language or display on the attract screen and walked away: back to defaults.
  const customised = locale !== defaultLocale || largeText || highContrast;
  useIdleTimer(screen.kind === 'attract' && customised && !staffOpen, (settings?.idleSeconds ?? 45) * 1000, () =>
    reset(defaultLocale),
  );

  useEffect(() => {
    if (toast === null) return;
    const id = window.setTimeout(() => setToast(null), TOAST_MS);
    return () => window.clearTimeout(id);
  }, [toast]);

  const start = async () => {
    setToast(null);
    setStarting(true);
    const r = await api.beginResponse({});
    setStarting(false);
    if (r.ok) {
      setStartProblem(null);
      setScreen({ kind: 'survey', draft: r.value });
    } else {
      // One evaluation per case: the case on this counter was rated already (not a fault to retry).
      setStartProblem(
        r.error.code === 'already_evaluated'
          ? { kind: 'evaluated', caseNumber: r.error.caseNumber }
          : { kind: 'failed' },
      );
    }
  };

  const onFinished = useCallback(
    (outcome: 'submitted' | 'abandoned') => {
      if (outcome === 'submitted') {
        setScreen({ kind: 'thanks' });
        void refresh();
      } else {
        backToAttract();
      }
    },
    [backToAttract, refresh],
  );

  const onApplied = (a: Assignment) => {
    setStaffOpen(false);
    setToast(t('staff.applied', { name: pickText(a.procedureName, locale) }));
    void refresh();
  };

  const onExpired = () => {
    setStaffOpen(false);
    setToast(t('staff.expired'));
  };

  let content;
  if (!kiosk.state || !settings) {
    content = kiosk.error ? <Notice kind="unavailable" onRetry={() => void refresh()} /> : <Notice kind="loading" />;
  } else if (screen.kind === 'survey') {
    content = (
      <PictureFirstScope on={pictureFirstFor(settings.pictureFirst, screen.draft.questionnaire)}>
        <SurveyScreen
          key={screen.draft.draftId}
          draft={screen.draft}
          settings={settings}
          paused={staffOpen}
          onFinished={onFinished}
        />
      </PictureFirstScope>
    );
  } else if (screen.kind === 'thanks') {
    content = <ThankYouScreen seconds={settings.thankYouSeconds} onDone={backToAttract} />;
  } else {
    content = (
      <AttractScreen state={kiosk.state} starting={starting} startProblem={startProblem} onStart={() => void start()} />
    );
  }

  return (
    <>
      {content}
      <StaffLayer
        open={staffOpen}
        locale={locale}
        onOpen={() => setStaffOpen(true)}
        onClose={() => setStaffOpen(false)}
        onExpired={onExpired}
        onApplied={onApplied}
      />
      {toast !== null && (
        <div className="toast" role="status" data-testid="staff-toast">
          {toast}
        </div>
      )}
    </>
  );
};
