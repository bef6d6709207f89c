/**
 * The Prometheus scrape endpoint, on its OWN listen address (default 127.0.0.1, a port of its own),
 * never on the public listener the reverse proxy forwards: metrics name the instance's load and the
 * province's device counts, which the internet has no business reading. Where the scraper is on
 * another machine (or container), bind it to an internal address and set a bearer token too.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errorMessage } from '../../shared/error-message.ts';
import type { CentralMetrics } from './metrics.ts';

export type MetricsListen = {
  /** Default 127.0.0.1. */
  host?: string;
  /** 0 picks a free port. */
  port: number;
  /** When set, a scrape must send `Authorization: Bearer <token>` (Prometheus: `authorization.credentials`). */
  token?: string;
};

export type MetricsServer = { url: string; close: () => Promise<void> };

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/** Constant-time comparison of the Authorization header with the expected bearer token. */
const authorised = (header: string | undefined, token: string | undefined): boolean => {
  if (token === undefined) return true;
  return timingSafeEqual(digest(header ?? ''), digest(`Bearer ${token}`));
};

export const startMetricsServer = async (metrics: CentralMetrics, listen: MetricsListen): Promise<MetricsServer> => {
  if (listen.token !== undefined && listen.token.length < 16)
    throw new Error('the metrics token must be at least 16 characters');
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'GET' || path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found: GET /metrics\n');
      return;
    }
    if (!authorised(req.headers.authorization, listen.token)) {
      res
        .writeHead(401, { 'content-type': 'text/plain; charset=utf-8', 'www-authenticate': 'Bearer' })
        .end('a bearer token is required\n');
      return;
    }
    metrics.registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
      (e: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('metrics unavailable\n');
        console.error(`central: metrics scrape failed: ${errorMessage(e)}`);
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}/metrics`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};
