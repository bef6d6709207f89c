import { useCallback, useEffect, useRef, useState } from 'react';
import { useApi } from '../api/context.ts';
import { useIdleTimer } from './use-activity.ts';

type PanelSession = {
  /** The session the PIN pad opened, or null while the PIN pad shows. */
  session: string | null;
  setSession: (session: string | null) => void;
  /** Locks the open session (if any) in the core, then closes the panel. */
  close: () => void;
};

/**
 * What the staff and admin panels share around their PIN-protected session: the panel closes (and its session is
 * locked in the core, so a PIN is needed again) on Escape, and after `idleMs` without a touch while `idleArmed`.
 * The core also ends a session on its own clock; this only makes sure a panel left open does not stay unlocked.
 */
export const usePanelSession = (
  kind: 'staff' | 'admin',
  idleMs: number,
  idleArmed: boolean,
  onClose: () => void,
): PanelSession => {
  const api = useApi();
  const [session, setSession] = useState<string | null>(null);
  const sessionRef = useRef<string | null>(null);
  useEffect(() => {
    sessionRef.current = session;
  }, [session]);

  const close = useCallback(() => {
    const s = sessionRef.current;
    if (s) void (kind === 'admin' ? api.adminLock({ session: s }) : api.staffLock({ session: s }));
    onClose();
  }, [api, kind, onClose]);

  useIdleTimer(idleArmed, idleMs, close);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') close();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [close]);

  return { session, setSession, close };
};
