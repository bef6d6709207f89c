import { errorMessage } from '../../shared/error-message.ts';
import type { CentralDb } from '../db/types.ts';
import { drainReportQueue } from './drain.ts';

export type DrainTimerOptions = {
  /**
   * Wait after a drain that found work (default 3 s): batches arriving meanwhile merge into the next, which
   * costs less per response the more it takes (drain.ts, DRAIN_MAX_RESPONSES). A report never waits for
   * this job: it drains what is left before it reads.
   */
  busyMs?: number;
  /** Longest wait while the queue is empty or the drain fails (default 10 s); doubles up to it from busyMs. */
  idleMaxMs?: number;
  /** Where a failed drain is told (its rows stay queued and are retried). */
  log: (message: string) => void;
};

export type DrainTimer = { stop: () => Promise<void> };

/**
 * The server's report job: drains the report queue about every three seconds while batches arrive, backing off
 * to idleMaxMs while it is empty or failing (a report drains for itself anyway, so an idle queue waits
 * for nobody). Never throws; stop() waits for a drain in progress, so the database can be closed after.
 */
export const startDrainTimer = (db: CentralDb, options: DrainTimerOptions): DrainTimer => {
  const busyMs = options.busyMs ?? 3000;
  const idleMaxMs = options.idleMaxMs ?? 10_000;
  let wait = busyMs;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const tick = async () => {
    try {
      const { batches } = await drainReportQueue(db);
      wait = batches > 0 ? busyMs : Math.min(wait * 2, idleMaxMs);
    } catch (e) {
      options.log(`central: report queue drain failed (the batches stay queued and are retried): ${errorMessage(e)}`);
      wait = Math.min(wait * 2, idleMaxMs);
    }
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = tick().finally(() => {
        running = undefined;
        schedule();
      });
    }, wait);
    timer.unref();
  };
  schedule();
  return {
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
};
