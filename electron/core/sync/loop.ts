import type { Database } from 'better-sqlite3';
import type { SyncClock } from './clock.ts';
import type { EngineState } from './engine-state.ts';
import { readEnrolment } from './enrolment.ts';
import type { PassResult } from './pass-result.ts';
import { queueDepth } from './sync-store.ts';

/** The loop's abort controllers, replaced as it goes: stop() aborts `stop`, wake() aborts `wake`. */
export type Controllers = { stop: AbortController; wake: AbortController };

export type LoopDeps = {
  db: Database;
  clock: SyncClock;
  pollMs: number;
  state: EngineState;
  controllers: Controllers;
  /** One pass, never thrown out of (a thrown error comes back as an "internal" failure). */
  pass: (o: { heartbeat: boolean; config: boolean; signal: AbortSignal }, startedAt: number) => Promise<PassResult>;
  /** Records the outcome in the state; the delay before the next attempt (null: the poll interval). */
  settle: (r: PassResult, idleDelayMs: number) => number | null;
  notify: () => void;
};

const enrolmentStamp = (db: Database): string => {
  const e = readEnrolment(db);
  return e ? `${e.enrolledAt}|${e.centralUrl}|${e.publicKey}` : '';
};

/** Sleeps until `nextAt` (`wait` from now), or less when woken, stopped, or (after a refusal) enrolled again. */
const waitUntil = async (deps: LoopDeps, nextAt: number, wait: number): Promise<void> => {
  const { clock, state, controllers } = deps;
  state.nextAttemptAt = nextAt;
  controllers.wake = new AbortController();
  const signal = AbortSignal.any([controllers.stop.signal, controllers.wake.signal]);
  if (state.activity !== 'needs_attention') {
    await clock.sleep(wait, signal);
    return;
  }
  // A refusal waits for the cap; a new enrolment (kioskctl enroll, from another process) ends the wait.
  const stamp = enrolmentStamp(deps.db);
  const step = Math.max(deps.pollMs, 5_000);
  while (state.running && !state.forced && !signal.aborted && clock.now() < nextAt) {
    await clock.sleep(Math.min(step, nextAt - clock.now()), signal);
    if (enrolmentStamp(deps.db) !== stamp) state.forced = true;
  }
};

/**
 * The background loop: while running, waits for the next attempt, then runs a pass when something
 * is due (a heartbeat, a configuration pull, or responses to send), and schedules the next from
 * how it went. Idles, polling, while the kiosk is not enrolled or has nothing to do.
 */
export const runLoop = async (deps: LoopDeps): Promise<void> => {
  const { db, clock, pollMs, state } = deps;
  let nextAt = clock.now();
  while (state.running) {
    const wait = nextAt - clock.now();
    if (wait > 0 && !state.forced) await waitUntil(deps, nextAt, wait);
    if (!state.running) break;
    const now = clock.now();
    if (!state.forced && now < nextAt) continue;
    const wasForced = state.forced;
    state.forced = false;
    if (!readEnrolment(db)) {
      state.activity = 'not_enrolled';
      nextAt = now + pollMs;
      continue;
    }
    const heartbeatDue = wasForced || now >= state.nextHeartbeatAt;
    const configDue = now >= state.nextConfigAt || state.configWanted;
    if (!heartbeatDue && !configDue && queueDepth(db) === 0) {
      if (state.activity !== 'needs_attention' && state.activity !== 'retrying') state.activity = 'idle';
      nextAt = now + pollMs;
      continue;
    }
    state.activity = 'syncing';
    state.nextAttemptAt = null;
    const r = await deps.pass(
      { heartbeat: heartbeatDue, config: configDue, signal: deps.controllers.stop.signal },
      now,
    );
    if (!state.running) break;
    const delay = deps.settle(r, pollMs) ?? pollMs;
    nextAt = state.settledAt + delay;
    state.nextAttemptAt = nextAt;
    deps.notify();
  }
  state.activity = 'stopped';
  state.nextAttemptAt = null;
};
