import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { listUnits } from '../../ops/units.ts';
import { UnknownUnitError } from '../../ops/enrolment-codes.ts';
import { audit } from '../audit.ts';
import { type LoginFailures, recentFailures } from '../auth/login-failures.ts';
import { endSessionsOf } from '../auth/sessions.ts';
import {
  type AdminUser,
  AdminRole,
  InvalidAccountError,
  UserExistsError,
  countActiveProvinceAdmins,
  createAdminUser,
  findUserById,
  listAdminUsers,
  setDisabled,
  setPassword,
  unlockUser,
} from '../auth/users.ts';
import { type AuthedCtx, type ConsoleContext, ConsoleError, route, sendHtml } from '../context.ts';
import { type FieldErrors, fieldError, formBody, formText, formTrimmed, invalidAttrs } from '../forms.ts';
import { type Html, html } from '../html.ts';
import { type ConsoleKey, formatTime } from '../i18n.ts';
import { csrfField, layout, notice } from '../layout.ts';

const ACCOUNT_ERRORS: Record<InvalidAccountError['problem'], [string, ConsoleKey]> = {
  username: ['username', 'users.errors.username'],
  display_name: ['displayName', 'users.errors.displayName'],
  password_too_short: ['password', 'users.errors.passwordShort'],
  password_too_long: ['password', 'users.errors.passwordLong'],
  unit_required: ['unit', 'users.errors.unitRequired'],
  unit_not_allowed: ['unit', 'users.errors.unitNotAllowed'],
};

type NewUserValues = { username: string; displayName: string; role: string; unit: string };

const lockedNow = (f: LoginFailures, now: Date): boolean => f.lockedUntil !== null && f.lockedUntil > now;

/** 'locked': some address is locked out of this account right now (others may still log in). */
const stateOf = (u: AdminUser, failures: readonly LoginFailures[], now: Date): 'disabled' | 'locked' | 'active' =>
  u.disabledAt ? 'disabled' : failures.some((f) => lockedNow(f, now)) ? 'locked' : 'active';

/** Which addresses sent this account wrong passwords lately: how many in a row, when last, locked until. */
const failureList = (ctx: AuthedCtx, failures: readonly LoginFailures[]): Html =>
  failures.length === 0
    ? html``
    : html`<ul class="failures" data-testid="login-failures">${failures.map(
        (f) =>
          html`<li data-address="${f.address}" data-failures="${f.failures}" data-locked="${lockedNow(f, ctx.now)}"><small>${ctx.t(
            'users.failedFrom',
            {
              address: f.address,
              n: f.failures,
              last: formatTime(ctx.locale, f.lastFailedAt),
            },
          )}${lockedNow(f, ctx.now) && f.lockedUntil ? html` · ${ctx.t('users.lockedUntil', { until: formatTime(ctx.locale, f.lockedUntil) })}` : ''}</small></li>`,
      )}</ul>`;

const userActions = (ctx: AuthedCtx, u: AdminUser, failures: readonly LoginFailures[]): Html => {
  const post = (path: string, key: ConsoleKey, testId: string, cls = '') =>
    html`<form method="post" action="${ctx.url(`/users/${u.id}/${path}`)}" class="inline">${csrfField(ctx)}<button type="submit" class="small ${cls}" data-testid="${testId}">${ctx.t(key)}</button></form>`;
  const self = u.id === ctx.session.userId;
  return html`${u.disabledAt ? post('enable', 'users.enable', 'user-enable') : self ? '' : post('disable', 'users.disable', 'user-disable', 'danger')}
${failures.length > 0 ? post('unlock', 'users.unlock', 'user-unlock') : ''}
<a href="${ctx.url(`/users/${u.id}/password`)}" class="small">${ctx.t('users.resetPassword')}</a>`;
};

const usersPage = async (
  ctx: AuthedCtx,
  options: { values?: NewUserValues; errors?: FieldErrors; top?: Html; status?: number } = {},
) => {
  const db = ctx.cc.route.db;
  const [users, units, failuresOf] = await Promise.all([
    listAdminUsers(db),
    listUnits(db),
    recentFailures(db, ctx.now),
  ]);
  const v = options.values ?? { username: '', displayName: '', role: 'unit_viewer', unit: units[0]?.id ?? '' };
  const e = options.errors ?? {};
  const body = html`${options.top ?? ''}
<table data-testid="users-table"><caption>${ctx.t('users.caption')}</caption>
<thead><tr><th scope="col">${ctx.t('users.username')}</th><th scope="col">${ctx.t('users.displayName')}</th><th scope="col">${ctx.t('users.role')}</th><th scope="col">${ctx.t(
    'users.unit',
  )}</th><th scope="col">${ctx.t('users.state')}</th><th scope="col">${ctx.t('users.lastLogin')}</th><th scope="col">${ctx.t('users.actions')}</th></tr></thead>
<tbody>${users.map((u) => {
    const failures = failuresOf.get(u.id) ?? [];
    const state = stateOf(u, failures, ctx.now);
    return html`<tr data-testid="user-row" data-user="${u.username}" data-state="${state}"><th scope="row">${u.username}</th><td>${u.displayName}</td><td>${ctx.t(`roles.${u.role}`)}</td><td>${
      u.unitId ?? ctx.t('users.allUnits')
    }</td><td><span class="badge ${state === 'active' ? 'ok' : 'warn'}">${ctx.t(`users.states.${state}`)}</span>${u.passwordIsInitial ? html` <small>${ctx.t('users.initialPassword')}</small>` : ''}</td><td>${
      u.lastLoginAt ? formatTime(ctx.locale, u.lastLoginAt) : '–'
    }${failureList(ctx, failures)}</td><td>${userActions(ctx, u, failures)}</td></tr>`;
  })}</tbody></table>
<h2>${ctx.t('users.create')}</h2>
${Object.keys(e).length > 0 ? notice('error', ctx.t('common.fixErrors'), 'form-error') : ''}
<form method="post" action="${ctx.url('/users')}" class="card" data-testid="user-form" novalidate>
${csrfField(ctx)}
<label for="username">${ctx.t('users.username')}</label>
<input id="username" name="username" value="${v.username}" maxlength="32" autocomplete="off"${invalidAttrs(e, 'username')}>${fieldError(e, 'username')}
<label for="displayName">${ctx.t('users.displayName')}</label>
<input id="displayName" name="displayName" value="${v.displayName}" maxlength="80"${invalidAttrs(e, 'displayName')}>${fieldError(e, 'displayName')}
<label for="role">${ctx.t('users.role')}</label>
<select id="role" name="role"${invalidAttrs(e, 'role')}>${AdminRole.options.map((r) => html`<option value="${r}"${r === v.role ? html` selected` : ''}>${ctx.t(`roles.${r}`)}</option>`)}</select>${fieldError(
    e,
    'role',
  )}
<label for="unit">${ctx.t('users.unitForViewer')}</label>
<select id="unit" name="unit"${invalidAttrs(e, 'unit')}><option value="">${ctx.t('users.noUnit')}</option>${units.map(
    (u) => html`<option value="${u.id}"${u.id === v.unit ? html` selected` : ''}>${u.name} (${u.id})</option>`,
  )}</select>${fieldError(e, 'unit')}
<label for="password">${ctx.t('users.password')}</label>
<input id="password" name="password" type="password" autocomplete="new-password" maxlength="200"${invalidAttrs(e, 'password')}>${fieldError(e, 'password')}
<label for="confirm">${ctx.t('users.confirm')}</label>
<input id="confirm" name="confirm" type="password" autocomplete="new-password" maxlength="200"${invalidAttrs(e, 'confirm')}>${fieldError(e, 'confirm')}
<button type="submit" data-testid="user-submit">${ctx.t('users.createSubmit')}</button>
</form>`;
  return sendHtml(
    ctx.reply,
    layout(ctx, { title: ctx.t('users.title'), active: 'users', body }),
    options.status ?? 200,
  );
};

const ById = { params: z.object({ id: z.coerce.number().int().positive() }) };
const NewUserForm = formBody({
  username: formTrimmed(),
  displayName: formTrimmed(),
  role: formTrimmed(),
  unit: formTrimmed(),
  password: formText(),
  confirm: formText(),
});
const ResetForm = formBody({ password: formText(), confirm: formText() });

const targetUser = async (ctx: AuthedCtx, id: number): Promise<AdminUser> => {
  const user = await findUserById(ctx.cc.route.db, id);
  if (!user) throw new ConsoleError(404, 'errors.notFound');
  return user;
};

export const userRoutes = (app: FastifyInstance, cc: ConsoleContext): void => {
  route(app, cc, { method: 'GET', url: '/users', access: 'admin' }, async (ctx) => usersPage(ctx));

  route(
    app,
    cc,
    { method: 'POST', url: '/users', access: 'admin', schema: { body: NewUserForm } },
    async (ctx, { body: { password, confirm, ...values } }) => {
      const role = AdminRole.safeParse(values.role);
      if (!role.success) return usersPage(ctx, { values, errors: { role: ctx.t('users.errors.role') }, status: 400 });
      if (password !== confirm)
        return usersPage(ctx, { values, errors: { confirm: ctx.t('users.errors.confirm') }, status: 400 });
      try {
        const user = await createAdminUser(cc.route.db, {
          username: values.username,
          displayName: values.displayName || values.username,
          role: role.data,
          unitId: role.data === 'unit_viewer' ? values.unit : null,
          password,
          initial: true,
          now: ctx.now,
        });
        await audit(cc.route.db, {
          username: ctx.session.username,
          action: 'user_created',
          detail: { user: user.username, role: user.role, unit: user.unitId },
          ip: ctx.req.ip,
          at: ctx.now,
        });
        return usersPage(ctx, {
          top: notice('ok', ctx.t('users.created', { username: user.username }), 'users-message'),
        });
      } catch (e) {
        if (e instanceof InvalidAccountError) {
          const [field, key] = ACCOUNT_ERRORS[e.problem];
          return usersPage(ctx, { values, errors: { [field]: ctx.t(key) }, status: 400 });
        }
        if (e instanceof UserExistsError)
          return usersPage(ctx, { values, errors: { username: ctx.t('users.errors.exists') }, status: 409 });
        if (e instanceof UnknownUnitError)
          return usersPage(ctx, { values, errors: { unit: ctx.t('codes.errors.unknownUnit') }, status: 400 });
        throw e;
      }
    },
  );

  route(
    app,
    cc,
    { method: 'POST', url: '/users/:id/disable', access: 'admin', schema: ById },
    async (ctx, { params }) => {
      const user = await targetUser(ctx, params.id);
      if (user.id === ctx.session.userId)
        return usersPage(ctx, { top: notice('error', ctx.t('users.errors.self'), 'users-message'), status: 400 });
      if (user.role === 'province_admin' && !user.disabledAt && (await countActiveProvinceAdmins(cc.route.db)) <= 1) {
        return usersPage(ctx, { top: notice('error', ctx.t('users.errors.lastAdmin'), 'users-message'), status: 400 });
      }
      await setDisabled(cc.route.db, user.id, ctx.now);
      await endSessionsOf(cc.route.db, user.id);
      await audit(cc.route.db, {
        username: ctx.session.username,
        action: 'user_disabled',
        detail: { user: user.username },
        ip: ctx.req.ip,
        at: ctx.now,
      });
      return usersPage(ctx, {
        top: notice('ok', ctx.t('users.disabled', { username: user.username }), 'users-message'),
      });
    },
  );

  route(
    app,
    cc,
    { method: 'POST', url: '/users/:id/enable', access: 'admin', schema: ById },
    async (ctx, { params }) => {
      const user = await targetUser(ctx, params.id);
      await setDisabled(cc.route.db, user.id, null);
      await audit(cc.route.db, {
        username: ctx.session.username,
        action: 'user_enabled',
        detail: { user: user.username },
        ip: ctx.req.ip,
        at: ctx.now,
      });
      return usersPage(ctx, {
        top: notice('ok', ctx.t('users.enabled', { username: user.username }), 'users-message'),
      });
    },
  );

  route(
    app,
    cc,
    { method: 'POST', url: '/users/:id/unlock', access: 'admin', schema: ById },
    async (ctx, { params }) => {
      const user = await targetUser(ctx, params.id);
      await cc.route.db.transaction(async (tx) => {
        const addresses = await unlockUser(tx, user.id);
        await audit(tx, {
          username: ctx.session.username,
          action: 'user_unlocked',
          detail: { user: user.username, addresses },
          ip: ctx.req.ip,
          at: ctx.now,
        });
      });
      return usersPage(ctx, {
        top: notice('ok', ctx.t('users.unlocked', { username: user.username }), 'users-message'),
      });
    },
  );

  const resetPage = (ctx: AuthedCtx, user: AdminUser, errors: FieldErrors = {}, status = 200) =>
    sendHtml(
      ctx.reply,
      layout(ctx, {
        title: ctx.t('users.resetTitle', { username: user.username }),
        active: 'users',
        body: html`${Object.keys(errors).length > 0 ? notice('error', ctx.t('common.fixErrors'), 'form-error') : ''}
<form method="post" action="${ctx.url(`/users/${user.id}/password`)}" class="card narrow" novalidate>
${csrfField(ctx)}
<p>${ctx.t('users.resetExplain')}</p>
<label for="password">${ctx.t('users.password')}</label>
<input id="password" name="password" type="password" autocomplete="new-password" maxlength="200"${invalidAttrs(errors, 'password')}>${fieldError(errors, 'password')}
<label for="confirm">${ctx.t('users.confirm')}</label>
<input id="confirm" name="confirm" type="password" autocomplete="new-password" maxlength="200"${invalidAttrs(errors, 'confirm')}>${fieldError(errors, 'confirm')}
<button type="submit">${ctx.t('users.resetPassword')}</button> <a href="${ctx.url('/users')}">${ctx.t('common.cancel')}</a>
</form>`,
      }),
      status,
    );

  route(
    app,
    cc,
    { method: 'GET', url: '/users/:id/password', access: 'admin', schema: ById },
    async (ctx, { params }) => resetPage(ctx, await targetUser(ctx, params.id)),
  );

  route(
    app,
    cc,
    { method: 'POST', url: '/users/:id/password', access: 'admin', schema: { ...ById, body: ResetForm } },
    async (ctx, { params, body: { password, confirm } }) => {
      const user = await targetUser(ctx, params.id);
      if (password !== confirm) return resetPage(ctx, user, { confirm: ctx.t('users.errors.confirm') }, 400);
      try {
        // Set by someone else: the account holder is asked to choose their own at next login.
        await setPassword(cc.route.db, user.id, password, ctx.now, true);
      } catch (e) {
        if (e instanceof InvalidAccountError)
          return resetPage(ctx, user, { password: ctx.t(ACCOUNT_ERRORS[e.problem][1]) }, 400);
        throw e;
      }
      await endSessionsOf(cc.route.db, user.id, user.id === ctx.session.userId ? ctx.session.tokenHash : undefined);
      await audit(cc.route.db, {
        username: ctx.session.username,
        action: 'password_reset',
        detail: { user: user.username },
        ip: ctx.req.ip,
        at: ctx.now,
      });
      return usersPage(ctx, {
        top: notice('ok', ctx.t('users.resetDone', { username: user.username }), 'users-message'),
      });
    },
  );
};
