import { BrowserWindow } from 'electron';
import type { BrowserWindowConstructorOptions, Display, Rectangle } from 'electron';
import { type CrashRecovery, createCrashRecovery } from './crash.ts';
import type { ShellLog } from './ipc.ts';
import { KIOSK_START_URL } from './protocol.ts';
import type { ShellTimers } from './timers.ts';
import { blockShortcuts, lockedDown, pageBehaviourPreferences } from './window.ts';

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

/** An ordinary small framed window, shown without taking focus from the citizen's window. */
export const staffWindowFrame = (workArea: Rectangle): BrowserWindowConstructorOptions => ({
  ...staffWindowBounds(workArea),
  show: false,
  kiosk: false,
  fullscreen: false,
  fullscreenable: false,
  frame: true,
  autoHideMenuBar: true,
  resizable: false,
  movable: true,
  minimizable: true,
  maximizable: false,
  skipTaskbar: false,
  focusable: true,
  backgroundColor: '#ffffff',
  title: 'Kiosk: staff',
});

/**
 * Builds the staff window (not yet loaded). Its security preferences are the kiosk window's, written out
 * here too so they are visible at this constructor; `lockedDown` checks both against one list.
 */
export const newStaffWindow = (p: { preloadPath: string; workArea: Rectangle; dev: boolean }): BrowserWindow =>
  new BrowserWindow(
    lockedDown(
      {
        ...staffWindowFrame(p.workArea),
        webPreferences: {
          preload: p.preloadPath,
          contextIsolation: true,
          sandbox: true,
          nodeIntegration: false,
          nodeIntegrationInWorker: false,
          nodeIntegrationInSubFrames: false,
          webSecurity: true,
          allowRunningInsecureContent: false,
          experimentalFeatures: false,
          webviewTag: false,
          plugins: false,
          enableWebSQL: false,
          navigateOnDragDrop: false,
          safeDialogs: true,
          disableBlinkFeatures: 'Auxclick',
          devTools: p.dev,
          ...pageBehaviourPreferences(p.dev),
        },
      },
      p.dev,
    ),
  );

export type StaffWindowSlotParams = {
  preloadPath: string;
  dev: boolean;
  log: ShellLog;
  timers: ShellTimers;
  /** The display the staff window belongs on now (pickStaffDisplay), or none. */
  display: () => Display | undefined;
  /** The app is quitting or the shell is disposed. */
  ending: () => boolean;
};

export type StaffWindowSlot = {
  current: () => BrowserWindow | null;
  /** The officer is using it (the kiosk window then leaves focus where it is). */
  hasFocus: () => boolean;
  /** Opens, moves or closes the staff window to match the displays attached now. */
  place: () => void;
  dispose: () => void;
};

/** The staff window, when a display for it is attached: opened, followed across display changes, recovered. */
export const createStaffWindowSlot = (p: StaffWindowSlotParams): StaffWindowSlot => {
  let win: BrowserWindow | null = null;
  let crash: CrashRecovery | null = null;

  const open = (display: Display): BrowserWindow => {
    const w = newStaffWindow({ preloadPath: p.preloadPath, workArea: display.workArea, dev: p.dev });
    if (!p.dev) blockShortcuts(w.webContents, p.log);
    crash = createCrashRecovery(w, {
      startUrl: STAFF_DISPLAY_URL,
      log: p.log,
      setTimer: p.timers.setTimeout,
      clearTimer: p.timers.clearTimeout,
      now: p.timers.now,
    });
    // Shown without taking focus: the citizen's window keeps it until the officer touches this one.
    w.once('ready-to-show', () => w.showInactive());
    w.on('closed', () => {
      crash?.dispose();
      crash = null;
      if (win === w) win = null;
      // The officer may close it; it comes back with the next display change or restart.
      if (!p.ending()) p.log.info('staff window closed');
    });
    w.loadURL(STAFF_DISPLAY_URL).catch((e: unknown) => p.log.error('staff page load failed', e));
    p.log.info(`staff window opened on display ${display.id}`);
    return w;
  };

  const place = (): void => {
    const display = p.display();
    const shown = win !== null && !win.isDestroyed() ? win : null;
    if (!display) {
      // Its display is gone: Electron would move it onto the citizen's screen.
      if (shown) {
        p.log.info('staff display removed: closing the staff window');
        shown.destroy();
      }
      win = null;
      return;
    }
    if (shown) shown.setBounds(staffWindowBounds(display.workArea));
    else win = open(display);
  };

  const dispose = (): void => {
    crash?.dispose();
    if (win && !win.isDestroyed()) win.destroy();
    win = null;
  };

  return {
    current: () => win,
    hasFocus: () => win !== null && !win.isDestroyed() && win.isFocused(),
    place,
    dispose,
  };
};
