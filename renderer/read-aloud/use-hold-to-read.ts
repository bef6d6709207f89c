import { useEffect, useRef } from 'react';

/** How long a finger rests on an answer before it is read instead of chosen. */
export const HOLD_MS = 700;
const ANSWER = '[data-testid="answer-option"]';

/**
 * Touch and hold an answer to hear it again (issue 15). After HOLD_MS on one answer button, `onHold`
 * gets its index among the answers on screen, and the click that ends the hold is swallowed so that
 * listening never chooses. A move off the button or a lift before then is an ordinary tap.
 */
export const useHoldToRead = (enabled: boolean, onHold: (index: number) => void): void => {
  const callback = useRef(onHold);
  useEffect(() => {
    callback.current = onHold;
  }, [onHold]);

  useEffect(() => {
    if (!enabled) return;
    let timer: number | undefined;
    let held: Element | null = null;
    const cancel = () => window.clearTimeout(timer);
    const onDown = (e: PointerEvent) => {
      cancel();
      held = null;
      const button = e.target instanceof Element ? e.target.closest(ANSWER) : null;
      if (!button) return;
      timer = window.setTimeout(() => {
        held = button;
        callback.current([...document.querySelectorAll(ANSWER)].indexOf(button));
      }, HOLD_MS);
    };
    const onLeave = (e: PointerEvent) => {
      if (!(e.target instanceof Element) || !e.target.closest(ANSWER)?.contains(e.relatedTarget as Node | null))
        cancel();
    };
    const onClick = (e: MouseEvent) => {
      if (held === null || !(e.target instanceof Element) || e.target.closest(ANSWER) !== held) return;
      held = null;
      e.preventDefault();
      e.stopPropagation();
    };
    window.addEventListener('pointerdown', onDown, true);
    window.addEventListener('pointerup', cancel, true);
    window.addEventListener('pointercancel', cancel, true);
    window.addEventListener('pointerout', onLeave, true);
    window.addEventListener('click', onClick, true);
    return () => {
      cancel();
      window.removeEventListener('pointerdown', onDown, true);
      window.removeEventListener('pointerup', cancel, true);
      window.removeEventListener('pointercancel', cancel, true);
      window.removeEventListener('pointerout', onLeave, true);
      window.removeEventListener('click', onClick, true);
    };
  }, [enabled]);
};
