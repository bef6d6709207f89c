import { join } from 'node:path';
import { Menu, app, ipcMain, powerMonitor, powerSaveBlocker, protocol, safeStorage, screen, session } from 'electron';
import type { BrowserWindow, Display } from 'electron';
import { type KioskCore, type KioskCoreOptions, openKioskCore } from '../core/kiosk-core.ts';
import { applyStartAtLogin } from './autostart.ts';
import { openCoreSlot } from './core-slot.ts';
import type { CrashRecovery } from './crash.ts';
import { type ShellLog, bindKioskIpc, createSenderCheck } from './ipc.ts';
import { safeStorageProtector } from './key-protector.ts';
import { createKioskWindowSlot } from './kiosk-window.ts';
import { exportLogs } from './log-files.ts';
import type { ShellOptions } from './options.ts';
import { createDailyReload } from './power.ts';
import { KIOSK_SCHEME, KIOSK_SCHEME_PRIVILEGES, createProtocolHandler } from './protocol.ts';
import { lockDownSession } from './session.ts';
import { createStaffWindowSlot, pickStaffDisplay } from './staff-window.ts';
import { type ShellTimers, realTimers } from './timers.ts';
import { startUpkeep } from './upkeep.ts';
import { guardWebContents } from './window.ts';
import { errorMessage } from '../../shared/error-message.ts';

/**
 * The Electron main process, wired from the pieces beside it. Everything the kiosk does lives in the
 * core (core-slot.ts holds it); this file only connects the session lockdown, the app:// protocol, the
 * IPC binding, the two windows (kiosk-window.ts, staff-window.ts), displays, power and start at login,
 * and the app's lifecycle. test/shell/kiosk-shell.test.ts runs it against a mocked 'electron'.
 */

export type ShellPaths = {
  /** dist/main/preload.cjs */
  preload: string;
  /** dist/renderer */
  rendererRoot: string;
};

export type { ShellTimers };

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

const pickDisplay = (index: number | undefined): Display => {
  const all = screen.getAllDisplays();
  return (index !== undefined ? all[index] : undefined) ?? screen.getPrimaryDisplay();
};

/** Calls `onChange` whenever a display is added, removed or changes; returns the unsubscribe. */
const followDisplays = (onChange: () => void): (() => void) => {
  screen.on('display-added', onChange);
  screen.on('display-removed', onChange);
  screen.on('display-metrics-changed', onChange);
  return () => {
    screen.off('display-added', onChange);
    screen.off('display-removed', onChange);
    screen.off('display-metrics-changed', onChange);
  };
};

/** IT's start-at-login choice, applied to this app (autostart.ts). */
const startAtLogin = (enabled: boolean | undefined, log: ShellLog): void =>
  applyStartAtLogin({
    enabled,
    isPackaged: app.isPackaged,
    platform: process.platform,
    execPath: process.execPath,
    appImage: process.env.APPIMAGE,
    setLoginItem: (settings) => app.setLoginItemSettings(settings),
    configHome: () => app.getPath('appData'),
    log,
  });

/**
 * Starts the kiosk once `app` is ready: locks the session down, serves app://kiosk, opens the core,
 * binds the IPC handlers and opens the windows, then keeps all of that alive.
 */
export const startKioskShell = (p: KioskAppParams): KioskShell => {
  const { options, log } = p;
  const timers = p.timers ?? realTimers;
  const dev = options.dev;
  let disposed = false;
  let quitting = false;
  const ending = () => quitting;
  const quit = (why?: string) => {
    if (why) log.info(why);
    quitting = true;
    app.quit();
  };

  Menu.setApplicationMenu(null);
  lockDownSession(session.defaultSession, log);
  protocol.handle(KIOSK_SCHEME, createProtocolHandler({ root: p.paths.rendererRoot, log: (m) => log.warn(m) }));

  const core = openCoreSlot({
    dataDir: options.dataDir,
    ...(options.configDir ? { configDir: options.configDir } : {}),
    log,
    env: p.env ?? process.env,
    openCore: p.openCore ?? openKioskCore,
    keyProtector: safeStorageProtector(safeStorage),
    now: timers.now,
  });
  const dailyReload = createDailyReload(log, timers.now);

  const staff = createStaffWindowSlot({
    preloadPath: p.paths.preload,
    dev,
    log,
    timers,
    display: () => pickStaffDisplay(options.staffDisplay, screen.getAllDisplays(), pickDisplay(options.display).id),
    ending,
  });
  const kiosk = createKioskWindowSlot({
    preloadPath: p.paths.preload,
    dev,
    cursor: options.cursor,
    log,
    timers,
    display: () => pickDisplay(options.display),
    focusStaysOurs: staff.hasFocus,
    ending,
    quit,
  });
  const ourWindows = () => [kiosk.current(), staff.current()].filter((w): w is BrowserWindow => w !== null);
  const unbindIpc = bindKioskIpc(ipcMain, core.handlers, createSenderCheck(ourWindows), {
    log,
    onCall: dailyReload.noteCall,
  });
  kiosk.open();
  staff.place();

  // Displays come and go (a monitor power-cycled, a cable reseated): fit the windows again.
  const unfollowDisplays = followDisplays(() => {
    kiosk.place();
    staff.place();
  });

  const upkeep = startUpkeep({
    keepAwake: options.keepAwake,
    log,
    timers,
    core,
    kioskWindow: kiosk,
    dailyReload,
    powerSaveBlocker,
    powerMonitor,
  });
  powerMonitor.on('shutdown', () => {
    quitting = true;
  });
  startAtLogin(options.startAtLogin, log);

  const dispose = (): void => {
    if (disposed) return;
    disposed = true;
    quitting = true;
    upkeep.stop();
    unfollowDisplays();
    unbindIpc();
    kiosk.dispose();
    staff.dispose();
    core.close();
  };

  app.on('before-quit', () => {
    quitting = true;
  });

  return {
    core: core.current,
    window: kiosk.current,
    staffWindow: staff.current,
    crashRecovery: kiosk.crashRecovery,
    tick: upkeep.tick,
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
