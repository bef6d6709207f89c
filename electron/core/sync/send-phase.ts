import { batchAhead } from './batch-ahead.ts';
import { BatchBuildError, type BuiltBatch } from './batch-builder.ts';
import { iso } from './clock.ts';
import { type PassFailure, abortedFailure, localFailure, passFailure } from './pass-result.ts';
import type { PhaseEnv } from './phase-env.ts';
import { lostMessage, nextUnackedRun, queueDepth, recordAck } from './sync-store.ts';
import type { BatchAck } from '../../../shared/sync.ts';

export type SendOutcome = {
  batches: number;
  responses: number;
  inserted: number;
  duplicates: number;
  conflicts: number;
  /** Set when sending stopped before the queue was empty (or maxBatches was reached). */
  failure: PassFailure | null;
};

/** An acknowledgement for another batch, device or count is not an acknowledgement of this one. */
const mismatch = (ack: BatchAck, batch: BuiltBatch, deviceId: string): PassFailure | null =>
  ack.batchId === batch.batchId && ack.deviceId === deviceId && ack.received === batch.count
    ? null
    : passFailure({
        ok: false,
        kind: 'transient',
        code: 'bad_reply',
        status: 200,
        message: `the acknowledgement does not match the batch sent (batch ${ack.batchId}/${batch.batchId}, device ${ack.deviceId}, received ${ack.received}/${batch.count})`,
      });

/**
 * Phase 3 of a pass: batches from the lowest unacknowledged seq, one in flight (the next one is
 * prepared meanwhile), each acknowledged range recorded only once central's ack is in hand. A 413
 * halves the batch and goes on; any other failure ends the phase with what was acknowledged so far.
 */
export const sendBatches = async (env: PhaseEnv, maxBatches?: number): Promise<SendOutcome> => {
  const { host, clock, log, signal } = env;
  const { builder, client } = env.device;
  const db = host.db;
  const sent: SendOutcome = { batches: 0, responses: 0, inserted: 0, duplicates: 0, conflicts: 0, failure: null };
  const stop = (failure: PassFailure): SendOutcome => ({ ...sent, failure });
  const ahead = batchAhead(builder);
  try {
    const total = queueDepth(db);
    let done = 0;
    for (;;) {
      if (signal.aborted) return stop(abortedFailure());
      if (maxBatches !== undefined && sent.batches >= maxBatches) break;
      const run = nextUnackedRun(db);
      if (!run) break;
      let batch;
      try {
        batch = await ahead.take(run);
      } catch (e) {
        if (e instanceof BatchBuildError) return stop(localFailure(e.code, e.message));
        throw e;
      }
      const info = {
        batchId: batch.batchId,
        seqFrom: batch.seqFrom,
        seqTo: batch.seqTo,
        count: batch.count,
        bytes: batch.body.length,
      };
      env.onProgress?.({ phase: 'sending', total, done, batch: { ...info, inserted: 0, duplicates: 0, conflicts: 0 } });
      const sending = client.postBatch(batch.body, signal);
      if (maxBatches === undefined || sent.batches + 1 < maxBatches) ahead.prepareAfter(batch, run);
      const r = await sending;
      if (signal.aborted) return stop(abortedFailure());
      if (!r.ok) {
        ahead.drop();
        if (r.kind === 'too_large' && builder.limits.maxCount > 1) {
          const smaller = builder.shrink();
          log(
            'warn',
            `central (or a proxy) refused a ${batch.body.length}-byte batch of ${batch.count}; trying batches of ${smaller}`,
          );
          continue;
        }
        return stop(passFailure(r));
      }
      const ack = r.ack;
      const wrong = mismatch(ack, batch, host.deviceId);
      if (wrong) return stop(wrong);
      const lost = recordAck(db, ack, { from: batch.seqFrom, to: batch.seqTo }, 'online', iso(clock.now()));
      if (lost > 0) log('warn', lostMessage(ack.highestContiguousSeq, lost));
      sent.batches++;
      sent.responses += batch.count;
      sent.inserted += ack.inserted;
      sent.duplicates += ack.duplicates;
      sent.conflicts += ack.conflicts.length;
      done += batch.count;
      if (ack.conflicts.length > 0)
        log(
          'warn',
          `central reported ${ack.conflicts.length} conflicting response(s) in seq ${batch.seqFrom}..${batch.seqTo}`,
          { conflicts: ack.conflicts },
        );
      env.onProgress?.({
        phase: 'acked',
        total,
        done,
        batch: { ...info, inserted: ack.inserted, duplicates: ack.duplicates, conflicts: ack.conflicts.length },
      });
    }
    env.onProgress?.({ phase: 'done', total, done });
    return sent;
  } finally {
    ahead.drop();
  }
};
