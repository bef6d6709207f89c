import type { FastifyInstance } from 'fastify';
import { SUPPORTED_PROTOCOLS } from '../../shared/sync.ts';
import type { RouteContext } from './context.ts';

/** GET /v1/health: 200 when the database answers. No authentication; reveals nothing about devices. */
export const healthRoute = (app: FastifyInstance, ctx: RouteContext): void => {
  app.get('/health', async () => {
    await ctx.db.query('SELECT 1');
    return {
      status: 'ok',
      protocol: { ...SUPPORTED_PROTOCOLS },
      serverTime: ctx.now().toISOString(),
      database: ctx.db.kind,
    };
  });
};
