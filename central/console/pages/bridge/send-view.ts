import type { Procedure } from '../../../../shared/catalog.ts';
import { pickText } from '../../../../shared/locale.ts';
import type { InvitationRecord } from '../../../bridge/store.ts';
import { type FieldErrors, fieldError, invalidAttrs } from '../../forms.ts';
import { type Html, html } from '../../html.ts';
import { formatTime } from '../../i18n.ts';
import { csrfField, layout, notice } from '../../layout.ts';
import type { AuthedView } from '../../view.ts';

export type SendValues = { unit: string; counter: string; caseNumber: string; procedure: string; officer: string };
export type SendData = {
  units: readonly string[];
  counters: readonly string[];
  procedures: readonly Procedure[];
  recent: readonly InvitationRecord[];
};
export type SendOptions = { values: SendValues; errors?: FieldErrors; sent?: { caseNumber: string; counter: string } };

const procedureName = (ctx: AuthedView, p: Procedure): string => pickText(p.name, ctx.locale);

const BADGE: Record<string, string> = { answered: 'ok', delivered: 'info', waiting: 'info' };

/** The counter's recent invitations and their status: the officer's display (also served alone, for refreshing). */
export const recentTable = (ctx: AuthedView, counter: string, recent: readonly InvitationRecord[]): Html =>
  html`<table data-testid="recent-invitations"><caption>${ctx.t('bridge.send.recent', { counter })}</caption>
<thead><tr><th scope="col">${ctx.t('bridge.send.colCase')}</th><th scope="col">${ctx.t('bridge.send.colProcedure')}</th><th scope="col">${ctx.t('bridge.send.colSent')}</th><th scope="col">${ctx.t('bridge.send.colStatus')}</th></tr></thead>
<tbody>${
    recent.length === 0
      ? html`<tr><td colspan="4">${ctx.t('bridge.send.noneYet')}</td></tr>`
      : recent.map(
          (r) =>
            html`<tr data-testid="invitation-row" data-status="${r.status}"><td>${r.invitation.caseNumber}</td><td>${r.invitation.procedureCode}</td><td>${formatTime(ctx.locale, new Date(r.invitation.issuedAt))}</td><td><span class="badge ${BADGE[r.status] ?? 'warn'}">${ctx.t(`bridge.status.${r.status}`)}</span></td></tr>`,
        )
  }</tbody></table>`;

const unitForm = (ctx: AuthedView, data: SendData, v: SendValues): Html =>
  data.units.length < 2
    ? html``
    : html`<form method="get" action="${ctx.url('/bridge/send')}" class="card">
<label for="unit-pick">${ctx.t('bridge.send.unit')}</label>
<select id="unit-pick" name="unit">${data.units.map((u) => html`<option value="${u}"${u === v.unit ? html` selected` : ''}>${u}</option>`)}</select>
<button type="submit">${ctx.t('bridge.send.showCounters')}</button></form>`;

const sendForm = (ctx: AuthedView, data: SendData, v: SendValues, e: FieldErrors): Html =>
  data.counters.length === 0
    ? notice('info', ctx.t('bridge.send.noCounters'), 'no-counters')
    : html`<form method="post" action="${ctx.url('/bridge/send')}" class="card" data-testid="send-form" novalidate>
${csrfField(ctx)}<input type="hidden" name="unit" value="${v.unit}">
<label for="counter">${ctx.t('bridge.send.counter')}</label>
<select id="counter" name="counter"${invalidAttrs(e, 'counter')}>${data.counters.map((c) => html`<option value="${c}"${c === v.counter ? html` selected` : ''}>${c}</option>`)}</select>
${fieldError(e, 'counter')}
<label for="caseNumber">${ctx.t('bridge.send.caseNumber')}</label>
<input id="caseNumber" name="caseNumber" value="${v.caseNumber}" maxlength="40" autocomplete="off" autofocus${invalidAttrs(e, 'caseNumber')}>
${fieldError(e, 'caseNumber')}
<label for="procedure">${ctx.t('bridge.send.procedure')}</label>
<select id="procedure" name="procedure"${invalidAttrs(e, 'procedure')}>${data.procedures.map((p) => html`<option value="${p.code}"${p.code === v.procedure ? html` selected` : ''}>${p.code} · ${procedureName(ctx, p)}</option>`)}</select>
${fieldError(e, 'procedure')}
<label for="officer">${ctx.t('bridge.send.officer')}</label>
<input id="officer" name="officer" value="${v.officer}" maxlength="32" autocomplete="off"${invalidAttrs(e, 'officer')}>
${fieldError(e, 'officer')}
<button type="submit" data-testid="send-submit">${ctx.t('bridge.send.submit')}</button>
</form>`;

/** The officer's send page: choose the counter, type or scan the case, pick the procedure, send; below, the counter's invitations. */
export const sendView = (ctx: AuthedView, data: SendData, options: SendOptions): Html => {
  const v = options.values;
  const e = options.errors ?? {};
  const refreshUrl = ctx.url(
    `/bridge/recent?unit=${encodeURIComponent(v.unit)}&counter=${encodeURIComponent(v.counter)}`,
  );
  const body = html`${options.sent ? notice('ok', ctx.t('bridge.send.sent', { case: options.sent.caseNumber, counter: options.sent.counter }), 'sent') : ''}
${Object.keys(e).length > 0 ? notice('error', ctx.t('common.fixErrors'), 'form-error') : ''}
<p>${ctx.t('bridge.send.intro')}</p>
${unitForm(ctx, data, v)}${sendForm(ctx, data, v, e)}
${
  v.counter
    ? html`<div data-refresh-url="${refreshUrl}" aria-live="polite">${recentTable(ctx, v.counter, data.recent)}</div>
<p><a href="${ctx.url(`/bridge/send?unit=${encodeURIComponent(v.unit)}&counter=${encodeURIComponent(v.counter)}`)}">${ctx.t('bridge.send.refresh')}</a></p>`
    : ''
}`;
  return layout(ctx, { title: ctx.t('bridge.send.title'), active: 'bridgeSend', body });
};
