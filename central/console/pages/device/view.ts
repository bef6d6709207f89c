import type { DeviceReport } from '../../../ops/devices.ts';
import type { BatchView, ConflictView } from '../../../ops/device-history.ts';
import type { Reconciliation } from '../../../ops/reconciliation.ts';
import { type StatusOptions, deviceStatus } from '../../device-status.ts';
import { bytes, drift, seqRange } from '../../format.ts';
import { type Html, html } from '../../html.ts';
import { formatNumber, formatTime } from '../../i18n.ts';
import { csrfField, layout, notice } from '../../layout.ts';
import type { AuthedView } from '../../view.ts';

const reconciliationSection = (ctx: AuthedView, r: Reconciliation): Html => {
  const n = (v: number) => formatNumber(ctx.locale, v);
  const headline =
    r.missing === 0
      ? notice('ok', ctx.t('reconcile.noGaps', { held: n(r.held), h: r.highestContiguousSeq }), 'reconcile-status')
      : notice(
          'error',
          ctx.t('reconcile.missing', { missing: n(r.missing), held: n(r.held), h: r.highestContiguousSeq }),
          'reconcile-status',
        );
  // The kiosk had more acknowledged than central now holds: central lost answers it had acknowledged
  // (restored from an older backup). The kiosk resends them on its next sync; say so, not just "missing".
  const lost =
    r.kioskAckedSeq !== null && r.kioskAckedSeq > r.highestContiguousSeq
      ? notice(
          'error',
          ctx.t('reconcile.lostAcked', { acked: r.kioskAckedSeq, h: r.highestContiguousSeq }),
          'reconcile-lost',
        )
      : '';
  const gapRows = [
    ...r.gaps.map(
      (g) =>
        html`<tr data-testid="gap-row" data-from="${g.from}" data-to="${g.to}"><th scope="row">${seqRange(g.from, g.to)}</th><td class="num">${n(g.count)}</td><td>${
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
          html`<tr data-testid="gap-row" data-from="${r.tail.from}" data-to="${r.tail.to}" class="tail"><th scope="row">${seqRange(r.tail.from, r.tail.to)}</th><td class="num">${n(
            r.tail.count,
          )}</td><td>${ctx.t('reconcile.tailNote')}</td><td>${formatTime(ctx.locale, r.tail.reportedAt)}</td></tr>`,
        ]
      : []),
  ];
  return html`<section aria-labelledby="reconcile-h">
<h2 id="reconcile-h">${ctx.t('reconcile.title')}</h2>
${headline}
${lost}
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
            html`<tr data-testid="range-row" data-from="${x.from}" data-to="${x.to}"><th scope="row">${seqRange(x.from, x.to)}</th><td class="num">${n(x.count)}</td><td>${formatTime(
              ctx.locale,
              x.firstReceivedAt,
            )}</td><td>${formatTime(ctx.locale, x.lastReceivedAt)}</td></tr>`,
        )
  }</tbody></table>
${r.moreRanges > 0 ? html`<p>${ctx.t('reconcile.moreRanges', { n: n(r.moreRanges) })}</p>` : ''}
</section>`;
};

const factsList = (ctx: AuthedView, d: DeviceReport, wanted: string | null, options: StatusOptions): Html => {
  const s = deviceStatus(d, wanted, ctx.now, options);
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

export type DeviceData = {
  d: DeviceReport;
  reconciliation: Reconciliation;
  conflicts: readonly ConflictView[];
  batches: readonly BatchView[];
  /** The configuration version the device's unit should run. */
  wanted: string | null;
  statusOptions: StatusOptions;
  done: 'revoked' | 'unrevoked' | 'already' | undefined;
  /** The counter the kiosk stands at (counter bridge, ./counter.ts). */
  counter?: Html;
};

/** One device: facts, reconciliation, conflicts, recent batches; revoke or unrevoke for an admin. */
export const deviceView = (ctx: AuthedView, data: DeviceData): Html => {
  const d = data.d;
  const actions =
    ctx.session.role === 'province_admin'
      ? d.revoked
        ? html`<a class="button" href="${ctx.url(`/devices/${encodeURIComponent(d.id)}/unrevoke`)}" data-testid="unrevoke-link">${ctx.t('device.unrevoke')}</a>`
        : html`<a class="button danger" href="${ctx.url(`/devices/${encodeURIComponent(d.id)}/revoke`)}" data-testid="revoke-link">${ctx.t('device.revoke')}</a>`
      : '';
  const body = html`${data.done ? notice('ok', ctx.t(`device.done.${data.done}`), 'device-message') : ''}
${factsList(ctx, d, data.wanted, data.statusOptions)}
<p>${actions}</p>
${data.counter ?? ''}
${reconciliationSection(ctx, data.reconciliation)}
<section aria-labelledby="conflicts-h"><h2 id="conflicts-h">${ctx.t('device.conflicts')}</h2>
${
  data.conflicts.length === 0
    ? html`<p>${ctx.t('device.noConflicts')}</p>`
    : html`<p>${ctx.t('device.conflictsExplain')}</p><table data-testid="conflicts-table"><thead><tr><th scope="col">${ctx.t('reconcile.col.seqs')}</th><th scope="col">${ctx.t(
        'device.col.responseId',
      )}</th><th scope="col">${ctx.t('device.col.reason')}</th><th scope="col">${ctx.t('device.col.times')}</th><th scope="col">${ctx.t('device.col.lastReceived')}</th></tr></thead><tbody>${data.conflicts.map(
        (c) =>
          html`<tr><th scope="row">${c.seq}</th><td><code>${c.response_id}</code></td><td>${ctx.t(`device.reason.${c.reason}`)}</td><td class="num">${c.times}</td><td>${formatTime(
            ctx.locale,
            c.last_received_at,
          )}</td></tr>`,
      )}</tbody></table>`
}</section>
<section aria-labelledby="batches-h"><h2 id="batches-h">${ctx.t('device.batches')}</h2>
${
  data.batches.length === 0
    ? html`<p>${ctx.t('device.noBatches')}</p>`
    : html`<table data-testid="batches-table"><thead><tr><th scope="col">${ctx.t('device.col.received')}</th><th scope="col">${ctx.t('reconcile.col.seqs')}</th><th scope="col">${ctx.t(
        'device.col.via',
      )}</th><th scope="col">${ctx.t('device.col.counts')}</th></tr></thead><tbody>${data.batches.map(
        (b) =>
          html`<tr><td>${formatTime(ctx.locale, b.received_at)}</td><td>${seqRange(b.seq_from, b.seq_to)}</td><td>${ctx.t(`device.via.${b.via}`)}</td><td>${ctx.t(
            'device.batchCounts',
            {
              inserted: b.inserted,
              duplicates: b.duplicates,
              conflicts: b.conflicts,
            },
          )}</td></tr>`,
      )}</tbody></table>`
}</section>`;
  return layout(ctx, { title: `${ctx.t('device.title')}: ${d.label ?? d.id}`, active: 'devices', body });
};

/** "Revoke this device?" / "Lift the revocation?", a form that POSTs to the same path. */
export const confirmView = (ctx: AuthedView, action: 'revoke' | 'unrevoke', d: DeviceReport): Html => {
  const body = html`<form method="post" action="${ctx.url(`/devices/${encodeURIComponent(d.id)}/${action}`)}" class="card narrow" data-testid="${action}-confirm">
${csrfField(ctx)}
<p>${ctx.t(`device.${action}Confirm`, { label: d.label ?? d.id, id: d.id, unit: d.unit })}</p>
<p>${ctx.t(`device.${action}Explain`)}</p>
<button type="submit" class="${action === 'revoke' ? 'danger' : ''}" data-testid="${action}-submit">${ctx.t(`device.${action}`)}</button>
<a href="${ctx.url(`/devices/${encodeURIComponent(d.id)}`)}">${ctx.t('common.cancel')}</a>
</form>`;
  return layout(ctx, { title: ctx.t(`device.${action}Title`), active: 'devices', body });
};
