import { useCallback, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { usePanelSession } from '../../state/use-panel-session.ts';
import { PinPad } from '../staff/PinPad.tsx';
import { AdminWorkspace } from './AdminWorkspace.tsx';

/**
 * The panel closes itself after this long without a touch, except while a sync or export it started
 * is running (the progress bar is what IT is watching); the core ends the session on its own clock too.
 */
export const ADMIN_IDLE_MS = 90_000;

type Props = { locale: string; onClose: () => void };

/** IT's panel: the admin PIN (its own lockout), then the workspace; locks the session whenever it closes. */
export const AdminPanel = ({ locale, onClose }: Props) => {
  const { t } = useTranslation();
  const [ended, setEnded] = useState(false);
  const [busy, setBusy] = useState(false);
  const { session, setSession, close } = usePanelSession('admin', ADMIN_IDLE_MS, !busy, onClose);

  const expired = useCallback(() => {
    setSession(null);
    setBusy(false);
    setEnded(true);
  }, [setSession]);

  return (
    <div className="staff-backdrop">
      <div
        className={`staff-panel admin-panel ${session ? 'is-open' : 'is-pin'}`}
        role="dialog"
        aria-modal="true"
        aria-labelledby="admin-title"
        data-testid="admin-panel"
      >
        {session === null ? (
          <PinPad
            variant="admin"
            note={ended ? t('admin.sessionEnded') : undefined}
            onClose={close}
            onUnlocked={(s) => {
              setEnded(false);
              setSession(s);
            }}
          />
        ) : (
          <AdminWorkspace session={session} locale={locale} onExpired={expired} onBusy={setBusy} onClose={close} />
        )}
      </div>
    </div>
  );
};
