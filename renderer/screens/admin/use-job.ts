import { useEffect, useRef, useState } from 'react';
import type { AdminJob } from '../../../shared/admin.ts';
import type { KioskApi } from '../../../shared/api.ts';

export const JOB_POLL_MS = 300;

/**
 * Follows a sync or export job: its snapshot, refreshed while it runs. `onDone` runs once when it
 * ends; a session that ended mid-job goes to `onExpired` (the job itself keeps running in the core).
 */
export const useJob = <J extends AdminJob>(
  api: KioskApi,
  session: string,
  onExpired: () => void,
  onDone?: (job: J) => void,
) => {
  const [job, setJob] = useState<J | null>(null);
  const done = useRef(onDone);
  const expired = useRef(onExpired);
  useEffect(() => {
    done.current = onDone;
    expired.current = onExpired;
  }, [onDone, onExpired]);

  const id = job?.id;
  const running = job?.state === 'running';
  useEffect(() => {
    if (!id || !running) return;
    let live = true;
    const timer = window.setInterval(() => {
      void api.adminJob({ session, jobId: id }).then((r) => {
        if (!live) return;
        if (!r.ok) {
          if (r.error.code === 'session_expired') expired.current();
          return;
        }
        const next = r.value as J;
        setJob(next);
        if (next.state !== 'running') done.current?.(next);
      });
    }, JOB_POLL_MS);
    return () => {
      live = false;
      window.clearInterval(timer);
    };
  }, [api, session, id, running]);

  /** Starts following a job just returned by adminSyncNow or adminExport. */
  const follow = (started: J) => {
    setJob(started);
    if (started.state !== 'running') done.current?.(started);
  };
  return { job, follow, running };
};
