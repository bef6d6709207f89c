import { pruneRateLimitCounters } from '../routes/shared-rate-limit.ts';
import type { PeriodicJob } from './periodic.ts';

/** Deletes ended rate-limit windows every 5 minutes, on one instance at a time ("rlim" in ASCII). */
export const pruneRateLimitsJob: PeriodicJob = {
  name: 'rate-limit counter pruning',
  lockKey: 0x726c696d,
  everyMs: 5 * 60_000,
  run: async (tx) => {
    await pruneRateLimitCounters(tx);
  },
};
