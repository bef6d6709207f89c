/**
 * The ingest pool's waiting line (worker-pool.ts): which body a free worker opens next. It bounds
 * what waits (bytes overall, bytes and jobs per source), takes turns between sources, keeps one
 * worker free of any one source's work, and holds back a source whose last job was refused.
 */

/** What a job must carry for the queue: who sent it and how many compressed bytes it holds. */
export type Queued = { source: string; body: Uint8Array };

/** The parts of the pool's options the queue enforces (IngestPoolOptions documents each). */
export type FairQueueLimits = {
  workers: number;
  maxQueuedBytes: number;
  perSourceShare: number;
  perSourceJobs: number;
  refusalPenalty: number;
};

export type FairQueue<J extends Queued> = {
  /** Why a body of this size from this source may not wait now (a 503 message), or undefined. */
  refusal: (bytes: number, source: string) => string | undefined;
  add: (job: J) => void;
  /** The next job a worker may start, or undefined (then `wake` is called once one may go). */
  take: () => J | undefined;
  /** A job taken from `source` has ended (answered, failed or stopped). */
  ended: (source: string) => void;
  /** A job from `source`, started at `startedAt` (performance.now() ms), was the sender's fault. */
  holdBack: (source: string, startedAt: number) => void;
  /** Empties the queue (the pool is stopping): returns what was waiting, to be answered. */
  drain: () => J[];
  counts: () => { queued: number; queuedBytes: number };
};

/** `wake` runs when a held-back source may go again and nothing else woke the pool first. */
export const fairQueue = <J extends Queued>(o: FairQueueLimits, wake: () => void): FairQueue<J> => {
  const queues = new Map<string, J[]>();
  const queuedBytesOf = new Map<string, number>();
  /**
   * Jobs running per source. With more than one worker a source may run on all but one of them, so
   * another sender's batch always finds a worker free of the first sender's work.
   */
  const runningOf = new Map<string, number>();
  const maxRunning = Math.max(1, o.workers - 1);
  /** When a source whose last job was refused may start another (performance.now() ms). */
  const notBefore = new Map<string, number>();
  let wakeUp: NodeJS.Timeout | null = null;
  let queuedBytes = 0;
  let queued = 0;

  /** Map order: the source served longest ago first. */
  const take = (): J | undefined => {
    let found: [string, J[]] | undefined;
    let earliest = Infinity;
    const now = performance.now();
    for (const entry of queues) {
      const after = notBefore.get(entry[0]) ?? 0;
      if (after > now) earliest = Math.min(earliest, after);
      else if ((runningOf.get(entry[0]) ?? 0) < maxRunning) {
        found = entry;
        break;
      }
    }
    if (!found) {
      // Only penalised sources are waiting: look again when the first of them may go.
      if (earliest !== Infinity && !wakeUp)
        wakeUp = setTimeout(() => {
          wakeUp = null;
          wake();
        }, earliest - now);
      return undefined;
    }
    notBefore.delete(found[0]);
    const [source, jobs] = found;
    const job = jobs.shift()!;
    runningOf.set(source, (runningOf.get(source) ?? 0) + 1);
    queues.delete(source);
    if (jobs.length > 0) queues.set(source, jobs);
    queued--;
    queuedBytes -= job.body.length;
    const left = (queuedBytesOf.get(source) ?? 0) - job.body.length;
    if (jobs.length > 0) queuedBytesOf.set(source, left);
    else queuedBytesOf.delete(source);
    return job;
  };

  return {
    refusal: (bytes, source) => {
      if (queuedBytes + bytes > o.maxQueuedBytes) return 'too many batches are waiting';
      if (
        (queuedBytesOf.get(source) ?? 0) + bytes > o.maxQueuedBytes * o.perSourceShare ||
        (queues.get(source)?.length ?? 0) >= o.perSourceJobs
      )
        return 'too many batches from this address are waiting';
      return undefined;
    },
    add: (job) => {
      const list = queues.get(job.source) ?? [];
      list.push(job);
      queues.set(job.source, list);
      queuedBytesOf.set(job.source, (queuedBytesOf.get(job.source) ?? 0) + job.body.length);
      queuedBytes += job.body.length;
      queued++;
    },
    take,
    ended: (source) => {
      const left = (runningOf.get(source) ?? 1) - 1;
      if (left > 0) runningOf.set(source, left);
      else runningOf.delete(source);
    },
    holdBack: (source, startedAt) => {
      const now = performance.now();
      if (notBefore.size > 10_000) for (const [k, t] of notBefore) if (t <= now) notBefore.delete(k);
      notBefore.set(source, now + (now - startedAt) * o.refusalPenalty);
    },
    drain: () => {
      if (wakeUp) clearTimeout(wakeUp);
      const waiting = [...queues.values()].flat();
      queues.clear();
      return waiting;
    },
    counts: () => ({ queued, queuedBytes }),
  };
};
