import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { latestVersions } from '../../../ops/config-status.ts';
import { listDevices } from '../../../ops/devices.ts';
import { type ConsoleContext, route, sendHtml, unitScope } from '../../context.ts';
import { deviceStatus } from '../../device-status.ts';
import { lenient } from '../../forms.ts';
import { StaleHours } from '../../options.ts';
import { devicesView } from './view.ts';

const Query = z.object({ stale: lenient(StaleHours), unit: lenient(z.string().max(64)) });

export const deviceRoutes = (app: FastifyInstance, cc: ConsoleContext): void => {
  app.get('/', async (_req, reply) => reply.redirect(`${cc.prefix}/devices`, 303));

  route(
    app,
    cc,
    { method: 'GET', url: '/devices', access: 'viewer', schema: { querystring: Query } },
    async (ctx, { query: q }) => {
      const staleAfterHours = q.stale ?? cc.options.staleAfterHours;
      const scope = unitScope(ctx.session);
      const [all, versions] = await Promise.all([listDevices(cc.route.db), latestVersions(cc.route.db)]);
      const devices = all.filter((d) => (scope === null || d.unit === scope) && (!q.unit || d.unit === q.unit));
      const rows = devices.map((d) => {
        const wanted = versions.get(d.unit)?.version ?? null;
        return {
          d,
          s: deviceStatus(d, wanted, ctx.now, { staleAfterHours, driftWarnSeconds: cc.options.driftWarnSeconds }),
          wanted,
        };
      });
      const units = [...new Set(all.filter((d) => scope === null || d.unit === scope).map((d) => d.unit))].sort();
      return sendHtml(
        ctx.reply,
        devicesView(ctx, {
          rows,
          units,
          allUnits: scope === null,
          unit: q.unit,
          staleAfterHours,
          driftWarnSeconds: cc.options.driftWarnSeconds,
        }),
      );
    },
  );
};
