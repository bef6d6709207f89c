import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Start at login, for a kiosk PC that logs a dedicated user in automatically.
 * Windows: the per-user Run entry via app.setLoginItemSettings (main.ts). Windows "assigned access"
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
