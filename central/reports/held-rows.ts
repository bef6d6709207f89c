import type { CentralDb, Queryable } from '../db/types.ts';
import type { QueuedCountsValue } from './queued-counts.ts';

/**
 * A stored batch's report rows (queue-rows.ts) as the process that stored it holds them until its drain
 * adds them: its report_facts rows and the (unit, case number) of each evaluation that competes for its
 * case's count (report_drain_cases), both already in COPY's text format, and its counts summed.
 */
export type HeldBatch = {
  /** Whose queue row this is: checked against the row a drain takes, so an id reused is never mistaken. */
  deviceId: string;
  seqs: readonly number[];
  responses: number;
  facts: string;
  /** One COPY line per case (a line is also the case's key, to find a case named twice in one drain). */
  cases: readonly string[];
  counts: QueuedCountsValue;
};

/** Responses held at most: about 25 MB of rows. A batch that would go over is queued with its rows. */
export const HELD_MAX_RESPONSES = 100_000;

/** A held batch not drained by this process within this long was drained by another (or never will be). */
const HELD_MAX_AGE_MS = 10 * 60_000;

/**
 * How long a drain that holds rows of its own leaves a queued batch whose rows are held elsewhere (queued
 * without its rows: another central process holds them in memory) to that process, whose drain adds
 * them at no cost. After this the batch is taken anyway and counted from `responses`, as after a crash.
 */
export const HELD_ELSEWHERE_GRACE_MS = 30_000;

/**
 * The report rows of the batches this process stored and has not drained yet, by their report_pending
 * id. Writing a batch's rows into its queue row (as JSON, the form any process can drain) and reading
 * them back was a third of what the report tables cost the ingest; held here, they go to PostgreSQL once,
 * by COPY, from the drain (drain.ts). Memory is only a cache: the queue row is committed with the batch,
 * and a batch whose rows are not held (this process restarted, another process drained it, the cache
 * was full) is counted from `responses` by the SQL the rebuild uses, with the same result. One per
 * server process (holdReportRowsFor): storeBatch holds, the drains take and forget.
 */
export type HeldReportRows = {
  /** Whether a batch of this size may be held now (else it is queued with its rows, as JSON). */
  hasRoom(responses: number): boolean;
  /** Holds a COMMITTED queue row's rows. */
  hold(queueId: number, batch: HeldBatch): void;
  ids(): number[];
  get(queueId: number): HeldBatch | undefined;
  /** After the drain that added these committed: their rows are in the report tables. */
  forget(queueIds: readonly number[]): void;
  responses(): number;
};

export const heldReportRows = (maxResponses = HELD_MAX_RESPONSES, now: () => number = Date.now): HeldReportRows => {
  // In insertion order: the oldest first, for dropping the stale.
  const held = new Map<number, { batch: HeldBatch; at: number }>();
  let responses = 0;
  const drop = (queueId: number) => {
    const entry = held.get(queueId);
    if (!entry) return;
    held.delete(queueId);
    responses -= entry.batch.responses;
  };
  return {
    hasRoom: (n) => responses + n <= maxResponses,
    hold: (queueId, batch) => {
      for (const [id, { at }] of held) {
        if (now() - at < HELD_MAX_AGE_MS) break;
        drop(id);
      }
      held.set(queueId, { batch, at: now() });
      responses += batch.responses;
    },
    ids: () => [...held.keys()],
    get: (queueId) => held.get(queueId)?.batch,
    forget: (queueIds) => queueIds.forEach(drop),
    responses: () => responses,
  };
};

const heldFor = new WeakMap<object, HeldReportRows>();

/**
 * Makes this process hold the report rows of the batches stored through `db` (this very object: the
 * server's), for every drain through it: its report job's and each report's own. Returns them.
 */
export const holdReportRowsFor = (db: CentralDb, maxResponses?: number): HeldReportRows => {
  const held = heldReportRows(maxResponses);
  heldFor.set(db, held);
  return held;
};

/** The report rows this process holds for batches stored through `db`, if it holds any. */
export const reportRowsHeldFor = (db: Queryable): HeldReportRows | undefined => heldFor.get(db);
