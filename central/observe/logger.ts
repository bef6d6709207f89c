/**
 * Fastify's own logger (pino) as the central service configures it: one JSON object per line, a
 * request id on every line of a request, and secrets never written.
 *
 * Request ids: a fresh UUID per request, or, when the service is told to trust its reverse proxy,
 * the proxy's X-Request-Id (so one id follows a request through the proxy's log and ours) if it looks
 * like an id. The id is echoed in the response's X-Request-Id header.
 *
 * Secrets: the request line is logged without its query values for names that carry credentials,
 * headers are logged only through an allow-list, and pino's redaction removes credentials wherever a
 * log call passes an object that holds them (cookies, Authorization, device signatures, passwords,
 * enrolment codes, tokens).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyServerOptions } from 'fastify';

export const REQUEST_ID_HEADER = 'x-request-id';

/** What an upstream request id may look like: short, no spaces or control characters (log injection). */
const UPSTREAM_ID = /^[A-Za-z0-9._:@+=-]{8,128}$/;

/** Query parameters whose values are credentials or personal data and never go into a log line. */
const SECRET_QUERY = /^(code|token|password|pass|secret|key|sig|signature|session|phone|enrol(ment)?_?code)$/i;

/** The request target with sensitive query values replaced by "[redacted]". */
export const redactUrl = (url: string): string => {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  for (const name of new Set(params.keys())) if (SECRET_QUERY.test(name)) params.set(name, '[redacted]');
  return `${url.slice(0, q)}?${params.toString()}`;
};

/** Headers worth a log line; everything else (cookies, Authorization, signatures) stays out. */
const LOGGED_HEADERS = ['user-agent', 'content-length', 'content-type', 'x-kbatch-source', 'x-forwarded-for'];

/** Paths pino redacts in any object a log call carries (req/res objects, errors, hand-written objects). */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-device-signature"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'body.password',
  'body.code',
  'password',
  'code',
  'token',
  'enrolmentCode',
  '*.password',
  '*.newPassword',
  '*.currentPassword',
  '*.code',
  '*.enrolmentCode',
  '*.token',
  '*.adminToken',
  '*.privateKey',
  '*.phone',
];

export type LoggerSettings = {
  /** Where lines go (default stdout); tests pass a stream to read them. */
  stream?: NodeJS.WritableStream;
  /** Default "info". */
  level?: string;
};

type ReqLike = { method?: string; url?: string; headers?: IncomingMessage['headers']; ip?: string; hostname?: string };

const requestSerializer = (req: ReqLike): Record<string, unknown> => {
  const headers: Record<string, unknown> = {};
  for (const h of LOGGED_HEADERS) if (req.headers?.[h] !== undefined) headers[h] = req.headers[h];
  return { method: req.method, url: redactUrl(req.url ?? ''), host: req.hostname, remoteAddress: req.ip, headers };
};

/** The Fastify server options for logging and request ids. */
export const loggingOptions = (
  settings: LoggerSettings | false,
  trustProxy: boolean,
): Pick<FastifyServerOptions, 'logger' | 'genReqId' | 'requestIdHeader'> => ({
  logger:
    settings === false
      ? false
      : {
          level: settings.level ?? 'info',
          redact: { paths: REDACT_PATHS, censor: '[redacted]' },
          serializers: { req: requestSerializer },
          ...(settings.stream ? { stream: settings.stream } : {}),
        },
  // Fastify's own header handling would take ANY client's X-Request-Id; ours takes it only from a
  // trusted proxy, and only when it looks like an id.
  requestIdHeader: false,
  genReqId: (req) => {
    const upstream = req.headers[REQUEST_ID_HEADER];
    if (trustProxy && typeof upstream === 'string' && UPSTREAM_ID.test(upstream)) return upstream;
    return randomUUID();
  },
});
