import type { BatchBuilder, BuiltBatch } from './batch-builder.ts';
import type { SeqRange } from './sync-store.ts';

/**
 * Batches built one ahead. While central verifies and stores the batch in flight, the kiosk reads,
 * validates, signs and gzips the next one, so the two sides' work overlaps instead of alternating
 * (on a backlog this is most of the kiosk's share of the time). Still one batch in flight, and at
 * most one more held in memory.
 *
 * A prepared batch is used only if it still starts at the lowest unacknowledged seq and ends within
 * that run once the ack is recorded; an ack that acknowledged more (central's gap-free prefix, e.g.
 * a backlog that arrived by USB), a failure, or new limits (a 413) drop it, and the batch is built
 * afresh, exactly as without the lookahead.
 */
export type BatchAhead = {
  /** The batch for `run`: the prepared one when it still fits, else built now. */
  take: (run: SeqRange) => Promise<BuiltBatch>;
  /** Starts preparing the batch after `sent` (within `run`), once the request for `sent` is on its way. */
  prepareAfter: (sent: BuiltBatch, run: SeqRange) => void;
  /** Forgets the prepared batch (a failure, a 413, the end of the pass). */
  drop: () => void;
};

type Prepared = { from: number; cancelled: boolean; result: Promise<{ ok: true; batch: BuiltBatch } | { ok: false }> };

export const batchAhead = (builder: BatchBuilder): BatchAhead => {
  let ahead: Prepared | undefined;
  return {
    take: async (run) => {
      const prepared = ahead;
      ahead = undefined;
      if (prepared && prepared.from === run.from) {
        const r = await prepared.result;
        if (r.ok && r.batch.seqTo <= run.to) return r.batch;
      }
      // Not prepared, no longer fitting, or it failed: building now reports any error as before.
      return builder.build(run.from, run.to);
    },
    prepareAfter: (sent, run) => {
      ahead = undefined;
      if (sent.seqTo >= run.to) return;
      const from = sent.seqTo + 1;
      const prepared: Prepared = { from, cancelled: false, result: Promise.resolve({ ok: false }) };
      // setImmediate: the synchronous part of a build (SQLite reads, validation, signing) must not
      // hold up the request just handed to the socket.
      prepared.result = new Promise((resolve) =>
        setImmediate(() => {
          if (prepared.cancelled) return resolve({ ok: false });
          builder.build(from, run.to).then(
            (batch) => resolve({ ok: true, batch }),
            () => resolve({ ok: false }),
          );
        }),
      );
      ahead = prepared;
    },
    drop: () => {
      if (ahead) ahead.cancelled = true;
      ahead = undefined;
    },
  };
};
