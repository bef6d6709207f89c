import type { RefusedResponse } from '../../../ops/refused.ts';
import { type Html, html } from '../../html.ts';
import { formatTime } from '../../i18n.ts';
import { layout } from '../../layout.ts';
import type { AuthedView } from '../../view.ts';

/** At most this many rows on the page, newest first (centralctl refused lists them all). */
export const REFUSED_SHOWN = 500;

export type RefusedData = { rows: readonly RefusedResponse[]; device: string | undefined };

const row = (ctx: AuthedView, r: RefusedResponse): Html =>
  html`<tr data-testid="refused-row" data-device="${r.deviceId}" data-seq="${r.seq}"><td>${formatTime(ctx.locale, new Date(r.receivedAt))}</td><td><a href="${ctx.url(
    `/devices/${encodeURIComponent(r.deviceId)}`,
  )}"><code>${r.deviceId}</code></a> (${r.unit})</td><td>${r.seq}</td><td><code>${r.questionnaire}</code></td><td>${ctx.t(
    `refused.reasons.${r.reason}`,
  )}</td><td>${r.detail}<br><small><code>${r.responseId}</code></small></td></tr>`;

const table = (ctx: AuthedView, rows: readonly RefusedResponse[]): Html =>
  rows.length === 0
    ? html`<p data-testid="refused-empty">${ctx.t('refused.none')}</p>`
    : html`<div class="scroll"><table data-testid="refused-table">
<caption>${ctx.t('refused.caption', { shown: REFUSED_SHOWN })}</caption>
<thead><tr><th scope="col">${ctx.t('refused.col.received')}</th><th scope="col">${ctx.t('refused.col.device')}</th><th scope="col">${ctx.t(
        'refused.col.seq',
      )}</th><th scope="col">${ctx.t('refused.col.questionnaire')}</th><th scope="col">${ctx.t('refused.col.reason')}</th><th scope="col">${ctx.t(
        'refused.col.detail',
      )}</th></tr></thead>
<tbody>${rows.map((r) => row(ctx, r))}</tbody></table></div>`;

export const refusedView = (ctx: AuthedView, data: RefusedData): Html => {
  const filter = data.device
    ? html`<p data-testid="refused-filter">${ctx.t('refused.onlyDevice', { device: data.device })} <a href="${ctx.url('/refused')}">${ctx.t('refused.all')}</a></p>`
    : '';
  const body = html`<p class="hint">${ctx.t('refused.intro')}</p>
${filter}
${table(ctx, data.rows)}`;
  return layout(ctx, { title: ctx.t('refused.title'), active: 'refused', body });
};
