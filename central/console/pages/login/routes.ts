import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { audit } from '../../audit.ts';
import { attemptLogin } from '../../auth/login.ts';
import { createSession, endSession } from '../../auth/sessions.ts';
import { COOKIES, type ConsoleContext, type Ctx, cookieOptions, route, publicRoute, sendHtml } from '../../context.ts';
import { formBody, formText, lenient } from '../../forms.ts';
import type { Html } from '../../html.ts';
import { ConsoleLocale, formatTime } from '../../i18n.ts';
import { notice } from '../../layout.ts';
import { loginView } from './view.ts';
import { loginToken, sameToken } from '../../security.ts';

/** Over-long or missing fields read as empty: the handler answers "fill in both" rather than a bare 400. */
const LoginForm = formBody({
  username: formText(200),
  password: formText(1000),
  _csrf: formText(200),
  next: lenient(z.string().max(2000)),
});
const LoginQuery = z.object({
  expired: lenient(z.string()),
  required: lenient(z.string()),
  loggedout: lenient(z.string()),
  next: lenient(z.string().max(2000)),
});

/** Only a path inside the console: never another site, never a protocol-relative "//host". */
export const safeNext = (cc: ConsoleContext, next: string | undefined): string => {
  if (
    next &&
    next.startsWith(`${cc.prefix}/`) &&
    !next.startsWith('//') &&
    !/[\\\r\n]/.test(next) &&
    !next.startsWith(`${cc.prefix}/login`)
  )
    return next;
  return `${cc.prefix}/devices`;
};

/** The login form's nonce cookie: reused while it lasts, so two open tabs both work. */
const ensureNonce = (ctx: Ctx): string => {
  const existing = ctx.req.cookies[COOKIES.login];
  if (existing && /^[A-Za-z0-9_-]{22,64}$/.test(existing)) return existing;
  const nonce = randomBytes(24).toString('base64url');
  void ctx.reply.setCookie(COOKIES.login, nonce, cookieOptions(ctx.cc, ctx.req, 3600));
  return nonce;
};

export const loginRoutes = (app: FastifyInstance, cc: ConsoleContext): void => {
  publicRoute(
    app,
    cc,
    { method: 'GET', url: '/login', schema: { querystring: LoginQuery } },
    async (ctx, { query: q }) => {
      if (ctx.session) return ctx.reply.redirect(`${cc.prefix}/devices`, 303);
      const message = q.expired
        ? notice('info', ctx.t('login.expired'), 'login-message')
        : q.loggedout
          ? notice('ok', ctx.t('login.loggedOut'), 'login-message')
          : q.required
            ? notice('info', ctx.t('login.required'), 'login-message')
            : undefined;
      return sendHtml(
        ctx.reply,
        loginView(ctx, { token: loginToken(cc.loginKey, ensureNonce(ctx)), message, next: q.next }),
      );
    },
  );

  publicRoute(app, cc, { method: 'POST', url: '/login', schema: { body: LoginForm } }, async (ctx, { body: form }) => {
    await cc.limitLogin(ctx.req);
    const nonce = ensureNonce(ctx);
    const retry = (status: number, message: Html, username = '') =>
      sendHtml(
        ctx.reply,
        loginView(ctx, { token: loginToken(cc.loginKey, nonce), message, username, next: form.next }),
        status,
      );
    const cookieNonce = ctx.req.cookies[COOKIES.login];
    if (!cookieNonce || !sameToken(form._csrf, loginToken(cc.loginKey, cookieNonce))) {
      return retry(403, notice('error', ctx.t('errors.csrf'), 'login-error'), form.username);
    }
    if (form.username.trim() === '' || form.password === '')
      return retry(400, notice('error', ctx.t('login.missing'), 'login-error'), form.username);
    const outcome = await attemptLogin(cc.route.db, {
      username: form.username,
      password: form.password,
      now: ctx.now,
      ip: ctx.req.ip,
      policy: cc.options.lockout,
    });
    if (!outcome.ok && outcome.reason === 'locked') {
      const seconds = Math.max(1, Math.ceil((outcome.until.getTime() - ctx.now.getTime()) / 1000));
      return retry(
        429,
        notice(
          'error',
          ctx.t('login.locked', { until: formatTime(ctx.locale, outcome.until), seconds }),
          'login-error',
        ),
        form.username,
      );
    }
    if (!outcome.ok) return retry(401, notice('error', ctx.t('login.invalid'), 'login-error'), form.username);
    const session = await createSession(cc.route.db, outcome.user.id, ctx.now, cc.sessionPolicy);
    void ctx.reply.setCookie(COOKIES.session, session.token, cookieOptions(cc, ctx.req));
    void ctx.reply.clearCookie(COOKIES.login, cookieOptions(cc, ctx.req));
    return ctx.reply.redirect(safeNext(cc, form.next), 303);
  });

  route(app, cc, { method: 'POST', url: '/logout', access: 'viewer' }, async (ctx) => {
    await endSession(cc.route.db, ctx.session.tokenHash);
    await audit(cc.route.db, { username: ctx.session.username, action: 'logout', ip: ctx.req.ip, at: ctx.now });
    void ctx.reply.clearCookie(COOKIES.session, cookieOptions(cc, ctx.req));
    return ctx.reply.redirect(`${cc.prefix}/login?loggedout=1`, 303);
  });

  publicRoute(
    app,
    cc,
    {
      method: 'GET',
      url: '/lang/:locale',
      schema: {
        params: z.object({ locale: ConsoleLocale }),
        querystring: z.object({ next: lenient(z.string().max(2000)) }),
      },
    },
    async (ctx, { params, query: { next } }) => {
      void ctx.reply.setCookie(COOKIES.lang, params.locale, cookieOptions(cc, ctx.req, 365 * 86400));
      const target =
        next && next.startsWith(`${cc.prefix}/`) && !next.startsWith('//') && !/[\\\r\n]/.test(next)
          ? next
          : `${cc.prefix}/login`;
      return ctx.reply.redirect(target, 303);
    },
  );
};
