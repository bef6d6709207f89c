import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { latestVersions } from '../../ops/config-status.ts';
import { type DeviceReport, listDevices } from '../../ops/devices.ts';
import { type AuthedCtx, type ConsoleContext, route, sendHtml, unitScope } from '../context.ts';
import { type DeviceStatus, deviceStatus } from '../device-status.ts';
import { ago, drift } from '../format.ts';
import { type Html, html } from '../html.ts';
import { formatNumber, formatTime } from '../i18n.ts';
import { layout } from '../layout.ts';
import { StaleHours } from '../options.ts';
import { lenient } from '../forms.ts';

const Query = z.object({ stale: lenient(StaleHours), unit: lenient(z.string().max(64)) });

export const shortId = (id: string): string => (id.length > 13 ? `${id.slice(0, 8)}…${id.slice(-4)}` : id);

const badges = (ctx: AuthedCtx, d: DeviceReport, s: DeviceStatus): Html => {
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

const row = (ctx: AuthedCtx, d: DeviceReport, s: DeviceStatus, wanted: string | null): Html => {
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
      const count = (f: (s: DeviceStatus, d: DeviceReport) => boolean) => rows.filter((r) => f(r.s, r.d)).length;
      const summary = ctx.t('devices.summary', {
        total: devices.length,
        stale: count((s) => s.stale || s.neverSeen),
        drifting: count((s) => s.drifting),
        gaps: count((s) => s.gaps),
        revoked: count((_s, d) => d.revoked),
      });
      const units = [...new Set(all.filter((d) => scope === null || d.unit === scope).map((d) => d.unit))].sort();
      const body = html`<p data-testid="devices-summary">${summary}</p>
<form method="get" action="${ctx.url('/devices')}" class="filters">
  <label for="stale">${ctx.t('devices.staleAfter')}</label>
  <input id="stale" name="stale" type="number" min="0.1" max="720" step="0.1" value="${staleAfterHours}">
  ${
    scope === null
      ? html`<label for="unit">${ctx.t('devices.unit')}</label><select id="unit" name="unit"><option value="">${ctx.t('devices.allUnits')}</option>${units.map(
          (u) => html`<option value="${u}"${u === q.unit ? html` selected` : ''}>${u}</option>`,
        )}</select>`
      : ''
  }
  <button type="submit">${ctx.t('devices.apply')}</button>
</form>
<p class="hint">${ctx.t('devices.legend', { hours: staleAfterHours, seconds: cc.options.driftWarnSeconds })}</p>
${
  devices.length === 0
    ? html`<p data-testid="devices-empty">${ctx.t('devices.empty')}</p>`
    : html`<div class="scroll"><table class="devices" data-testid="devices-table">
<caption class="visually-hidden">${ctx.t('devices.caption')}</caption>
<thead><tr><th scope="col">${ctx.t('devices.col.device')}</th><th scope="col">${ctx.t('devices.col.unit')}</th><th scope="col">${ctx.t('devices.col.status')}</th><th scope="col">${ctx.t(
        'devices.col.heartbeat',
      )}</th><th scope="col">${ctx.t('devices.col.queue')}</th><th scope="col">${ctx.t('devices.col.responses')}</th><th scope="col">${ctx.t('devices.col.app')}</th><th scope="col">${ctx.t(
        'devices.col.config',
      )}</th><th scope="col">${ctx.t('devices.col.drift')}</th></tr></thead>
<tbody>${rows.map((r) => row(ctx, r.d, r.s, r.wanted))}</tbody></table></div>`
}`;
      return sendHtml(ctx.reply, layout(ctx, { title: ctx.t('devices.title'), active: 'devices', body }));
    },
  );
};
