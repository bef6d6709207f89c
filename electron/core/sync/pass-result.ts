import type { CallFailure } from './client.ts';
import { describeSyncError } from './status.ts';

/** What one sync pass did, and the progress it reports while it runs (kioskctl, the admin panel). */

export type BatchProgress = {
  batchId: string;
  seqFrom: number;
  seqTo: number;
  count: number;
  bytes: number;
  inserted: number;
  duplicates: number;
  conflicts: number;
};

export type SyncProgress = {
  phase: 'heartbeat' | 'config' | 'sending' | 'acked' | 'done';
  /** Responses to send in this pass (queue depth once the heartbeat's skip-ahead is applied). */
  total: number;
  /** Responses acknowledged so far in this pass. */
  done: number;
  batch?: BatchProgress;
};

export type PassFailure = CallFailure & { meaning: string; action: string };

export type PassResult = {
  ok: boolean;
  enrolled: boolean;
  batches: number;
  responses: number;
  inserted: number;
  duplicates: number;
  conflicts: number;
  /** Acknowledged through the heartbeat's highestContiguousSeq instead of being sent. */
  skippedByCentral: number;
  heartbeat: 'sent' | 'failed' | 'skipped';
  config: 'unchanged' | 'applied' | 'refused' | 'failed' | 'skipped';
  configVersion: string;
  configProblems: string[];
  failure: PassFailure | null;
  queueDepth: number;
  durationMs: number;
};

/** A call's failure with what it means to IT and what to do (status.ts). */
export const passFailure = (f: CallFailure): PassFailure => {
  const m = describeSyncError(f.code, f.status);
  return { ...f, meaning: m.meaning, action: m.action };
};

/** A failure found on the kiosk itself (no key, a stored row that does not fit): a refusal, not retried soon. */
export const localFailure = (code: string, message: string): PassFailure =>
  passFailure({ ok: false, kind: 'refused', code, status: null, message });

/** The engine was stopped (or the caller's signal aborted) mid-pass: what was in flight stays unacknowledged. */
export const abortedFailure = (): PassFailure =>
  passFailure({ ok: false, kind: 'transient', code: 'aborted', status: null, message: 'stopped' });

/** runOnce's retries add up into one result; the last attempt says how it ended. */
export const mergeResults = (a: PassResult, b: PassResult): PassResult => ({
  ...b,
  batches: a.batches + b.batches,
  responses: a.responses + b.responses,
  inserted: a.inserted + b.inserted,
  duplicates: a.duplicates + b.duplicates,
  conflicts: a.conflicts + b.conflicts,
  skippedByCentral: a.skippedByCentral + b.skippedByCentral,
  heartbeat: b.heartbeat === 'skipped' ? a.heartbeat : b.heartbeat,
  config: b.config === 'skipped' ? a.config : b.config,
  configProblems: b.configProblems.length > 0 ? b.configProblems : a.configProblems,
  durationMs: a.durationMs + b.durationMs,
});
