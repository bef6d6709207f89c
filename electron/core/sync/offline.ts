import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { Database } from 'better-sqlite3';
import { canonicalJson } from '../../../shared/canonical.ts';
import {
  decodeSignedDocument,
  openSigned,
  publicKeyFrom,
  privateKeyFrom,
  sha256Hex,
} from '../../../shared/node/signing.ts';
import { type BatchAck, BatchEnvelope, LIMITS } from '../../../shared/sync.ts';
import { listResponses } from '../store/responses.ts';
import { type BackoffPolicy, backoffDelay } from './backoff.ts';
import { BatchBuildError, type BatchLimits, createBatchBuilder } from './batch-builder.ts';
import { type CallFailure, type Timeouts, createCentralClient } from './client.ts';
import { type KeyProtector, readDeviceKey, writeFileDurably } from './device-key.ts';
import { readEnrolment } from './enrolment.ts';
import { createHttpClient } from './http.ts';
import { describeSyncError } from './status.ts';
import { lastSeq, nextUnackedRun, recordAck, recordExport } from './sync-store.ts';

/**
 * The offline path (docs/sync-protocol.md, "Batches"): `.kbatch` files for a USB stick, with the
 * same bytes as the HTTP body, verified by reading them back; and their upload to central through the
 * same ingest as the online path, so a batch that later also arrives online is only a duplicate.
 */

export const kbatchFileName = (deviceId: string, seqFrom: number, seqTo: number): string =>
  `${deviceId}-${seqFrom}-${seqTo}.kbatch`;

export type ExportProgress = {
  file: string;
  seqFrom: number;
  seqTo: number;
  count: number;
  bytes: number;
  done: number;
  total: number;
};
export type ExportedFile = {
  file: string;
  batchId: string;
  seqFrom: number;
  seqTo: number;
  count: number;
  bytes: number;
  sha256: string;
};
export type ExportResult = {
  ok: boolean;
  files: ExportedFile[];
  responses: number;
  bytes: number;
  /** Set when the export stopped early: what went wrong and on which file or seq. */
  error: { code: string; message: string } | null;
};

export type ExportOptions = {
  db: Database;
  deviceId: string;
  dataDir: string;
  outDir: string;
  protector?: KeyProtector;
  limits?: Partial<BatchLimits>;
  pageSize?: number;
  /** Export from this seq (acknowledged or not) instead of the unacknowledged responses only. */
  fromSeq?: number;
  now?: () => number;
  onProgress?: (p: ExportProgress) => void;
};

/** Reads a .kbatch back and checks it against the database: decode, signature, schema, ids, seqs and content. */
export const verifyKbatch = (
  db: Database,
  deviceId: string,
  publicKey: string,
  file: string,
  expected: { batchId: string; seqFrom: number; seqTo: number },
): string | null => {
  const bytes = readFileSync(file);
  const decoded = decodeSignedDocument(bytes);
  if (!decoded.ok) return `${decoded.reason}: ${decoded.message}`;
  const doc = decoded.doc;
  if (doc.format !== 'kbatch' || doc.signer !== deviceId) return `document is ${doc.format} signed by ${doc.signer}`;
  const opened = openSigned(doc, publicKeyFrom(publicKey));
  if (!opened.ok) return `${opened.reason}: ${opened.message}`;
  const envelope = BatchEnvelope.safeParse(opened.value);
  if (!envelope.success)
    return `envelope does not fit the schema at ${envelope.error.issues[0]?.path.join('.')}: ${envelope.error.issues[0]?.message}`;
  const e = envelope.data;
  if (
    e.batchId !== expected.batchId ||
    e.seqFrom !== expected.seqFrom ||
    e.seqTo !== expected.seqTo ||
    e.deviceId !== deviceId
  ) {
    return `envelope is batch ${e.batchId} seq ${e.seqFrom}..${e.seqTo}, expected ${expected.batchId} seq ${expected.seqFrom}..${expected.seqTo}`;
  }
  const rows = listResponses(db, deviceId, { sinceSeq: e.seqFrom - 1, limit: e.seqTo - e.seqFrom + 1 });
  if (rows.length !== e.responses.length)
    return `the database has ${rows.length} responses for seq ${e.seqFrom}..${e.seqTo}, the file ${e.responses.length}`;
  for (let i = 0; i < rows.length; i++) {
    const a = rows[i]!;
    const b = e.responses[i]!;
    if (a.id !== b.id || a.seq !== b.seq)
      return `response ${i} is ${b.id} seq ${b.seq} in the file, ${a.id} seq ${a.seq} in the database`;
    if (canonicalJson(a) !== canonicalJson(b)) return `response ${b.id} (seq ${b.seq}) differs from the database`;
  }
  return null;
};

/**
 * Writes the unacknowledged responses (or all from `fromSeq`) as signed .kbatch files in `outDir`:
 * each written to a temp file, fsync'd, renamed, the directory fsync'd, then read back and verified
 * before the next. A file that fails verification is removed and the export stops.
 */
export const exportBatches = async (o: ExportOptions): Promise<ExportResult> => {
  const result: ExportResult = { ok: true, files: [], responses: 0, bytes: 0, error: null };
  const stop = (code: string, message: string): ExportResult => ({ ...result, ok: false, error: { code, message } });
  const key = readDeviceKey(o.dataDir, o.deviceId, o.protector);
  if (!key)
    return stop(
      'device_key',
      `this kiosk has no device key in ${o.dataDir}: enrol it first (kioskctl enroll), so central can verify its files`,
    );
  const enrolment = readEnrolment(o.db);
  if (enrolment && enrolment.publicKey !== key.publicKey)
    return stop('device_key', 'the device key file does not match the enrolled key; enrol again');
  const outDir = resolve(o.outDir);
  mkdirSync(outDir, { recursive: true });
  const builder = createBatchBuilder({
    db: o.db,
    deviceId: o.deviceId,
    privateKey: privateKeyFrom(key.privateKey),
    limits: o.limits,
    pageSize: o.pageSize,
    now: o.now,
  });

  const last = lastSeq(o.db);
  const all = o.fromSeq !== undefined;
  const next = (cursor: number) =>
    all ? (cursor <= last ? { from: cursor, to: last } : undefined) : nextUnackedRun(o.db, cursor);
  // The total for progress: the responses in every run still to export.
  let total = 0;
  for (let r = next(all ? Math.max(1, o.fromSeq!) : 1); r; r = next(r.to + 1)) total += r.to - r.from + 1;

  let cursor = all ? Math.max(1, o.fromSeq!) : 1;
  for (let run = next(cursor); run; run = next(cursor)) {
    let batch;
    try {
      batch = await builder.build(run.from, run.to);
    } catch (e) {
      if (e instanceof BatchBuildError) return stop(e.code, e.message);
      throw e;
    }
    const name = kbatchFileName(o.deviceId, batch.seqFrom, batch.seqTo);
    const file = join(outDir, name);
    try {
      writeFileDurably(file, batch.body);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      const why =
        err.code === 'ENOSPC'
          ? 'the target disk is full'
          : err.code === 'EROFS'
            ? 'the target is read-only'
            : err.message;
      return stop('write_failed', `${file}: ${why}`);
    }
    const problem = verifyKbatch(o.db, o.deviceId, key.publicKey, file, batch);
    if (problem) {
      rmSync(file, { force: true });
      return stop('verify_failed', `${name} failed verification after writing (${problem}); removed`);
    }
    const sha256 = sha256Hex(batch.body);
    const createdAt = new Date((o.now ?? Date.now)()).toISOString();
    recordExport(o.db, {
      file,
      batchId: batch.batchId,
      seqFrom: batch.seqFrom,
      seqTo: batch.seqTo,
      bytes: batch.body.length,
      sha256,
      createdAt,
    });
    result.files.push({
      file,
      batchId: batch.batchId,
      seqFrom: batch.seqFrom,
      seqTo: batch.seqTo,
      count: batch.count,
      bytes: batch.body.length,
      sha256,
    });
    result.responses += batch.count;
    result.bytes += batch.body.length;
    o.onProgress?.({
      file,
      seqFrom: batch.seqFrom,
      seqTo: batch.seqTo,
      count: batch.count,
      bytes: batch.body.length,
      done: result.responses,
      total,
    });
    cursor = batch.seqTo + 1;
  }
  return result;
};

export type UploadFileResult =
  | { file: string; ok: true; ack: BatchAck; recorded: boolean }
  | { file: string; ok: false; code: string; status: number | null; message: string; field?: string; meaning: string };

export type UploadOptions = {
  files: string[];
  centralUrl: string;
  timeouts?: Partial<Timeouts>;
  /** Extra tries per file after a network error, 5xx or 429 (default 2). */
  retries?: number;
  backoff?: Partial<BackoffPolicy>;
  random?: () => number;
  /** When run on the kiosk itself: acknowledged ranges are recorded in its database too. */
  db?: Database;
  deviceId?: string;
  onResult?: (r: UploadFileResult) => void;
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The seq range a .kbatch claims (unverified: only used to record central's ack locally). */
const claimedRange = (bytes: Buffer): { deviceId: string; seqFrom: number; seqTo: number } | undefined => {
  const decoded = decodeSignedDocument(bytes);
  if (!decoded.ok) return undefined;
  try {
    const v = JSON.parse(Buffer.from(decoded.doc.payload, 'base64url').toString('utf8')) as {
      deviceId?: unknown;
      seqFrom?: unknown;
      seqTo?: unknown;
    };
    if (typeof v.deviceId === 'string' && typeof v.seqFrom === 'number' && typeof v.seqTo === 'number')
      return { deviceId: v.deviceId, seqFrom: v.seqFrom, seqTo: v.seqTo };
  } catch {
    // unreadable: central's answer says why
  }
  return undefined;
};

/** Sends .kbatch files to POST /v1/batches, one at a time, and reports per file. */
export const uploadFiles = async (o: UploadOptions): Promise<UploadFileResult[]> => {
  const http = createHttpClient();
  const policy = { baseMs: 1_000, capMs: 30_000, maxRetryAfterMs: 5 * 60_000, ...o.backoff };
  const random = o.random ?? Math.random;
  const results: UploadFileResult[] = [];
  try {
    const client = createCentralClient({ centralUrl: o.centralUrl, http, timeouts: o.timeouts });
    for (const file of o.files) {
      const name = resolve(file);
      const report = (r: UploadFileResult) => {
        results.push(r);
        o.onResult?.(r);
      };
      const refuse = (code: string, message: string, status: number | null = null, field?: string) =>
        report({
          file: name,
          ok: false,
          code,
          status,
          message,
          ...(field !== undefined ? { field } : {}),
          meaning: describeSyncError(code, status).meaning,
        });
      if (!existsSync(name)) {
        refuse('not_found', `${basename(name)}: no such file`);
        continue;
      }
      const size = statSync(name).size;
      if (size > LIMITS.maxCompressedBytes) {
        refuse(
          'too_large',
          `${basename(name)} is ${size} bytes, over the ${LIMITS.maxCompressedBytes}-byte limit: not a kiosk batch`,
        );
        continue;
      }
      const body = readFileSync(name);
      let outcome: Awaited<ReturnType<typeof client.postBatch>> | undefined;
      for (let attempt = 0; ; attempt++) {
        outcome = await client.postBatch(body, undefined, 'file');
        if (outcome.ok || outcome.kind !== 'transient' || attempt >= (o.retries ?? 2)) break;
        await sleep(backoffDelay(attempt + 1, random, policy, outcome.retryAfterMs));
      }
      if (!outcome.ok) {
        const f: CallFailure = outcome;
        refuse(f.code, f.message, f.status, f.field);
        continue;
      }
      let recorded = false;
      const claimed = claimedRange(body);
      const matches =
        claimed &&
        claimed.deviceId === o.deviceId &&
        outcome.ack.deviceId === o.deviceId &&
        outcome.ack.received === claimed.seqTo - claimed.seqFrom + 1;
      if (o.db && o.deviceId && claimed && matches) {
        recordAck(o.db, outcome.ack, { from: claimed.seqFrom, to: claimed.seqTo }, 'upload', new Date().toISOString());
        recorded = true;
      }
      report({ file: name, ok: true, ack: outcome.ack, recorded });
    }
  } finally {
    http.close();
  }
  return results;
};
