import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { build } from 'esbuild';
import type { BatchEnvelope, SyncErrorCode } from '../../shared/sync.ts';
import { SyncError } from '../errors.ts';
import { fairQueue } from './fair-queue.ts';
import { type DeviceKey, openEnvelope } from './open-envelope.ts';

/** Opens a batch body for a known signer: in worker threads (the server) or in this thread (tests, tools). */
export type BatchOpener = {
  /** `source` is who sent it (the client address): the queue takes turns between sources. */
  open: (body: Uint8Array, device: DeviceKey, source: string) => Promise<BatchEnvelope>;
};

/** Same checks, on the calling thread: for callers that are not a server answering the network. */
export const inlineOpener: BatchOpener = { open: (body, device) => openEnvelope(body, device) };

export type WorkerAnswer =
  | { id: number; ok: true; envelope: BatchEnvelope }
  | { id: number; ok: false; error: { code: SyncErrorCode; message: string; extra: SyncError['extra'] } };

export type IngestPoolOptions = {
  /** Worker threads (default: the cores, at most 2). */
  workers: number;
  /** Compressed bytes waiting for a worker, all sources together; more is 503 server_busy. */
  maxQueuedBytes: number;
  /** Share of maxQueuedBytes one source (address) may hold waiting, so one sender cannot fill the queue. */
  perSourceShare: number;
  /**
   * Jobs one source may have waiting: what a job costs is not known from its compressed size (25 KB
   * can carry the largest batch there is), so a sender's backlog is bounded by count too. An office
   * with many kiosks behind one address, or the bench's fleet, raises it.
   */
  perSourceJobs: number;
  /**
   * After a job from a source is refused (bad signature, bad shape, too large), that source's next job
   * waits this many times the worker time the refused one took: a sender of bodies that fail costs the
   * workers at most 1 / (1 + penalty) of one worker's time, while a sender whose batches verify
   * (a kiosk) is never held back. An honest kiosk's rare refusal (a 10 ms batch) costs it 10 × that.
   */
  refusalPenalty: number;
  /** A job running longer is stopped (its worker replaced) and answered 503. */
  jobTimeoutMs: number;
  /** V8 old-generation limit of each worker: a batch that needs more is 413, not the server's memory. */
  maxHeapMb: number;
};

export const defaultIngestWorkers = (): number => Math.max(1, Math.min(2, availableParallelism()));

export const DEFAULT_INGEST_POOL: IngestPoolOptions = {
  workers: defaultIngestWorkers(),
  maxQueuedBytes: 64 * 1024 * 1024,
  perSourceShare: 0.5,
  perSourceJobs: 32,
  refusalPenalty: 10,
  jobTimeoutMs: 30_000,
  maxHeapMb: 512,
};

export type IngestPool = BatchOpener & {
  /** Jobs handed to a worker so far, and what is waiting now (tests and the bench read these). */
  stats: () => { started: number; queued: number; queuedBytes: number; busy: number };
  close: () => Promise<void>;
};

type Job = {
  id: number;
  startedAt: number;
  body: Uint8Array;
  device: DeviceKey;
  source: string;
  resolve: (e: BatchEnvelope) => void;
  reject: (e: SyncError) => void;
};
type Slot = { worker: Worker; job: Job | null; timer: NodeJS.Timeout | null; dead: boolean };

/** Refusals that are the sender's fault (as opposed to the server's own trouble). */
const CLIENT_FAULTS: ReadonlySet<SyncErrorCode> = new Set([
  'invalid_body',
  'bad_signature',
  'too_large',
  'unsupported_protocol',
]);

const busy = (message: string): SyncError =>
  new SyncError('server_busy', `${message}; nothing was stored, retry shortly`, { retryAfterSeconds: 2 });

/** The worker's code, bundled once per process: runs the same whether this process runs TypeScript or not. */
let workerCode: Promise<string> | undefined;
const bundleWorker = (): Promise<string> =>
  (workerCode ??= build({
    entryPoints: [fileURLToPath(new URL('./batch-worker.ts', import.meta.url))],
    bundle: true,
    write: false,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    logLevel: 'error',
  }).then((r) => r.outputFiles[0]!.text));

/** What a worker slot reports to its pool. */
type SlotEvents = {
  answered: (slot: Slot, answer: WorkerAnswer) => void;
  /** The worker failed, ran out of memory or exited: `e` answers the job it held. */
  lost: (slot: Slot, e: SyncError) => void;
};

/** Starts one worker thread (limited to `maxHeapMb` of heap) and routes what it says to the pool. */
const spawnSlot = (code: string, maxHeapMb: number, events: SlotEvents): Slot => {
  const slot: Slot = {
    worker: new Worker(code, { eval: true, resourceLimits: { maxOldGenerationSizeMb: maxHeapMb } }),
    job: null,
    timer: null,
    dead: false,
  };
  slot.worker.on('message', (answer: WorkerAnswer) => events.answered(slot, answer));
  slot.worker.on('error', (e: Error & { code?: string }) =>
    events.lost(
      slot,
      e.code === 'ERR_WORKER_OUT_OF_MEMORY'
        ? new SyncError('too_large', `the batch needs more than ${maxHeapMb} MB to open`)
        : new SyncError('internal', `ingest worker failed: ${e.message}`),
    ),
  );
  slot.worker.on('exit', () => events.lost(slot, busy('the ingest worker stopped')));
  return slot;
};

/**
 * A small pool of worker threads for the heavy part of an ingest (gunzip, limit-checked parse,
 * signature). The queue (fair-queue.ts) holds at most `maxQueuedBytes` of bodies, takes turns between
 * sources (one address sending many bodies waits behind itself, not in front of everyone else), and
 * answers 503 with Retry-After when full, before any work is done.
 */
export const startIngestPool = async (options: Partial<IngestPoolOptions> = {}): Promise<IngestPool> => {
  const o: IngestPoolOptions = { ...DEFAULT_INGEST_POOL, ...options };
  if (!Number.isInteger(o.workers) || o.workers < 1) throw new Error(`ingest workers must be ≥ 1, got ${o.workers}`);
  const code = await bundleWorker();
  const queue = fairQueue<Job>(o, () => dispatch());
  let started = 0;
  let nextId = 1;
  let closed = false;

  const finish = (slot: Slot) => {
    if (slot.job) queue.ended(slot.job.source);
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = null;
    slot.job = null;
  };

  /** Ends a worker that failed, stalled or exited: answers its job, and puts a fresh worker in its place. */
  let lostInARow = 0;
  const replace = (slot: Slot, e: SyncError) => {
    const job = slot.job;
    finish(slot);
    slot.dead = true;
    slot.worker.removeAllListeners();
    slot.worker.on('error', () => {});
    void slot.worker.terminate();
    job?.reject(e);
    if (closed) return;
    // A worker that cannot even start would otherwise be respawned in a tight loop.
    const delay = ++lostInARow > 3 ? 1000 : 0;
    setTimeout(() => {
      if (closed) return;
      slots[slots.indexOf(slot)] = spawn();
      dispatch();
    }, delay).unref();
  };

  const answered = (slot: Slot, answer: WorkerAnswer) => {
    const job = slot.job;
    if (!job || answer.id !== job.id) return;
    lostInARow = 0;
    finish(slot);
    if (answer.ok) job.resolve(answer.envelope);
    else {
      if (CLIENT_FAULTS.has(answer.error.code)) queue.holdBack(job.source, job.startedAt);
      job.reject(new SyncError(answer.error.code, answer.error.message, answer.error.extra));
    }
    dispatch();
  };

  const spawn = (): Slot => spawnSlot(code, o.maxHeapMb, { answered, lost: replace });

  /** Hands waiting jobs to idle workers, each with its time limit. */
  const dispatch = () => {
    for (const slot of slots) {
      if (slot.job || slot.dead) continue;
      const job = queue.take();
      if (!job) return;
      slot.job = job;
      job.startedAt = performance.now();
      started++;
      slot.timer = setTimeout(() => {
        if (slot.job === job) replace(slot, busy(`opening the batch took over ${o.jobTimeoutMs} ms`));
      }, o.jobTimeoutMs);
      // The body is a copy whose memory moves to the worker (no second copy on the way).
      slot.worker.postMessage({ id: job.id, body: job.body, device: job.device }, [job.body.buffer as ArrayBuffer]);
    }
  };

  const slots: Slot[] = Array.from({ length: o.workers }, spawn);

  return {
    open: (body, device, source) => {
      if (closed) return Promise.reject(busy('the server is stopping'));
      const refused = queue.refusal(body.length, source);
      if (refused) return Promise.reject(busy(refused));
      return new Promise<BatchEnvelope>((resolve, reject) => {
        queue.add({ id: nextId++, startedAt: 0, body: new Uint8Array(body), device, source, resolve, reject });
        dispatch();
      });
    },
    stats: () => ({ started, ...queue.counts(), busy: slots.filter((s) => s.job).length }),
    close: async () => {
      closed = true;
      for (const job of queue.drain()) job.reject(busy('the server is stopping'));
      await Promise.all(
        slots.map(async (slot) => {
          slot.job?.reject(busy('the server is stopping'));
          finish(slot);
          slot.worker.removeAllListeners();
          await slot.worker.terminate();
        }),
      );
    },
  };
};
