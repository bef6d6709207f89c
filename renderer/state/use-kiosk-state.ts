import { useCallback, useEffect, useRef, useState } from 'react';
import type { ApiError, KioskApi, KioskState } from '../../shared/api.ts';

export type KioskStateView = {
  state: KioskState | null;
  /** The last failure, cleared by the next success. */
  error: ApiError | null;
  refresh: () => Promise<void>;
};

export const POLL_MS = 4000;

/**
 * KioskState, fetched on mount and every few seconds while `polling` (the attract screen), so a
 * procedure switch made elsewhere shows up. The last good state is kept through failures.
 */
export const useKioskState = (api: KioskApi, polling: boolean): KioskStateView => {
  const [state, setState] = useState<KioskState | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const inFlight = useRef(false);

  const refresh = useCallback(async () => {
    if (inFlight.current) return;
    inFlight.current = true;
    try {
      const r = await api.getKioskState({});
      if (r.ok) {
        setState(r.value);
        setError(null);
      } else {
        setError(r.error);
      }
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

  return { state, error, refresh };
};
