import { useEffect } from 'react';

export type IdleTimings = {
  /** Quiet time before the "are you still there?" prompt. */
  idleMs: number;
  /** The prompt's countdown before the survey is left. */
  countdownMs: number;
};

/**
 * No time limit a slow reader cannot extend (issue 15): the prompt always asks first; its countdown
 * doubles for a respondent who used read-aloud (or is being read to, in picture-first mode), and in the
 * accessible layout the quiet time before the prompt doubles too.
 */
export const idleTimings = (
  settings: { idleSeconds: number; countdownSeconds: number },
  who: { accessibleLayout: boolean; slowReader: boolean },
): IdleTimings => ({
  idleMs: settings.idleSeconds * 1000 * (who.accessibleLayout ? 2 : 1),
  countdownMs: settings.countdownSeconds * 1000 * (who.slowReader ? 2 : 1),
});

/** Puts this kiosk's layout on <html> (data-layout="accessible" or "standard") for the CSS to follow. */
export const useLayoutAttribute = (accessible: boolean): void => {
  useEffect(() => {
    document.documentElement.dataset['layout'] = accessible ? 'accessible' : 'standard';
  }, [accessible]);
};
