import { type PointerEvent, useEffect, useRef } from 'react';

/** Pointer handlers that call `onLongPress` after the pointer stays down for `ms`. */
export const useLongPress = (ms: number, onLongPress: () => void) => {
  const timer = useRef<number | undefined>(undefined);
  const cancel = () => window.clearTimeout(timer.current);
  useEffect(() => cancel, []);
  return {
    onPointerDown: (e: PointerEvent) => {
      e.preventDefault();
      cancel();
      timer.current = window.setTimeout(onLongPress, ms);
    },
    onPointerUp: cancel,
    onPointerLeave: cancel,
    onPointerCancel: cancel,
    onContextMenu: (e: { preventDefault: () => void }) => e.preventDefault(),
  };
};
