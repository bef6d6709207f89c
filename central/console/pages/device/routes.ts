import { counterSection, deviceCounterOf } from './counter.ts';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { DeviceId } from '../../../../shared/sync.ts';
import { latestVersions } from '../../../ops/config-status.ts';
import { listConflicts, recentBatches } from '../../../ops/device-history.ts';
import { type DeviceReport, findDeviceReport, revokeDevice, unrevokeDevice } from '../../../ops/devices.ts';
import { eachMissingRange, reconcile } from '../../../ops/reconciliation.ts';
import { audit } from '../../audit.ts';
import { type AuthedCtx, type ConsoleContext, ConsoleError, route, sendHtml, unitScope } from '../../context.ts';
import { seqRange } from '../../format.ts';
import { lenient } from '../../forms.ts';
import { confirmView, deviceView } from './view.ts';

const Params = z.object({ id: DeviceId });

/** The device, if this session may see it (a unit viewer: only its own unit's); else 404. */
const visibleDevice = async (ctx: AuthedCtx, id: string): Promise<DeviceReport> => {
  const device = await findDeviceReport(ctx.cc.route.db, id);
  const scope = unitScope(ctx.session);
  if (!device || (scope !== null && device.unit !== scope)) throw new ConsoleError(404, 'errors.noDevice');
  return device;
};

const Done = z.object({ done: lenient(z.enum(['revoked', 'unrevoked', 'already'])) });
const ByDevice = { params: Params };

export const deviceDetailRoutes = (app: FastifyInstance, cc: ConsoleContext): void => {
  route(
    app,
    cc,
    {
      method: 'GET',
      url: '/devices/:id',
      access: 'viewer',
      schema: { ...ByDevice, querystring: Done },
      notFound: 'errors.noDevice',
    },
    async (ctx, { params, query }) => {
      const d = await visibleDevice(ctx, params.id);
      const [r, conflicts, batches, versions] = await Promise.all([
        reconcile(cc.route.db, d.id),
        listConflicts(cc.route.db, d.id),
        recentBatches(cc.route.db, d.id),
        latestVersions(cc.route.db),
      ]);
      if (!r) throw new ConsoleError(404, 'errors.noDevice');
      return sendHtml(
        ctx.reply,
        deviceView(ctx, {
          d,
          reconciliation: r,
          conflicts,
          batches,
          wanted: versions.get(d.unit)?.version ?? null,
          statusOptions: cc.options,
          done: query.done,
          counter: counterSection(ctx, d.id, await deviceCounterOf(cc.route.db, d.id)),
        }),
      );
    },
  );

  route(
    app,
    cc,
    { method: 'GET', url: '/devices/:id/missing.txt', access: 'viewer', schema: ByDevice, notFound: 'errors.noDevice' },
    async (ctx, { params }) => {
      const d = await visibleDevice(ctx, params.id);
      let text = `# ${ctx.t('reconcile.fileHeader', { device: d.id })}\n`;
      const total = await eachMissingRange(cc.route.db, d.id, (from, to) => {
        text += `${seqRange(from, to).replace('–', '-')}\n`;
      });
      text += `# ${ctx.t('reconcile.fileTotal', { n: total })}\n`;
      return ctx.reply
        .header('cache-control', 'no-store')
        .header('content-disposition', `attachment; filename="missing-${d.id}.txt"`)
        .type('text/plain; charset=utf-8')
        .send(text);
    },
  );

  for (const action of ['revoke', 'unrevoke'] as const) {
    route(
      app,
      cc,
      { method: 'GET', url: `/devices/:id/${action}`, access: 'admin', schema: ByDevice, notFound: 'errors.noDevice' },
      async (ctx, { params }) => {
        const d = await visibleDevice(ctx, params.id);
        return sendHtml(ctx.reply, confirmView(ctx, action, d));
      },
    );
    route(
      app,
      cc,
      { method: 'POST', url: `/devices/:id/${action}`, access: 'admin', schema: ByDevice, notFound: 'errors.noDevice' },
      async (ctx, { params }) => {
        const d = await visibleDevice(ctx, params.id);
        const outcome =
          action === 'revoke'
            ? await revokeDevice(cc.route.db, d.id, ctx.now)
            : await unrevokeDevice(cc.route.db, d.id);
        const changed = outcome === 'revoked' || outcome === 'unrevoked';
        if (changed)
          await audit(cc.route.db, {
            username: ctx.session.username,
            action: action === 'revoke' ? 'device_revoked' : 'device_unrevoked',
            detail: { deviceId: d.id, unit: d.unit },
            ip: ctx.req.ip,
            at: ctx.now,
          });
        return ctx.reply.redirect(
          `${cc.prefix}/devices/${encodeURIComponent(d.id)}?done=${changed ? outcome : 'already'}`,
          303,
        );
      },
    );
  }
};
