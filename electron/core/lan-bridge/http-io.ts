import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LanError, LanErrorCode } from '../../../shared/lan-bridge.ts';

/** Requests and replies of the LAN bridge, on plain node:http (no framework on a port the LAN can reach). */

/** The send page's scripts and styles come from this server only; nothing inline, nothing framed. */
export const LAN_PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; " +
  "form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

const STATUS_OF: Record<LanErrorCode, number> = {
  unauthorized: 401,
  no_code: 401,
  wrong_code: 401,
  invalid_json: 400,
  invalid_request: 400,
  unsupported_media_type: 415,
  payload_too_large: 413,
  rate_limited: 429,
  not_found: 404,
  method_not_allowed: 405,
  forbidden_origin: 403,
  wrong_host: 421,
  unknown_counter: 422,
  unknown_procedure: 422,
  expired: 422,
  kiosk_unavailable: 503,
};

const commonHeaders = (res: ServerResponse): void => {
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('referrer-policy', 'no-referrer');
  res.setHeader('cache-control', 'no-store');
  res.setHeader('content-security-policy', LAN_PAGE_CSP);
  res.setHeader('x-frame-options', 'DENY');
};

export const sendJson = (res: ServerResponse, status: number, body: unknown): void => {
  commonHeaders(res);
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
};

export const sendError = (res: ServerResponse, body: LanError): void => {
  if (body.retryAfterSeconds !== undefined) res.setHeader('retry-after', String(body.retryAfterSeconds));
  // A body left unread (refused before or while reading it) is not drained for keep-alive: the connection ends.
  if (!res.req.complete) res.setHeader('connection', 'close');
  sendJson(res, STATUS_OF[body.error], body);
};

export const sendText = (res: ServerResponse, contentType: string, text: string): void => {
  commonHeaders(res);
  res.writeHead(200, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
  res.end(text);
};

export type BodyResult = { ok: true; value: unknown } | { ok: false; error: LanError };

/**
 * Reads a JSON body of at most `limit` bytes. A declared length over the limit is refused before a
 * byte is read; a body that grows past it is cut off at the limit. Only application/json.
 */
export const readJsonBody = async (req: IncomingMessage, limit: number): Promise<BodyResult> => {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json')
    return { ok: false, error: { error: 'unsupported_media_type', message: 'send the body as application/json' } };
  const tooLarge: BodyResult = {
    ok: false,
    error: { error: 'payload_too_large', message: `the body is larger than ${limit} bytes` },
  };
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limit) return tooLarge;
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit) return tooLarge;
      chunks.push(chunk);
    }
  } catch {
    return { ok: false, error: { error: 'invalid_json', message: 'the body could not be read' } };
  }
  try {
    return { ok: true, value: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown };
  } catch {
    return { ok: false, error: { error: 'invalid_json', message: 'the body is not valid JSON' } };
  }
};

/** zod issues as the send page and integrators read them: the field's path, then what is wrong. */
export const issuesOf = (issues: readonly { path: readonly PropertyKey[]; message: string }[]) =>
  issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));

/** The bearer token of a request, or undefined. Read from the header only: never from the URL, which logs keep. */
export const bearerToken = (req: IncomingMessage): string | undefined => {
  const h = req.headers.authorization;
  if (typeof h !== 'string') return undefined;
  const m = /^Bearer ([^\s]+)$/.exec(h);
  return m ? m[1] : undefined;
};
