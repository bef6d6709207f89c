import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';

/**
 * The kiosk's data directory holds citizens' answers and the device's private key: only the account
 * the kiosk runs as may read it, whatever the umask of whoever started it (an installer, a service
 * manager, IT's shell). Modes are set explicitly rather than left to the umask. Windows has no POSIX
 * modes: there the folder's ACL (kiosk-pc-setup) does this job and these checks are skipped.
 */

export class DataDirError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DataDirError';
  }
}

const POSIX = process.platform !== 'win32';
const octal = (mode: number) => (mode & 0o777).toString(8).padStart(3, '0');

/**
 * Makes the data directory (0700) or checks an existing one. One that other accounts can write to is
 * refused: anyone who can write there can swap the database or the key file under the kiosk. One that
 * others can only read is tightened to 0700 (an older kiosk made it under the umask).
 */
export const preparePrivateDir = (dir: string): void => {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (!POSIX) return;
  const st = statSync(dir);
  if (!st.isDirectory()) throw new DataDirError(`${dir} is not a directory`);
  if ((st.mode & 0o022) !== 0)
    throw new DataDirError(
      `refusing to use the data directory ${dir}: other accounts can write to it (mode ${octal(st.mode)}); ` +
        `make it private with: chmod 700 "${dir}"`,
    );
  if ((st.mode & 0o077) !== 0) chmodSync(dir, 0o700);
};

/** Makes `file` (mode 0600) if it is missing, or narrows an existing one to 0600. */
export const ensurePrivateFile = (file: string): void => {
  if (!POSIX) return;
  if (!existsSync(file)) closeSync(openSync(file, 'a', 0o600));
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
};

/** Narrows files that already exist (SQLite's -wal and -shm from an older kiosk) to 0600. */
export const narrowIfPresent = (files: readonly string[]): void => {
  if (!POSIX) return;
  for (const f of files) if (existsSync(f) && (statSync(f).mode & 0o077) !== 0) chmodSync(f, 0o600);
};
