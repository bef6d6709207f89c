import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { CounterId, setDeviceCounter } from '../../../bridge/device-counter.ts';
import type { Queryable } from '../../../db/types.ts';
import { audit } from '../../audit.ts';
import { type ConsoleContext, ConsoleError, route } from '../../context.ts';
import { formBody, formTrimmed } from '../../forms.ts';
import { type Html, html } from '../../html.ts';
import { csrfField } from '../../layout.ts';
import type { AuthedView } from '../../view.ts';

/** The counter a device stands at (null: none). */
export const deviceCounterOf = async (db: Queryable, deviceId: string): Promise<string | null> => {
  const r = await db.query('SELECT counter_id FROM devices WHERE id = $1', [deviceId]);
  const v = r.rows[0]?.['counter_id'];
  return typeof v === 'string' ? v : null;
};

/** The device page's counter field: shown to everyone, editable by a province admin. */
export const counterSection = (ctx: AuthedView, deviceId: string, counter: string | null): Html =>
  ctx.session.role === 'province_admin'
    ? html`<form method="post" action="${ctx.url(`/devices/${encodeURIComponent(deviceId)}/counter`)}" class="card narrow" data-testid="counter-form">
${csrfField(ctx)}<label for="counter">${ctx.t('bridge.device.counter')}</label>
<input id="counter" name="counter" value="${counter ?? ''}" maxlength="32" pattern="[A-Za-z0-9_.\\-]{1,32}" aria-describedby="counter-hint">
<p class="hint" id="counter-hint">${ctx.t('bridge.device.counterHint')}</p>
<button type="submit" data-testid="counter-submit">${ctx.t('bridge.device.save')}</button></form>`
    : html`<p data-testid="device-counter">${ctx.t('bridge.device.counter')}: ${counter ?? '—'}</p>`;

const Params = z.object({ id: z.string().min(1).max(64) });

/** POST /devices/:id/counter (province admin): places the kiosk at a counter, or at none; audited. */
export const deviceCounterRoutes = (app: FastifyInstance, cc: ConsoleContext): void => {
  route(
    app,
    cc,
    {
      method: 'POST',
      url: '/devices/:id/counter',
      access: 'admin',
      schema: { params: Params, body: formBody({ counter: formTrimmed(64) }) },
      notFound: 'errors.noDevice',
    },
    async (ctx, { params, body }) => {
      const counter = body.counter === '' ? null : body.counter;
      if (counter !== null && !CounterId.safeParse(counter).success)
        throw new ConsoleError(400, 'bridge.device.invalid');
      const outcome = await cc.route.db.transaction(async (tx) => {
        const placed = await setDeviceCounter(tx, params.id, counter);
        if (placed !== 'unknown_device')
          await audit(tx, {
            username: ctx.session.username,
            action: 'device_counter_set',
            detail: { device: params.id, counter },
            ip: ctx.req.ip,
            at: ctx.now,
          });
        return placed;
      });
      if (outcome === 'unknown_device') throw new ConsoleError(404, 'errors.noDevice');
      return ctx.reply.redirect(`${cc.prefix}/devices/${encodeURIComponent(params.id)}`, 303);
    },
  );
};
