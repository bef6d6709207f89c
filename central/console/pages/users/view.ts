import { AdminRole, type AdminUser } from '../../auth/users.ts';
import type { LoginFailures } from '../../auth/login-failures.ts';
import type { Unit } from '../../../ops/units.ts';
import { type FieldErrors, fieldError, invalidAttrs } from '../../forms.ts';
import { type Html, html } from '../../html.ts';
import { type ConsoleKey, formatTime } from '../../i18n.ts';
import { csrfField, layout, notice } from '../../layout.ts';
import type { AuthedView } from '../../view.ts';

export type NewUserValues = { username: string; displayName: string; role: string; unit: string };

const lockedNow = (f: LoginFailures, now: Date): boolean => f.lockedUntil !== null && f.lockedUntil > now;

/** 'locked': some address is locked out of this account right now (others may still log in). */
const stateOf = (u: AdminUser, failures: readonly LoginFailures[], now: Date): 'disabled' | 'locked' | 'active' =>
  u.disabledAt ? 'disabled' : failures.some((f) => lockedNow(f, now)) ? 'locked' : 'active';

/** Which addresses sent this account wrong passwords lately: how many in a row, when last, locked until. */
const failureList = (ctx: AuthedView, failures: readonly LoginFailures[]): Html =>
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

const userActions = (ctx: AuthedView, u: AdminUser, failures: readonly LoginFailures[]): Html => {
  const post = (path: string, key: ConsoleKey, testId: string, cls = '') =>
    html`<form method="post" action="${ctx.url(`/users/${u.id}/${path}`)}" class="inline">${csrfField(ctx)}<button type="submit" class="small ${cls}" data-testid="${testId}">${ctx.t(key)}</button></form>`;
  const self = u.id === ctx.session.userId;
  return html`${u.disabledAt ? post('enable', 'users.enable', 'user-enable') : self ? '' : post('disable', 'users.disable', 'user-disable', 'danger')}
${failures.length > 0 ? post('unlock', 'users.unlock', 'user-unlock') : ''}
<a href="${ctx.url(`/users/${u.id}/password`)}" class="small">${ctx.t('users.resetPassword')}</a>`;
};

export type UsersData = {
  users: readonly AdminUser[];
  units: readonly Unit[];
  /** Recent wrong passwords per account id, by address (login-failures.ts). */
  failuresOf: ReadonlyMap<number, readonly LoginFailures[]>;
};
export type UsersOptions = { values?: NewUserValues; errors?: FieldErrors; top?: Html };

/** The accounts, their state and the addresses that sent them wrong passwords; the new-account form. */
export const usersView = (ctx: AuthedView, data: UsersData, options: UsersOptions = {}): Html => {
  const { users, units, failuresOf } = data;
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
  return layout(ctx, { title: ctx.t('users.title'), active: 'users', body });
};

/** An admin sets another account's password (it must be changed at the next login). */
export const resetView = (ctx: AuthedView, user: AdminUser, errors: FieldErrors = {}): Html =>
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
  });
