import type { ContactDetails } from '../../../../shared/follow-up.ts';
import { CLOSED_STATUSES, type FollowUpCase, FollowUpStatus, type FollowUpNote } from '../../../follow-ups/cases.ts';
import { type Html, html } from '../../html.ts';
import { formatTime } from '../../i18n.ts';
import { csrfField, layout, notice } from '../../layout.ts';
import type { AuthedView } from '../../view.ts';

export type ListFilter = { status: string; unit: string };
export type ListData = { cases: readonly FollowUpCase[]; units: readonly string[]; filter: ListFilter };

const isOverdue = (c: FollowUpCase, now: Date): boolean => c.closedAt === null && c.dueAt.getTime() <= now.getTime();

const statusBadge = (ctx: AuthedView, c: FollowUpCase): Html =>
  html`<span class="badge ${CLOSED_STATUSES.includes(c.status) ? 'ok' : 'warn'}">${ctx.t(`followUps.statuses.${c.status}`)}</span>`;

const dueCell = (ctx: AuthedView, c: FollowUpCase): Html =>
  html`${formatTime(ctx.locale, c.dueAt)}${
    isOverdue(c, ctx.now)
      ? html` <strong class="badge bad" data-testid="overdue">${ctx.t('followUps.overdueBadge')}</strong>`
      : ''
  }`;

const row = (ctx: AuthedView, c: FollowUpCase): Html =>
  html`<tr data-testid="follow-up-row" data-id="${c.id}" data-status="${c.status}"${isOverdue(c, ctx.now) ? html` class="overdue"` : ''}><td><a href="${ctx.url(
    `/follow-ups/${c.id}`,
  )}">${c.id}</a></td><td>${c.unitId}</td><td>${formatTime(ctx.locale, c.receivedAt)}</td><td>${dueCell(ctx, c)}</td><td>${statusBadge(
    ctx,
    c,
  )}</td><td>${c.erasedAt ? ctx.t('followUps.erasedBadge') : ''}</td></tr>`;

const option = (value: string, label: string, selected: string): Html =>
  html`<option value="${value}"${value === selected ? html` selected` : ''}>${label}</option>`;

const filterForm = (ctx: AuthedView, data: ListData): Html => {
  const statuses: [string, string][] = [
    ['', ctx.t('followUps.allStatuses')],
    ['open', ctx.t('followUps.open')],
    ['overdue', ctx.t('followUps.overdue')],
    ...FollowUpStatus.options.map((s): [string, string] => [s, ctx.t(`followUps.statuses.${s}`)]),
  ];
  return html`<form method="get" action="${ctx.url('/follow-ups')}" class="card filters" data-testid="follow-up-filter">
<label for="f-status">${ctx.t('followUps.status')}</label>
<select id="f-status" name="status">${statuses.map(([v, l]) => option(v, l, data.filter.status))}</select>
<label for="f-unit">${ctx.t('followUps.unit')}</label>
<select id="f-unit" name="unit">${option('', ctx.t('followUps.allUnits'), data.filter.unit)}${data.units.map((u) =>
    option(u, u, data.filter.unit),
  )}</select>
<button type="submit">${ctx.t('followUps.apply')}</button>
</form>`;
};

export const listView = (ctx: AuthedView, data: ListData): Html => {
  const table =
    data.cases.length === 0
      ? html`<p data-testid="follow-ups-empty">${ctx.t('followUps.none')}</p>`
      : html`<div class="scroll"><table data-testid="follow-ups-table"><caption>${ctx.t('followUps.caption')}</caption>
<thead><tr>${(['id', 'unit', 'received', 'due', 'status', 'contact'] as const).map(
          (k) => html`<th scope="col">${ctx.t(`followUps.col.${k}`)}</th>`,
        )}</tr></thead>
<tbody>${data.cases.map((c) => row(ctx, c))}</tbody></table></div>`;
  const settings =
    ctx.session.role === 'province_admin'
      ? html`<p><a href="${ctx.url('/follow-ups/settings')}" data-testid="follow-up-settings-link">${ctx.t('followUps.settingsLink')}</a></p>`
      : '';
  const body = html`<p class="hint">${ctx.t('followUps.intro')}</p>${settings}${filterForm(ctx, data)}${table}`;
  return layout(ctx, { title: ctx.t('followUps.title'), active: 'followUps', body });
};

export type DetailData = {
  c: FollowUpCase;
  notes: readonly FollowUpNote[];
  /** Set only by the "show number" POST, for that one reply. */
  contact?: ContactDetails | 'cannot_open';
  message?: Html;
  errors?: { note?: string; confirm?: string };
};

const facts = (ctx: AuthedView, c: FollowUpCase): Html =>
  html`<dl class="facts" data-testid="follow-up-facts">
<dt>${ctx.t('followUps.unit')}</dt><dd>${c.unitId}</dd>
<dt>${ctx.t('followUps.status')}</dt><dd data-testid="follow-up-status">${statusBadge(ctx, c)}</dd>
<dt>${ctx.t('followUps.receivedAt')}</dt><dd>${formatTime(ctx.locale, c.receivedAt)}</dd>
<dt>${ctx.t('followUps.dueAt')}</dt><dd>${dueCell(ctx, c)}</dd>
${c.closedAt ? html`<dt>${ctx.t('followUps.closedAt')}</dt><dd>${formatTime(ctx.locale, c.closedAt)}</dd>` : ''}
${c.erasedAt && c.eraseReason ? html`<dt>${ctx.t('followUps.erasedAt')}</dt><dd data-testid="follow-up-erased">${formatTime(ctx.locale, c.erasedAt)} (${ctx.t(`followUps.eraseReasons.${c.eraseReason}`)})</dd>` : ''}
<dt>${ctx.t('followUps.consent')}</dt><dd>${ctx.t('followUps.consentText', {
    version: c.consent.textVersion,
    locale: c.consent.locale,
    at: formatTime(ctx.locale, c.consent.givenAt),
  })}</dd>
<dt>${ctx.t('followUps.response')}</dt><dd><code>${c.deviceId}</code> · <code>${c.responseId}</code></dd>
</dl>`;

const contactBlock = (ctx: AuthedView, d: DetailData): Html => {
  if (d.c.erasedAt) return html`<p data-testid="follow-up-no-number">${ctx.t('followUps.erasedNoNumber')}</p>`;
  if (d.contact === 'cannot_open') return notice('error', ctx.t('followUps.cannotOpen'), 'follow-up-cannot-open');
  if (d.contact)
    return html`<dl class="facts" data-testid="follow-up-contact"><dt>${ctx.t('followUps.number')}</dt><dd data-testid="follow-up-number">${d.contact.phone}</dd><dt>${ctx.t(
      'followUps.name',
    )}</dt><dd>${d.contact.name ?? ctx.t('followUps.noName')}</dd></dl>`;
  return html`<form method="post" action="${ctx.url(`/follow-ups/${d.c.id}/number`)}" data-testid="show-number-form">${csrfField(ctx)}
<p class="hint">${ctx.t('followUps.showHint')}</p><button type="submit" data-testid="show-number">${ctx.t('followUps.showNumber')}</button></form>`;
};

const statusForm = (ctx: AuthedView, d: DetailData): Html => {
  const err = d.errors?.note;
  return html`<h2>${ctx.t('followUps.changeStatus')}</h2>
<form method="post" action="${ctx.url(`/follow-ups/${d.c.id}/status`)}" class="card narrow" data-testid="status-form" novalidate>${csrfField(ctx)}
<label for="to">${ctx.t('followUps.newStatus')}</label>
<select id="to" name="to">${FollowUpStatus.options.map((s) => option(s, ctx.t(`followUps.statuses.${s}`), d.c.status))}</select>
${
  d.c.erasedAt
    ? html`<p class="hint">${ctx.t('followUps.noteAfterErase')}</p>`
    : html`<label for="note">${ctx.t('followUps.note')}</label>
<textarea id="note" name="note" rows="3" maxlength="2000"${err ? html` aria-invalid="true" aria-describedby="err-note"` : ''}></textarea>${
        err ? html`<p class="field-error" id="err-note" data-testid="error-note">${err}</p>` : ''
      }`
}
<button type="submit" data-testid="status-submit">${ctx.t('followUps.save')}</button></form>`;
};

const history = (ctx: AuthedView, notes: readonly FollowUpNote[]): Html =>
  html`<h2>${ctx.t('followUps.history')}</h2>${
    notes.length === 0
      ? html`<p>${ctx.t('followUps.noHistory')}</p>`
      : html`<ol data-testid="follow-up-history">${notes.map(
          (n) =>
            html`<li>${ctx.t('followUps.historyRow', {
              at: formatTime(ctx.locale, n.at),
              who: n.username,
              from: ctx.t(`followUps.statuses.${n.from}`),
              to: ctx.t(`followUps.statuses.${n.to}`),
            })}${n.note ? html`<br><q>${n.note}</q>` : ''}</li>`,
        )}</ol>`
  }`;

const eraseForm = (ctx: AuthedView, d: DetailData): Html => {
  if (d.c.erasedAt) return html``;
  const err = d.errors?.confirm;
  return html`<h2>${ctx.t('followUps.erase')}</h2>
<form method="post" action="${ctx.url(`/follow-ups/${d.c.id}/erase`)}" class="card narrow" data-testid="erase-form" novalidate>${csrfField(ctx)}
<p class="hint">${ctx.t('followUps.eraseHint')}</p>
<label><input type="checkbox" name="confirm" value="yes"${err ? html` aria-invalid="true" aria-describedby="err-confirm"` : ''}> ${ctx.t('followUps.eraseConfirm')}</label>${
    err ? html`<p class="field-error" id="err-confirm" data-testid="error-confirm">${err}</p>` : ''
  }
<button type="submit" class="danger" data-testid="erase-submit">${ctx.t('followUps.erase')}</button></form>`;
};

export const detailView = (ctx: AuthedView, d: DetailData): Html => {
  const body = html`${d.message ?? ''}${facts(ctx, d.c)}${contactBlock(ctx, d)}${statusForm(ctx, d)}${history(
    ctx,
    d.notes,
  )}${eraseForm(ctx, d)}<p><a href="${ctx.url('/follow-ups')}">${ctx.t('followUps.title')}</a></p>`;
  return layout(ctx, { title: ctx.t('followUps.detailTitle', { id: d.c.id }), active: 'followUps', body });
};
