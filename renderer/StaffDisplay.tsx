import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Assignment } from '../shared/api.ts';
import { pickText } from '../shared/locale.ts';
import { useApi } from './api/context.ts';
import { Notice } from './screens/Notice.tsx';
import { InvitationStatusNote } from './screens/staff/InvitationStatusNote.tsx';
import { StaffPanel } from './screens/staff/StaffPanel.tsx';
import { usePrefs } from './state/prefs.tsx';
import { useKioskState } from './state/use-kiosk-state.ts';

/** The renderer's view for the staff window on the officer's display (`?view=staff-display`). */
export const isStaffDisplayView = (search: string = window.location.search): boolean =>
  new URLSearchParams(search).get('view') === 'staff-display';

/**
 * What the citizen's screen is set to now, and the staff panel's switch (PIN first), so the officer
 * can point the kiosk at the procedure just handled without reaching over to the citizen's screen.
 * Always polls: a switch made on the kiosk itself, or by kioskctl, shows up here too.
 */
export const StaffDisplay = () => {
  const { t } = useTranslation();
  const api = useApi();
  const { locale } = usePrefs();
  const kiosk = useKioskState(api, true);
  const [panel, setPanel] = useState(false);
  const [note, setNote] = useState<string | null>(null);

  if (!kiosk.state)
    return (
      <Notice
        kind={kiosk.error ? 'unavailable' : 'loading'}
        onRetry={kiosk.error ? () => void kiosk.refresh() : undefined}
      />
    );
  const { assignment, settings } = kiosk.state;
  const applied = (a: Assignment) => {
    setPanel(false);
    setNote(t('staff.applied', { name: pickText(a.procedureName, locale) }));
    void kiosk.refresh();
  };

  return (
    <main className="screen staff-display" data-testid="staff-display">
      <header className="staff-display-head">
        <p className="office-name">{settings.officeName}</p>
        <p className="counter-name">{settings.counterName}</p>
      </header>
      <h1 className="staff-display-title">{t('staffDisplay.title')}</h1>
      <dl className="procedure-card" data-testid="staff-display-procedure" data-code={assignment.procedureCode}>
        <div>
          <dt>{t('attract.procedure')}</dt>
          <dd className="procedure-name">
            {assignment.procedureCode} · {pickText(assignment.procedureName, locale)}
          </dd>
        </div>
        <div>
          <dt>{t('attract.field')}</dt>
          <dd>{pickText(assignment.fieldName, locale)}</dd>
        </div>
        <div>
          <dt>{t('staffDisplay.caseNumber')}</dt>
          <dd data-testid="staff-display-case">{assignment.caseNumber ?? t('staff.none')}</dd>
        </div>
      </dl>
      {kiosk.state.lastInvitation && <InvitationStatusNote last={kiosk.state.lastInvitation} />}
      <p className="staff-display-hint">{t('staffDisplay.hint')}</p>
      {note && (
        <p className="note" role="status" data-testid="staff-display-note">
          {note}
        </p>
      )}
      {!kiosk.state.storage.ok && (
        <p className="note note-error" role="alert">
          {t('attract.storageDown')}
        </p>
      )}
      <button
        type="button"
        className="btn btn-big"
        data-testid="staff-display-switch"
        onClick={() => {
          setNote(null);
          setPanel(true);
        }}
      >
        {t('staff.title')}
      </button>
      {panel && (
        <StaffPanel
          locale={locale}
          onClose={() => setPanel(false)}
          onExpired={() => {
            setPanel(false);
            setNote(t('staff.expired'));
          }}
          onApplied={applied}
        />
      )}
    </main>
  );
};
