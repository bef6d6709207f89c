import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Start at login, for a kiosk PC that logs a dedicated user in automatically.
 * Windows: the per-user Run entry via app.setLoginItemSettings (applyStartAtLogin below). Windows "assigned access"
 * (kiosk mode) starts the app itself, so there it is not needed.
 * Linux: an XDG autostart entry in ~/.config/autostart, which desktop sessions (GNOME, KDE, Xfce, LXQt)
 * start at login. A cage/Wayland kiosk session or a systemd user unit are described in the operator docs.
 */
export const AUTOSTART_FILE = 'hailong-kiosk.desktop';

const quoteExecArg = (arg: string): string =>
  /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `"${arg.replace(/(["`$\\])/g, '\\$1')}"`;

export const linuxAutostartEntry = (execPath: string, args: readonly string[] = []): string =>
  [
    '[Desktop Entry]',
    'Type=Application',
    'Name=HaiLong Kiosk',
    'Comment=Satisfaction survey kiosk (started at login)',
    `Exec=${[execPath, ...args].map(quoteExecArg).join(' ')}`,
    'X-GNOME-Autostart-enabled=true',
    'Terminal=false',
    'NoDisplay=true',
    '',
  ].join('\n');

/** Writes or removes ~/.config/autostart/hailong-kiosk.desktop; returns the file path. */
export const setLinuxAutostart = (
  configHome: string,
  enabled: boolean,
  execPath: string,
  args: readonly string[] = [],
): string => {
  const dir = join(configHome, 'autostart');
  const file = join(dir, AUTOSTART_FILE);
  if (!enabled) {
    rmSync(file, { force: true });
    return file;
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, linuxAutostartEntry(execPath, args), { mode: 0o644 });
  return file;
};

export type StartAtLoginParams = {
  /** IT's choice (shell.json, KIOSK_START_AT_LOGIN or the flag); undefined leaves the OS setting alone. */
  enabled: boolean | undefined;
  /** Only a packaged app registers itself: an unpackaged one would register the bare Electron binary. */
  isPackaged: boolean;
  platform: NodeJS.Platform;
  /** The program to start: the AppImage when running from one (its mount point changes each run). */
  execPath: string;
  appImage: string | undefined;
  /** Windows: app.setLoginItemSettings. */
  setLoginItem: (settings: { openAtLogin: boolean; path: string; args: string[] }) => void;
  /** Linux: where ~/.config is (app.getPath('appData')). */
  configHome: () => string;
  log: { info: (message: string) => void; error: (message: string, ...data: unknown[]) => void };
};

/** Registers or removes the kiosk's start at login, as IT chose; a failure is logged, never fatal. */
export const applyStartAtLogin = (p: StartAtLoginParams): void => {
  if (p.enabled === undefined || !p.isPackaged) return;
  try {
    if (p.platform === 'win32') {
      p.setLoginItem({ openAtLogin: p.enabled, path: p.execPath, args: [] });
    } else if (p.platform === 'linux') {
      const file = setLinuxAutostart(p.configHome(), p.enabled, p.appImage ?? p.execPath);
      p.log.info(`start at login ${p.enabled ? 'on' : 'off'}: ${file}`);
    }
  } catch (e) {
    p.log.error('could not change start at login', e);
  }
};
