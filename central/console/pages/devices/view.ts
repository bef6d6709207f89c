import type { DeviceReport } from '../../../ops/devices.ts';
import type { DeviceStatus } from '../../device-status.ts';
import { ago, drift, shortId } from '../../format.ts';
import { type Html, html } from '../../html.ts';
import { formatNumber, formatTime } from '../../i18n.ts';
import { layout } from '../../layout.ts';
import type { AuthedView } from '../../view.ts';

export type DeviceRow = { d: DeviceReport; s: DeviceStatus; wanted: string | null };
export type DevicesData = {
  rows: readonly DeviceRow[];
  /** The units the filter offers (only to a province admin: allUnits). */
  units: readonly string[];
  allUnits: boolean;
  unit: string | undefined;
  staleAfterHours: number;
  driftWarnSeconds: number;
};

const badges = (ctx: AuthedView, d: DeviceReport, s: DeviceStatus): Html => {
  const list: [string, string][] = [];
  if (d.revoked) list.push(['revoked', ctx.t('devices.badge.revoked')]);
  if (s.neverSeen) list.push(['warn', ctx.t('devices.badge.neverSeen')]);
  if (s.stale) list.push(['warn', ctx.t('devices.badge.stale')]);
  if (s.drifting) list.push(['warn', ctx.t('devices.badge.drifting')]);
  if (s.gaps) list.push(['bad', ctx.t('devices.badge.gaps')]);
  if (s.behind) list.push(['info', ctx.t('devices.badge.behind')]);
  if (s.configOutdated) list.push(['info', ctx.t('devices.badge.configOutdated')]);
  if (list.length === 0) list.push(['ok', ctx.t('devices.badge.ok')]);
  return html`${list.map(([cls, text]) => html`<span class="badge ${cls}">${text}</span> `)}`;
};

const row = (ctx: AuthedView, d: DeviceReport, s: DeviceStatus, wanted: string | null): Html => {
  const hb = s.heartbeat;
  const problem = d.revoked ? 'revoked' : s.stale || s.drifting || s.gaps || s.neverSeen ? 'problem' : '';
  return html`<tr class="${problem}" data-testid="device-row" data-device="${d.id}" data-stale="${String(s.stale)}" data-drifting="${String(s.drifting)}" data-revoked="${String(d.revoked)}">
  <th scope="row"><a href="${ctx.url(`/devices/${encodeURIComponent(d.id)}`)}">${d.label ?? ctx.t('devices.noLabel')}</a><br><code title="${d.id}">${shortId(d.id)}</code></th>
  <td>${d.unit}</td>
  <td>${badges(ctx, d, s)}</td>
  <td>${d.lastHeartbeatAt ? html`${formatTime(ctx.locale, d.lastHeartbeatAt)}<br><small>${ago(ctx.t, s.heartbeatAgeMs ?? 0)}</small>` : ctx.t('devices.never')}</td>
  <td class="num">${hb ? formatNumber(ctx.locale, hb.queueDepth) : '–'}</td>
  <td class="num">${formatNumber(ctx.locale, d.responses)}<br><small>${ctx.t('devices.gapFreeTo', { h: d.highestContiguousSeq })}</small></td>
  <td>${hb?.appVersion ?? d.appVersion}</td>
  <td><code>${hb?.configVersion ?? '–'}</code>${s.configOutdated && wanted ? html`<br><small>${ctx.t('devices.expected', { version: wanted })}</small>` : ''}</td>
  <td>${d.clockDriftMs === null ? '–' : drift(ctx.t, d.clockDriftMs)}</td>
</tr>`;
};

/** The device registry. */
export const devicesView = (ctx: AuthedView, data: DevicesData): Html => {
  const count = (f: (s: DeviceStatus, d: DeviceReport) => boolean) => data.rows.filter((r) => f(r.s, r.d)).length;
  const summary = ctx.t('devices.summary', {
    total: data.rows.length,
    stale: count((s) => s.stale || s.neverSeen),
    drifting: count((s) => s.drifting),
    gaps: count((s) => s.gaps),
    revoked: count((_s, d) => d.revoked),
  });
  const body = html`<p data-testid="devices-summary">${summary}</p>
<form method="get" action="${ctx.url('/devices')}" class="filters">
  <label for="stale">${ctx.t('devices.staleAfter')}</label>
  <input id="stale" name="stale" type="number" min="0.1" max="720" step="0.1" value="${data.staleAfterHours}">
  ${
    data.allUnits
      ? html`<label for="unit">${ctx.t('devices.unit')}</label><select id="unit" name="unit"><option value="">${ctx.t('devices.allUnits')}</option>${data.units.map(
          (u) => html`<option value="${u}"${u === data.unit ? html` selected` : ''}>${u}</option>`,
        )}</select>`
      : ''
  }
  <button type="submit">${ctx.t('devices.apply')}</button>
</form>
<p class="hint">${ctx.t('devices.legend', { hours: data.staleAfterHours, seconds: data.driftWarnSeconds })}</p>
${
  data.rows.length === 0
    ? html`<p data-testid="devices-empty">${ctx.t('devices.empty')}</p>`
    : html`<div class="scroll"><table class="devices" data-testid="devices-table">
<caption class="visually-hidden">${ctx.t('devices.caption')}</caption>
<thead><tr><th scope="col">${ctx.t('devices.col.device')}</th><th scope="col">${ctx.t('devices.col.unit')}</th><th scope="col">${ctx.t('devices.col.status')}</th><th scope="col">${ctx.t(
        'devices.col.heartbeat',
      )}</th><th scope="col">${ctx.t('devices.col.queue')}</th><th scope="col">${ctx.t('devices.col.responses')}</th><th scope="col">${ctx.t('devices.col.app')}</th><th scope="col">${ctx.t(
        'devices.col.config',
      )}</th><th scope="col">${ctx.t('devices.col.drift')}</th></tr></thead>
<tbody>${data.rows.map((r) => row(ctx, r.d, r.s, r.wanted))}</tbody></table></div>`
}`;
  return layout(ctx, { title: ctx.t('devices.title'), active: 'devices', body });
};
