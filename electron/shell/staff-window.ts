import type { BrowserWindowConstructorOptions, Display, Rectangle } from 'electron';
import { KIOSK_START_URL } from './protocol.ts';
import { createKioskWindowOptions } from './window.ts';

/**
 * The staff window: a small window on the counter officer's own display showing the current procedure,
 * with the staff panel's switch (PIN first), so staff need not reach over to the citizen's screen.
 * The same renderer in its `staff-display` view (renderer/StaffDisplay.tsx), with the same security
 * preferences, guards and IPC sender check as the kiosk window.
 */
export const STAFF_DISPLAY_URL = `${KIOSK_START_URL}?view=staff-display`;

const WIDTH = 640;
const HEIGHT = 720;
/** Away from the display's edge, so the window's frame stays reachable. */
const MARGIN = 24;

export type StaffDisplayPolicy = 'auto' | 'off' | number;

/**
 * The display the staff window goes on, or none: never the kiosk's own display (the citizen would get
 * a second, PIN-guarded window over the survey); 'auto' takes the first other display attached.
 */
export const pickStaffDisplay = (
  policy: StaffDisplayPolicy,
  displays: readonly Display[],
  kioskDisplayId: number,
): Display | undefined => {
  if (policy === 'off') return undefined;
  const candidate = policy === 'auto' ? displays.find((d) => d.id !== kioskDisplayId) : displays[policy];
  return candidate && candidate.id !== kioskDisplayId ? candidate : undefined;
};

/** Bottom right of the display's work area (above a taskbar), clamped to small screens. */
export const staffWindowBounds = (workArea: Rectangle): Rectangle => {
  const width = Math.min(WIDTH, workArea.width);
  const height = Math.min(HEIGHT, workArea.height);
  return {
    x: workArea.x + Math.max(0, workArea.width - width - MARGIN),
    y: workArea.y + Math.max(0, workArea.height - height - MARGIN),
    width,
    height,
  };
};

/** The kiosk window's web preferences unchanged; only the frame differs: an ordinary small window. */
export const createStaffWindowOptions = (p: {
  preloadPath: string;
  workArea: Rectangle;
  dev?: boolean;
}): BrowserWindowConstructorOptions => {
  const base = createKioskWindowOptions({
    preloadPath: p.preloadPath,
    bounds: staffWindowBounds(p.workArea),
    dev: p.dev ?? false,
  });
  return {
    ...base,
    kiosk: false,
    fullscreen: false,
    fullscreenable: false,
    frame: true,
    resizable: false,
    movable: true,
    minimizable: true,
    maximizable: false,
    skipTaskbar: false,
    // Shown without taking focus from the citizen's window.
    focusable: true,
    title: 'Kiosk: staff',
  };
};
