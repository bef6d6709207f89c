import { statfs } from 'node:fs/promises';
import { errorMessage } from '../../../shared/error-message.ts';
import { type BackoffPolicy, DEFAULT_BACKOFF } from './backoff.ts';
import type { BatchLimits } from './batch-builder.ts';
import type { Timeouts } from './client.ts';
import { type SyncClock, type SyncLog, iso, realSyncClock } from './clock.ts';
import { pullConfig } from './config-phase.ts';
import { type DeviceContexts, deviceContexts } from './device-context.ts';
import type { KeyProtector } from './device-key.ts';
import { type EngineState, initialEngineState } from './engine-state.ts';
import { appVersion as packageVersion, readEnrolment } from './enrolment.ts';
import { type HeartbeatAbout, sendHeartbeat } from './heartbeat-phase.ts';
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
import { type Controllers, runLoop } from './loop.ts';
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
 * This module composes the phases into a pass (heartbeat-phase.ts, config-phase.ts, send-phase.ts)
 * and drives the loop (loop.ts) and one-off passes; what the engine remembers between passes is one
 * record (engine-state.ts), settled after each pass by schedule.ts.
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

/** What a pass works with, from the engine. */
type PassDeps = {
  host: SyncHost;
  clock: SyncClock;
  log: SyncLog;
  state: EngineState;
  contexts: DeviceContexts;
  about: HeartbeatAbout;
};

const emptyPassResult = ({ host, clock }: PassDeps, enrolled: boolean, started: number): PassResult => ({
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
  queueDepth: queueDepth(host.db),
  durationMs: clock.now() - started,
});

/** The pass's result as it ends, with the queue and the configuration as they are now. */
const finish = (
  { host, clock }: PassDeps,
  result: PassResult,
  failure: PassFailure | null,
  started: number,
): PassResult => ({
  ...result,
  ...(failure ? { ok: false, failure } : {}),
  queueDepth: queueDepth(host.db),
  configVersion: host.configVersion(),
  durationMs: clock.now() - started,
});

/** One pass: heartbeat, configuration and batches, each phase able to end it. */
const runPass = async (deps: PassDeps, o: PassOptions): Promise<PassResult> => {
  const { host, clock, log, state } = deps;
  const started = clock.now();
  const device = deps.contexts.current();
  if (!device)
    return {
      ...emptyPassResult(deps, false, started),
      ok: false,
      failure: localFailure('not_enrolled', 'this kiosk is not enrolled with a central service'),
    };
  const result = emptyPassResult(deps, true, started);
  if ('ok' in device) return finish(deps, result, device, started);
  const env: PhaseEnv = { host, device, state, clock, log, signal: o.signal, onProgress: o.onProgress };
  if (o.heartbeat) {
    const hb = await sendHeartbeat(env, deps.about);
    result.heartbeat = hb.heartbeat;
    result.skippedByCentral = hb.skippedByCentral;
    if (hb.failure) return finish(deps, result, hb.failure, started);
  }
  if (o.config || state.configWanted) {
    const pulled = await pullConfig(env);
    result.config = pulled.config;
    result.configProblems = pulled.configProblems;
    if (pulled.failure) return finish(deps, result, pulled.failure, started);
  }
  const { failure, ...sent } = await sendBatches(env, o.maxBatches);
  return finish(deps, { ...result, ...sent }, failure, started);
};

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
  const controllers: Controllers = { stop: new AbortController(), wake: new AbortController() };
  let exclusiveTail: Promise<unknown> = Promise.resolve();

  /** Passes never overlap: the loop and runOnce queue behind each other. */
  const exclusive = <T>(run: () => Promise<T>): Promise<T> => {
    const result = exclusiveTail.then(run, run);
    exclusiveTail = result.catch(() => undefined);
    return result;
  };

  const passDeps: PassDeps = { host, clock, log, state, contexts, about };
  const pass = (o: PassOptions) => runPass(passDeps, o);
  const emptyResult = (enrolled: boolean, started: number) => emptyPassResult(passDeps, enrolled, started);

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

  const runOnce = (o: RunOnceOptions = {}): Promise<PassResult> =>
    exclusive(async () => {
      const signal = o.signal ? AbortSignal.any([o.signal, controllers.stop.signal]) : controllers.stop.signal;
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
      controllers.stop = new AbortController();
      state.activity = readEnrolment(db) ? 'idle' : 'not_enrolled';
      loopDone = runLoop({ db, clock, pollMs, state, controllers, pass: loopPass, settle, notify }).catch(
        (e: unknown) => {
          log('error', `sync loop ended: ${errorMessage(e)}`);
          state.running = false;
          state.activity = 'stopped';
        },
      );
    },
    stop: async () => {
      state.running = false;
      controllers.stop.abort();
      await loopDone;
      await exclusiveTail;
      contexts.close();
      state.activity = 'stopped';
      // runOnce still works after stop (kioskctl, tests); start() makes its own controller too.
      controllers.stop = new AbortController();
    },
    wake: () => {
      state.forced = true;
      controllers.wake.abort();
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
