import type { FastifyInstance } from 'fastify';
import { batchesRoute } from './batches.ts';
import { clipsRoute } from './clips.ts';
import { configRoute } from './config.ts';
import type { RouteContext } from './context.ts';
import { enrolRoute } from './enrol.ts';
import { type BridgeRouteOptions, bridgeRoutes } from '../bridge/routes.ts';
import { healthRoute } from './health.ts';
import { type HeartbeatRouteOptions, heartbeatRoute } from './heartbeat.ts';

/** Small JSON bodies (enrolment, heartbeat); batches set their own limit. */
export const JSON_BODY_LIMIT = 64 * 1024;

/**
 * The protocol's routes under /v1. Bodies are read as raw bytes whatever the Content-Type (signatures
 * cover the exact bytes, and a batch is gzip), and each route parses and validates its own.
 */
export type V1Options = { heartbeat?: HeartbeatRouteOptions; bridge?: BridgeRouteOptions };

export const v1Routes =
  (ctx: RouteContext, options: V1Options = {}) =>
  async (app: FastifyInstance): Promise<void> => {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    app.addHook('onRequest', async (req) => ctx.limitIp(req));
    healthRoute(app, ctx);
    enrolRoute(app, ctx);
    batchesRoute(app, ctx);
    heartbeatRoute(app, ctx, options.heartbeat);
    configRoute(app, ctx);
    clipsRoute(app, ctx);
    if (options.bridge) bridgeRoutes(app, ctx, options.bridge);
  };
