import { useEffect, useState } from 'react';

/** The current time, refreshed every `everyMs` while mounted (for countdowns). */
export const useNow = (everyMs = 250, enabled = true): number => {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!enabled) return;
    setNow(Date.now());
    const id = window.setInterval(() => setNow(Date.now()), everyMs);
    return () => window.clearInterval(id);
  }, [everyMs, enabled]);
  return now;
};
