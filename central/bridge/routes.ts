import type { FastifyInstance } from 'fastify';
import type { RouteContext } from '../routes/context.ts';
import type { Budget } from '../routes/rate-limit.ts';
import { counterRoutes } from './counter-routes.ts';
import type { InvitationHub } from './hub.ts';
import { statusRoute } from './status-route.ts';
import { streamRoute } from './stream-route.ts';

export type BridgeRouteOptions = { hub: InvitationHub; perKey: Budget | false };

/** The counter bridge's routes under /v1: the counter API (integration keys), the kiosks' stream and status. */
export const bridgeRoutes = (app: FastifyInstance, ctx: RouteContext, options: BridgeRouteOptions): void => {
  counterRoutes(app, ctx, options.perKey);
  streamRoute(app, ctx, options.hub);
  statusRoute(app, ctx);
};
