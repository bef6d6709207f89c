import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { audit } from '../audit.ts';
import { attemptLogin } from '../auth/login.ts';
import { createSession, endSession } from '../auth/sessions.ts';
import {
  COOKIES,
  type ConsoleContext,
  ConsoleError,
  type Ctx,
  cookieOptions,
  handler,
  publicHandler,
  sendHtml,
} from '../context.ts';
import { type Html, html } from '../html.ts';
import { ConsoleLocale, formatTime } from '../i18n.ts';
import { layout, notice } from '../layout.ts';
import { loginToken, sameToken } from '../security.ts';

const LoginForm = z.object({
  username: z.string().max(200).default(''),
  password: z.string().max(1000).default(''),
  _csrf: z.string().max(200).default(''),
  next: z.string().max(2000).optional(),
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

const loginPage = (ctx: Ctx, options: { nonce: string; message?: Html; username?: string; next?: string }): Html =>
  layout(ctx, {
    title: ctx.t('login.title'),
    body: html`${options.message ?? ''}
<form method="post" action="${ctx.url('/login')}" class="card narrow" data-testid="login-form">
  <input type="hidden" name="_csrf" value="${loginToken(ctx.cc.loginKey, options.nonce)}">
  <input type="hidden" name="next" value="${options.next ?? ''}">
  <label for="username">${ctx.t('login.username')}</label>
  <input id="username" name="username" autocomplete="username" required maxlength="32" value="${options.username ?? ''}" autocapitalize="none" spellcheck="false">
  <label for="password">${ctx.t('login.password')}</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required maxlength="200">
  <button type="submit" data-testid="login-submit">${ctx.t('login.submit')}</button>
</form>
<p class="hint">${ctx.t('login.hint')}</p>`,
  });

/** The login form's nonce cookie: reused while it lasts, so two open tabs both work. */
const ensureNonce = (ctx: Ctx): string => {
  const existing = ctx.req.cookies[COOKIES.login];
  if (existing && /^[A-Za-z0-9_-]{22,64}$/.test(existing)) return existing;
  const nonce = randomBytes(24).toString('base64url');
  void ctx.reply.setCookie(COOKIES.login, nonce, cookieOptions(ctx.cc, ctx.req, 3600));
  return nonce;
};

export const loginRoutes = (app: FastifyInstance, cc: ConsoleContext): void => {
  app.get(
    '/login',
    publicHandler(cc, async (ctx) => {
      if (ctx.session) return ctx.reply.redirect(`${cc.prefix}/devices`, 303);
      const q = z
        .object({
          expired: z.string().optional(),
          required: z.string().optional(),
          loggedout: z.string().optional(),
          next: z.string().max(2000).optional(),
        })
        .catch({})
        .parse(ctx.req.query);
      const message = q.expired
        ? notice('info', ctx.t('login.expired'), 'login-message')
        : q.loggedout
          ? notice('ok', ctx.t('login.loggedOut'), 'login-message')
          : q.required
            ? notice('info', ctx.t('login.required'), 'login-message')
            : undefined;
      return sendHtml(ctx.reply, loginPage(ctx, { nonce: ensureNonce(ctx), message, next: q.next }));
    }),
  );

  app.post(
    '/login',
    publicHandler(cc, async (ctx) => {
      await cc.limitLogin(ctx.req);
      const form = LoginForm.safeParse(ctx.req.body ?? {});
      const nonce = ensureNonce(ctx);
      const retry = (status: number, message: Html, username = '') =>
        sendHtml(
          ctx.reply,
          loginPage(ctx, { nonce, message, username, next: form.success ? form.data.next : undefined }),
          status,
        );
      if (!form.success) return retry(400, notice('error', ctx.t('login.missing'), 'login-error'));
      const cookieNonce = ctx.req.cookies[COOKIES.login];
      if (!cookieNonce || !sameToken(form.data._csrf, loginToken(cc.loginKey, cookieNonce))) {
        return retry(403, notice('error', ctx.t('errors.csrf'), 'login-error'), form.data.username);
      }
      if (form.data.username.trim() === '' || form.data.password === '')
        return retry(400, notice('error', ctx.t('login.missing'), 'login-error'), form.data.username);
      const outcome = await attemptLogin(cc.route.db, {
        username: form.data.username,
        password: form.data.password,
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
          form.data.username,
        );
      }
      if (!outcome.ok) return retry(401, notice('error', ctx.t('login.invalid'), 'login-error'), form.data.username);
      const session = await createSession(cc.route.db, outcome.user.id, ctx.now, cc.sessionPolicy);
      void ctx.reply.setCookie(COOKIES.session, session.token, cookieOptions(cc, ctx.req));
      void ctx.reply.clearCookie(COOKIES.login, cookieOptions(cc, ctx.req));
      return ctx.reply.redirect(safeNext(cc, form.data.next), 303);
    }),
  );

  app.post(
    '/logout',
    handler(cc, { access: 'viewer' }, async (ctx) => {
      await endSession(cc.route.db, ctx.session.tokenHash);
      await audit(cc.route.db, { username: ctx.session.username, action: 'logout', ip: ctx.req.ip, at: ctx.now });
      void ctx.reply.clearCookie(COOKIES.session, cookieOptions(cc, ctx.req));
      return ctx.reply.redirect(`${cc.prefix}/login?loggedout=1`, 303);
    }),
  );

  app.get(
    '/lang/:locale',
    publicHandler(cc, async (ctx) => {
      const locale = ConsoleLocale.safeParse((ctx.req.params as { locale?: unknown }).locale);
      if (!locale.success) throw new ConsoleError(404, 'errors.notFound');
      const next = z
        .object({ next: z.string().max(2000).optional() })
        .catch({})
        .parse(ctx.req.query).next;
      void ctx.reply.setCookie(COOKIES.lang, locale.data, cookieOptions(cc, ctx.req, 365 * 86400));
      const target =
        next && next.startsWith(`${cc.prefix}/`) && !next.startsWith('//') && !/[\\\r\n]/.test(next)
          ? next
          : `${cc.prefix}/login`;
      return ctx.reply.redirect(target, 303);
    }),
  );
};
