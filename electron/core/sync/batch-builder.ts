import type { KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip as gzipCb } from 'node:zlib';
import type { Database } from 'better-sqlite3';
import { uuidv7 } from '../../../shared/ids.ts';
import { signBytes } from '../../../shared/node/signing.ts';
import type { StoredResponse } from '../../../shared/response.ts';
import { BatchEnvelope, LIMITS, PROTOCOL_VERSION, type Signed } from '../../../shared/sync.ts';
import { contactsInRange, listResponses } from '../store/responses.ts';

const gzip = promisify(gzipCb);

/**
 * Builds signed, gzip'd batches from the responses table: a contiguous run of the sequence starting
 * at the lowest unacknowledged seq, bounded by count and by compressed bytes. Rows are read in pages
 * (`pageSize`), and at most one batch is held in memory, so a six-month backlog costs no more memory
 * than a day's.
 *
 * Bytes: the signed payload travels as base64url inside the `Signed` JSON, and gzip of base64 text
 * compresses far less than gzip of the JSON itself; so the estimate starts from the worst case
 * (deflate never grows data by more than a few bytes per 16 KiB block) and then learns the ratio
 * seen on the batches actually encoded. Every encoded batch is measured; one over the limit is split
 * and encoded again, so the limit holds whatever the estimate said.
 */

export type BatchLimits = {
  /** At most LIMITS.maxResponsesPerBatch; lower it for slow links (smaller retries). */
  maxCount: number;
  /** Gzip'd body bytes (LIMITS.maxCompressedBytes). */
  maxCompressedBytes: number;
  /** Envelope JSON bytes, the signed payload (LIMITS.maxEnvelopeBytes). */
  maxEnvelopeBytes: number;
};

export const defaultLimits = (overrides: Partial<BatchLimits> = {}): BatchLimits => ({
  maxCount: Math.max(1, Math.min(overrides.maxCount ?? LIMITS.maxResponsesPerBatch, LIMITS.maxResponsesPerBatch)),
  maxCompressedBytes: Math.max(
    1024,
    Math.min(overrides.maxCompressedBytes ?? LIMITS.maxCompressedBytes, LIMITS.maxCompressedBytes),
  ),
  maxEnvelopeBytes: Math.max(
    1024,
    Math.min(overrides.maxEnvelopeBytes ?? LIMITS.maxEnvelopeBytes, LIMITS.maxEnvelopeBytes),
  ),
});

export type BuiltBatch = {
  batchId: string;
  seqFrom: number;
  seqTo: number;
  count: number;
  createdAt: string;
  /** Response ids in seq order (for verification and reporting). */
  ids: string[];
  /** The gzip'd `Signed` JSON: the HTTP body and the .kbatch file content. */
  body: Buffer;
  envelopeBytes: number;
};

export class BatchBuildError extends Error {
  constructor(
    readonly code: 'response_too_large' | 'response_invalid' | 'sequence_gap',
    message: string,
    readonly seq: number,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'BatchBuildError';
  }
}

export type BatchBuilderOptions = {
  db: Database;
  deviceId: string;
  privateKey: KeyObject;
  limits?: Partial<BatchLimits>;
  /** Rows read per query (default 250). */
  pageSize?: number;
  now?: () => number;
  /** Validate each envelope with the wire schema before signing (default true): a row central would refuse is reported here, by seq. */
  validate?: boolean;
  /** Starting guess for compressed/uncompressed (of the `Signed` JSON); default 1.0, the worst case. */
  initialRatio?: number;
  /** Test hook: every page read, with its size. */
  onPage?: (rows: number) => void;
};

/** Bytes of the envelope around the responses, and of the `Signed` JSON around the payload: generous upper bounds. */
const ENVELOPE_OVERHEAD = 320;
const SIGNED_OVERHEAD = 320;
const GZIP_OVERHEAD = 64;

export type BatchBuilder = {
  /** Builds the batch that starts at `from` and ends no later than `to` (inclusive). */
  build: (from: number, to: number) => Promise<BuiltBatch>;
  readonly limits: BatchLimits;
  /** Lowers the count bound (after a 413 from a proxy with a smaller body limit); returns the new bound. */
  shrink: () => number;
};

/** One response of a batch, with its sealed follow-up contact's JSON when the citizen gave one. */
type Part = { response: StoredResponse; json: string; contact?: string; bytes: number };

/** What paging rows out of SQLite needs: where to read, how many per query, and when the batch is full. */
type CollectOptions = {
  db: Database;
  deviceId: string;
  pageSize: number;
  limits: BatchLimits;
  /** Gzip'd body bytes expected for an envelope of this many JSON bytes (learned, so passed as a function). */
  estimateCompressed: (envelopeBytes: number) => number;
  onPage?: (rows: number) => void;
};

/** Reads rows from `from`, page by page, until the count or byte bound (estimated) is reached. */
const collectParts = (o: CollectOptions, from: number, to: number): Part[] => {
  const { limits } = o;
  const parts: Part[] = [];
  let envelopeBytes = ENVELOPE_OVERHEAD;
  let next = from;
  for (;;) {
    const want = Math.min(o.pageSize, limits.maxCount - parts.length, to - next + 1);
    if (want <= 0) return parts;
    const page = listResponses(o.db, o.deviceId, { sinceSeq: next - 1, limit: want });
    o.onPage?.(page.length);
    const contacts =
      page.length > 0 ? contactsInRange(o.db, page[0]!.seq, page.at(-1)!.seq) : new Map<string, string>();
    if (page.length === 0) {
      if (parts.length === 0)
        throw new BatchBuildError('sequence_gap', `no response with seq ${next} in the database`, next);
      return parts;
    }
    for (const response of page) {
      if (response.seq !== next) {
        if (parts.length > 0) return parts;
        throw new BatchBuildError(
          'sequence_gap',
          `the database has no response with seq ${next} (next is ${response.seq})`,
          next,
        );
      }
      const json = JSON.stringify(response);
      const contact = contacts.get(response.id);
      const bytes = Buffer.byteLength(json, 'utf8') + 1 + (contact === undefined ? 0 : Buffer.byteLength(contact) + 1);
      const grown = envelopeBytes + bytes;
      if (grown > limits.maxEnvelopeBytes || o.estimateCompressed(grown) > limits.maxCompressedBytes) {
        if (parts.length === 0) {
          throw new BatchBuildError(
            'response_too_large',
            `response seq ${response.seq} alone is over the batch size limit (${bytes} bytes of JSON)`,
            response.seq,
          );
        }
        return parts;
      }
      parts.push(contact === undefined ? { response, json, bytes } : { response, json, contact, bytes });
      envelopeBytes = grown;
      next++;
    }
    if (page.length < want) return parts;
  }
};

type EnvelopeHeader = { deviceId: string; batchId: string; seqFrom: number; seqTo: number; createdAt: string };

/** Checks the envelope against the wire schema, so a row central would refuse is reported here, by seq. */
const checkEnvelope = (header: EnvelopeHeader, parts: Part[]): void => {
  const contacts = parts.flatMap((p) => (p.contact === undefined ? [] : [JSON.parse(p.contact) as unknown]));
  const checked = BatchEnvelope.safeParse({
    protocol: PROTOCOL_VERSION,
    ...header,
    responses: parts.map((p) => p.response),
    ...(contacts.length > 0 && { contacts }),
  });
  if (checked.success) return;
  const issue = checked.error.issues[0]!;
  const index = issue.path[0] === 'responses' && typeof issue.path[1] === 'number' ? issue.path[1] : 0;
  const field = issue.path.join('.');
  const seq = parts[index]?.response.seq ?? header.seqFrom;
  throw new BatchBuildError(
    'response_invalid',
    `response seq ${seq} does not fit the wire schema at ${field || '(root)'}: ${issue.message}`,
    seq,
    field,
  );
};

/** The envelope's JSON signed into a `Signed` document, and that document's JSON gzip'd. */
const signAndGzip = async (
  header: EnvelopeHeader,
  parts: Part[],
  privateKey: KeyObject,
): Promise<{ payload: Buffer; signedJson: Buffer; body: Buffer }> => {
  const { deviceId, batchId, seqFrom, seqTo, createdAt } = header;
  // The envelope's JSON, assembled from the rows' JSON so each response is serialised once. Sealed
  // contacts travel beside the responses (absent when none, as from kiosks before follow-ups).
  const contacts = parts.flatMap((p) => (p.contact === undefined ? [] : [p.contact]));
  const envelopeJson =
    `{"protocol":${PROTOCOL_VERSION},"deviceId":${JSON.stringify(deviceId)},"batchId":"${batchId}",` +
    `"seqFrom":${seqFrom},"seqTo":${seqTo},"createdAt":"${createdAt}","responses":[${parts.map((p) => p.json).join(',')}]` +
    (contacts.length > 0 ? `,"contacts":[${contacts.join(',')}]}` : '}');
  const payload = Buffer.from(envelopeJson, 'utf8');
  const signed: Signed = {
    format: 'kbatch',
    signer: deviceId,
    payload: payload.toString('base64url'),
    signature: signBytes(payload, privateKey),
  };
  const signedJson = Buffer.from(JSON.stringify(signed), 'utf8');
  return { payload, signedJson, body: await gzip(signedJson) };
};

export const createBatchBuilder = (options: BatchBuilderOptions): BatchBuilder => {
  const limits = defaultLimits(options.limits);
  const now = options.now ?? Date.now;
  const validate = options.validate ?? true;
  let ratio = Math.min(1.01, Math.max(0.05, options.initialRatio ?? 1.01));

  const signedBytesFor = (envelopeBytes: number): number => Math.ceil((envelopeBytes * 4) / 3) + SIGNED_OVERHEAD;
  const collectOptions: CollectOptions = {
    db: options.db,
    deviceId: options.deviceId,
    pageSize: Math.max(1, options.pageSize ?? 250),
    limits,
    estimateCompressed: (envelopeBytes) => Math.ceil(signedBytesFor(envelopeBytes) * ratio) + GZIP_OVERHEAD,
    onPage: options.onPage,
  };

  const encode = async (parts: Part[]): Promise<BuiltBatch> => {
    const createdAtMs = now();
    const header: EnvelopeHeader = {
      deviceId: options.deviceId,
      batchId: uuidv7(createdAtMs),
      seqFrom: parts[0]!.response.seq,
      seqTo: parts.at(-1)!.response.seq,
      createdAt: new Date(createdAtMs).toISOString(),
    };
    if (validate) checkEnvelope(header, parts);
    const { payload, signedJson, body } = await signAndGzip(header, parts, options.privateKey);
    // Learn the ratio (with a margin) so the next estimate is close to the truth.
    ratio = Math.min(1.01, Math.max(0.05, (body.length / signedJson.length) * 1.15));
    return {
      batchId: header.batchId,
      seqFrom: header.seqFrom,
      seqTo: header.seqTo,
      count: parts.length,
      createdAt: header.createdAt,
      ids: parts.map((p) => p.response.id),
      body,
      envelopeBytes: payload.length,
    };
  };

  return {
    limits,
    shrink: () => {
      limits.maxCount = Math.max(1, Math.floor(limits.maxCount / 2));
      return limits.maxCount;
    },
    build: async (from, to) => {
      let parts = collectParts(collectOptions, from, to);
      for (;;) {
        const batch = await encode(parts);
        if (batch.body.length <= limits.maxCompressedBytes) return batch;
        if (parts.length === 1) {
          throw new BatchBuildError(
            'response_too_large',
            `response seq ${batch.seqFrom} alone is ${batch.body.length} bytes gzip'd, over the limit`,
            batch.seqFrom,
          );
        }
        // The estimate was optimistic: keep the first half and encode again.
        parts = parts.slice(0, Math.ceil(parts.length / 2));
      }
    },
  };
};
