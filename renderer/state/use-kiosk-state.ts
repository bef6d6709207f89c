import { useCallback, useEffect, useRef, useState } from 'react';
import type { ApiError, KioskApi, KioskState } from '../../shared/api.ts';

export type KioskStateView = {
  state: KioskState | null;
  /** The last failure, cleared by the next success. */
  error: ApiError | null;
  refresh: () => Promise<void>;
};

export const POLL_MS = 4000;
/** How long one invitation long poll may wait in the core before it answers "nothing new". */
const INVITATION_WAIT_MS = 10_000;

/**
 * KioskState, fetched on mount and every few seconds while `polling` (the attract screen), so a
 * procedure switch made elsewhere shows up. The last good state is kept through failures.
 * While polling, a long poll (awaitInvitation) also waits in the core for a counter-bridge invitation
 * (issue 11), so one is painted within milliseconds of reaching the kiosk, not at the next poll.
 */
export const useKioskState = (api: KioskApi, polling: boolean): KioskStateView => {
  const [state, setState] = useState<KioskState | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const inFlight = useRef(false);
  const again = useRef(false);
  const knownInvitation = useRef<string | null>(null);

  const refresh = useCallback(async () => {
    // A read already under way may have started before what this caller learned: run once more after it.
    if (inFlight.current) {
      again.current = true;
      return;
    }
    inFlight.current = true;
    try {
      do {
        again.current = false;
        const r = await api.getKioskState({});
        if (r.ok) {
          knownInvitation.current = r.value.invitation?.id ?? null;
          setState(r.value);
          setError(null);
        } else {
          setError(r.error);
        }
      } while (again.current);
    } finally {
      inFlight.current = false;
    }
  }, [api]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  useEffect(() => {
    if (!polling) return;
    const id = window.setInterval(() => void refresh(), POLL_MS);
    return () => window.clearInterval(id);
  }, [polling, refresh]);

  useEffect(() => {
    if (!polling) return;
    let stopped = false;
    const listen = async () => {
      while (!stopped) {
        const known = knownInvitation.current;
        const r = await api.awaitInvitation({ knownId: known, waitMs: INVITATION_WAIT_MS });
        if (stopped) return;
        if (!r.ok) await new Promise((done) => window.setTimeout(done, POLL_MS));
        else if ((r.value.invitation?.id ?? null) !== known) await refresh();
      }
    };
    void listen();
    return () => {
      stopped = true;
    };
  }, [polling, api, refresh]);

  return { state, error, refresh };
};
