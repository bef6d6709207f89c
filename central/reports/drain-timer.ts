import { errorMessage } from '../../shared/error-message.ts';
import type { CentralDb } from '../db/types.ts';
import { drainReportQueue } from './drain.ts';
import type { HeldReportRows } from './held-rows.ts';

export type DrainTimerOptions = {
  /**
   * Wait after a drain that found work (default 250 ms): under a steady ingest the drains follow one
   * another, each taking what arrived while the last ran (a drain under load takes seconds, and merges
   * what it takes: drain.ts, DRAIN_MAX_RESPONSES), so little is left queued when the ingest stops. A
   * report never waits for this job: it drains what is left before it reads, and the less that is, the
   * sooner it answers.
   */
  busyMs?: number;
  /** Longest wait while the queue is empty or the drain fails (default 10 s); doubles up to it from busyMs. */
  idleMaxMs?: number;
  /** Where a failed drain is told (its rows stay queued and are retried). */
  log: (message: string) => void;
  /** The report rows this process's ingest holds (held-rows.ts), which this job adds. */
  held?: HeldReportRows;
};

export type DrainTimer = { stop: () => Promise<void> };

/**
 * The server's report job: drains the report queue again and again while batches arrive, backing off
 * to idleMaxMs while it is empty or failing (a report drains for itself anyway, so an idle queue waits
 * for nobody). Never throws; stop() waits for a drain in progress, so the database can be closed after.
 */
export const startDrainTimer = (db: CentralDb, options: DrainTimerOptions): DrainTimer => {
  const busyMs = options.busyMs ?? 250;
  const idleMaxMs = options.idleMaxMs ?? 10_000;
  let wait = busyMs;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const tick = async () => {
    try {
      const { batches } = await drainReportQueue(db, { held: options.held, leaveRowsHeldElsewhere: true });
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
