import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { audit, listAudit } from '../audit.ts';
import { verifyPassword } from '../auth/password.ts';
import { endSessionsOf } from '../auth/sessions.ts';
import { InvalidAccountError, findUserById, setPassword } from '../auth/users.ts';
import { type AuthedCtx, type ConsoleContext, route, sendHtml } from '../context.ts';
import { type FieldErrors, fieldError, formBody, formText, invalidAttrs, lenient } from '../forms.ts';
import { html } from '../html.ts';
import { formatTime } from '../i18n.ts';
import { csrfField, layout, notice } from '../layout.ts';

const accountPage = (ctx: AuthedCtx, options: { errors?: FieldErrors; done?: boolean; status?: number } = {}) => {
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
  return sendHtml(
    ctx.reply,
    layout(ctx, { title: ctx.t('account.title'), active: 'account', body }),
    options.status ?? 200,
  );
};

const AuditQuery = z.object({ before: lenient(z.coerce.number().int().positive()) });
const PasswordForm = formBody({ current: formText(), password: formText(), confirm: formText() });

export const accountRoutes = (app: FastifyInstance, cc: ConsoleContext): void => {
  route(
    app,
    cc,
    {
      method: 'GET',
      url: '/account',
      access: 'viewer',
      schema: { querystring: z.object({ done: lenient(z.string()) }) },
    },
    async (ctx, { query }) => accountPage(ctx, { done: query.done !== undefined }),
  );

  route(
    app,
    cc,
    { method: 'POST', url: '/account/password', access: 'viewer', schema: { body: PasswordForm } },
    async (ctx, { body: { current, password, confirm } }) => {
      const user = await findUserById(cc.route.db, ctx.session.userId);
      if (!user || !(await verifyPassword(current ?? '', user.passwordHash)))
        return accountPage(ctx, { errors: { current: ctx.t('account.errors.current') }, status: 400 });
      if (password !== confirm)
        return accountPage(ctx, { errors: { confirm: ctx.t('users.errors.confirm') }, status: 400 });
      if (password === current)
        return accountPage(ctx, { errors: { password: ctx.t('account.errors.same') }, status: 400 });
      try {
        await setPassword(cc.route.db, user.id, password ?? '', ctx.now, false);
      } catch (e) {
        if (e instanceof InvalidAccountError)
          return accountPage(ctx, {
            errors: {
              password: ctx.t(
                e.problem === 'password_too_long' ? 'users.errors.passwordLong' : 'users.errors.passwordShort',
              ),
            },
            status: 400,
          });
        throw e;
      }
      // Other sessions of this account (a stolen one, say) end; this one goes on.
      await endSessionsOf(cc.route.db, user.id, ctx.session.tokenHash);
      await audit(cc.route.db, { username: user.username, action: 'password_changed', ip: ctx.req.ip, at: ctx.now });
      return ctx.reply.redirect(`${cc.prefix}/account?done=1`, 303);
    },
  );

  route(
    app,
    cc,
    { method: 'GET', url: '/audit', access: 'admin', schema: { querystring: AuditQuery } },
    async (ctx, { query: q }) => {
      const rows = await listAudit(cc.route.db, { limit: 100, beforeId: q.before });
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
${rows.length === 100 && last ? html`<p><a href="${ctx.url(`/audit?before=${last.id}`)}">${ctx.t('audit.older')}</a></p>` : ''}`;
      return sendHtml(ctx.reply, layout(ctx, { title: ctx.t('audit.title'), active: 'audit', body }));
    },
  );
};
