import type { Database } from 'better-sqlite3';
import { type BackoffPolicy, backoffDelay } from './backoff.ts';
import { type SyncClock, type SyncLog, iso } from './clock.ts';
import type { EngineState } from './engine-state.ts';
import type { PassResult } from './pass-result.ts';
import { recordAttemptFailure, recordAttemptSuccess } from './sync-store.ts';

export type Cadence = {
  policy: BackoffPolicy;
  random: () => number;
  heartbeatMs: number;
  configMs: number;
};

/** A failed configuration pull is tried again within this long, however long the usual interval. */
const CONFIG_RETRY_MS = 5 * 60_000;

/**
 * Records a pass's outcome in the state (and the failure count in the database) and returns the
 * delay before the next attempt: `idleDelayMs` after a success, backoff with jitter after a passing
 * failure (Retry-After honoured), the cap after a refusal; null after a stop.
 */
export const settlePass = (
  env: { db: Database; clock: SyncClock; log: SyncLog; cadence: Cadence },
  state: EngineState,
  r: PassResult,
  idleDelayMs: number | null,
): number | null => {
  const { db, cadence } = env;
  const at = env.clock.now();
  state.settledAt = at;
  if (r.heartbeat === 'sent') state.nextHeartbeatAt = at + cadence.heartbeatMs;
  if (r.config === 'unchanged' || r.config === 'applied' || r.config === 'refused')
    state.nextConfigAt = at + cadence.configMs;
  else if (r.config === 'failed') state.nextConfigAt = at + Math.min(cadence.configMs, CONFIG_RETRY_MS);
  if (!r.enrolled) {
    state.activity = 'not_enrolled';
    return idleDelayMs;
  }
  if (!r.failure) {
    state.failures = 0;
    state.activity = state.running ? 'idle' : 'stopped';
    recordAttemptSuccess(db, iso(at), idleDelayMs === null ? undefined : iso(at + idleDelayMs));
    return idleDelayMs;
  }
  if (r.failure.code === 'aborted') {
    state.activity = state.running ? 'idle' : 'stopped';
    return null;
  }
  state.failures++;
  const refused = r.failure.kind !== 'transient';
  const delay = refused
    ? cadence.policy.capMs
    : backoffDelay(state.failures, cadence.random, cadence.policy, r.failure.retryAfterMs);
  state.activity = refused ? 'needs_attention' : 'retrying';
  // Only the background loop owns the schedule; a one-off pass (kioskctl) leaves it as it is.
  recordAttemptFailure(
    db,
    { code: r.failure.code, message: r.failure.message, status: r.failure.status, at: iso(at) },
    state.failures,
    state.running ? iso(at + delay) : undefined,
  );
  env.log(
    refused ? 'error' : 'warn',
    `sync attempt ${state.failures} failed (${r.failure.code}): ${r.failure.message}; next try in ${Math.round(delay / 1000)} s`,
  );
  return delay;
};
