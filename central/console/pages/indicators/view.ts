import type { UnitNode } from '../../../ops/units.ts';
import type { IndicatorEntry } from '../../../reports/unit-indicators.ts';
import { type Html, html } from '../../html.ts';
import { formatTime } from '../../i18n.ts';
import { csrfField, layout, notice } from '../../layout.ts';
import type { AuthedView } from '../../view.ts';

export type IndicatorsData = {
  /** The units this account may choose (a unit viewer: their unit and those under it), in tree order. */
  units: readonly UnitNode[];
  unitId: string;
  /** As typed ("2026-Q3"); shown back even when it did not parse. */
  quarter: string;
  /** Undefined when the quarter did not parse. */
  entries: readonly IndicatorEntry[] | undefined;
  canVerify: boolean;
};
export type IndicatorsOptions = { top?: Html; status?: number };

const part = (ctx: AuthedView, p: IndicatorEntry['self']): Html =>
  p
    ? html`<strong data-testid="points">${p.points}</strong><br><span class="hint">${ctx.t('indicators.by', {
        who: p.by,
        at: formatTime(ctx.locale, p.at),
      })}</span>`
    : html`${ctx.t('indicators.none')}`;

const pointsForm = (ctx: AuthedView, data: IndicatorsData, e: IndicatorEntry, which: 'self' | 'verified'): Html => {
  const current = (which === 'self' ? e.self : e.verified)?.points;
  const id = `${which}-${e.indicator}`;
  return html`<form method="post" action="${ctx.url('/indicators')}" class="inline" data-testid="form-${id}">
${csrfField(ctx)}
<input type="hidden" name="unit" value="${data.unitId}">
<input type="hidden" name="quarter" value="${data.quarter}">
<input type="hidden" name="indicator" value="${e.indicator}">
<input type="hidden" name="which" value="${which}">
<label for="points-${id}">${ctx.t('indicators.points')}</label>
<select id="points-${id}" name="points">${[0, 1, 2].map(
    (p) => html`<option value="${p}"${p === current ? html` selected` : ''}>${p}</option>`,
  )}</select>
<label for="note-${id}">${ctx.t('indicators.note')}</label>
<input id="note-${id}" name="note" maxlength="1000" value="${e.note ?? ''}">
<button type="submit">${ctx.t(which === 'self' ? 'indicators.enterSelf' : 'indicators.enterVerified')}</button>
</form>`;
};

/** Choose a unit and quarter; the unit-level indicators with self-assessed and verified points, and forms to enter them. */
export const indicatorsView = (ctx: AuthedView, data: IndicatorsData, options: IndicatorsOptions): Html => {
  const unit = data.units.find((u) => u.id === data.unitId);
  const chooser = html`<form method="get" action="${ctx.url('/indicators')}" class="card" data-testid="indicator-filter">
<label for="unit">${ctx.t('indicators.unit')}</label>
<select id="unit" name="unit">${data.units.map(
    (u) =>
      html`<option value="${u.id}"${u.id === data.unitId ? html` selected` : ''}>${'\u00a0\u00a0'.repeat(u.depth)}${u.name} (${u.id})</option>`,
  )}</select>
<label for="quarter">${ctx.t('indicators.quarter')}</label>
<input id="quarter" name="quarter" value="${data.quarter}" maxlength="7" pattern="\\d{4}-Q[1-4]">
<button type="submit">${ctx.t('indicators.show')}</button>
</form>`;
  const entries = data.entries;
  const table =
    entries === undefined || !unit
      ? html``
      : entries.length === 0
        ? html`<p>${ctx.t('indicators.noIndicators')}</p>`
        : html`<table data-testid="indicator-table"><caption>${ctx.t('indicators.caption', { unit: unit.name, quarter: data.quarter })}</caption>
<thead><tr><th scope="col">${ctx.t('indicators.indicator')}</th><th scope="col">${ctx.t('indicators.self')}</th><th scope="col">${ctx.t('indicators.verified')}</th><th scope="col">${ctx.t('indicators.note')}</th></tr></thead>
<tbody>${entries.map(
            (e) => html`<tr data-testid="indicator-row" data-indicator="${e.indicator}">
<th scope="row">${ctx.t('indicators.indicatorN', { n: e.indicator })}</th>
<td data-testid="self">${part(ctx, e.self)}${pointsForm(ctx, data, e, 'self')}</td>
<td data-testid="verified">${part(ctx, e.verified)}${data.canVerify ? pointsForm(ctx, data, e, 'verified') : ''}</td>
<td>${e.note ?? ''}</td></tr>`,
          )}</tbody></table>`;
  const body = html`<p>${ctx.t('indicators.intro')}</p>
${options.top ?? ''}
${chooser}
${table}`;
  return layout(ctx, { title: ctx.t('indicators.title'), active: 'indicators', body });
};

export const indicatorNotice = (kind: 'ok' | 'error', text: string): Html => notice(kind, text, `indicator-${kind}`);
