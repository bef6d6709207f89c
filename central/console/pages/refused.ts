import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { DeviceId } from '../../../shared/sync.ts';
import { listRefused } from '../../ops/refused.ts';
import { type ConsoleContext, handler, sendHtml } from '../context.ts';
import { html } from '../html.ts';
import { formatTime } from '../i18n.ts';
import { layout } from '../layout.ts';

const Query = z.object({ device: DeviceId.optional().catch(undefined) });
const SHOWN = 500;

/**
 * Signed responses central set aside instead of storing (unknown questionnaire version, unknown
 * question, value outside the rules: central/ingest/validate-responses.ts), newest first. For the
 * province admin: many of them from one device mean a broken kiosk or a stolen key (revoke it).
 */
export const refusedRoutes = (app: FastifyInstance, cc: ConsoleContext): void => {
  app.get(
    '/refused',
    handler(cc, { access: 'admin' }, async (ctx) => {
      const { device } = Query.parse(ctx.req.query);
      const rows = await listRefused(cc.route.db, { deviceId: device, limit: SHOWN });
      const body = html`<p class="hint">${ctx.t('refused.intro')}</p>
${device ? html`<p data-testid="refused-filter">${ctx.t('refused.onlyDevice', { device })} <a href="${ctx.url('/refused')}">${ctx.t('refused.all')}</a></p>` : ''}
${
  rows.length === 0
    ? html`<p data-testid="refused-empty">${ctx.t('refused.none')}</p>`
    : html`<div class="scroll"><table data-testid="refused-table">
<caption>${ctx.t('refused.caption', { shown: SHOWN })}</caption>
<thead><tr><th scope="col">${ctx.t('refused.col.received')}</th><th scope="col">${ctx.t('refused.col.device')}</th><th scope="col">${ctx.t(
        'refused.col.seq',
      )}</th><th scope="col">${ctx.t('refused.col.questionnaire')}</th><th scope="col">${ctx.t('refused.col.reason')}</th><th scope="col">${ctx.t(
        'refused.col.detail',
      )}</th></tr></thead>
<tbody>${rows.map(
        (r) =>
          html`<tr data-testid="refused-row" data-device="${r.deviceId}" data-seq="${r.seq}"><td>${formatTime(ctx.locale, new Date(r.receivedAt))}</td><td><a href="${ctx.url(
            `/devices/${encodeURIComponent(r.deviceId)}`,
          )}"><code>${r.deviceId}</code></a> (${r.unit})</td><td>${r.seq}</td><td><code>${r.questionnaire}</code></td><td>${ctx.t(
            `refused.reasons.${r.reason}`,
          )}</td><td>${r.detail}<br><small><code>${r.responseId}</code></small></td></tr>`,
      )}</tbody></table></div>`
}`;
      return sendHtml(ctx.reply, layout(ctx, { title: ctx.t('refused.title'), active: 'refused', body }));
    }),
  );
};
