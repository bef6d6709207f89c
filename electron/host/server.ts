import { timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance } from 'fastify';
import { type KioskHandlers, dispatch, internalFailure } from '../../shared/api.ts';
import { CONTENT_SECURITY_POLICY } from '../../shared/csp.ts';
import { errorMessage } from '../../shared/error-message.ts';

export type HostOptions = {
  handlers: KioskHandlers;
  /** Built renderer (vite build output). */
  rendererDir: string;
  /** Per-launch secret the renderer must present on every API call. */
  token: string;
  /** Where a failure inside the core is reported (one line each); default stderr. */
  log?: (line: string) => void;
};

/** Only the loopback interface: the kiosk API must never be reachable from the network. */
export const HOST_ADDRESS = '127.0.0.1';

export { CONTENT_SECURITY_POLICY };

const sameSecret = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/**
 * The browser host: serves the renderer and carries KioskApi as `POST /api/<method>`, JSON in and out.
 * Typed results (including typed errors) are 200; HTTP errors are only for requests that never reach
 * the API: wrong Host (DNS rebinding), foreign Origin, missing token, oversized or non-JSON bodies.
 * An exception inside the core is a typed `internal` result too (200, the same envelope as over IPC,
 * see ipc.ts), logged with the method name and the error's message: never the body, a PIN or the token.
 */
export const createHostServer = (options: HostOptions): FastifyInstance => {
  const app = Fastify({ logger: false, bodyLimit: 256 * 1024 });
  const log = options.log ?? ((line: string) => console.error(line));
  // JSON only: Fastify's default text/plain parser would hand a raw string to the API.
  app.removeContentTypeParser('text/plain');

  app.addHook('onRequest', async (req, reply) => {
    const host = req.headers.host ?? '';
    if (!/^(127\.0\.0\.1|localhost)(:\d+)?$/.test(host)) return reply.code(403).send({ error: 'forbidden host' });
    reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('cache-control', 'no-store');
  });

  app.post<{ Params: { method: string } }>('/api/:method', async (req, reply) => {
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== `http://${req.headers.host}`)
      return reply.code(403).send({ error: 'foreign origin' });
    const token = req.headers['x-kiosk-token'];
    if (typeof token !== 'string' || !sameSecret(token, options.token))
      return reply.code(401).send({ error: 'missing or wrong x-kiosk-token' });
    const method = req.params.method;
    try {
      return await dispatch(options.handlers, method, req.body);
    } catch (e) {
      // dispatch answers unknown methods itself, so `method` here is one of the API's names.
      log(`host: ${method} failed: ${errorMessage(e)}`);
      return internalFailure(method);
    }
  });

  if (existsSync(options.rendererDir)) {
    app.register(fastifyStatic, { root: options.rendererDir, index: 'index.html', wildcard: true });
  } else {
    app.get('/', async (_req, reply) =>
      reply
        .code(503)
        .type('text/plain')
        .send(`renderer not built: run "npx vite build" (looked in ${options.rendererDir})`),
    );
  }
  return app;
};
