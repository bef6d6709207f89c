import { join } from 'node:path';
import {
  BrowserWindow,
  Menu,
  app,
  ipcMain,
  powerMonitor,
  powerSaveBlocker,
  protocol,
  safeStorage,
  screen,
  session,
} from 'electron';
import type { Display, Event as ElectronEvent } from 'electron';
import { type KioskCore, type KioskCoreOptions, type Logger as CoreLogger, openKioskCore } from '../core/kiosk-core.ts';
import { syncEnabledFromEnv, syncOptionsFromEnv } from '../core/sync/env.ts';
import { getAllSettings } from '../core/store/settings.ts';
import type { KioskHandlers, Result } from '../../shared/api.ts';
import { setLinuxAutostart } from './autostart.ts';
import { CHANNEL_METHODS } from './channels.ts';
import { type CrashRecovery, createCrashRecovery } from './crash.ts';
import { type ShellLog, bindKioskIpc, createSenderCheck } from './ipc.ts';
import { safeStorageProtector } from './key-protector.ts';
import { exportLogs } from './log-files.ts';
import type { ShellOptions } from './options.ts';
import { createPowerController, keepAwakeWanted, maintenanceReloadDue } from './power.ts';
import { KIOSK_SCHEME, KIOSK_SCHEME_PRIVILEGES, KIOSK_START_URL, createProtocolHandler } from './protocol.ts';
import { lockDownSession } from './session.ts';
import { STAFF_DISPLAY_URL, createStaffWindowOptions, pickStaffDisplay, staffWindowBounds } from './staff-window.ts';
import {
  applyCursorPolicy,
  blockShortcuts,
  createKioskWindowOptions,
  guardWebContents,
  keepKioskWindow,
  shouldHideCursor,
} from './window.ts';
import { errorMessage } from '../../shared/error-message.ts';

/**
 * The Electron main process, wired from the small testable pieces beside it. Everything the kiosk does
 * lives in the core; this file owns only the window, its lifecycle, the IPC binding, the app:// protocol,
 * and power/display handling. test/shell/kiosk-shell.test.ts runs it against a mocked 'electron'.
 */

export type ShellPaths = {
  /** dist/main/preload.cjs */
  preload: string;
  /** dist/renderer */
  rendererRoot: string;
};

export type ShellTimers = {
  setTimeout: (fn: () => void, ms: number) => unknown;
  clearTimeout: (handle: unknown) => void;
  setInterval: (fn: () => void, ms: number) => unknown;
  clearInterval: (handle: unknown) => void;
  now: () => number;
};

const realTimers: ShellTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (h) => clearInterval(h as ReturnType<typeof setInterval>),
  now: () => Date.now(),
};

export type KioskAppParams = {
  options: ShellOptions;
  paths: ShellPaths;
  log: ShellLog;
  timers?: ShellTimers;
  /** Defaults to the real core; tests pass the real core too, on a temp dir. */
  openCore?: (o: KioskCoreOptions) => KioskCore;
  /** The environment the sync engine's switches are read from (KIOSK_SYNC, KIOSK_SYNC_*); default process.env. */
  env?: NodeJS.ProcessEnv;
};

export type KioskShell = {
  core: () => KioskCore | null;
  window: () => BrowserWindow | null;
  /** The staff window on the officer's display, when one is attached (staff-window.ts). */
  staffWindow: () => BrowserWindow | null;
  crashRecovery: () => CrashRecovery | null;
  /** One tick of the minute timer (power, maintenance, core retry). */
  tick: () => void;
  dispose: () => void;
};

/** Must run before `app` is ready (Electron's rule for privileged schemes). */
export const registerKioskScheme = (): void => protocol.registerSchemesAsPrivileged([KIOSK_SCHEME_PRIVILEGES]);

const CORE_RETRY_MS = 60_000;
const TICK_MS = 60_000;
const RECREATE_DELAY_MS = 1_000;

/** While the core cannot open (disk missing, database from a newer app), every call gets this answer. */
const unavailableHandlers = (message: string): KioskHandlers => {
  const result: Result<never> = { ok: false, error: { code: 'storage_unavailable', reason: 'io_error', message } };
  return Object.fromEntries(CHANNEL_METHODS.map((m) => [m, () => result])) as unknown as KioskHandlers;
};

const coreLogger =
  (log: ShellLog): CoreLogger =>
  (level, message, data) =>
    data === undefined ? log[level](`core: ${message}`) : log[level](`core: ${message}`, data);

const pickDisplay = (index: number | undefined): Display => {
  const all = screen.getAllDisplays();
  return (index !== undefined ? all[index] : undefined) ?? screen.getPrimaryDisplay();
};

/**
 * Starts the kiosk once `app` is ready: locks the session down, serves app://kiosk, opens the core,
 * binds the IPC handlers and opens the kiosk window, then keeps all of that alive.
 */
export const startKioskShell = (p: KioskAppParams): KioskShell => {
  const { options, log } = p;
  const timers = p.timers ?? realTimers;
  const dev = options.dev;
  let disposed = false;
  let quitting = false;

  Menu.setApplicationMenu(null);
  lockDownSession(session.defaultSession, log);
  protocol.handle(KIOSK_SCHEME, createProtocolHandler({ root: p.paths.rendererRoot, log: (m) => log.warn(m) }));

  // --- the core -------------------------------------------------------------------------------
  let core: KioskCore | null = null;
  let coreError: string | null = null;
  const openCore = p.openCore ?? ((o) => openKioskCore(o));
  const env = p.env ?? process.env;
  const syncTuning = (): KioskCoreOptions['sync'] => {
    try {
      return syncOptionsFromEnv(env);
    } catch (e) {
      log.warn(`sync tuning from the environment ignored: ${errorMessage(e)}`);
      return {};
    }
  };
  const keyProtector = safeStorageProtector(safeStorage);
  const tryOpenCore = (): void => {
    try {
      core = openCore({
        dataDir: options.dataDir,
        ...(options.configDir ? { configDir: options.configDir } : {}),
        log: coreLogger(log),
        sync: syncTuning(),
        ...(keyProtector ? { keyProtector } : {}),
      });
      coreError = null;
      log.info(
        `core open: device ${core.deviceId}, config ${core.config().version}, data ${options.dataDir}, device key ${keyProtector ? 'wrapped by safeStorage' : 'a 0600 file'}`,
      );
      // The one engine: idles until the kiosk is enrolled; the admin panel's "sync now" runs on it too.
      if (syncEnabledFromEnv(env)) core.sync.start();
      else log.warn('background sync is off (KIOSK_SYNC); only the admin panel sends');
    } catch (e) {
      const message = errorMessage(e);
      if (coreError !== message)
        log.error(`core could not open (retrying every ${CORE_RETRY_MS / 1000} s): ${message}`);
      coreError = message;
    }
  };
  tryOpenCore();
  let lastCoreTry = timers.now();

  // Handlers delegate to whichever core is open now, so a core that opens on a retry is picked up.
  const handlers = Object.fromEntries(
    CHANNEL_METHODS.map((m) => [
      m,
      (input: unknown) => {
        const target: KioskHandlers =
          core ?? unavailableHandlers(`the kiosk's storage could not be opened: ${coreError ?? 'unknown error'}`);
        return (target[m] as (i: unknown) => unknown)(input);
      },
    ]),
  ) as unknown as KioskHandlers;

  // --- the window -----------------------------------------------------------------------------
  let win: BrowserWindow | null = null;
  let crash: CrashRecovery | null = null;
  let lastCallAt: number | null = null;
  let lastReloadAt = timers.now();

  let staffWin: BrowserWindow | null = null;
  let staffCrash: CrashRecovery | null = null;

  const isTrusted = createSenderCheck(() => [win, staffWin].filter((w): w is BrowserWindow => w !== null));
  const unbindIpc = bindKioskIpc(ipcMain, handlers, isTrusted, { log, onCall: () => (lastCallAt = timers.now()) });

  const placeOnDisplay = (w: BrowserWindow): void => {
    const d = pickDisplay(options.display);
    w.setBounds(d.bounds);
    if (!dev) {
      w.setKiosk(true);
      w.setFullScreen(true);
    }
  };

  const createWindow = (): BrowserWindow => {
    const display = pickDisplay(options.display);
    const w = new BrowserWindow(
      createKioskWindowOptions({ preloadPath: p.paths.preload, bounds: display.bounds, dev }),
    );
    const contents = w.webContents;
    if (!dev) {
      blockShortcuts(contents, log);
      // Focus may go to the staff window (the officer typing a search on their own keyboard), nowhere else.
      keepKioskWindow(
        w,
        log,
        timers.setTimeout,
        () => staffWin !== null && !staffWin.isDestroyed() && staffWin.isFocused(),
      );
    }
    applyCursorPolicy(contents, shouldHideCursor(options.cursor, display.touchSupport));
    contents.on('console-message', (details) => {
      if (details.level === 'warning' || details.level === 'error')
        log[details.level === 'error' ? 'error' : 'warn'](`renderer: ${details.message}`, {
          source: details.sourceId,
          line: details.lineNumber,
        });
    });
    contents.on('preload-error', (_e, preloadPath, error) => log.error(`preload failed: ${preloadPath}`, error));
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
      if (quitting || dev) return;
      event.preventDefault();
      log.warn('kiosk window: close refused (quit the app from IT tools or end the process)');
    });
    // Windows shutdown or log-off: let the window go, or the OS would report the kiosk blocking shutdown.
    w.on('session-end', () => {
      log.info('session ending: quitting');
      quitting = true;
      app.quit();
    });
    w.on('closed', () => {
      crash?.dispose();
      crash = null;
      if (win === w) win = null;
      if (disposed || quitting) return;
      if (dev) {
        app.quit();
        return;
      }
      log.warn('kiosk window closed: recreating it');
      timers.setTimeout(() => {
        if (!disposed && !quitting && win === null) win = createWindow();
      }, RECREATE_DELAY_MS);
    });
    w.loadURL(KIOSK_START_URL).catch((e: unknown) => log.error('kiosk page load failed', e));
    if (dev) contents.openDevTools({ mode: 'detach' });
    log.info(
      `kiosk window opened on display ${display.id} (${display.bounds.width}x${display.bounds.height}, touch ${display.touchSupport})`,
    );
    return w;
  };

  win = createWindow();

  // --- the staff window -----------------------------------------------------------------------
  const staffDisplay = () =>
    pickStaffDisplay(options.staffDisplay, screen.getAllDisplays(), pickDisplay(options.display).id);

  const createStaffWindow = (display: Display): BrowserWindow => {
    const w = new BrowserWindow(
      createStaffWindowOptions({ preloadPath: p.paths.preload, workArea: display.workArea, dev }),
    );
    if (!dev) blockShortcuts(w.webContents, log);
    staffCrash = createCrashRecovery(w, {
      startUrl: STAFF_DISPLAY_URL,
      log,
      setTimer: timers.setTimeout,
      clearTimer: timers.clearTimeout,
      now: timers.now,
    });
    // Shown without taking focus: the citizen's window keeps it until the officer touches this one.
    w.once('ready-to-show', () => w.showInactive());
    w.on('closed', () => {
      staffCrash?.dispose();
      staffCrash = null;
      if (staffWin === w) staffWin = null;
      // The officer may close it; it comes back with the next display change or restart.
      if (!disposed && !quitting) log.info('staff window closed');
    });
    w.loadURL(STAFF_DISPLAY_URL).catch((e: unknown) => log.error('staff page load failed', e));
    log.info(`staff window opened on display ${display.id}`);
    return w;
  };

  /** Opens, moves or closes the staff window to match the displays attached now. */
  const placeStaffWindow = (): void => {
    const display = staffDisplay();
    const open = staffWin !== null && !staffWin.isDestroyed();
    if (!display) {
      // Its display is gone: Electron would move it onto the citizen's screen.
      if (open) {
        log.info('staff display removed: closing the staff window');
        staffWin!.destroy();
      }
      staffWin = null;
      return;
    }
    if (open) staffWin!.setBounds(staffWindowBounds(display.workArea));
    else staffWin = createStaffWindow(display);
  };
  placeStaffWindow();

  // Displays come and go (a monitor power-cycled, a cable reseated): fit the windows again.
  const onDisplaysChanged = (): void => {
    if (win && !win.isDestroyed()) {
      log.info('displays changed: placing the kiosk window again');
      placeOnDisplay(win);
    }
    placeStaffWindow();
  };
  screen.on('display-added', onDisplaysChanged);
  screen.on('display-removed', onDisplaysChanged);
  screen.on('display-metrics-changed', onDisplaysChanged);

  // --- power and daily maintenance -------------------------------------------------------------
  const openingHours = () => (core ? getAllSettings(core.db).openingHours : []);
  const power = createPowerController(powerSaveBlocker, {
    mode: options.keepAwake,
    openingHours,
    log,
    now: () => new Date(timers.now()),
  });

  const tick = (): void => {
    if (disposed) return;
    if (!core && timers.now() - lastCoreTry >= CORE_RETRY_MS) {
      lastCoreTry = timers.now();
      tryOpenCore();
    }
    const open = power.update();
    if (core && win && !win.isDestroyed()) {
      const hoursOpen =
        options.keepAwake === 'opening-hours'
          ? open
          : keepAwakeWanted('opening-hours', openingHours(), new Date(timers.now()));
      if (maintenanceReloadDue({ open: hoursOpen, now: timers.now(), lastCallAt, lastReloadAt })) {
        lastReloadAt = timers.now();
        log.info('maintenance: office closed and screen idle, reloading the kiosk page');
        win.webContents.loadURL(KIOSK_START_URL).catch((e: unknown) => log.error('maintenance reload failed', e));
      }
    }
  };
  power.update();
  const interval = timers.setInterval(tick, TICK_MS);
  const onResume = (): void => {
    log.info('resumed from sleep');
    tick();
  };
  powerMonitor.on('resume', onResume);
  powerMonitor.on('shutdown', () => {
    quitting = true;
  });

  // --- start at login ---------------------------------------------------------------------------
  if (options.startAtLogin !== undefined && app.isPackaged) {
    try {
      if (process.platform === 'win32') {
        app.setLoginItemSettings({ openAtLogin: options.startAtLogin, path: process.execPath, args: [] });
      } else if (process.platform === 'linux') {
        const exe = process.env.APPIMAGE ?? process.execPath;
        const file = setLinuxAutostart(app.getPath('appData'), options.startAtLogin, exe);
        log.info(`start at login ${options.startAtLogin ? 'on' : 'off'}: ${file}`);
      }
    } catch (e) {
      log.error('could not change start at login', e);
    }
  }

  const dispose = (): void => {
    if (disposed) return;
    disposed = true;
    quitting = true;
    timers.clearInterval(interval);
    powerMonitor.off('resume', onResume);
    screen.off('display-added', onDisplaysChanged);
    screen.off('display-removed', onDisplaysChanged);
    screen.off('display-metrics-changed', onDisplaysChanged);
    power.stop();
    unbindIpc();
    crash?.dispose();
    staffCrash?.dispose();
    if (staffWin && !staffWin.isDestroyed()) staffWin.destroy();
    staffWin = null;
    try {
      // close() aborts a pass still in flight; nothing is marked sent without central's ack.
      core?.close();
    } catch (e) {
      log.error('core close failed', e);
    }
    core = null;
  };

  app.on('before-quit', () => {
    quitting = true;
  });

  return {
    core: () => core,
    window: () => win,
    staffWindow: () => staffWin,
    crashRecovery: () => crash,
    tick,
    dispose,
  };
};

export type RunParams = Omit<KioskAppParams, 'paths'> & { paths: ShellPaths };

/**
 * The whole app lifecycle: log export (one-shot), single-instance lock, guards on every webContents,
 * start when ready, never quit when the window goes (it is recreated), close the core on quit.
 */
export const runKioskApp = async (p: RunParams): Promise<KioskShell | null> => {
  const { options, log } = p;
  for (const w of options.warnings) log.warn(`options: ${w}`);

  if (options.exportLogsTo) {
    try {
      const { folder, files } = exportLogs(options.logsDir, options.exportLogsTo);
      log.info(`exported ${files.length} log file(s) to ${folder}`);
      console.log(`Exported ${files.length} log file(s) to ${folder}`);
      app.exit(0);
    } catch (e) {
      const message = errorMessage(e);
      log.error(`log export failed: ${message}`);
      console.error(`Log export failed: ${message}`);
      app.exit(1);
    }
    return null;
  }

  if (!app.requestSingleInstanceLock()) {
    log.warn('another kiosk instance is running: handing over to it and exiting');
    app.quit();
    return null;
  }

  app.enableSandbox();
  app.on('web-contents-created', (_event, contents) => guardWebContents(contents, log));
  app.on('child-process-gone', (_event, details) =>
    log.error(`child process gone: ${details.type} ${details.reason} (exit code ${details.exitCode})`),
  );
  // A window closing must not end the app: the shell recreates it. Quitting is explicit.
  app.on('window-all-closed', () => undefined);

  await app.whenReady();
  log.info(
    `kiosk starting: app ${app.getVersion()}, electron ${process.versions.electron}, ${process.platform}, data ${options.dataDir}${options.dev ? ' (dev)' : ''}`,
  );
  const shell = startKioskShell(p);

  app.on('second-instance', () => {
    const w = shell.window();
    if (w && !w.isDestroyed()) {
      if (w.isMinimized()) w.restore();
      w.show();
      w.focus();
    }
  });
  app.on('will-quit', () => {
    log.info('kiosk quitting');
    shell.dispose();
  });
  const quit = (signal: string) => () => {
    log.info(`${signal}: quitting`);
    app.quit();
  };
  process.once('SIGTERM', quit('SIGTERM'));
  process.once('SIGINT', quit('SIGINT'));
  return shell;
};

/** Paths of the built preload and renderer, relative to the bundled main file (dist/main/main.mjs). */
export const builtPaths = (mainDir: string): ShellPaths => ({
  preload: join(mainDir, 'preload.cjs'),
  rendererRoot: join(mainDir, '..', 'renderer'),
});
