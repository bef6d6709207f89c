// Where data, logs and config live, and how flags, environment and shell.json combine.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type StartAtLoginParams,
  applyStartAtLogin,
  linuxAutostartEntry,
  setLinuxAutostart,
} from '../../electron/shell/autostart.ts';
import { exportLogs, rotateLogFile } from '../../electron/shell/log-files.ts';
import { type ShellEnvironment, resolveShellOptions } from '../../electron/shell/options.ts';
import { tempDir } from '../support/tmp.ts';

const env = (over: Partial<ShellEnvironment> = {}): ShellEnvironment => ({
  argv: [],
  env: {},
  userData: '/home/kiosk/.config/HaiLongKiosk',
  isPackaged: true,
  resourcesPath: '/opt/HaiLong Kiosk/resources',
  cwd: '/work',
  readFile: () => null,
  exists: () => false,
  ...over,
});

describe('resolveShellOptions', () => {
  it('defaults: data in userData/data, logs beside it, shipped config, production behaviour', () => {
    const o = resolveShellOptions(env());
    expect(o).toMatchObject({
      dataDir: '/home/kiosk/.config/HaiLongKiosk/data',
      logsDir: '/home/kiosk/.config/HaiLongKiosk/data/logs',
      configDir: '/opt/HaiLong Kiosk/resources/assets/config',
      cursor: 'show',
      keepAwake: 'opening-hours',
      display: undefined,
      staffDisplay: 'auto',
      dev: false,
      exportLogsTo: undefined,
      warnings: [],
    });
  });

  it('lets the core choose the embedded config in development', () => {
    expect(resolveShellOptions(env({ isPackaged: false })).configDir).toBeUndefined();
  });

  it('prefers <data dir>/config when IT put one there', () => {
    const o = resolveShellOptions(env({ exists: (p) => p === '/home/kiosk/.config/HaiLongKiosk/data/config' }));
    expect(o.configDir).toBe('/home/kiosk/.config/HaiLongKiosk/data/config');
  });

  it('--data-dir beats KIOSK_DATA_DIR, which beats the default; relative paths are from the working dir', () => {
    expect(
      resolveShellOptions(env({ argv: ['--data-dir=D:/kiosk'], env: { KIOSK_DATA_DIR: '/env/dir' } })).dataDir,
    ).toMatch(/D:\/kiosk$/);
    expect(
      resolveShellOptions(env({ argv: ['--data-dir', '/flag/dir'], env: { KIOSK_DATA_DIR: '/env/dir' } })).dataDir,
    ).toBe('/flag/dir');
    expect(resolveShellOptions(env({ env: { KIOSK_DATA_DIR: '/env/dir' } })).dataDir).toBe('/env/dir');
    expect(resolveShellOptions(env({ argv: ['--data-dir=.data/x'] })).dataDir).toBe('/work/.data/x');
    expect(resolveShellOptions(env({ env: { KIOSK_DATA_DIR: '  ' } })).dataDir).toBe(
      '/home/kiosk/.config/HaiLongKiosk/data',
    );
  });

  it('a portable Windows build keeps its data next to the .exe', () => {
    expect(resolveShellOptions(env({ env: { PORTABLE_EXECUTABLE_DIR: 'E:/KioskApp' } })).dataDir).toBe(
      join('E:/KioskApp', 'HaiLongKiosk-data'),
    );
  });

  it('--config-dir and KIOSK_CONFIG_DIR name the config explicitly', () => {
    expect(resolveShellOptions(env({ argv: ['--config-dir=/cfg'] })).configDir).toBe('/cfg');
    expect(resolveShellOptions(env({ env: { KIOSK_CONFIG_DIR: '/cfg2' } })).configDir).toBe('/cfg2');
  });

  it('reads shell.json from the data dir; flags and environment win over it', () => {
    const file = JSON.stringify({ cursor: 'hide-on-touch', keepAwake: 'always', display: 1, startAtLogin: true });
    const read = (p: string) => (p === '/home/kiosk/.config/HaiLongKiosk/data/shell.json' ? file : null);
    expect(resolveShellOptions(env({ readFile: read }))).toMatchObject({
      cursor: 'hide-on-touch',
      keepAwake: 'always',
      display: 1,
      startAtLogin: true,
    });
    expect(
      resolveShellOptions(
        env({
          readFile: read,
          argv: ['--cursor=hide', '--display=0', '--start-at-login=off'],
          env: { KIOSK_KEEP_AWAKE: 'never' },
        }),
      ),
    ).toMatchObject({
      cursor: 'hide',
      keepAwake: 'never',
      display: 0,
      startAtLogin: false,
    });
  });

  it('staff display: auto by default, off or a display number from shell.json, flag or environment', () => {
    const read = () => JSON.stringify({ staffDisplay: 'off' });
    expect(resolveShellOptions(env({ readFile: read })).staffDisplay).toBe('off');
    expect(resolveShellOptions(env({ readFile: read, env: { KIOSK_STAFF_DISPLAY: '2' } })).staffDisplay).toBe(2);
    expect(
      resolveShellOptions(env({ readFile: read, argv: ['--staff-display=auto'], env: { KIOSK_STAFF_DISPLAY: '2' } }))
        .staffDisplay,
    ).toBe('auto');
    const bad = resolveShellOptions(env({ argv: ['--staff-display=left'] }));
    expect(bad.staffDisplay).toBe('auto');
    expect(bad.warnings.join()).toMatch(/staff-display="left" ignored/);
  });

  it('ignores bad values with a warning instead of refusing to start', () => {
    const o = resolveShellOptions(
      env({
        argv: ['--cursor=invisible', '--display=left', '--start-at-login=maybe'],
        env: { KIOSK_KEEP_AWAKE: 'sometimes' },
        readFile: () => '{"cursor": 3, "unknown": true}',
      }),
    );
    expect(o).toMatchObject({
      cursor: 'show',
      keepAwake: 'opening-hours',
      display: undefined,
      startAtLogin: undefined,
    });
    expect(o.warnings).toHaveLength(5);
    expect(resolveShellOptions(env({ readFile: () => '{ not json' })).warnings[0]).toMatch(/shell\.json ignored/);
  });

  it('--dev and KIOSK_DEV=1 work only in an unpackaged app', () => {
    expect(resolveShellOptions(env({ isPackaged: false, argv: ['--dev'] })).dev).toBe(true);
    expect(resolveShellOptions(env({ isPackaged: false, env: { KIOSK_DEV: '1' } })).dev).toBe(true);
    const packaged = resolveShellOptions(env({ isPackaged: true, argv: ['--dev'], env: { KIOSK_DEV: '1' } }));
    expect(packaged.dev).toBe(false);
    expect(packaged.warnings.join()).toMatch(/packaged build/);
  });

  it('tolerates Chromium and test-harness switches', () => {
    const o = resolveShellOptions(
      env({ argv: ['--inspect=0', '--remote-debugging-port=0', '/app/dist', '--no-sandbox', '--data-dir=/d'] }),
    );
    expect(o.dataDir).toBe('/d');
    expect(o.warnings).toEqual([]);
  });

  it('--export-logs names the destination', () => {
    expect(resolveShellOptions(env({ argv: ['--export-logs=/media/usb'] })).exportLogsTo).toBe('/media/usb');
  });
});

describe('logs', () => {
  it('rotates main.log into main.1.log … keeping a bounded number', () => {
    const { dir, cleanup } = tempDir('kiosk-logs-');
    try {
      const file = join(dir, 'main.log');
      for (let i = 1; i <= 5; i++) {
        writeFileSync(file, `generation ${i}`);
        rotateLogFile(file, 3);
      }
      expect(existsSync(file)).toBe(false);
      expect(readFileSync(join(dir, 'main.1.log'), 'utf8')).toBe('generation 5');
      expect(readFileSync(join(dir, 'main.2.log'), 'utf8')).toBe('generation 4');
      expect(readFileSync(join(dir, 'main.3.log'), 'utf8')).toBe('generation 3');
      expect(existsSync(join(dir, 'main.4.log'))).toBe(false);
    } finally {
      cleanup();
    }
  });

  it('exports every log file into a timestamped folder for IT', () => {
    const { dir, cleanup } = tempDir('kiosk-logs-');
    try {
      const logs = join(dir, 'logs');
      mkdirSync(logs);
      writeFileSync(join(logs, 'main.log'), 'live');
      writeFileSync(join(logs, 'main.1.log'), 'older');
      writeFileSync(join(logs, 'notes.tmp'), 'not a log');
      const { folder, files } = exportLogs(logs, join(dir, 'usb'), new Date('2026-03-02T08:00:00Z'));
      expect(folder).toBe(join(dir, 'usb', 'kiosk-logs-2026-03-02T08-00-00-000Z'));
      expect(files).toEqual(['main.1.log', 'main.log']);
      expect(readFileSync(join(folder, 'main.log'), 'utf8')).toBe('live');
      expect(() => exportLogs(join(dir, 'none'), dir)).toThrow(/no logs/);
    } finally {
      cleanup();
    }
  });
});

describe('start at login (Linux XDG autostart)', () => {
  it('writes and removes ~/.config/autostart/hailong-kiosk.desktop', () => {
    const { dir, cleanup } = tempDir('kiosk-autostart-');
    try {
      const file = setLinuxAutostart(dir, true, '/opt/HaiLong Kiosk/hailong-kiosk', ['--cursor=hide']);
      const text = readFileSync(file, 'utf8');
      expect(text).toContain('[Desktop Entry]');
      expect(text).toContain('Exec="/opt/HaiLong Kiosk/hailong-kiosk" --cursor=hide');
      setLinuxAutostart(dir, false, '/x');
      expect(existsSync(file)).toBe(false);
    } finally {
      cleanup();
    }
  });

  it('quotes what the desktop-entry spec needs quoted', () => {
    expect(linuxAutostartEntry('/home/k/Kiosk.AppImage')).toContain('Exec=/home/k/Kiosk.AppImage\n');
    expect(linuxAutostartEntry('/a b/$x"y')).toContain('Exec="/a b/\\$x\\"y"');
  });
});

/** Start-at-login parameters for a packaged Linux kiosk with ~/.config at `configHome`. */
const loginParams = (configHome: string, over: Partial<StartAtLoginParams> = {}): StartAtLoginParams => ({
  enabled: true,
  isPackaged: true,
  platform: 'linux',
  execPath: '/opt/kiosk/hailong-kiosk',
  appImage: undefined,
  setLoginItem: () => undefined,
  configHome: () => configHome,
  log: { info: () => undefined, error: () => undefined },
  ...over,
});

describe("applyStartAtLogin: IT's choice applied to the packaged app", () => {
  const setup = (over: Partial<StartAtLoginParams> = {}) => {
    const t = tempDir('kiosk-login-');
    const loginItems: unknown[] = [];
    const lines: string[] = [];
    applyStartAtLogin(
      loginParams(t.dir, {
        setLoginItem: (s) => void loginItems.push(s),
        log: { info: (m) => void lines.push(m), error: (m) => void lines.push(`error: ${m}`) },
        ...over,
      }),
    );
    return { ...t, loginItems, lines, file: join(t.dir, 'autostart', 'hailong-kiosk.desktop') };
  };

  it('Windows: the per-user Run entry for this executable', () => {
    const r = setup({ platform: 'win32', execPath: 'C:\\Kiosk\\HaiLong Kiosk.exe' });
    expect(r.loginItems).toEqual([{ openAtLogin: true, path: 'C:\\Kiosk\\HaiLong Kiosk.exe', args: [] }]);
    expect(existsSync(r.file)).toBe(false);
    r.cleanup();
  });

  it('Linux: an XDG autostart entry, for the AppImage when running from one, removed when turned off', () => {
    const r = setup({ appImage: '/home/k/Kiosk.AppImage' });
    expect(readFileSync(r.file, 'utf8')).toContain('Exec=/home/k/Kiosk.AppImage\n');
    expect(r.lines).toEqual([`start at login on: ${r.file}`]);
    applyStartAtLogin(loginParams(r.dir, { enabled: false }));
    expect(existsSync(r.file)).toBe(false);
    expect(r.loginItems).toEqual([]);
    r.cleanup();
  });

  it('leaves the OS alone when IT chose nothing, or when the app is not packaged', () => {
    for (const over of [
      { enabled: undefined },
      { isPackaged: false },
      { isPackaged: false, platform: 'win32' as const },
    ]) {
      const r = setup(over);
      expect(existsSync(r.file)).toBe(false);
      expect(r.loginItems).toEqual([]);
      r.cleanup();
    }
  });

  it('logs a failure instead of stopping the kiosk', () => {
    const r = setup({
      platform: 'win32',
      setLoginItem: () => {
        throw new Error('registry locked');
      },
    });
    expect(r.lines).toEqual(['error: could not change start at login']);
    r.cleanup();
  });
});
