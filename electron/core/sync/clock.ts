/** The engine's time: the wall clock and an abortable sleep (tests pass a fake one). */
export type SyncClock = {
  now: () => number;
  /** Resolves after `ms`, or early (without throwing) when `signal` aborts. */
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
};

export const realSyncClock: SyncClock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted) {
        resolve();
        return;
      }
      const timer = setTimeout(done, Math.max(0, ms));
      function done() {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      }
      signal?.addEventListener('abort', done, { once: true });
    }),
};

export type SyncLog = (level: 'info' | 'warn' | 'error', message: string, data?: Record<string, unknown>) => void;

export const iso = (ms: number): string => new Date(ms).toISOString();
