import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../../api/context.ts';
import { useIdleTimer } from '../../state/use-activity.ts';
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
  const api = useApi();
  const [session, setSession] = useState<string | null>(null);
  const [ended, setEnded] = useState(false);
  const [busy, setBusy] = useState(false);
  const sessionRef = useRef<string | null>(null);
  useEffect(() => {
    sessionRef.current = session;
  }, [session]);

  const close = useCallback(() => {
    const s = sessionRef.current;
    if (s) void api.adminLock({ session: s });
    onClose();
  }, [api, onClose]);

  useIdleTimer(!busy, ADMIN_IDLE_MS, close);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') close();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [close]);

  const expired = useCallback(() => {
    setSession(null);
    setBusy(false);
    setEnded(true);
  }, []);

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
