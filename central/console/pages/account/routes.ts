import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { audit, listAudit } from '../../audit.ts';
import { verifyPassword } from '../../auth/password.ts';
import { endSessionsOf } from '../../auth/sessions.ts';
import { InvalidAccountError, findUserById, setPassword } from '../../auth/users.ts';
import { type ConsoleContext, route, sendHtml } from '../../context.ts';
import { formBody, formText, lenient } from '../../forms.ts';
import { accountView, auditView } from './view.ts';

/** Audit entries per page. */
const AUDIT_PAGE = 100;
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
    async (ctx, { query }) => sendHtml(ctx.reply, accountView(ctx, { done: query.done !== undefined })),
  );

  route(
    app,
    cc,
    { method: 'POST', url: '/account/password', access: 'viewer', schema: { body: PasswordForm } },
    async (ctx, { body: { current, password, confirm } }) => {
      const user = await findUserById(cc.route.db, ctx.session.userId);
      if (!user || !(await verifyPassword(current ?? '', user.passwordHash)))
        return sendHtml(ctx.reply, accountView(ctx, { errors: { current: ctx.t('account.errors.current') } }), 400);
      if (password !== confirm)
        return sendHtml(ctx.reply, accountView(ctx, { errors: { confirm: ctx.t('users.errors.confirm') } }), 400);
      if (password === current)
        return sendHtml(ctx.reply, accountView(ctx, { errors: { password: ctx.t('account.errors.same') } }), 400);
      try {
        await setPassword(cc.route.db, user.id, password ?? '', ctx.now, false);
      } catch (e) {
        if (e instanceof InvalidAccountError)
          return sendHtml(
            ctx.reply,
            accountView(ctx, {
              errors: {
                password: ctx.t(
                  e.problem === 'password_too_long' ? 'users.errors.passwordLong' : 'users.errors.passwordShort',
                ),
              },
            }),
            400,
          );
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
      const rows = await listAudit(cc.route.db, { limit: AUDIT_PAGE, beforeId: q.before });
      return sendHtml(ctx.reply, auditView(ctx, rows, AUDIT_PAGE));
    },
  );
};
