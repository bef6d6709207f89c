import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { listUnits } from '../../../ops/units.ts';
import { UnknownUnitError } from '../../../ops/enrolment-codes.ts';
import { audit } from '../../audit.ts';
import { recentFailures } from '../../auth/login-failures.ts';
import { endSessionsOf } from '../../auth/sessions.ts';
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
} from '../../auth/users.ts';
import { type AuthedCtx, type ConsoleContext, ConsoleError, route, sendHtml } from '../../context.ts';
import { type FieldErrors, formBody, formText, formTrimmed } from '../../forms.ts';
import type { ConsoleKey } from '../../i18n.ts';
import { notice } from '../../layout.ts';
import { type UsersOptions, resetView, usersView } from './view.ts';

const ACCOUNT_ERRORS: Record<InvalidAccountError['problem'], [string, ConsoleKey]> = {
  username: ['username', 'users.errors.username'],
  display_name: ['displayName', 'users.errors.displayName'],
  password_too_short: ['password', 'users.errors.passwordShort'],
  password_too_long: ['password', 'users.errors.passwordLong'],
  unit_required: ['unit', 'users.errors.unitRequired'],
  unit_not_allowed: ['unit', 'users.errors.unitNotAllowed'],
};

const usersPage = async (ctx: AuthedCtx, options: UsersOptions & { status?: number } = {}) => {
  const db = ctx.cc.route.db;
  const [users, units, failuresOf] = await Promise.all([
    listAdminUsers(db),
    listUnits(db),
    recentFailures(db, ctx.now),
  ]);
  return sendHtml(ctx.reply, usersView(ctx, { users, units, failuresOf }, options), options.status ?? 200);
};

const resetPage = (ctx: AuthedCtx, user: AdminUser, errors: FieldErrors = {}, status = 200) =>
  sendHtml(ctx.reply, resetView(ctx, user, errors), status);

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

/** POST /users: creates an account (its first password is to be changed at first login). */
const createUserRoute = (app: FastifyInstance, cc: ConsoleContext): void => {
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
          unitId: role.data === 'province_admin' ? null : values.unit,
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
};

/** POST /users/:id/disable: never oneself nor the last active province admin; ends their sessions. */
const disableUserRoute = (app: FastifyInstance, cc: ConsoleContext): void => {
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
};

/** POST /users/:id/enable. */
const enableUserRoute = (app: FastifyInstance, cc: ConsoleContext): void => {
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
};

/** POST /users/:id/unlock: clears the account's failure counts and locks from every address, with its audit row in one transaction. */
const unlockUserRoute = (app: FastifyInstance, cc: ConsoleContext): void => {
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
};

/** GET and POST /users/:id/password: an admin sets someone's password, to be changed at their next login. */
const resetPasswordRoutes = (app: FastifyInstance, cc: ConsoleContext): void => {
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

/** The province admin's account management: one function per action, registered in this order. */
export const userRoutes = (app: FastifyInstance, cc: ConsoleContext): void => {
  route(app, cc, { method: 'GET', url: '/users', access: 'admin' }, async (ctx) => usersPage(ctx));
  createUserRoute(app, cc);
  disableUserRoute(app, cc);
  enableUserRoute(app, cc);
  unlockUserRoute(app, cc);
  resetPasswordRoutes(app, cc);
};
