import type { KeyObject } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { gunzipSync } from 'node:zlib';
import type { z } from 'zod';
import { sha256Hex, signBytes } from '../../../shared/node/signing.ts';
import {
  BatchAck,
  DEVICE_HEADERS,
  EnrolRequest,
  EnrolResponse,
  type Heartbeat,
  HeartbeatReply,
  LIMITS,
  Signed,
  SyncErrorBody,
  requestSigningString,
} from '../../../shared/sync.ts';
import { parseRetryAfter } from './backoff.ts';
import { type HttpClient, type HttpResponse, TransportError } from './http.ts';
import { errorMessage } from '../../../shared/error-message.ts';

/**
 * The kiosk's side of each endpoint in docs/sync-protocol.md. Every call returns either its parsed
 * answer or a `CallFailure` saying what kind of failure it was, which is all the engine needs to
 * choose between retrying soon (transient), shrinking the batch (too_large) and stopping to report
 * (refused).
 */

export type FailureKind =
  /** Network, timeout, 5xx, 429, 408, an unreadable reply: try again with backoff. */
  | 'transient'
  /** 413: the body is too large for central or a proxy in front of it. */
  | 'too_large'
  /** Any other 4xx (and redirects): resending the same thing cannot help; report to IT. */
  | 'refused';

export type CallFailure = {
  ok: false;
  kind: FailureKind;
  /** A SyncErrorCode from central's body, or the kiosk's own: network, timeout, server_error, bad_reply, http_NNN. */
  code: string;
  status: number | null;
  message: string;
  field?: string;
  supported?: { min: number; max: number };
  retryAfterMs?: number;
};

/** Optional request header on POST /v1/batches: "file" when the body is a .kbatch from a USB stick. */
export const BATCH_SOURCE_HEADER = 'x-kbatch-source';

export type Timeouts = {
  /** No byte moving for this long: the link stalled. */
  idleMs: number;
  /** Deadline for a batch upload: a fixed part plus the body at `minBytesPerSecond`. */
  batchDeadlineMs: number;
  minBytesPerSecond: number;
  /** Deadline for small calls (heartbeat, config, enrolment). */
  smallDeadlineMs: number;
};

export const DEFAULT_TIMEOUTS: Timeouts = {
  idleMs: 30_000,
  batchDeadlineMs: 60_000,
  minBytesPerSecond: 4_096,
  smallDeadlineMs: 60_000,
};

export type DeviceSigner = { deviceId: string; privateKey: KeyObject };

/** The central URL as given by IT, normalised: http(s) only, no query or fragment, path ending in "/". */
export const normaliseCentralUrl = (raw: string): URL => {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new Error(`"${raw}" is not a URL (expected something like https://khaosat.example.gov.vn)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new Error(`"${raw}": the central URL must start with https:// (or http:// on a local network)`);
  url.search = '';
  url.hash = '';
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url;
};

export type CentralClient = {
  readonly baseUrl: URL;
  /** `source: 'file'` marks a .kbatch carried on a USB stick (header x-kbatch-source), for central's records. */
  postBatch: (
    body: Uint8Array,
    signal?: AbortSignal,
    source?: 'file',
  ) => Promise<{ ok: true; ack: BatchAck } | CallFailure>;
  heartbeat: (
    hb: Heartbeat,
    signer: DeviceSigner,
    signal?: AbortSignal,
  ) => Promise<{ ok: true; reply: z.infer<typeof HeartbeatReply> } | CallFailure>;
  getConfig: (
    ifNoneMatch: string | null,
    signer: DeviceSigner,
    signal?: AbortSignal,
  ) => Promise<
    { ok: true; notModified: true } | { ok: true; notModified: false; doc: Signed; etag: string | null } | CallFailure
  >;
  enrol: (
    req: EnrolRequest,
    signal?: AbortSignal,
  ) => Promise<{ ok: true; status: number; response: EnrolResponse } | CallFailure>;
  /** A read-aloud clip's audio by its SHA-256 (issue 15); the caller checks the bytes against it. */
  getClip: (
    audioSha256: string,
    maxBytes: number,
    signer: DeviceSigner,
    signal?: AbortSignal,
  ) => Promise<{ ok: true; bytes: Buffer } | CallFailure>;
};

/** What every endpoint call needs: where central is, how to send, the deadlines and the clock. */
type CallContext = {
  http: HttpClient;
  timeouts: Timeouts;
  now: () => number;
  endpoint: (path: string) => URL;
};

/** The device's request signature headers (docs/sync-protocol.md, "Device requests"). */
export const deviceHeaders = (
  now: () => number,
  method: string,
  url: URL,
  body: Uint8Array,
  signer: DeviceSigner,
): Record<string, string> => {
  const timestamp = String(Math.floor(now()));
  const toSign = requestSigningString(method, url.pathname, timestamp, sha256Hex(body));
  return {
    [DEVICE_HEADERS.device]: signer.deviceId,
    [DEVICE_HEADERS.timestamp]: timestamp,
    [DEVICE_HEADERS.signature]: signBytes(Buffer.from(toSign, 'utf8'), signer.privateKey),
  };
};

/** Runs one HTTP exchange; a thrown transport error becomes a transient CallFailure. */
const transport = async (run: () => Promise<HttpResponse>): Promise<HttpResponse | CallFailure> => {
  try {
    return await run();
  } catch (e) {
    if (e instanceof TransportError) {
      const code = e.kind === 'timeout' ? 'timeout' : e.kind === 'aborted' ? 'aborted' : 'network';
      return { ok: false, kind: 'transient', code, status: null, message: e.message };
    }
    return {
      ok: false,
      kind: 'transient',
      code: 'network',
      status: null,
      message: errorMessage(e),
    };
  }
};

const isFailure = (r: HttpResponse | CallFailure): r is CallFailure => 'ok' in r;

/** Parses a success reply against its protocol schema; an unreadable one is transient (bad_reply). */
const parseJson = <T extends z.ZodType>(
  res: HttpResponse,
  schema: T,
  what: string,
): { ok: true; value: z.infer<T> } | CallFailure => {
  let raw: unknown;
  try {
    raw = JSON.parse(res.body.toString('utf8'));
  } catch {
    return {
      ok: false,
      kind: 'transient',
      code: 'bad_reply',
      status: res.status,
      message: `central's ${what} is not JSON`,
    };
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      ok: false,
      kind: 'transient',
      code: 'bad_reply',
      status: res.status,
      message: `central's ${what} does not fit the protocol at ${issue?.path.join('.') || '(root)'}: ${issue?.message}`,
    };
  }
  return { ok: true, value: parsed.data };
};

const postBatch =
  (c: CallContext): CentralClient['postBatch'] =>
  async (body, signal, source) => {
    const t = c.timeouts;
    const headers: Record<string, string> = { 'content-type': 'application/json', 'content-encoding': 'gzip' };
    if (source) headers[BATCH_SOURCE_HEADER] = source;
    const res = await transport(() =>
      c.http.send(
        { method: 'POST', url: c.endpoint('v1/batches'), headers, body, signal },
        {
          idleTimeoutMs: t.idleMs,
          deadlineMs: t.batchDeadlineMs + Math.ceil((body.length / t.minBytesPerSecond) * 1000),
          maxReplyBytes: 1024 * 1024,
        },
      ),
    );
    if (isFailure(res)) return res;
    if (res.status !== 200) return classifyError(res, c.now());
    const ack = parseJson(res, BatchAck, 'acknowledgement');
    return ack.ok ? { ok: true, ack: ack.value } : ack;
  };

const heartbeat =
  (c: CallContext): CentralClient['heartbeat'] =>
  async (hb, signer, signal) => {
    const url = c.endpoint('v1/heartbeat');
    const body = Buffer.from(JSON.stringify(hb), 'utf8');
    const res = await transport(() =>
      c.http.send(
        {
          method: 'POST',
          url,
          headers: { 'content-type': 'application/json', ...deviceHeaders(c.now, 'POST', url, body, signer) },
          body,
          signal,
        },
        { idleTimeoutMs: c.timeouts.idleMs, deadlineMs: c.timeouts.smallDeadlineMs, maxReplyBytes: 64 * 1024 },
      ),
    );
    if (isFailure(res)) return res;
    if (res.status !== 200) return classifyError(res, c.now());
    const reply = parseJson(res, HeartbeatReply, 'heartbeat reply');
    return reply.ok ? { ok: true, reply: reply.value } : reply;
  };

/** The configuration reply's body as Signed JSON: sent plain, or (as in a .kbatch) gzip'd; both are accepted. */
const configDocument = (res: HttpResponse): { ok: true; value: Signed } | CallFailure => {
  let text: Buffer = res.body;
  if (text[0] === 0x1f && text[1] === 0x8b) {
    try {
      text = gunzipSync(text, { maxOutputLength: LIMITS.maxEnvelopeBytes * 2 });
    } catch {
      return {
        ok: false,
        kind: 'transient',
        code: 'bad_reply',
        status: 200,
        message: 'central sent a configuration that is not valid gzip',
      };
    }
  }
  return parseJson({ ...res, body: text }, Signed, 'configuration document');
};

const getConfig =
  (c: CallContext): CentralClient['getConfig'] =>
  async (ifNoneMatch, signer, signal) => {
    const url = c.endpoint('v1/config');
    const empty = Buffer.alloc(0);
    const headers: Record<string, string> = {
      accept: 'application/json',
      ...deviceHeaders(c.now, 'GET', url, empty, signer),
    };
    if (ifNoneMatch) headers['if-none-match'] = `"${ifNoneMatch}"`;
    const res = await transport(() =>
      c.http.send(
        { method: 'GET', url, headers, signal },
        {
          idleTimeoutMs: c.timeouts.idleMs,
          deadlineMs: c.timeouts.smallDeadlineMs * 2,
          maxReplyBytes: LIMITS.maxEnvelopeBytes * 2,
        },
      ),
    );
    if (isFailure(res)) return res;
    // 204: central has published nothing for this kiosk's unit yet; keep what it runs.
    if (res.status === 304 || res.status === 204) return { ok: true, notModified: true };
    if (res.status !== 200) return classifyError(res, c.now());
    const doc = configDocument(res);
    if (!doc.ok) return doc;
    return { ok: true, notModified: false, doc: doc.value, etag: unquoteEtag(res.headers.etag) };
  };

const getClip =
  (c: CallContext): CentralClient['getClip'] =>
  async (audioSha256, maxBytes, signer, signal) => {
    const url = c.endpoint(`v1/clips/${audioSha256}`);
    const headers = { accept: 'audio/*', ...deviceHeaders(c.now, 'GET', url, Buffer.alloc(0), signer) };
    const res = await transport(() =>
      c.http.send(
        { method: 'GET', url, headers, signal },
        { idleTimeoutMs: c.timeouts.idleMs, deadlineMs: c.timeouts.smallDeadlineMs, maxReplyBytes: maxBytes },
      ),
    );
    if (isFailure(res)) return res;
    return res.status === 200 ? { ok: true, bytes: res.body } : classifyError(res, c.now());
  };

const enrol =
  (c: CallContext): CentralClient['enrol'] =>
  async (req, signal) => {
    const body = Buffer.from(JSON.stringify(EnrolRequest.parse(req)), 'utf8');
    const res = await transport(() =>
      c.http.send(
        { method: 'POST', url: c.endpoint('v1/enrol'), headers: { 'content-type': 'application/json' }, body, signal },
        { idleTimeoutMs: c.timeouts.idleMs, deadlineMs: c.timeouts.smallDeadlineMs, maxReplyBytes: 64 * 1024 },
      ),
    );
    if (isFailure(res)) return res;
    if (res.status !== 200 && res.status !== 201) return classifyError(res, c.now());
    const parsed = parseJson(res, EnrolResponse, 'enrolment answer');
    return parsed.ok ? { ok: true, status: res.status, response: parsed.value } : parsed;
  };

export const createCentralClient = (options: {
  centralUrl: string;
  http: HttpClient;
  timeouts?: Partial<Timeouts>;
  now?: () => number;
}): CentralClient => {
  const baseUrl = normaliseCentralUrl(options.centralUrl);
  const context: CallContext = {
    http: options.http,
    timeouts: { ...DEFAULT_TIMEOUTS, ...options.timeouts },
    now: options.now ?? Date.now,
    endpoint: (path) => new URL(path.replace(/^\//, ''), baseUrl),
  };
  return {
    baseUrl,
    postBatch: postBatch(context),
    heartbeat: heartbeat(context),
    getConfig: getConfig(context),
    enrol: enrol(context),
    getClip: getClip(context),
  };
};

export const unquoteEtag = (etag: string | string[] | undefined): string | null => {
  const v = Array.isArray(etag) ? etag[0] : etag;
  if (!v) return null;
  return v.replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
};

/** Turns a non-success reply into a CallFailure, reading central's SyncErrorBody when there is one. */
export const classifyError = (
  res: { status: number; headers: IncomingHttpHeaders; body: Buffer },
  nowMs: number,
): CallFailure => {
  let body: SyncErrorBody | undefined;
  try {
    const parsed = SyncErrorBody.safeParse(JSON.parse(res.body.toString('utf8')));
    if (parsed.success) body = parsed.data;
  } catch {
    // not JSON: a proxy's HTML page, for example
  }
  const status = res.status;
  const snippet = body
    ? body.message
    : res.body
        .toString('utf8')
        .replace(/<[^>]*>/g, ' ')
        .replace(/\s+/g, ' ')
        .trim()
        .slice(0, 160);
  const base = {
    ok: false as const,
    status,
    message: snippet ? `HTTP ${status}: ${snippet}` : `HTTP ${status}`,
    ...(body?.field !== undefined ? { field: body.field } : {}),
    ...(body?.supported ? { supported: body.supported } : {}),
  };
  const retryAfterMs = parseRetryAfter(res.headers['retry-after'], nowMs);
  if (status === 429)
    return { ...base, kind: 'transient', code: body?.error ?? 'rate_limited', retryAfterMs: retryAfterMs ?? undefined };
  if (status === 408) return { ...base, kind: 'transient', code: 'timeout', retryAfterMs };
  if (status >= 500) return { ...base, kind: 'transient', code: body?.error ?? 'server_error', retryAfterMs };
  if (status === 413) return { ...base, kind: 'too_large', code: body?.error ?? 'too_large' };
  if (status >= 300 && status < 400) {
    const location = res.headers.location;
    return {
      ...base,
      kind: 'refused',
      code: `http_${status}`,
      message: `HTTP ${status}: central answered with a redirect${location ? ` to ${location}` : ''}; enrol again with the final URL`,
    };
  }
  return { ...base, kind: 'refused', code: body?.error ?? `http_${status}` };
};
