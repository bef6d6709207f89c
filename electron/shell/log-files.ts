import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';

/**
 * Log rotation and export, as plain file operations (tested without Electron).
 * main.log is the live file; when it passes the size limit it becomes main.1.log, main.1.log becomes
 * main.2.log, … and the oldest beyond `keep` is deleted. With 5 MB and keep = 9 the logs never take
 * more than 50 MB, and months of an unattended kiosk fit.
 */
export const rotateLogFile = (file: string, keep: number): void => {
  const dir = dirname(file);
  const ext = extname(file);
  const stem = basename(file, ext);
  const numbered = (n: number): string => join(dir, `${stem}.${n}${ext}`);
  rmSync(numbered(keep), { force: true });
  for (let n = keep - 1; n >= 1; n--) {
    if (existsSync(numbered(n))) renameSync(numbered(n), numbered(n + 1));
  }
  renameSync(file, numbered(1));
};

const stamp = (d: Date): string => d.toISOString().replace(/[:.]/g, '-');

/**
 * Copies every log file (`*.log`) into `<dest>/kiosk-logs-<time>/` for IT (a USB stick), and returns
 * the folder. Only reads the logs, so it works while the kiosk is running.
 */
export const exportLogs = (
  logsDir: string,
  dest: string,
  now: Date = new Date(),
): { folder: string; files: string[] } => {
  if (!existsSync(logsDir)) throw new Error(`no logs at ${logsDir}`);
  const folder = join(dest, `kiosk-logs-${stamp(now)}`);
  mkdirSync(folder, { recursive: true });
  const files = readdirSync(logsDir)
    .filter((f) => f.endsWith('.log'))
    .sort();
  for (const f of files) copyFileSync(join(logsDir, f), join(folder, f));
  return { folder, files };
};
