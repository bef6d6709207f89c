import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { DeviceId } from '../../../../shared/sync.ts';
import { listRefused } from '../../../ops/refused.ts';
import { type ConsoleContext, route, sendHtml } from '../../context.ts';
import { REFUSED_SHOWN, refusedView } from './view.ts';

const Query = z.object({ device: DeviceId.optional().catch(undefined) });

/**
 * Signed responses central set aside instead of storing (central/ingest/validate-responses.ts), newest
 * first. For the province admin: many of them from one device mean a broken kiosk or a stolen key.
 */
export const refusedRoutes = (app: FastifyInstance, cc: ConsoleContext): void => {
  route(
    app,
    cc,
    { method: 'GET', url: '/refused', access: 'admin', schema: { querystring: Query } },
    async (ctx, { query }) => {
      const rows = await listRefused(cc.route.db, { deviceId: query.device, limit: REFUSED_SHOWN });
      return sendHtml(ctx.reply, refusedView(ctx, { rows, device: query.device }));
    },
  );
};
