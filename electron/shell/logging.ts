import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import log from 'electron-log/main';
import type { ShellLog } from './ipc.ts';
import { rotateLogFile } from './log-files.ts';

export const LOG_FILE = 'main.log';
export const LOG_MAX_BYTES = 5 * 1024 * 1024;
export const LOG_KEEP = 9;

/**
 * The shell's logger: electron-log writing `<logs dir>/main.log`, rotated at 5 MB into main.1.log …
 * main.9.log. Uncaught errors are logged, never shown in a dialog (nobody at a kiosk can dismiss one).
 */
export const createShellLog = (logsDir: string, dev: boolean): ShellLog & { file: string } => {
  mkdirSync(logsDir, { recursive: true });
  const file = join(logsDir, LOG_FILE);
  log.transports.file.resolvePathFn = () => file;
  log.transports.file.maxSize = LOG_MAX_BYTES;
  log.transports.file.level = dev ? 'debug' : 'info';
  log.transports.file.archiveLogFn = (old) => {
    try {
      rotateLogFile(old.path, LOG_KEEP);
    } catch {
      // A locked file (an editor open on it): start the live file afresh rather than grow without bound.
      old.clear();
    }
  };
  log.transports.console.level = dev ? 'debug' : 'warn';
  log.errorHandler.startCatching({ showDialog: false });
  return {
    file,
    info: (message, ...data) => log.info(message, ...data),
    warn: (message, ...data) => log.warn(message, ...data),
    error: (message, ...data) => log.error(message, ...data),
  };
};
