import {
  Agent as HttpAgent,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  request as httpRequest,
} from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { gunzipSync } from 'node:zlib';

/**
 * A small HTTP client over node:http(s), chosen over fetch for two things a flaky commune link
 * needs: an idle timeout (no byte moving for N seconds: a stalled link) as well as an overall
 * deadline (a link trickling bytes forever), and a cap on the reply size. Keep-alive connections are
 * reused; a request that fails on a reused socket before any reply is retried once on a new one
 * (every call the kiosk makes is idempotent).
 */

export type HttpResponse = { status: number; headers: IncomingHttpHeaders; body: Buffer };

export type TransportErrorKind = 'network' | 'timeout' | 'aborted' | 'reply_too_large';

export class TransportError extends Error {
  constructor(
    readonly kind: TransportErrorKind,
    message: string,
    readonly errno?: string,
  ) {
    super(message);
    this.name = 'TransportError';
  }
}

export type HttpOptions = {
  /** No byte sent or received for this long: give up (stalled link). */
  idleTimeoutMs: number;
  /** The whole exchange, from connect to the last byte of the reply. */
  deadlineMs: number;
  /** Replies longer than this (after gunzip) are refused. */
  maxReplyBytes: number;
};

export type HttpRequest = {
  method: 'GET' | 'POST';
  url: URL;
  headers?: OutgoingHttpHeaders;
  body?: Uint8Array;
  signal?: AbortSignal;
};

export type HttpClient = {
  send: (req: HttpRequest, options: HttpOptions) => Promise<HttpResponse>;
  close: () => void;
};

export const createHttpClient = (): HttpClient => {
  const agents = {
    http: new HttpAgent({ keepAlive: true, keepAliveMsecs: 1000, maxSockets: 2, timeout: 60_000 }),
    https: new HttpsAgent({ keepAlive: true, keepAliveMsecs: 1000, maxSockets: 2, timeout: 60_000 }),
  };

  const once = (req: HttpRequest, options: HttpOptions): Promise<HttpResponse & { reusedSocketFailed?: boolean }> =>
    new Promise((resolve, reject) => {
      const isHttps = req.url.protocol === 'https:';
      if (!isHttps && req.url.protocol !== 'http:') {
        reject(new TransportError('network', `unsupported URL scheme ${req.url.protocol}`));
        return;
      }
      if (req.signal?.aborted) {
        reject(new TransportError('aborted', 'stopped'));
        return;
      }
      let settled = false;
      let gotResponse = false;
      const headers: OutgoingHttpHeaders = { 'accept-encoding': 'gzip', ...req.headers };
      if (req.body) headers['content-length'] = String(req.body.length);
      const r = (isHttps ? httpsRequest : httpRequest)(req.url, {
        method: req.method,
        headers,
        agent: isHttps ? agents.https : agents.http,
      });
      const deadline = setTimeout(
        () =>
          fail(new TransportError('timeout', `no complete reply within ${Math.round(options.deadlineMs / 1000)} s`)),
        options.deadlineMs,
      );
      const onAbort = () => fail(new TransportError('aborted', 'stopped'));
      req.signal?.addEventListener('abort', onAbort, { once: true });
      const finish = () => {
        clearTimeout(deadline);
        req.signal?.removeEventListener('abort', onAbort);
      };
      const fail = (e: TransportError, reusedSocketFailed = false) => {
        if (settled) return;
        settled = true;
        finish();
        r.destroy();
        if (reusedSocketFailed) resolve({ status: 0, headers: {}, body: Buffer.alloc(0), reusedSocketFailed: true });
        else reject(e);
      };
      r.setTimeout(options.idleTimeoutMs, () =>
        fail(
          new TransportError('timeout', `the link stalled: nothing for ${Math.round(options.idleTimeoutMs / 1000)} s`),
        ),
      );
      r.on('error', (e: NodeJS.ErrnoException) => {
        const retryable = !gotResponse && r.reusedSocket && (e.code === 'ECONNRESET' || e.code === 'EPIPE');
        fail(new TransportError('network', describeNetworkError(e, req.url), e.code), retryable);
      });
      r.on('response', (res: IncomingMessage) => {
        gotResponse = true;
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > options.maxReplyBytes) {
            fail(new TransportError('reply_too_large', `reply over ${options.maxReplyBytes} bytes`));
            return;
          }
          chunks.push(c);
        });
        res.on('error', (e: NodeJS.ErrnoException) =>
          fail(new TransportError('network', `reply cut off: ${e.message}`, e.code)),
        );
        res.on('aborted', () => fail(new TransportError('network', 'reply cut off')));
        res.on('end', () => {
          if (settled) return;
          if (!res.complete) {
            fail(new TransportError('network', 'reply cut off'));
            return;
          }
          let body = Buffer.concat(chunks);
          if ((res.headers['content-encoding'] ?? '').toLowerCase() === 'gzip' && body.length > 0) {
            try {
              body = gunzipSync(body, { maxOutputLength: options.maxReplyBytes });
            } catch {
              fail(new TransportError('network', 'reply is not valid gzip'));
              return;
            }
          }
          settled = true;
          finish();
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
        });
      });
      r.end(req.body ? Buffer.from(req.body.buffer, req.body.byteOffset, req.body.byteLength) : undefined);
    });

  return {
    send: async (req, options) => {
      const first = await once(req, options);
      if (!first.reusedSocketFailed) return first;
      // The server closed an idle keep-alive connection just as it was reused: try a fresh one.
      const second = await once(req, options);
      if (second.reusedSocketFailed) throw new TransportError('network', 'connection reset');
      return second;
    },
    close: () => {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
};

const describeNetworkError = (e: NodeJS.ErrnoException, url: URL): string => {
  switch (e.code) {
    case 'ECONNREFUSED':
      return `${url.host} refused the connection (service down?)`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot resolve ${url.hostname} (no network or DNS?)`;
    case 'ECONNRESET':
      return 'connection reset';
    case 'ETIMEDOUT':
    case 'ENETUNREACH':
    case 'EHOSTUNREACH':
      return `${url.host} is unreachable`;
    default:
      return e.message || e.code || 'network error';
  }
};
