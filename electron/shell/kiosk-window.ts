import type { BrowserWindow, Display, Event as ElectronEvent } from 'electron';
import { type CrashRecovery, createCrashRecovery } from './crash.ts';
import type { ShellLog } from './ipc.ts';
import { KIOSK_START_URL } from './protocol.ts';
import type { ShellTimers } from './timers.ts';
import {
  type CursorPolicy,
  applyCursorPolicy,
  blockShortcuts,
  keepKioskWindow,
  newKioskWindow,
  shouldHideCursor,
} from './window.ts';

const RECREATE_DELAY_MS = 1_000;

export type KioskWindowSlotParams = {
  preloadPath: string;
  dev: boolean;
  cursor: CursorPolicy;
  log: ShellLog;
  timers: ShellTimers;
  /** The display the kiosk fills now (IT's choice, else the primary). */
  display: () => Display;
  /** Focus went to one of our own windows (the staff window): leave it there. */
  focusStaysOurs: () => boolean;
  /** The app is quitting or the shell is disposed: the window may close and is not recreated. */
  ending: () => boolean;
  /** Ends the app (Windows ending the session, or the window closed in development), logging why if given. */
  quit: (why?: string) => void;
};

export type KioskWindowSlot = {
  /** Opens the window (once, at start; afterwards the slot recreates it by itself). */
  open: () => void;
  current: () => BrowserWindow | null;
  crashRecovery: () => CrashRecovery | null;
  /** Fits the window to its display again (a monitor power-cycled, a cable reseated). */
  place: () => void;
  /** Loads the start page again (the daily maintenance reload). */
  reload: () => void;
  dispose: () => void;
};

const logRendererConsole = (contents: BrowserWindow['webContents'], log: ShellLog): void => {
  contents.on('console-message', (details) => {
    if (details.level === 'warning' || details.level === 'error')
      log[details.level === 'error' ? 'error' : 'warn'](`renderer: ${details.message}`, {
        source: details.sourceId,
        line: details.lineNumber,
      });
  });
  contents.on('preload-error', (_e, preloadPath, error) => log.error(`preload failed: ${preloadPath}`, error));
};

/**
 * The citizen's window: opened on its display, kept in front and fullscreen, its close refused, its
 * renderer recovered after a crash, and the whole window recreated if it goes anyway.
 */
export const createKioskWindowSlot = (p: KioskWindowSlotParams): KioskWindowSlot => {
  const { dev, log, timers } = p;
  let win: BrowserWindow | null = null;
  let crash: CrashRecovery | null = null;

  const build = (): BrowserWindow => {
    const display = p.display();
    const w = newKioskWindow({ preloadPath: p.preloadPath, bounds: display.bounds, dev });
    const contents = w.webContents;
    if (!dev) {
      blockShortcuts(contents, log);
      // Focus may go to the staff window (the officer typing a search on their own keyboard), nowhere else.
      keepKioskWindow(w, log, timers.setTimeout, p.focusStaysOurs);
    }
    applyCursorPolicy(contents, shouldHideCursor(p.cursor, display.touchSupport));
    logRendererConsole(contents, log);
    crash = createCrashRecovery(w, {
      startUrl: KIOSK_START_URL,
      log,
      setTimer: timers.setTimeout,
      clearTimer: timers.clearTimeout,
      now: timers.now,
    });
    w.once('ready-to-show', () => {
      w.show();
      w.focus();
    });
    w.on('close', (event: ElectronEvent) => {
      if (p.ending() || dev) return;
      event.preventDefault();
      log.warn('kiosk window: close refused (quit the app from IT tools or end the process)');
    });
    // Windows shutdown or log-off: let the window go, or the OS would report the kiosk blocking shutdown.
    w.on('session-end', () => p.quit('session ending: quitting'));
    w.on('closed', () => {
      crash?.dispose();
      crash = null;
      if (win === w) win = null;
      if (p.ending()) return;
      if (dev) {
        p.quit();
        return;
      }
      log.warn('kiosk window closed: recreating it');
      timers.setTimeout(() => {
        if (!p.ending() && win === null) win = build();
      }, RECREATE_DELAY_MS);
    });
    w.loadURL(KIOSK_START_URL).catch((e: unknown) => log.error('kiosk page load failed', e));
    if (dev) contents.openDevTools({ mode: 'detach' });
    log.info(
      `kiosk window opened on display ${display.id} (${display.bounds.width}x${display.bounds.height}, touch ${display.touchSupport})`,
    );
    return w;
  };

  const shown = (): BrowserWindow | null => (win && !win.isDestroyed() ? win : null);

  const place = (): void => {
    const w = shown();
    if (!w) return;
    log.info('displays changed: placing the kiosk window again');
    w.setBounds(p.display().bounds);
    if (!dev) {
      w.setKiosk(true);
      w.setFullScreen(true);
    }
  };

  const reload = (): void => {
    shown()
      ?.webContents.loadURL(KIOSK_START_URL)
      .catch((e: unknown) => log.error('maintenance reload failed', e));
  };

  return {
    open: () => {
      win ??= build();
    },
    current: () => win,
    crashRecovery: () => crash,
    place,
    reload,
    dispose: () => crash?.dispose(),
  };
};
