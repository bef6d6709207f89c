import { randomBytes } from 'node:crypto';
import type { AdminJob, ExportJob, SyncJob } from '../../../shared/admin.ts';

/**
 * Long admin work (sync now, export) runs in the core while the panel polls its snapshot. Jobs live
 * in memory: a restart ends them, and what they did is in the database and the audit log anyway.
 */

const KEEP = 16;

export type JobRegistry = {
  add: <J extends AdminJob>(job: Omit<J, 'id'>) => J;
  get: (id: string) => AdminJob | undefined;
  /** The newest job of this kind, running or not. */
  latest: <K extends AdminJob['kind']>(kind: K) => (K extends 'sync' ? SyncJob : ExportJob) | undefined;
  /** A copy, so a snapshot sent to the panel never changes under the transport. */
  snapshot: <J extends AdminJob>(job: J) => J;
  all: () => AdminJob[];
};

export const createJobRegistry = (): JobRegistry => {
  const jobs = new Map<string, AdminJob>();
  return {
    add: <J extends AdminJob>(job: Omit<J, 'id'>): J => {
      const full = { ...job, id: randomBytes(12).toString('base64url') } as J;
      jobs.set(full.id, full);
      // Forget the oldest finished ones; a running job is never dropped.
      for (const [id, j] of jobs) {
        if (jobs.size <= KEEP) break;
        if (j.state !== 'running') jobs.delete(id);
      }
      return full;
    },
    get: (id) => jobs.get(id),
    latest: (kind) => [...jobs.values()].reverse().find((j) => j.kind === kind) as never,
    snapshot: (job) => structuredClone(job),
    all: () => [...jobs.values()],
  };
};
