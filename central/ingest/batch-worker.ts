/**
 * The ingest worker thread's entry (bundled and started by worker-pool.ts): opens one batch per
 * message with openEnvelope and answers with the envelope or the protocol error. Runs nothing else.
 */
import { parentPort } from 'node:worker_threads';
import { errorMessage } from '../../shared/error-message.ts';
import { SyncError } from '../errors.ts';
import { type DeviceKey, openEnvelope } from './open-envelope.ts';
import type { WorkerAnswer } from './worker-pool.ts';

type Job = { id: number; body: Uint8Array; device: DeviceKey };

const port = parentPort;
if (!port) throw new Error('batch-worker.ts runs only as a worker thread');

port.on('message', (job: Job) => {
  openEnvelope(job.body, job.device).then(
    (envelope) => port.postMessage({ id: job.id, ok: true, envelope } satisfies WorkerAnswer),
    (e: unknown) => {
      const error =
        e instanceof SyncError
          ? { code: e.code, message: e.message, extra: e.extra }
          : { code: 'internal' as const, message: `ingest worker: ${errorMessage(e)}`, extra: {} };
      port.postMessage({ id: job.id, ok: false, error } satisfies WorkerAnswer);
    },
  );
});
