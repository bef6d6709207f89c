import { errorMessage } from '../../shared/error-message.ts';
import type { CentralDb, Queryable } from '../db/types.ts';

export type PeriodicJob = {
  /** For logs. */
  name: string;
  /**
   * The advisory lock key (an int4 constant, distinct from the migration's and the report drain's) that
   * makes one run happen once across every instance on the database.
   */
  lockKey: number;
  everyMs: number;
  /** The work, inside the transaction that holds the lock. */
  run: (tx: Queryable) => Promise<void>;
};

export type JobRunner = { stop: () => Promise<void>; runNow: () => Promise<boolean> };

/**
 * Runs a job's `run` once, on whichever instance gets there first: the transaction takes
 * pg_try_advisory_xact_lock, and an instance that finds it taken skips this round rather than wait
 * (the other one is doing the same work). PGlite has the same function, so one code path serves both.
 * Resolves true when this call did the work.
 */
export const runJobOnce = async (db: CentralDb, job: PeriodicJob): Promise<boolean> =>
  db.transaction(async (tx) => {
    const got = await tx.query('SELECT pg_try_advisory_xact_lock($1) AS got', [job.lockKey]);
    if (got.rows[0]?.['got'] !== true) return false;
    await job.run(tx);
    return true;
  });

/**
 * Every `everyMs` (unref'd: it never keeps the process alive), runJobOnce; a failure is logged and the
 * next round tries again. stop() waits for a round in progress, so the database can be closed after.
 */
export const startPeriodicJob = (db: CentralDb, job: PeriodicJob, log: (message: string) => void): JobRunner => {
  let stopped = false;
  let running: Promise<boolean> | undefined;
  const runNow = async (): Promise<boolean> => {
    running = runJobOnce(db, job).catch((e: unknown) => {
      log(`central: the ${job.name} job failed (it runs again in ${job.everyMs} ms): ${errorMessage(e)}`);
      return false;
    });
    try {
      return await running;
    } finally {
      running = undefined;
    }
  };
  const timer = setInterval(() => {
    if (!stopped && !running) void runNow();
  }, job.everyMs);
  timer.unref();
  return {
    runNow,
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
};
