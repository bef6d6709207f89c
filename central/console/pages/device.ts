import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { DeviceId } from '../../../shared/sync.ts';
import { latestVersions } from '../../ops/config-status.ts';
import { listConflicts, recentBatches } from '../../ops/device-history.ts';
import { type DeviceReport, findDeviceReport, revokeDevice, unrevokeDevice } from '../../ops/devices.ts';
import { type Reconciliation, eachMissingRange, reconcile } from '../../ops/reconciliation.ts';
import { audit } from '../audit.ts';
import { type AuthedCtx, type ConsoleContext, ConsoleError, route, sendHtml, unitScope } from '../context.ts';
import { deviceStatus } from '../device-status.ts';
import { bytes, drift } from '../format.ts';
import { type Html, html } from '../html.ts';
import { formatNumber, formatTime } from '../i18n.ts';
import { lenient } from '../forms.ts';
import { csrfField, layout, notice } from '../layout.ts';

const Params = z.object({ id: DeviceId });

/** The device, if this session may see it (a unit viewer: only its own unit's); else 404. */
const visibleDevice = async (ctx: AuthedCtx, id: string): Promise<DeviceReport> => {
  const device = await findDeviceReport(ctx.cc.route.db, id);
  const scope = unitScope(ctx.session);
  if (!device || (scope !== null && device.unit !== scope)) throw new ConsoleError(404, 'errors.noDevice');
  return device;
};

const range = (from: number, to: number): string => (from === to ? String(from) : `${from}–${to}`);

const reconciliationSection = (ctx: AuthedCtx, r: Reconciliation): Html => {
  const n = (v: number) => formatNumber(ctx.locale, v);
  const headline =
    r.missing === 0
      ? notice('ok', ctx.t('reconcile.noGaps', { held: n(r.held), h: r.highestContiguousSeq }), 'reconcile-status')
      : notice(
          'error',
          ctx.t('reconcile.missing', { missing: n(r.missing), held: n(r.held), h: r.highestContiguousSeq }),
          'reconcile-status',
        );
  const gapRows = [
    ...r.gaps.map(
      (g) =>
        html`<tr data-testid="gap-row" data-from="${g.from}" data-to="${g.to}"><th scope="row">${range(g.from, g.to)}</th><td class="num">${n(g.count)}</td><td>${
          g.recordedAfter || g.recordedBefore
            ? ctx.t('reconcile.recordedBetween', {
                after: formatTime(ctx.locale, g.recordedAfter) || '…',
                before: formatTime(ctx.locale, g.recordedBefore) || '…',
              })
            : ''
        }</td><td>${formatTime(ctx.locale, g.knownSince)}</td></tr>`,
    ),
    ...(r.tail
      ? [
          html`<tr data-testid="gap-row" data-from="${r.tail.from}" data-to="${r.tail.to}" class="tail"><th scope="row">${range(r.tail.from, r.tail.to)}</th><td class="num">${n(
            r.tail.count,
          )}</td><td>${ctx.t('reconcile.tailNote')}</td><td>${formatTime(ctx.locale, r.tail.reportedAt)}</td></tr>`,
        ]
      : []),
  ];
  return html`<section aria-labelledby="reconcile-h">
<h2 id="reconcile-h">${ctx.t('reconcile.title')}</h2>
${headline}
<p>${ctx.t('reconcile.explain')}</p>
${
  gapRows.length > 0
    ? html`<table data-testid="gaps-table"><caption>${ctx.t('reconcile.gaps')}</caption>
<thead><tr><th scope="col">${ctx.t('reconcile.col.seqs')}</th><th scope="col">${ctx.t('reconcile.col.count')}</th><th scope="col">${ctx.t('reconcile.col.recorded')}</th><th scope="col">${ctx.t(
        'reconcile.col.since',
      )}</th></tr></thead><tbody>${gapRows}</tbody></table>
<p><a href="${ctx.url(`/devices/${encodeURIComponent(r.deviceId)}/missing.txt`)}" data-testid="missing-download">${ctx.t('reconcile.download')}</a></p>`
    : ''
}
<table data-testid="ranges-table"><caption>${ctx.t('reconcile.ranges')}</caption>
<thead><tr><th scope="col">${ctx.t('reconcile.col.seqs')}</th><th scope="col">${ctx.t('reconcile.col.count')}</th><th scope="col">${ctx.t('reconcile.col.firstReceived')}</th><th scope="col">${ctx.t(
    'reconcile.col.lastReceived',
  )}</th></tr></thead>
<tbody>${
    r.ranges.length === 0
      ? html`<tr><td colspan="4">${ctx.t('reconcile.nothingYet')}</td></tr>`
      : r.ranges.map(
          (x) =>
            html`<tr data-testid="range-row" data-from="${x.from}" data-to="${x.to}"><th scope="row">${range(x.from, x.to)}</th><td class="num">${n(x.count)}</td><td>${formatTime(
              ctx.locale,
              x.firstReceivedAt,
            )}</td><td>${formatTime(ctx.locale, x.lastReceivedAt)}</td></tr>`,
        )
  }</tbody></table>
${r.moreRanges > 0 ? html`<p>${ctx.t('reconcile.moreRanges', { n: n(r.moreRanges) })}</p>` : ''}
</section>`;
};

const factsList = (ctx: AuthedCtx, d: DeviceReport, wanted: string | null): Html => {
  const s = deviceStatus(d, wanted, ctx.now, ctx.cc.options);
  const hb = s.heartbeat;
  const item = (key: Parameters<typeof ctx.t>[0], value: string | Html) =>
    html`<dt>${ctx.t(key)}</dt><dd>${value}</dd>`;
  return html`<dl class="facts">
${item('device.id', html`<code>${d.id}</code>`)}
${item('device.unit', d.unit)}
${item('device.enrolled', formatTime(ctx.locale, d.enrolledAt))}
${item('device.status', d.revoked ? html`<span class="badge revoked">${ctx.t('devices.badge.revoked')}</span> ${formatTime(ctx.locale, d.revokedAt)}` : ctx.t('device.active'))}
${item('device.lastHeartbeat', d.lastHeartbeatAt ? formatTime(ctx.locale, d.lastHeartbeatAt) : ctx.t('devices.never'))}
${item('device.kioskLastSeq', hb ? String(hb.lastSeq) : '–')}
${item('device.kioskAcked', hb ? String(hb.lastAckedSeq) : '–')}
${item('devices.col.queue', hb ? String(hb.queueDepth) : '–')}
${item('devices.col.app', hb?.appVersion ?? d.appVersion)}
${item('devices.col.config', hb ? html`<code>${hb.configVersion}</code>${s.configOutdated && wanted ? html` (${ctx.t('devices.expected', { version: wanted })})` : ''}` : '–')}
${item('devices.col.drift', d.clockDriftMs === null ? '–' : drift(ctx.t, d.clockDriftMs))}
${item('device.freeDisk', hb?.freeDiskBytes != null ? bytes(ctx.locale, hb.freeDiskBytes) : '–')}
${item('device.procedure', hb?.procedureCode ?? '–')}
${item('device.counts', ctx.t('device.countsValue', { responses: d.responses, duplicates: d.duplicates, conflicts: d.conflicts, batches: d.batches }))}
</dl>`;
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
      const done = query.done;
      const actions =
        ctx.session.role === 'province_admin'
          ? d.revoked
            ? html`<a class="button" href="${ctx.url(`/devices/${encodeURIComponent(d.id)}/unrevoke`)}" data-testid="unrevoke-link">${ctx.t('device.unrevoke')}</a>`
            : html`<a class="button danger" href="${ctx.url(`/devices/${encodeURIComponent(d.id)}/revoke`)}" data-testid="revoke-link">${ctx.t('device.revoke')}</a>`
          : '';
      const body = html`${done ? notice('ok', ctx.t(`device.done.${done}`), 'device-message') : ''}
${factsList(ctx, d, versions.get(d.unit)?.version ?? null)}
<p>${actions}</p>
${reconciliationSection(ctx, r)}
<section aria-labelledby="conflicts-h"><h2 id="conflicts-h">${ctx.t('device.conflicts')}</h2>
${
  conflicts.length === 0
    ? html`<p>${ctx.t('device.noConflicts')}</p>`
    : html`<p>${ctx.t('device.conflictsExplain')}</p><table data-testid="conflicts-table"><thead><tr><th scope="col">${ctx.t('reconcile.col.seqs')}</th><th scope="col">${ctx.t(
        'device.col.responseId',
      )}</th><th scope="col">${ctx.t('device.col.reason')}</th><th scope="col">${ctx.t('device.col.times')}</th><th scope="col">${ctx.t('device.col.lastReceived')}</th></tr></thead><tbody>${conflicts.map(
        (c) =>
          html`<tr><th scope="row">${c.seq}</th><td><code>${c.response_id}</code></td><td>${ctx.t(`device.reason.${c.reason}`)}</td><td class="num">${c.times}</td><td>${formatTime(
            ctx.locale,
            c.last_received_at,
          )}</td></tr>`,
      )}</tbody></table>`
}</section>
<section aria-labelledby="batches-h"><h2 id="batches-h">${ctx.t('device.batches')}</h2>
${
  batches.length === 0
    ? html`<p>${ctx.t('device.noBatches')}</p>`
    : html`<table data-testid="batches-table"><thead><tr><th scope="col">${ctx.t('device.col.received')}</th><th scope="col">${ctx.t('reconcile.col.seqs')}</th><th scope="col">${ctx.t(
        'device.col.via',
      )}</th><th scope="col">${ctx.t('device.col.counts')}</th></tr></thead><tbody>${batches.map(
        (b) =>
          html`<tr><td>${formatTime(ctx.locale, b.received_at)}</td><td>${range(b.seq_from, b.seq_to)}</td><td>${ctx.t(`device.via.${b.via}`)}</td><td>${ctx.t(
            'device.batchCounts',
            {
              inserted: b.inserted,
              duplicates: b.duplicates,
              conflicts: b.conflicts,
            },
          )}</td></tr>`,
      )}</tbody></table>`
}</section>`;
      return sendHtml(
        ctx.reply,
        layout(ctx, { title: `${ctx.t('device.title')}: ${d.label ?? d.id}`, active: 'devices', body }),
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
        text += `${range(from, to).replace('–', '-')}\n`;
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
        const body = html`<form method="post" action="${ctx.url(`/devices/${encodeURIComponent(d.id)}/${action}`)}" class="card narrow" data-testid="${action}-confirm">
${csrfField(ctx)}
<p>${ctx.t(`device.${action}Confirm`, { label: d.label ?? d.id, id: d.id, unit: d.unit })}</p>
<p>${ctx.t(`device.${action}Explain`)}</p>
<button type="submit" class="${action === 'revoke' ? 'danger' : ''}" data-testid="${action}-submit">${ctx.t(`device.${action}`)}</button>
<a href="${ctx.url(`/devices/${encodeURIComponent(d.id)}`)}">${ctx.t('common.cancel')}</a>
</form>`;
        return sendHtml(ctx.reply, layout(ctx, { title: ctx.t(`device.${action}Title`), active: 'devices', body }));
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
