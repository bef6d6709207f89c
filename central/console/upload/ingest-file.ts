import type { BatchAck } from '../../../shared/sync.ts';
import { LIMITS } from '../../../shared/sync.ts';
import type { CentralDb } from '../../db/types.ts';
import { SyncError } from '../../errors.ts';
import { openBatch } from '../../ingest/open-batch.ts';
import type { BatchOpener } from '../../ingest/worker-pool.ts';
import { storeBatch } from '../../ingest/store-batch.ts';
import { audit } from '../audit.ts';

/**
 * One uploaded .kbatch through the SAME ingest as POST /v1/batches (open: size, gunzip bound,
 * signer, signature, envelope; store: one transaction), recorded as arriving by file. Whatever is
 * refused stores nothing; the result says why in the protocol's own words.
 */
export type RejectCode = 'wrong_type' | 'too_large' | 'empty' | SyncError['code'];

export type FileResult =
  | {
      file: string;
      status: 'new' | 'duplicate' | 'conflicts';
      deviceId: string;
      seqFrom: number;
      seqTo: number;
      received: number;
      inserted: number;
      duplicates: number;
      conflicts: BatchAck['conflicts'];
      highestContiguousSeq: number;
    }
  | { file: string; status: 'rejected'; code: RejectCode; message: string; field?: string };

export const KBATCH_EXTENSION = /\.kbatch$/i;
export const MAX_KBATCH_BYTES = LIMITS.maxCompressedBytes;

/** A file refused before its bytes are looked at (wrong name, over the size limit). */
export const refusedFile = (file: string, code: 'wrong_type' | 'too_large' | 'empty', size?: number): FileResult => ({
  file,
  status: 'rejected',
  code,
  message:
    code === 'wrong_type'
      ? 'not a .kbatch file'
      : code === 'empty'
        ? 'the file is empty'
        : `the file is over ${MAX_KBATCH_BYTES} bytes${size !== undefined ? ` (${size})` : ''}; a .kbatch is at most that`,
});

export const ingestKbatch = async (
  db: CentralDb,
  input: {
    file: string;
    bytes: Uint8Array;
    now: Date;
    username: string;
    ip: string | null;
    /** The server's worker pool (RouteContext.ingest); in this thread when absent. */
    opener?: BatchOpener;
  },
): Promise<FileResult> => {
  const { file, bytes, now } = input;
  let result: FileResult;
  if (!KBATCH_EXTENSION.test(file)) result = refusedFile(file, 'wrong_type');
  else if (bytes.length === 0) result = refusedFile(file, 'empty');
  else if (bytes.length > MAX_KBATCH_BYTES) result = refusedFile(file, 'too_large', bytes.length);
  else {
    try {
      const { envelope } = await openBatch(db, bytes, input.opener, input.ip ?? 'console');
      const ack = await storeBatch(db, envelope, 'file', now);
      result = {
        file,
        status: ack.conflicts.length > 0 ? 'conflicts' : ack.inserted > 0 ? 'new' : 'duplicate',
        deviceId: ack.deviceId,
        seqFrom: envelope.seqFrom,
        seqTo: envelope.seqTo,
        received: ack.received,
        inserted: ack.inserted,
        duplicates: ack.duplicates,
        conflicts: ack.conflicts,
        highestContiguousSeq: ack.highestContiguousSeq,
      };
    } catch (e) {
      const err =
        e instanceof SyncError ? e : new SyncError('internal', 'internal error; nothing from this file was stored');
      if (err.code === 'internal')
        console.error(`central console: upload of ${file} failed: ${(e as Error).stack ?? String(e)}`);
      result = {
        file,
        status: 'rejected',
        code: err.code,
        message: err.message,
        ...(err.extra.field !== undefined ? { field: err.extra.field } : {}),
      };
    }
  }
  const detail =
    result.status === 'rejected'
      ? { file, code: result.code, message: result.message }
      : {
          file,
          deviceId: result.deviceId,
          seqFrom: result.seqFrom,
          seqTo: result.seqTo,
          inserted: result.inserted,
          duplicates: result.duplicates,
          conflicts: result.conflicts.length,
        };
  await audit(db, {
    username: input.username,
    action: result.status === 'rejected' ? 'batch_refused' : 'batch_uploaded',
    detail,
    ip: input.ip,
    at: now,
  });
  return result;
};
