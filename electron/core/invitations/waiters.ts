import type { Database } from 'better-sqlite3';

/** Open long polls at once; more are answered at once (the kiosk page and the staff window need two). */
const MAX_WAITERS = 8;
/** How often a waiting poll looks for a change another process (kioskctl) committed. */
const CROSS_PROCESS_MS = 100;

type Waiter = { knownId: string | null; finish: () => void };

/**
 * The long polls of the attract screen and the officer's display (KioskApi awaitInvitation). A change
 * in this process (an invitation received, expired, answered) wakes them at once through `notify`;
 * one written by another process (kioskctl invite) is seen through SQLite's `data_version`, which a
 * connection reads from shared memory without touching the disk, checked only while someone waits
 * (`onForeignChange` then re-reads, notifies and re-arms the expiry timer for what the other process wrote).
 */
export const createWaiters = (db: Database, currentId: () => string | null, onForeignChange: () => void) => {
  const waiters = new Set<Waiter>();
  let watch: ReturnType<typeof setInterval> | undefined;
  let seenVersion = 0;

  const notify = (): void => {
    if (waiters.size === 0) return;
    const id = currentId();
    for (const w of waiters) if (w.knownId !== id) w.finish();
  };

  const stopWatch = (): void => {
    if (watch !== undefined) clearInterval(watch);
    watch = undefined;
  };

  const startWatch = (): void => {
    if (watch !== undefined) return;
    seenVersion = db.pragma('data_version', { simple: true }) as number;
    watch = setInterval(() => {
      if (!db.open) return;
      const version = db.pragma('data_version', { simple: true }) as number;
      if (version === seenVersion) return;
      seenVersion = version;
      onForeignChange();
    }, CROSS_PROCESS_MS);
    watch.unref();
  };

  /** Resolves when the current invitation's id is no longer `knownId`, or after `waitMs`. */
  const wait = (knownId: string | null, waitMs: number): Promise<void> => {
    if (waitMs === 0 || waiters.size >= MAX_WAITERS || currentId() !== knownId) return Promise.resolve();
    return new Promise((resolve) => {
      const waiter: Waiter = {
        knownId,
        finish: () => {
          clearTimeout(timer);
          waiters.delete(waiter);
          if (waiters.size === 0) stopWatch();
          resolve();
        },
      };
      const timer = setTimeout(waiter.finish, waitMs);
      waiters.add(waiter);
      startWatch();
    });
  };

  const close = (): void => {
    for (const w of [...waiters]) w.finish();
    stopWatch();
  };

  return { wait, notify, close };
};
