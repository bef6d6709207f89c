// The main process as a whole, against a mocked 'electron' and a REAL core on a temp dir.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { configSet } from '../../electron/cli/commands.ts';
import { databasePath } from '../../electron/core/kiosk-core.ts';
import { openDatabase } from '../../electron/core/db/open.ts';
import { type KioskShell, runKioskApp } from '../../electron/shell/kiosk-shell.ts';
import { resolveShellOptions } from '../../electron/shell/options.ts';
import { KIOSK_START_URL } from '../../electron/shell/protocol.ts';
import { STAFF_DISPLAY_URL } from '../../electron/shell/staff-window.ts';
import { KIOSK_METHODS } from '../../shared/api.ts';
import { buildAnswers, rowCount } from '../support/kiosk.ts';
import { tempDir } from '../support/tmp.ts';
import {
  FakeBrowserWindow,
  FakeWebContents,
  FakeWebFrame,
  SECOND_DISPLAY,
  fakeApp,
  fakeEvent,
  fakeIpcMain,
  fakeMenu,
  fakePowerMonitor,
  fakePowerSaveBlocker,
  fakeProtocol,
  fakeSafeStorage,
  fakeScreen,
  fakeSession,
  ipcEventFrom,
  memoryLog,
  resetFakes,
} from './fake-electron.ts';

vi.mock('electron', async () => (await import('./fake-electron.ts')).electronModule);

type Envelope = { ok: boolean; value?: Record<string, unknown>; error?: { code: string } };

let dir: string;
let cleanup: () => void;
let shell: KioskShell | null;
let log: ReturnType<typeof memoryLog>;
let clock: number;
let timers: { fn: () => void; at: number; id: number; every?: number }[];

const fakeTimers = () => {
  let id = 1;
  return {
    setTimeout: (fn: () => void, ms: number) => {
      timers.push({ fn, at: clock + ms, id: id++ });
      return id - 1;
    },
    clearTimeout: (h: unknown) => {
      timers = timers.filter((t) => t.id !== h);
    },
    setInterval: (fn: () => void, ms: number) => {
      timers.push({ fn, at: clock + ms, id: id++, every: ms });
      return id - 1;
    },
    clearInterval: (h: unknown) => {
      timers = timers.filter((t) => t.id !== h);
    },
    now: () => clock,
  };
};

const advance = (ms: number) => {
  const end = clock + ms;
  for (;;) {
    const due = timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0];
    if (!due) break;
    clock = due.at;
    if (due.every) due.at += due.every;
    else timers = timers.filter((t) => t !== due);
    due.fn();
  }
  clock = end;
};

const start = async (argv: string[] = [], packaged = false, env: NodeJS.ProcessEnv = {}) => {
  fakeApp.isPackaged = packaged;
  const options = resolveShellOptions({
    argv: [`--data-dir=${join(dir, 'data')}`, ...argv],
    env: {},
    userData: join(dir, 'user'),
    isPackaged: packaged,
    cwd: dir,
  });
  shell = await runKioskApp({
    options,
    log,
    paths: { preload: '/app/dist/main/preload.cjs', rendererRoot: join(dir, 'renderer') },
    timers: fakeTimers(),
    env,
  });
  return shell;
};

const kioskWindow = () =>
  FakeBrowserWindow.instances.filter((w) => !w.destroyed && w.webContents.url === KIOSK_START_URL).at(-1)!;
const staffWindows = () =>
  FakeBrowserWindow.instances.filter((w) => !w.destroyed && w.webContents.url === STAFF_DISPLAY_URL);
const call = (method: string, input: unknown = {}, contents = kioskWindow().webContents) =>
  fakeIpcMain.invoke(`kiosk:${method}`, ipcEventFrom(contents), input) as Promise<Envelope>;

beforeEach(() => {
  resetFakes();
  const t = tempDir('kiosk-shell-');
  dir = t.dir;
  cleanup = t.cleanup;
  mkdirSync(join(dir, 'renderer'));
  writeFileSync(join(dir, 'renderer', 'index.html'), '<!doctype html><title>kiosk</title>');
  log = memoryLog();
  clock = new Date(2026, 2, 2, 9, 0).getTime(); // a Monday, 09:00: open
  timers = [];
  shell = null;
});

afterEach(() => {
  shell?.dispose();
  cleanup();
});

describe('startup', () => {
  it('takes the single-instance lock, enables the sandbox, removes the menu, locks the session down and serves app://', async () => {
    await start();
    expect(fakeApp.callsOf('requestSingleInstanceLock')).toHaveLength(1);
    expect(fakeApp.callsOf('enableSandbox')).toHaveLength(1);
    expect(fakeMenu.applicationMenu).toBeNull();
    expect(fakeSession.defaultSession.permissionRequestHandler).not.toBeNull();
    expect(fakeSession.defaultSession.beforeRequest).not.toBeNull();
    const res = await fakeProtocol.handlers.get('app')!(new Request(KIOSK_START_URL));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
  });

  it('opens one locked-down kiosk window on app://kiosk/index.html', async () => {
    await start();
    expect(FakeBrowserWindow.instances).toHaveLength(1);
    const win = kioskWindow();
    expect(win.options).toMatchObject({
      kiosk: true,
      fullscreen: true,
      webPreferences: {
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        webSecurity: true,
        devTools: false,
        preload: '/app/dist/main/preload.cjs',
      },
    });
    expect(win.webContents.callsOf('loadURL')).toEqual([[KIOSK_START_URL]]);
    win.emit('ready-to-show');
    expect(win.callsOf('show')).toHaveLength(1);
  });

  it('guards every webContents the app creates (navigation, new windows)', async () => {
    await start();
    const other = new FakeWebContents();
    fakeApp.emit('web-contents-created', fakeEvent(), other);
    const e = fakeEvent({ url: 'https://evil.example' });
    other.emit('will-navigate', e, 'https://evil.example');
    expect(e.defaultPrevented).toBe(true);
    expect(other.windowOpenHandler!({ url: 'https://x' })).toEqual({ action: 'deny' });
    const own = fakeEvent({ url: 'https://evil.example' });
    kioskWindow().webContents.emit('will-navigate', own, 'https://evil.example');
    expect(own.defaultPrevented).toBe(true);
  });

  it('binds every KioskApi channel to the real core and runs a respondent end to end', async () => {
    await start();
    expect([...fakeIpcMain.handlers.keys()].sort()).toEqual(KIOSK_METHODS.map((m) => `kiosk:${m}`).sort());
    const begun = await call('beginResponse');
    expect(begun.ok).toBe(true);
    const answers = buildAnswers(begun.value!.questionnaire as never, { optional: 'never' });
    const done = await call('submitResponse', { draftId: begun.value!.draftId, locale: 'vi', answers });
    expect(done).toMatchObject({ ok: true, value: { seq: 1 } });
    expect(rowCount(shell!.core()!.db, 'responses')).toBe(1);
  });

  it('refuses calls from anything but the kiosk window main frame', async () => {
    await start();
    await expect(call('getKioskState', {}, new FakeWebContents())).rejects.toThrow('refused');
  });

  it('hands over to the running instance and quits when the lock is taken', async () => {
    fakeApp.gotLock = false;
    expect(await start()).toBeNull();
    expect(fakeApp.callsOf('quit')).toHaveLength(1);
    expect(FakeBrowserWindow.instances).toHaveLength(0);
    expect(fakeIpcMain.handlers.size).toBe(0);
  });

  it('brings the window forward when a second instance starts', async () => {
    await start();
    kioskWindow().minimized = true;
    fakeApp.emit('second-instance', fakeEvent(), []);
    expect(kioskWindow().callsOf('restore')).toHaveLength(1);
    expect(kioskWindow().callsOf('focus').length).toBeGreaterThan(0);
  });

  it('places the window on the display IT chose, and hides the cursor there if asked', async () => {
    fakeScreen.displays = [fakeScreen.displays[0]!, SECOND_DISPLAY];
    await start(['--display=1', '--cursor=hide']);
    expect(kioskWindow().options).toMatchObject({ x: 1080, y: 0, width: 1920, height: 1080 });
    kioskWindow().webContents.emit('did-finish-load');
    expect(kioskWindow().webContents.callsOf('insertCSS')).toHaveLength(1);
  });

  it('opens DevTools only with --dev in an unpackaged app', async () => {
    await start(['--dev']);
    expect(kioskWindow().options).toMatchObject({ kiosk: false, webPreferences: { devTools: true } });
    expect(kioskWindow().webContents.callsOf('openDevTools')).toHaveLength(1);
  });
});

describe('unattended operation', () => {
  it('refuses to close the kiosk window, and recreates it if it goes anyway', async () => {
    await start();
    const first = kioskWindow();
    first.close();
    expect(first.destroyed).toBe(false);
    expect(log.has(/close refused/)).toBe(true);
    first.destroy();
    expect(log.has(/kiosk window closed: recreating it/)).toBe(true);
    advance(1_000);
    expect(FakeBrowserWindow.instances).toHaveLength(2);
    const second = kioskWindow();
    expect(second).not.toBe(first);
    expect(second.webContents.callsOf('loadURL')).toEqual([[KIOSK_START_URL]]);
    // The new window's page is trusted; the old one's is not.
    expect((await call('getKioskState', {}, second.webContents)).ok).toBe(true);
    await expect(call('getKioskState', {}, first.webContents)).rejects.toThrow('refused');
  });

  it('does not quit when all windows are closed', async () => {
    await start();
    expect(fakeApp.listenerCount('window-all-closed')).toBeGreaterThan(0);
  });

  it('reloads the page after a renderer crash, with a log line', async () => {
    await start();
    const win = kioskWindow();
    win.webContents.crash('oom');
    expect(log.has(/renderer process gone: oom/)).toBe(true);
    advance(1_000);
    expect(win.webContents.callsOf('loadURL')).toEqual([[KIOSK_START_URL], [KIOSK_START_URL]]);
    // The reloaded page (new renderer process) is still trusted.
    expect((await call('getKioskState')).ok).toBe(true);
  });

  it('kills and reloads a hung renderer', async () => {
    await start();
    const win = kioskWindow();
    win.webContents.emit('unresponsive');
    advance(15_000);
    expect(win.webContents.callsOf('forcefullyCrashRenderer')).toHaveLength(1);
  });

  it('refocuses after blur and re-enters fullscreen', async () => {
    await start();
    const win = kioskWindow();
    win.emit('blur');
    advance(300);
    expect(win.callsOf('focus').length).toBeGreaterThan(0);
    win.emit('leave-full-screen');
    advance(200);
    expect(win.callsOf('setFullScreen')).toContainEqual([true]);
  });

  it('keeps the display awake in opening hours and lets it sleep after closing', async () => {
    await start();
    expect(fakePowerSaveBlocker.active.size).toBe(1);
    expect(fakePowerSaveBlocker.types).toEqual(['prevent-display-sleep']);
    advance(9 * 3_600_000); // 18:00
    expect(fakePowerSaveBlocker.active.size).toBe(0);
    fakePowerMonitor.emit('resume');
    expect(log.has(/resumed from sleep/)).toBe(true);
  });

  it('follows opening hours changed while it runs (kioskctl config set), read through the core', async () => {
    await start();
    expect(fakePowerSaveBlocker.active.size).toBe(1);
    // Another process (kioskctl) changes the hours in the kiosk's database: Sundays only.
    const other = openDatabase(databasePath(join(dir, 'data')));
    expect(configSet(other, 'openingHours', '[{"days":[7],"from":"08:00","to":"12:00"}]').exitCode).toBe(0);
    other.close();
    advance(60_000);
    expect(fakePowerSaveBlocker.active.size).toBe(0);
    expect(log.has(/display may sleep/)).toBe(true);
  });

  it('reloads the page once a day while closed and idle', async () => {
    await start();
    const win = kioskWindow();
    advance(22 * 3_600_000); // 07:00 next day: closed, 22 h since start, nobody touched it
    const reloads = win.webContents.callsOf('loadURL').length - 1;
    expect(reloads).toBe(1);
    expect(log.has(/maintenance: office closed and screen idle/)).toBe(true);
  });

  it('fits the window again when displays change', async () => {
    await start();
    fakeScreen.emit('display-removed');
    expect(kioskWindow().callsOf('setBounds')).toHaveLength(1);
    expect(kioskWindow().callsOf('setKiosk')).toContainEqual([true]);
  });

  it('answers storage_unavailable while the core cannot open, and picks it up when it can', async () => {
    const blocker = join(dir, 'data');
    writeFileSync(blocker, 'a file where the data dir should be');
    await start();
    expect(shell!.core()).toBeNull();
    expect(await call('getKioskState')).toMatchObject({ ok: false, error: { code: 'storage_unavailable' } });
    expect(log.has(/core could not open/)).toBe(true);
    const { rmSync } = await import('node:fs');
    rmSync(blocker);
    advance(60_000);
    expect(shell!.core()).not.toBeNull();
    expect((await call('getKioskState')).ok).toBe(true);
  });

  it('closes the core and releases everything on quit', async () => {
    await start();
    const core = shell!.core()!;
    fakeApp.quit();
    fakeApp.emit('will-quit', fakeEvent());
    expect(core.db.open).toBe(false);
    expect(fakeIpcMain.handlers.size).toBe(0);
    expect(fakePowerSaveBlocker.active.size).toBe(0);
    kioskWindow().destroy();
    advance(5_000);
    expect(FakeBrowserWindow.instances).toHaveLength(1);
  });
});

describe('staff window on a second display', () => {
  const twoDisplays = () => {
    fakeScreen.displays = [fakeScreen.displays[0]!, SECOND_DISPLAY];
  };

  it('is not opened with one display, nor when IT turned it off', async () => {
    await start();
    expect(staffWindows()).toHaveLength(0);
    expect(shell!.staffWindow()).toBeNull();
    shell!.dispose();
    resetFakes();
    twoDisplays();
    await start(['--staff-display=off']);
    expect(staffWindows()).toHaveLength(0);
  });

  it('opens small and unobtrusive on the other display, locked down like the kiosk window', async () => {
    twoDisplays();
    await start();
    const [staff] = staffWindows();
    expect(staff).toBeDefined();
    expect(shell!.staffWindow()).toBe(staff);
    const { workArea } = SECOND_DISPLAY;
    expect(staff!.options).toMatchObject({ kiosk: false, fullscreen: false, width: 640, height: 720 });
    // Bottom right of the work area: above the officer's taskbar, inside their screen.
    expect(staff!.options).toMatchObject({
      x: workArea.x + workArea.width - 640 - 24,
      y: workArea.y + workArea.height - 720 - 24,
    });
    expect(staff!.options.webPreferences).toEqual(kioskWindow().options.webPreferences);
    staff!.emit('ready-to-show');
    expect(staff!.callsOf('showInactive')).toHaveLength(1);
    expect(staff!.callsOf('focus')).toHaveLength(0);
    const nav = fakeEvent({ url: 'https://evil.example' });
    staff!.webContents.emit('will-navigate', nav, 'https://evil.example');
    expect(nav.defaultPrevented).toBe(true);
  });

  it('switches the procedure for the next respondent through the same PIN-guarded API', async () => {
    twoDisplays();
    await start();
    const staff = staffWindows()[0]!.webContents;
    const unlocked = await call('staffUnlock', { pin: '1357' }, staff);
    expect(unlocked.ok).toBe(true);
    const set = await call(
      'setAssignment',
      { session: unlocked.value!.session, procedureCode: '1.001193', caseNumber: '000.00.26.H61-251122-0001' },
      staff,
    );
    expect(set).toMatchObject({ ok: true, value: { procedureCode: '1.001193' } });
    const begun = await call('beginResponse');
    expect(begun.value!.assignment).toMatchObject({
      procedureCode: '1.001193',
      caseNumber: '000.00.26.H61-251122-0001',
    });
    // A subframe of the staff page is still refused.
    const sub = new FakeWebFrame(staff.mainFrame.processId, 99, STAFF_DISPLAY_URL);
    sub.parent = staff.mainFrame;
    await expect(fakeIpcMain.invoke('kiosk:getKioskState', ipcEventFrom(staff, sub), {})).rejects.toThrow('refused');
  });

  it('lets the officer keep focus in the staff window; anything else gives it back to the kiosk', async () => {
    twoDisplays();
    await start();
    const kiosk = kioskWindow();
    const staff = staffWindows()[0]!;
    staff.focused = true;
    kiosk.emit('blur');
    advance(300);
    expect(kiosk.callsOf('focus')).toHaveLength(0);
    staff.focused = false;
    kiosk.emit('blur');
    advance(300);
    expect(kiosk.callsOf('focus').length).toBeGreaterThan(0);
  });

  it('follows the displays: closed when its display goes, back when it returns', async () => {
    twoDisplays();
    await start();
    const first = staffWindows()[0]!;
    fakeScreen.displays = [fakeScreen.displays[0]!];
    fakeScreen.emit('display-removed');
    expect(first.destroyed).toBe(true);
    expect(shell!.staffWindow()).toBeNull();
    twoDisplays();
    fakeScreen.emit('display-added');
    expect(staffWindows()).toHaveLength(1);
    expect(staffWindows()[0]).not.toBe(first);
    fakeScreen.emit('display-metrics-changed');
    expect(staffWindows()[0]!.callsOf('setBounds')).toHaveLength(1);
  });

  it('reloads the staff page after its renderer crashes, and is closed on quit', async () => {
    twoDisplays();
    await start();
    const staff = staffWindows()[0]!;
    staff.webContents.crash();
    advance(2_000);
    expect(staff.webContents.callsOf('loadURL').filter(([u]) => u === STAFF_DISPLAY_URL).length).toBeGreaterThan(1);
    fakeApp.quit();
    fakeApp.emit('will-quit', fakeEvent());
    expect(staff.destroyed).toBe(true);
  });
});

describe('background sync', () => {
  it("starts the core's one sync engine, which idles until the kiosk is enrolled", async () => {
    await start();
    expect(shell!.core()!.sync.running).toBe(true);
    expect(log.has(/device key wrapped by safeStorage/)).toBe(true);
    fakeApp.quit();
    fakeApp.emit('will-quit', fakeEvent());
    expect(shell!.core()).toBeNull();
  });

  it('leaves it stopped with KIOSK_SYNC=off, and ignores broken tuning with a warning', async () => {
    await start([], false, { KIOSK_SYNC: 'off', KIOSK_SYNC_POLL_MS: 'soon' });
    expect(shell!.core()!.sync.running).toBe(false);
    expect(log.has(/background sync is off/)).toBe(true);
    expect(log.has(/sync tuning from the environment ignored: KIOSK_SYNC_POLL_MS/)).toBe(true);
  });

  it('keeps the device key a plain 0600 file where the OS store protects nothing', async () => {
    fakeSafeStorage.backend = 'basic_text';
    await start();
    expect(log.has(/device key a 0600 file/)).toBe(true);
  });
});

describe('start at login', () => {
  it.runIf(process.platform === 'linux')(
    'a packaged kiosk writes the XDG autostart entry IT asked for, under the app data folder',
    async () => {
      fakeApp.setPath('appData', join(dir, 'config-home'));
      await start(['--start-at-login=on'], true);
      const entry = join(dir, 'config-home', 'autostart', 'hailong-kiosk.desktop');
      expect(readFileSync(entry, 'utf8')).toContain('[Desktop Entry]');
      expect(log.has(/start at login on/)).toBe(true);
    },
  );

  it('an unpackaged one leaves the OS alone', async () => {
    fakeApp.setPath('appData', join(dir, 'config-home'));
    await start(['--start-at-login=on']);
    expect(existsSync(join(dir, 'config-home', 'autostart'))).toBe(false);
    expect(fakeApp.callsOf('setLoginItemSettings')).toEqual([]);
  });
});

describe('log export', () => {
  it('copies the logs and exits without taking the lock or opening a window', async () => {
    const logs = join(dir, 'data', 'logs');
    mkdirSync(logs, { recursive: true });
    writeFileSync(join(logs, 'main.log'), 'line');
    const spy = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    expect(await start([`--export-logs=${join(dir, 'usb')}`])).toBeNull();
    spy.mockRestore();
    expect(fakeApp.callsOf('exit')).toEqual([[0]]);
    expect(fakeApp.callsOf('requestSingleInstanceLock')).toHaveLength(0);
    expect(FakeBrowserWindow.instances).toHaveLength(0);
  });
});
