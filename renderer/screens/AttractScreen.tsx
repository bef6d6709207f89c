import { useTranslation } from 'react-i18next';
import type { KioskState } from '../../shared/api.ts';
import { pickText } from '../../shared/locale.ts';
import { DisplayToggles } from '../components/DisplayToggles.tsx';
import { LanguagePicker } from '../components/LanguagePicker.tsx';
import { usePrefs } from '../state/prefs.tsx';
import { useNow } from '../state/use-now.ts';
import { InvitationBanner } from './InvitationBanner.tsx';

/** Why the last tap on start did not begin a survey. */
export type StartProblem = { kind: 'failed' } | { kind: 'evaluated'; caseNumber: string };

type Props = {
  state: KioskState;
  starting: boolean;
  startProblem: StartProblem | null;
  onStart: () => void;
};

/** The idle screen: where the kiosk is, what was just handled, one big start button. */
export const AttractScreen = ({ state, starting, startProblem, onStart }: Props) => {
  const { t } = useTranslation();
  const { locale } = usePrefs();
  const now = useNow(1000);
  const { settings, assignment, questionnaire } = state;
  const rapid = state.rapidUntil !== null && Date.parse(state.rapidUntil) > now;
  return (
    <main className="screen attract">
      <header className="attract-head">
        <p className="office-name">{settings.officeName}</p>
        <p className="counter-name">{settings.counterName}</p>
      </header>

      <section className="attract-main">
        {state.invitation ? (
          <InvitationBanner invitation={state.invitation} />
        ) : (
          <>
            <p className="welcome">{t('attract.welcome')}</p>
            <h1 className="invite">{t('attract.invite')}</h1>
          </>
        )}
        <dl className="procedure-card" data-testid="attract-procedure" data-code={assignment.procedureCode}>
          <div>
            <dt>{t('attract.procedure')}</dt>
            <dd className="procedure-name">{pickText(assignment.procedureName, locale)}</dd>
          </div>
          <div>
            <dt>{t('attract.field')}</dt>
            <dd>{pickText(assignment.fieldName, locale)}</dd>
          </div>
        </dl>
        <div className="start-wrap">
          <button
            type="button"
            className="start"
            data-testid="attract-start"
            disabled={starting}
            aria-describedby="start-hint"
            onClick={onStart}
          >
            {t('attract.start')}
          </button>
        </div>
        <p id="start-hint" className="start-hint">
          {t('attract.startHint')}
        </p>
        {questionnaire.intro && <p className="intro">{pickText(questionnaire.intro, locale)}</p>}
        <div className="attract-notes" aria-live="polite">
          {startProblem?.kind === 'failed' && (
            <p className="note note-error" data-testid="attract-error">
              {t('attract.beginFailed')}
            </p>
          )}
          {startProblem?.kind === 'evaluated' && startProblem.caseNumber === assignment.caseNumber && (
            <p className="note" data-testid="attract-evaluated">
              {t('attract.alreadyEvaluated', { caseNumber: startProblem.caseNumber })}
            </p>
          )}
          {!state.storage.ok && (
            <p className="note note-error" data-testid="attract-storage">
              {t('attract.storageDown')}
            </p>
          )}
          {rapid && (
            <p className="note" data-testid="attract-rapid">
              {t('attract.rapidNote')}
            </p>
          )}
        </div>
      </section>

      <footer className="attract-foot">
        <LanguagePicker locales={settings.locales} />
        <DisplayToggles />
      </footer>
    </main>
  );
};
