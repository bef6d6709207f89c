import type { AuditRow } from '../../audit.ts';
import { type FieldErrors, fieldError, invalidAttrs } from '../../forms.ts';
import { type Html, html } from '../../html.ts';
import { formatTime } from '../../i18n.ts';
import { csrfField, layout, notice } from '../../layout.ts';
import type { AuthedView } from '../../view.ts';

/** The logged-in account: who, until when, and the change-password form. */
export const accountView = (ctx: AuthedView, options: { errors?: FieldErrors; done?: boolean } = {}): Html => {
  const e = options.errors ?? {};
  const s = ctx.session;
  const body = html`${options.done ? notice('ok', ctx.t('account.changed'), 'account-message') : ''}
${Object.keys(e).length > 0 ? notice('error', ctx.t('common.fixErrors'), 'form-error') : ''}
<dl class="facts"><dt>${ctx.t('users.username')}</dt><dd>${s.username}</dd><dt>${ctx.t('users.role')}</dt><dd>${ctx.t(`roles.${s.role}`)}</dd><dt>${ctx.t('users.unit')}</dt><dd>${
    s.unitId ?? ctx.t('users.allUnits')
  }</dd><dt>${ctx.t('account.sessionEnds')}</dt><dd>${formatTime(ctx.locale, s.expiresAt)}</dd></dl>
<h2>${ctx.t('account.changePassword')}</h2>
<form method="post" action="${ctx.url('/account/password')}" class="card narrow" data-testid="password-form" novalidate>
${csrfField(ctx)}
<label for="current">${ctx.t('account.current')}</label>
<input id="current" name="current" type="password" autocomplete="current-password" maxlength="200"${invalidAttrs(e, 'current')}>${fieldError(e, 'current')}
<label for="password">${ctx.t('account.new')}</label>
<input id="password" name="password" type="password" autocomplete="new-password" maxlength="200"${invalidAttrs(e, 'password')}>${fieldError(e, 'password')}
<label for="confirm">${ctx.t('users.confirm')}</label>
<input id="confirm" name="confirm" type="password" autocomplete="new-password" maxlength="200"${invalidAttrs(e, 'confirm')}>${fieldError(e, 'confirm')}
<button type="submit" data-testid="password-submit">${ctx.t('account.changePassword')}</button>
</form>`;
  return layout(ctx, { title: ctx.t('account.title'), active: 'account', body });
};

/** The audit log, newest first, a page of `pageSize` with a link to older entries. */
export const auditView = (ctx: AuthedView, rows: readonly AuditRow[], pageSize: number): Html => {
  const last = rows.at(-1);
  const body = html`<table data-testid="audit-table"><caption>${ctx.t('audit.caption')}</caption>
<thead><tr><th scope="col">${ctx.t('audit.at')}</th><th scope="col">${ctx.t('audit.who')}</th><th scope="col">${ctx.t('audit.action')}</th><th scope="col">${ctx.t('audit.detail')}</th><th scope="col">${ctx.t(
    'audit.ip',
  )}</th></tr></thead>
<tbody>${rows.map(
    (r) =>
      html`<tr data-testid="audit-row" data-action="${r.action}"><td>${formatTime(ctx.locale, r.at)}</td><td>${r.username ?? '–'}</td><td>${r.action}</td><td><code>${JSON.stringify(r.detail)}</code></td><td>${
        r.ip ?? ''
      }</td></tr>`,
  )}</tbody></table>
${rows.length === pageSize && last ? html`<p><a href="${ctx.url(`/audit?before=${last.id}`)}">${ctx.t('audit.older')}</a></p>` : ''}`;
  return layout(ctx, { title: ctx.t('audit.title'), active: 'audit', body });
};
