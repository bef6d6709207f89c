import type { KeyObject } from 'node:crypto';
import { statfs } from 'node:fs/promises';
import { privateKeyFrom } from '../../../shared/node/signing.ts';
import type { Heartbeat } from '../../../shared/sync.ts';
import { type BackoffPolicy, DEFAULT_BACKOFF, backoffDelay } from './backoff.ts';
import { batchAhead } from './batch-ahead.ts';
import { BatchBuildError, type BatchBuilder, type BatchLimits, createBatchBuilder } from './batch-builder.ts';
import { type CallFailure, type CentralClient, type Timeouts, createCentralClient } from './client.ts';
import { DeviceKeyError, type KeyProtector, readDeviceKey } from './device-key.ts';
import { type Enrolment, appVersion as packageVersion, readEnrolment } from './enrolment.ts';
import type { SyncHost } from './host.ts';
import { syncHold } from './central-trust.ts';
import { type HttpClient, createHttpClient } from './http.ts';
import { recordConfigRefused, verifyPublishedConfig } from './published-config.ts';
import { type SyncState, type SyncStatus, describeSyncError, readStatus } from './status.ts';
import {
  ackedThrough,
  lastSeq,
  nextUnackedRun,
  queueDepth,
  readSyncStatus,
  recordAck,
  recordAttemptFailure,
  recordAttemptSuccess,
  recordCentralContiguous,
  recordHeartbeat,
} from './sync-store.ts';
import { errorMessage } from '../../../shared/error-message.ts';

/**
 * The kiosk's sync engine (docs/sync-protocol.md, "What the kiosk does").
 *
 * A pass: heartbeat (when due; its highestContiguousSeq lets the kiosk skip what central already
 * holds, e.g. from a USB upload), config pull (when due or when central wants another version),
 * then batches from the lowest unacknowledged seq, one in flight, each acknowledged range recorded
 * only once central's ack is in hand. Between passes the background loop sleeps: the poll interval
 * when all went well, else exponential backoff with full jitter (Retry-After honoured), or the cap
 * after a refusal (4xx) that resending cannot fix. Reachability is learnt by trying.
 */

export type SyncClock = {
  now: () => number;
  /** Resolves after `ms`, or early (without throwing) when `signal` aborts. */
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
};

export const realSyncClock: SyncClock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted) {
        resolve();
        return;
      }
      const timer = setTimeout(done, Math.max(0, ms));
      function done() {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      }
      signal?.addEventListener('abort', done, { once: true });
    }),
};

export type SyncLog = (level: 'info' | 'warn' | 'error', message: string, data?: Record<string, unknown>) => void;

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
  readonly running: boolean;
};

type Context = { enrolment: Enrolment; privateKey: KeyObject; client: CentralClient; builder: BatchBuilder };

const iso = (ms: number) => new Date(ms).toISOString();

export const createSyncEngine = (options: SyncEngineOptions): SyncEngine => {
  const { host } = options;
  const db = host.db;
  const clock = options.clock ?? realSyncClock;
  const random = options.random ?? Math.random;
  const policy: BackoffPolicy = { ...DEFAULT_BACKOFF, ...options.backoff };
  const pollMs = options.pollIntervalMs ?? 15_000;
  const heartbeatMs = options.heartbeatIntervalMs ?? 5 * 60_000;
  const configMs = options.configIntervalMs ?? 60 * 60_000;
  const log: SyncLog =
    options.log ??
    ((level, message, data) => console[level === 'info' ? 'log' : level](`[sync] ${message}`, data ?? ''));
  const version = options.appVersion ?? packageVersion();
  const freeDisk =
    options.freeDisk ??
    (async () => {
      try {
        const s = await statfs(host.dataDir);
        return Number(s.bavail) * Number(s.bsize);
      } catch {
        return null;
      }
    });

  let http: HttpClient | undefined;
  let ctx: Context | undefined;
  let running = false;
  let loopDone: Promise<void> = Promise.resolve();
  let stopController = new AbortController();
  let wakeController = new AbortController();
  let exclusiveTail: Promise<unknown> = Promise.resolve();
  let state: SyncState = 'stopped';
  let nextAttemptAt: number | null = null;
  let failures = readSyncStatus(db).attempts;
  let nextHeartbeatAt = 0;
  let nextConfigAt = 0;
  let configWanted = false;
  let refusedConfigVersion: string | null = null;
  let forced = false;
  /** When the last pass was settled: the next attempt is scheduled from there. */
  let settledAt = 0;

  /** Passes never overlap: the loop and runOnce queue behind each other. */
  const exclusive = <T>(run: () => Promise<T>): Promise<T> => {
    const result = exclusiveTail.then(run, run);
    exclusiveTail = result.catch(() => undefined);
    return result;
  };

  const failure = (f: CallFailure): PassFailure => ({ ...f, ...pickMeaning(f) });
  const pickMeaning = (f: { code: string; status: number | null }) => {
    const m = describeSyncError(f.code, f.status);
    return { meaning: m.meaning, action: m.action };
  };
  const localFailure = (code: string, message: string): PassFailure =>
    failure({ ok: false, kind: 'refused', code, status: null, message });

  const context = (): Context | PassFailure | undefined => {
    const enrolment = readEnrolment(db);
    if (!enrolment) return undefined;
    const held = syncHold(db, enrolment); // demo PINs, or a central key other than the pinned one
    if (held) return localFailure(held.code, held.message);
    const same =
      ctx &&
      ctx.enrolment.enrolledAt === enrolment.enrolledAt &&
      ctx.enrolment.centralUrl === enrolment.centralUrl &&
      ctx.enrolment.publicKey === enrolment.publicKey;
    if (same && ctx) return ctx;
    let key;
    try {
      key = readDeviceKey(host.dataDir, host.deviceId, options.protector);
    } catch (e) {
      return localFailure('device_key', e instanceof DeviceKeyError ? e.message : String(e));
    }
    if (!key) return localFailure('device_key', `no device key in ${host.dataDir}; enrol again`);
    if (key.publicKey !== enrolment.publicKey)
      return localFailure('device_key', 'the device key file does not match the enrolled key; enrol again');
    const privateKey = privateKeyFrom(key.privateKey);
    http ??= createHttpClient();
    ctx = {
      enrolment,
      privateKey,
      client: createCentralClient({
        centralUrl: enrolment.centralUrl,
        http,
        timeouts: options.timeouts,
        now: clock.now,
      }),
      builder: createBatchBuilder({
        db,
        deviceId: host.deviceId,
        privateKey,
        limits: options.limits,
        pageSize: options.pageSize,
        now: clock.now,
      }),
    };
    return ctx;
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

  const pass = async (o: {
    heartbeat: boolean;
    config: boolean;
    signal: AbortSignal;
    onProgress?: (p: SyncProgress) => void;
    maxBatches?: number;
  }): Promise<PassResult> => {
    const started = clock.now();
    const c = context();
    if (!c)
      return {
        ...emptyResult(false, started),
        ok: false,
        failure: localFailure('not_enrolled', 'this kiosk is not enrolled with a central service'),
      };
    const result = emptyResult(true, started);
    const fail = (f: PassFailure): PassResult => ({
      ...result,
      ok: false,
      failure: f,
      queueDepth: queueDepth(db),
      configVersion: host.configVersion(),
      durationMs: clock.now() - started,
    });
    if ('ok' in c) return fail(c);
    const signer = { deviceId: host.deviceId, privateKey: c.privateKey };
    const aborted = () =>
      fail(failure({ ok: false, kind: 'transient', code: 'aborted', status: null, message: 'stopped' }));

    // 1. Heartbeat: the probe, the status report, and central's view of what it already holds.
    if (o.heartbeat) {
      o.onProgress?.({ phase: 'heartbeat', total: queueDepth(db), done: 0 });
      const hb: Heartbeat = {
        deviceId: host.deviceId,
        clock: iso(clock.now()),
        appVersion: version.slice(0, 40),
        configVersion: host.configVersion().slice(0, 80),
        lastSeq: lastSeq(db),
        lastAckedSeq: ackedThrough(db),
        queueDepth: queueDepth(db),
        freeDiskBytes: await freeDisk(),
        procedureCode: host.procedureCode(),
      };
      const sentAt = clock.now();
      const r = await c.client.heartbeat(hb, signer, o.signal);
      if (o.signal.aborted) return aborted();
      if (r.ok) {
        const receivedAt = clock.now();
        const drift = (sentAt + receivedAt) / 2 - Date.parse(r.reply.serverTime);
        const before = queueDepth(db);
        recordHeartbeat(db, iso(receivedAt), drift);
        recordCentralContiguous(db, r.reply.highestContiguousSeq, iso(receivedAt));
        result.skippedByCentral = before - queueDepth(db);
        if (r.reply.highestContiguousSeq > hb.lastSeq) {
          log(
            'warn',
            `central holds seq 1..${r.reply.highestContiguousSeq} but this kiosk has only 1..${hb.lastSeq} (database restored from an old backup?)`,
          );
        }
        if (Math.abs(drift) > 2 * 60_000)
          log('warn', `the kiosk clock differs from central's by ${Math.round(drift / 1000)} s`);
        const wanted = r.reply.configVersion;
        if (wanted && wanted !== host.configVersion() && wanted !== refusedConfigVersion) configWanted = true;
        result.heartbeat = 'sent';
      } else {
        result.heartbeat = 'failed';
        // A reachable central whose heartbeat fails (5xx, odd reply) must not hold up the answers.
        const serverSide = r.code === 'bad_reply' || (r.status !== null && r.status >= 500);
        if (!serverSide) return fail(failure(r));
        log('warn', `heartbeat failed: ${r.message}`);
      }
    }

    // 2. Configuration: verified, validated, applied between respondents; a bad one is refused.
    if (o.config || configWanted) {
      o.onProgress?.({ phase: 'config', total: queueDepth(db), done: 0 });
      const r = await c.client.getConfig(host.configVersion(), signer, o.signal);
      if (o.signal.aborted) return aborted();
      if (!r.ok) {
        result.config = 'failed';
        log('warn', `configuration not fetched: ${r.message}`);
      } else if (r.notModified) {
        result.config = 'unchanged';
      } else {
        const verified = verifyPublishedConfig(r.doc, c.enrolment.centralPublicKey);
        if (!verified.ok) {
          result.config = 'refused';
          result.configProblems = verified.problems;
          refusedConfigVersion = verified.version ?? r.etag;
          recordConfigRefused(db, refusedConfigVersion, verified.problems, new Date(clock.now()));
          log('error', `configuration from central refused: ${verified.problems.join('; ')}`);
        } else if (verified.config.version === host.configVersion()) {
          result.config = 'unchanged';
        } else {
          const applied = host.applyPublishedConfig(verified.config);
          if (applied.ok) {
            result.config = 'applied';
            refusedConfigVersion = null;
            log('info', `configuration ${verified.config.version} from central applied (from the next respondent)`);
          } else {
            result.config = 'refused';
            result.configProblems = applied.problems;
            refusedConfigVersion = verified.config.version;
            recordConfigRefused(db, verified.config.version, applied.problems, new Date(clock.now()));
            log(
              'error',
              `configuration ${verified.config.version} from central refused: ${applied.problems.join('; ')}`,
            );
          }
        }
        configWanted = false;
      }
      if (r.ok) configWanted = false;
    }

    // 3. Batches, lowest unacknowledged seq first, one in flight (and the next one prepared meanwhile).
    const ahead = batchAhead(c.builder);
    try {
      const total = queueDepth(db);
      let done = 0;
      for (;;) {
        if (o.signal.aborted) return aborted();
        if (o.maxBatches !== undefined && result.batches >= o.maxBatches) break;
        const run = nextUnackedRun(db);
        if (!run) break;
        let batch;
        try {
          batch = await ahead.take(run);
        } catch (e) {
          if (e instanceof BatchBuildError) return fail(localFailure(e.code, e.message));
          throw e;
        }
        const info = {
          batchId: batch.batchId,
          seqFrom: batch.seqFrom,
          seqTo: batch.seqTo,
          count: batch.count,
          bytes: batch.body.length,
        };
        o.onProgress?.({ phase: 'sending', total, done, batch: { ...info, inserted: 0, duplicates: 0, conflicts: 0 } });
        const sending = c.client.postBatch(batch.body, o.signal);
        if (o.maxBatches === undefined || result.batches + 1 < o.maxBatches) ahead.prepareAfter(batch, run);
        const r = await sending;
        if (o.signal.aborted) return aborted();
        if (!r.ok) {
          ahead.drop();
          if (r.kind === 'too_large' && c.builder.limits.maxCount > 1) {
            const smaller = c.builder.shrink();
            log(
              'warn',
              `central (or a proxy) refused a ${batch.body.length}-byte batch of ${batch.count}; trying batches of ${smaller}`,
            );
            continue;
          }
          return fail(failure(r));
        }
        const ack = r.ack;
        if (ack.batchId !== batch.batchId || ack.deviceId !== host.deviceId || ack.received !== batch.count) {
          return fail(
            failure({
              ok: false,
              kind: 'transient',
              code: 'bad_reply',
              status: 200,
              message: `the acknowledgement does not match the batch sent (batch ${ack.batchId}/${batch.batchId}, device ${ack.deviceId}, received ${ack.received}/${batch.count})`,
            }),
          );
        }
        recordAck(db, ack, { from: batch.seqFrom, to: batch.seqTo }, 'online', iso(clock.now()));
        result.batches++;
        result.responses += batch.count;
        result.inserted += ack.inserted;
        result.duplicates += ack.duplicates;
        result.conflicts += ack.conflicts.length;
        done += batch.count;
        if (ack.conflicts.length > 0)
          log(
            'warn',
            `central reported ${ack.conflicts.length} conflicting response(s) in seq ${batch.seqFrom}..${batch.seqTo}`,
            { conflicts: ack.conflicts },
          );
        o.onProgress?.({
          phase: 'acked',
          total,
          done,
          batch: { ...info, inserted: ack.inserted, duplicates: ack.duplicates, conflicts: ack.conflicts.length },
        });
      }
      const finished = {
        ...result,
        queueDepth: queueDepth(db),
        configVersion: host.configVersion(),
        durationMs: clock.now() - started,
      };
      o.onProgress?.({ phase: 'done', total, done });
      return finished;
    } finally {
      ahead.drop();
    }
  };

  /** Records a pass's outcome and returns the delay before the next attempt. */
  const settle = (r: PassResult, idleDelayMs: number | null): number | null => {
    const at = clock.now();
    settledAt = at;
    if (r.heartbeat === 'sent') nextHeartbeatAt = at + heartbeatMs;
    if (r.config === 'unchanged' || r.config === 'applied' || r.config === 'refused') nextConfigAt = at + configMs;
    else if (r.config === 'failed') nextConfigAt = at + Math.min(configMs, 5 * 60_000);
    if (!r.enrolled) {
      state = 'not_enrolled';
      return idleDelayMs;
    }
    if (!r.failure) {
      failures = 0;
      state = running ? 'idle' : 'stopped';
      recordAttemptSuccess(db, iso(at), idleDelayMs === null ? undefined : iso(at + idleDelayMs));
      return idleDelayMs;
    }
    if (r.failure.code === 'aborted') {
      state = running ? 'idle' : 'stopped';
      return null;
    }
    failures++;
    const refused = r.failure.kind !== 'transient';
    const delay = refused ? policy.capMs : backoffDelay(failures, random, policy, r.failure.retryAfterMs);
    state = refused ? 'needs_attention' : 'retrying';
    // Only the background loop owns the schedule; a one-off pass (kioskctl) leaves it as it is.
    recordAttemptFailure(
      db,
      { code: r.failure.code, message: r.failure.message, status: r.failure.status, at: iso(at) },
      failures,
      running ? iso(at + delay) : undefined,
    );
    const level = refused ? 'error' : 'warn';
    log(
      level,
      `sync attempt ${failures} failed (${r.failure.code}): ${r.failure.message}; next try in ${Math.round(delay / 1000)} s`,
    );
    return delay;
  };

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

  const loop = async (): Promise<void> => {
    let nextAt = clock.now();
    while (running) {
      const wait = nextAt - clock.now();
      if (wait > 0 && !forced) {
        nextAttemptAt = nextAt;
        wakeController = new AbortController();
        const signal = AbortSignal.any([stopController.signal, wakeController.signal]);
        if (state === 'needs_attention') {
          // A refusal waits for the cap; a new enrolment (kioskctl enroll, from another process) ends the wait.
          const stamp = enrolmentStamp();
          const step = Math.max(pollMs, 5_000);
          while (running && !forced && !signal.aborted && clock.now() < nextAt) {
            await clock.sleep(Math.min(step, nextAt - clock.now()), signal);
            if (enrolmentStamp() !== stamp) forced = true;
          }
        } else {
          await clock.sleep(wait, signal);
        }
      }
      if (!running) break;
      const now = clock.now();
      if (!forced && now < nextAt) continue;
      const wasForced = forced;
      forced = false;
      if (!readEnrolment(db)) {
        state = 'not_enrolled';
        nextAt = now + pollMs;
        continue;
      }
      const heartbeatDue = wasForced || now >= nextHeartbeatAt;
      const configDue = now >= nextConfigAt || configWanted;
      if (!heartbeatDue && !configDue && queueDepth(db) === 0) {
        if (state !== 'needs_attention' && state !== 'retrying') state = 'idle';
        nextAt = now + pollMs;
        continue;
      }
      state = 'syncing';
      nextAttemptAt = null;
      let r: PassResult;
      try {
        r = await exclusive(() => pass({ heartbeat: heartbeatDue, config: configDue, signal: stopController.signal }));
      } catch (e) {
        // A bug or a database failure: report it, back off, keep the loop alive.
        r = {
          ...emptyResult(true, now),
          ok: false,
          failure: failure({
            ok: false,
            kind: 'transient',
            code: 'internal',
            status: null,
            message: errorMessage(e),
          }),
        };
      }
      if (!running) break;
      const delay = settle(r, pollMs) ?? pollMs;
      nextAt = settledAt + delay;
      nextAttemptAt = nextAt;
      notify();
    }
    state = 'stopped';
    nextAttemptAt = null;
  };

  const engine: SyncEngine = {
    get running() {
      return running;
    },
    start: () => {
      if (running) return;
      running = true;
      stopController = new AbortController();
      state = readEnrolment(db) ? 'idle' : 'not_enrolled';
      loopDone = loop().catch((e: unknown) => {
        log('error', `sync loop ended: ${errorMessage(e)}`);
        running = false;
        state = 'stopped';
      });
    },
    stop: async () => {
      running = false;
      stopController.abort();
      await loopDone;
      await exclusiveTail;
      http?.close();
      http = undefined;
      ctx = undefined;
      state = 'stopped';
      // runOnce still works after stop (kioskctl, tests); start() makes its own controller too.
      stopController = new AbortController();
    },
    wake: () => {
      forced = true;
      wakeController.abort();
    },
    runOnce: (o = {}) =>
      exclusive(async () => {
        const signal = o.signal ? AbortSignal.any([o.signal, stopController.signal]) : stopController.signal;
        let merged: PassResult | undefined;
        for (let attempt = 0; ; attempt++) {
          state = 'syncing';
          const r = await pass({
            heartbeat: o.heartbeat ?? true,
            config: o.config ?? true,
            signal,
            onProgress: o.onProgress,
            maxBatches: o.maxBatches,
          });
          merged = merged ? mergeResults(merged, r) : r;
          const delay = settle(r, running ? pollMs : null);
          notify();
          const transient = r.failure?.kind === 'transient' && r.failure.code !== 'aborted';
          if (!transient || attempt >= (o.retries ?? 0) || signal.aborted) return merged;
          await clock.sleep(delay ?? 0, signal);
          if (signal.aborted) return merged;
        }
      }),
    status: () =>
      readStatus(db, {
        state,
        nextAttemptAt: nextAttemptAt === null ? (running ? null : undefined) : iso(nextAttemptAt),
      }),
  };
  return engine;
};

const mergeResults = (a: PassResult, b: PassResult): PassResult => ({
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
