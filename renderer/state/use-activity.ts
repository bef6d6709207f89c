import { useEffect, useRef } from 'react';

const EVENTS = ['pointerdown', 'keydown', 'wheel'] as const;

/**
 * Calls `onIdle` once after `idleMs` without a touch, key or wheel anywhere on the page; any of
 * those restarts the wait. Disabled (and the timer cleared) while `enabled` is false.
 */
export const useIdleTimer = (enabled: boolean, idleMs: number, onIdle: () => void): void => {
  const callback = useRef(onIdle);
  useEffect(() => {
    callback.current = onIdle;
  }, [onIdle]);

  useEffect(() => {
    if (!enabled) return;
    let timer = window.setTimeout(() => callback.current(), idleMs);
    const restart = () => {
      window.clearTimeout(timer);
      timer = window.setTimeout(() => callback.current(), idleMs);
    };
    for (const e of EVENTS) window.addEventListener(e, restart, { capture: true, passive: true });
    return () => {
      window.clearTimeout(timer);
      for (const e of EVENTS) window.removeEventListener(e, restart, { capture: true });
    };
  }, [enabled, idleMs]);
};

/** Seconds left until `deadline` (ms since epoch), updated every quarter second. */
export const secondsLeft = (deadline: number, now: number): number => Math.max(0, Math.ceil((deadline - now) / 1000));
