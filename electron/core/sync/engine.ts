import { statfs } from 'node:fs/promises';
import { errorMessage } from '../../../shared/error-message.ts';
import { type BackoffPolicy, DEFAULT_BACKOFF } from './backoff.ts';
import type { BatchLimits } from './batch-builder.ts';
import type { Timeouts } from './client.ts';
import { type SyncClock, type SyncLog, iso, realSyncClock } from './clock.ts';
import { pullConfig } from './config-phase.ts';
import { deviceContexts } from './device-context.ts';
import type { KeyProtector } from './device-key.ts';
import { type EngineState, initialEngineState } from './engine-state.ts';
import { appVersion as packageVersion, readEnrolment } from './enrolment.ts';
import { sendHeartbeat } from './heartbeat-phase.ts';
import type { SyncHost } from './host.ts';
import {
  type PassFailure,
  type PassResult,
  type SyncProgress,
  localFailure,
  mergeResults,
  passFailure,
} from './pass-result.ts';
import type { PhaseEnv } from './phase-env.ts';
import { type Cadence, settlePass } from './schedule.ts';
import { sendBatches } from './send-phase.ts';
import { type SyncStatus, readStatus } from './status.ts';
import { queueDepth, readSyncStatus } from './sync-store.ts';

export { type SyncClock, type SyncLog, realSyncClock } from './clock.ts';
export type { EngineState } from './engine-state.ts';
export type { BatchProgress, PassFailure, PassResult, SyncProgress } from './pass-result.ts';

/**
 * The kiosk's sync engine (docs/sync-protocol.md, "What the kiosk does").
 *
 * A pass: heartbeat (when due; its highestContiguousSeq lets the kiosk skip what central already
 * holds, e.g. from a USB upload), config pull (when due or when central wants another version),
 * then batches from the lowest unacknowledged seq, one in flight, each acknowledged range recorded
 * only once central's ack is in hand. Between passes the background loop sleeps: the poll interval
 * when all went well, else exponential backoff with full jitter (Retry-After honoured), or the cap
 * after a refusal (4xx) that resending cannot fix. Reachability is learnt by trying.
 *
 * This module keeps the loop and composes the phases (heartbeat-phase.ts, config-phase.ts,
 * send-phase.ts); what the engine remembers between passes is one record (engine-state.ts),
 * settled after each pass by schedule.ts.
 */

export type SyncEngineOptions = {
  host: SyncHost;
  protector?: KeyProtector;
  limits?: Partial<BatchLimits>;
  /** Rows read from SQLite per query while building a batch (default 250). */
  pageSize?: number;
  backoff?: Partial<BackoffPolicy>;
  timeouts?: Partial<Timeouts>;
  /** When idle, how often to look for new responses (default 15 s; a local query, no network). */
  pollIntervalMs?: number;
  /** Default 5 minutes (central calls a device stale after 15). */
  heartbeatIntervalMs?: number;
  /** Config is pulled this often, and whenever a heartbeat reply names another version (default 1 hour). */
  configIntervalMs?: number;
  random?: () => number;
  clock?: SyncClock;
  log?: SyncLog;
  appVersion?: string;
  /** Free bytes on the data dir's disk (default: fs.statfs). */
  freeDisk?: () => Promise<number | null>;
  /** Called after every pass with the new status (admin panel push). */
  onStatus?: (status: SyncStatus) => void;
};

export type RunOnceOptions = {
  onProgress?: (p: SyncProgress) => void;
  signal?: AbortSignal;
  /** Extra attempts after a transient failure, with backoff (default 0). */
  retries?: number;
  heartbeat?: boolean;
  config?: boolean;
  /** Stop after this many batches (tests, benches). */
  maxBatches?: number;
};

export type SyncEngine = {
  /** Starts the background loop (idempotent). It idles while the kiosk is not enrolled. */
  start: () => void;
  /** Stops the loop, aborting a request in flight (its range stays unacknowledged), and releases connections. */
  stop: () => Promise<void>;
  /** One pass now (kioskctl sync, "sync now"): waits for a pass already running, never runs two at once. */
  runOnce: (options?: RunOnceOptions) => Promise<PassResult>;
  /** Ends the current wait and tries now (IT pressed "sync now"). */
  wake: () => void;
  status: () => SyncStatus;
  /** A copy of the engine's state record (engine-state.ts): what it remembers and has scheduled. */
  state: () => Readonly<EngineState>;
  readonly running: boolean;
};

type PassOptions = {
  heartbeat: boolean;
  config: boolean;
  signal: AbortSignal;
  onProgress?: (p: SyncProgress) => void;
  maxBatches?: number;
};

const statfsFreeDisk = (dir: string) => async (): Promise<number | null> => {
  try {
    const s = await statfs(dir);
    return Number(s.bavail) * Number(s.bsize);
  } catch {
    return null;
  }
};

const consoleSyncLog: SyncLog = (level, message, data) =>
  console[level === 'info' ? 'log' : level](`[sync] ${message}`, data ?? '');

export const createSyncEngine = (options: SyncEngineOptions): SyncEngine => {
  const { host } = options;
  const db = host.db;
  const clock = options.clock ?? realSyncClock;
  const pollMs = options.pollIntervalMs ?? 15_000;
  const cadence: Cadence = {
    policy: { ...DEFAULT_BACKOFF, ...options.backoff },
    random: options.random ?? Math.random,
    heartbeatMs: options.heartbeatIntervalMs ?? 5 * 60_000,
    configMs: options.configIntervalMs ?? 60 * 60_000,
  };
  const log = options.log ?? consoleSyncLog;
  const about = {
    appVersion: options.appVersion ?? packageVersion(),
    freeDisk: options.freeDisk ?? statfsFreeDisk(host.dataDir),
  };
  const contexts = deviceContexts({ ...options, clock });

  const state = initialEngineState(readSyncStatus(db).attempts);
  // Plumbing, not state: the loop's promise, its controllers, and the tail that keeps passes in line.
  let loopDone: Promise<void> = Promise.resolve();
  let stopController = new AbortController();
  let wakeController = new AbortController();
  let exclusiveTail: Promise<unknown> = Promise.resolve();

  /** Passes never overlap: the loop and runOnce queue behind each other. */
  const exclusive = <T>(run: () => Promise<T>): Promise<T> => {
    const result = exclusiveTail.then(run, run);
    exclusiveTail = result.catch(() => undefined);
    return result;
  };

  const emptyResult = (enrolled: boolean, started: number): PassResult => ({
    ok: true,
    enrolled,
    batches: 0,
    responses: 0,
    inserted: 0,
    duplicates: 0,
    conflicts: 0,
    skippedByCentral: 0,
    heartbeat: 'skipped',
    config: 'skipped',
    configVersion: host.configVersion(),
    configProblems: [],
    failure: null,
    queueDepth: queueDepth(db),
    durationMs: clock.now() - started,
  });

  /** The pass's result as it ends, with the queue and the configuration as they are now. */
  const finish = (result: PassResult, failure: PassFailure | null, started: number): PassResult => ({
    ...result,
    ...(failure ? { ok: false, failure } : {}),
    queueDepth: queueDepth(db),
    configVersion: host.configVersion(),
    durationMs: clock.now() - started,
  });

  /** One pass: heartbeat, configuration and batches, each phase able to end it. */
  const pass = async (o: PassOptions): Promise<PassResult> => {
    const started = clock.now();
    const device = contexts.current();
    if (!device)
      return {
        ...emptyResult(false, started),
        ok: false,
        failure: localFailure('not_enrolled', 'this kiosk is not enrolled with a central service'),
      };
    const result = emptyResult(true, started);
    if ('ok' in device) return finish(result, device, started);
    const env: PhaseEnv = { host, device, state, clock, log, signal: o.signal, onProgress: o.onProgress };
    if (o.heartbeat) {
      const hb = await sendHeartbeat(env, about);
      result.heartbeat = hb.heartbeat;
      result.skippedByCentral = hb.skippedByCentral;
      if (hb.failure) return finish(result, hb.failure, started);
    }
    if (o.config || state.configWanted) {
      const pulled = await pullConfig(env);
      result.config = pulled.config;
      result.configProblems = pulled.configProblems;
      if (pulled.failure) return finish(result, pulled.failure, started);
    }
    const { failure, ...sent } = await sendBatches(env, o.maxBatches);
    return finish({ ...result, ...sent }, failure, started);
  };

  const settle = (r: PassResult, idleDelayMs: number | null) =>
    settlePass({ db, clock, log, cadence }, state, r, idleDelayMs);

  const notify = () => {
    if (!options.onStatus) return;
    try {
      options.onStatus(engine.status());
    } catch (e) {
      log('warn', `status listener failed: ${errorMessage(e)}`);
    }
  };

  const enrolmentStamp = (): string => {
    const e = readEnrolment(db);
    return e ? `${e.enrolledAt}|${e.centralUrl}|${e.publicKey}` : '';
  };

  /** Sleeps until `nextAt`, or less when woken, stopped, or (after a refusal) enrolled again. */
  const waitUntil = async (nextAt: number, wait: number): Promise<void> => {
    state.nextAttemptAt = nextAt;
    wakeController = new AbortController();
    const signal = AbortSignal.any([stopController.signal, wakeController.signal]);
    if (state.activity !== 'needs_attention') {
      await clock.sleep(wait, signal);
      return;
    }
    // A refusal waits for the cap; a new enrolment (kioskctl enroll, from another process) ends the wait.
    const stamp = enrolmentStamp();
    const step = Math.max(pollMs, 5_000);
    while (state.running && !state.forced && !signal.aborted && clock.now() < nextAt) {
      await clock.sleep(Math.min(step, nextAt - clock.now()), signal);
      if (enrolmentStamp() !== stamp) state.forced = true;
    }
  };

  /** The loop's pass: a thrown error (a bug, a database failure) is reported like a failure, so the loop lives on. */
  const loopPass = async (o: PassOptions, startedAt: number): Promise<PassResult> => {
    try {
      return await exclusive(() => pass(o));
    } catch (e) {
      const failure = passFailure({
        ok: false,
        kind: 'transient',
        code: 'internal',
        status: null,
        message: errorMessage(e),
      });
      return { ...emptyResult(true, startedAt), ok: false, failure };
    }
  };

  const loop = async (): Promise<void> => {
    let nextAt = clock.now();
    while (state.running) {
      const wait = nextAt - clock.now();
      if (wait > 0 && !state.forced) await waitUntil(nextAt, wait);
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
      const r = await loopPass({ heartbeat: heartbeatDue, config: configDue, signal: stopController.signal }, now);
      if (!state.running) break;
      const delay = settle(r, pollMs) ?? pollMs;
      nextAt = state.settledAt + delay;
      state.nextAttemptAt = nextAt;
      notify();
    }
    state.activity = 'stopped';
    state.nextAttemptAt = null;
  };

  const runOnce = (o: RunOnceOptions = {}): Promise<PassResult> =>
    exclusive(async () => {
      const signal = o.signal ? AbortSignal.any([o.signal, stopController.signal]) : stopController.signal;
      let merged: PassResult | undefined;
      for (let attempt = 0; ; attempt++) {
        state.activity = 'syncing';
        const r = await pass({
          heartbeat: o.heartbeat ?? true,
          config: o.config ?? true,
          signal,
          onProgress: o.onProgress,
          maxBatches: o.maxBatches,
        });
        merged = merged ? mergeResults(merged, r) : r;
        const delay = settle(r, state.running ? pollMs : null);
        notify();
        const transient = r.failure?.kind === 'transient' && r.failure.code !== 'aborted';
        if (!transient || attempt >= (o.retries ?? 0) || signal.aborted) return merged;
        await clock.sleep(delay ?? 0, signal);
        if (signal.aborted) return merged;
      }
    });

  const engine: SyncEngine = {
    get running() {
      return state.running;
    },
    start: () => {
      if (state.running) return;
      state.running = true;
      stopController = new AbortController();
      state.activity = readEnrolment(db) ? 'idle' : 'not_enrolled';
      loopDone = loop().catch((e: unknown) => {
        log('error', `sync loop ended: ${errorMessage(e)}`);
        state.running = false;
        state.activity = 'stopped';
      });
    },
    stop: async () => {
      state.running = false;
      stopController.abort();
      await loopDone;
      await exclusiveTail;
      contexts.close();
      state.activity = 'stopped';
      // runOnce still works after stop (kioskctl, tests); start() makes its own controller too.
      stopController = new AbortController();
    },
    wake: () => {
      state.forced = true;
      wakeController.abort();
    },
    runOnce,
    status: () =>
      readStatus(db, {
        state: state.activity,
        nextAttemptAt: state.nextAttemptAt === null ? (state.running ? null : undefined) : iso(state.nextAttemptAt),
      }),
    state: () => ({ ...state }),
  };
  return engine;
};
