import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, readdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';

/**
 * The central data dir: `pgdata/` (PGlite's files), `central-key.json` (0600), and while a process
 * holds it, `central.lock` (who) and `admin-token` (0600, the running server's admin secret).
 *
 * PGlite is PostgreSQL in one process: only ONE process may open `pgdata/` at a time, or the database
 * is corrupted. The lock makes that a clear refusal; centralctl, finding the server holding the lock,
 * sends its command to the server's loopback admin endpoint instead (central/cli/remote.ts).
 */
export const DEFAULT_DATA_DIR = '.data/central';
export const PGLITE_SUBDIR = 'pgdata';
const LOCK_FILE = 'central.lock';
const TOKEN_FILE = 'admin-token';

export const LockInfo = z.object({
  pid: z.number().int(),
  role: z.enum(['server', 'centralctl']),
  startedAt: z.string(),
  /** The running server's base URL on loopback, for centralctl. */
  adminUrl: z.string().optional(),
});
export type LockInfo = z.infer<typeof LockInfo>;

export class DataDirBusyError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: LockInfo,
  ) {
    super(
      holder.role === 'server'
        ? `${dataDir} is in use by the central server (pid ${holder.pid}, since ${holder.startedAt}). PGlite allows one process per data dir: stop the server, or let centralctl reach it through its admin endpoint.`
        : `${dataDir} is in use by another centralctl (pid ${holder.pid}); try again when it has finished.`,
    );
    this.name = 'DataDirBusyError';
  }
}

export const pgliteDir = (dataDir: string): string => join(resolve(dataDir), PGLITE_SUBDIR);

export class DataDirUnsafeError extends Error {
  constructor(
    readonly dataDir: string,
    why: string,
  ) {
    super(
      `${dataDir} ${why}; refusing to use it for the database and central key: make it private to this service's user (chown it to that user, chmod 700)`,
    );
    this.name = 'DataDirUnsafeError';
  }
}

/**
 * New files 0600 and directories 0700 whatever the umask the service was started with: PGlite
 * creates its files with the process umask, and a umask of 0 made them world-writable. Called by the
 * entry points (npm run central, centralctl), which own their process.
 */
export const restrictUmask = (): void => {
  if (process.platform !== 'win32') process.umask(0o077);
};

/**
 * PGlite (PostgreSQL in WebAssembly) sets its files' modes itself, 0666 whatever the umask: after it
 * opened, migrated or closed its directory, every file in it is set to 0600 and every directory to
 * 0700. Files it creates in between live inside its 0700 directory, out of other users' reach.
 */
export const tightenTree = (dir: string): void => {
  if (process.platform === 'win32') return;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const path = join(entry.parentPath, entry.name);
    const wanted = entry.isDirectory() ? 0o700 : 0o600;
    if (!entry.isSymbolicLink() && (statSync(path).mode & 0o777) !== wanted) chmodSync(path, wanted);
  }
};

/**
 * Creates a data dir (and its PGlite subdirectory) 0700, or checks an existing one: refused when
 * another user owns it or anyone but its owner may write to it (they could swap the database or the
 * central key); read access for others left by an older version is taken away.
 */
export const secureDataDir = (dataDir: string, subdirs: readonly string[] = []): void => {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (process.platform === 'win32') return;
  const st = statSync(dataDir);
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid)
    throw new DataDirUnsafeError(dataDir, `belongs to another user (uid ${st.uid}, this process runs as ${uid})`);
  if ((st.mode & 0o022) !== 0)
    throw new DataDirUnsafeError(
      dataDir,
      `can be written by other users (mode ${(st.mode & 0o777).toString(8).padStart(4, '0')})`,
    );
  if ((st.mode & 0o777) !== 0o700) chmodSync(dataDir, 0o700);
  for (const sub of subdirs) {
    const dir = join(dataDir, sub);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if ((statSync(dir).mode & 0o777) !== 0o700) chmodSync(dir, 0o700);
  }
};

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** The live holder of the data dir, if any (a lock left by a dead process does not count). */
export const readLock = (dataDir: string): LockInfo | undefined => {
  try {
    const parsed = LockInfo.safeParse(JSON.parse(readFileSync(join(dataDir, LOCK_FILE), 'utf8')));
    return parsed.success && isAlive(parsed.data.pid) ? parsed.data : undefined;
  } catch {
    return undefined;
  }
};

export type DataDirLock = { update: (info: Partial<LockInfo>) => void; release: () => void };

/** Takes the data dir for this process, or throws DataDirBusyError naming who holds it. */
export const lockDataDir = (dataDir: string, role: LockInfo['role']): DataDirLock => {
  secureDataDir(dataDir, [PGLITE_SUBDIR]);
  const file = join(dataDir, LOCK_FILE);
  let info: LockInfo = { pid: process.pid, role, startedAt: new Date().toISOString() };
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(file, JSON.stringify(info), { flag: 'wx', mode: 0o600 });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw e;
      const holder = readLock(dataDir);
      if (holder) throw new DataDirBusyError(dataDir, holder);
      unlinkSync(file); // stale: its process is gone
    }
  }
  let released = false;
  return {
    update: (more) => {
      info = { ...info, ...more };
      writeFileSync(file, JSON.stringify(info), { mode: 0o600 });
    },
    release: () => {
      if (released) return;
      released = true;
      for (const f of [file, join(dataDir, TOKEN_FILE)]) {
        try {
          unlinkSync(f);
        } catch {
          // already gone
        }
      }
    },
  };
};

/** A fresh admin token for this server run, written 0600 next to the lock. */
export const writeAdminToken = (dataDir: string): string => {
  const token = randomBytes(32).toString('base64url');
  const file = join(dataDir, TOKEN_FILE);
  writeFileSync(file, token, { mode: 0o600 });
  chmodSync(file, 0o600);
  return token;
};

export const readAdminToken = (dataDir: string): string | undefined => {
  try {
    return readFileSync(join(dataDir, TOKEN_FILE), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
};
