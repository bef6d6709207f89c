import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RouteContext } from '../routes/context.ts';
import { type Session, type SessionPolicy, findSession } from './auth/sessions.ts';
import type { Html } from './html.ts';
import { type ConsoleKey, ConsoleLocale, DEFAULT_CONSOLE_LOCALE, type Vars, translator } from './i18n.ts';
import type { ConsoleOptions } from './options.ts';
import type { View } from './view.ts';
import { sameToken } from './security.ts';

export const COOKIES = { session: 'kc_session', login: 'kc_login', lang: 'kc_lang' } as const;

/** What every console route needs: the service's context, the console's options, where it is mounted. */
export type ConsoleContext = {
  route: RouteContext;
  options: ConsoleOptions;
  /** The console's path, e.g. "/console" or "/khaosat/console" (no trailing slash). */
  prefix: string;
  /** HMAC key for the login form's token; derived from the central key, so every instance has the same. */
  loginKey: Buffer;
  sessionPolicy: SessionPolicy;
  /** Throws 429 when this address is over its login budget. */
  limitLogin: (req: FastifyRequest) => Promise<void>;
};

/** A refusal the console shows as a page (or JSON for the upload script), with nothing stored. */
export class ConsoleError extends Error {
  constructor(
    readonly status: number,
    readonly key: ConsoleKey,
    readonly vars: Vars = {},
  ) {
    super(key);
    this.name = 'ConsoleError';
  }
}

/** One request as a handler sees it (a view gets only its View part). `session` is set on every route but the public ones. */
export type Ctx = View & {
  cc: ConsoleContext;
  req: FastifyRequest;
  reply: FastifyReply;
};
export type AuthedCtx = Ctx & { session: Session };

export const localeOf = (req: FastifyRequest): ConsoleLocale => {
  const parsed = ConsoleLocale.safeParse(req.cookies[COOKIES.lang]);
  return parsed.success ? parsed.data : DEFAULT_CONSOLE_LOCALE;
};

export const isSecure = (cc: ConsoleContext, req: FastifyRequest): boolean =>
  cc.options.secureCookies === 'auto' ? req.protocol === 'https' : cc.options.secureCookies;

export const cookieOptions = (cc: ConsoleContext, req: FastifyRequest, maxAgeSeconds?: number) => ({
  path: cc.prefix,
  httpOnly: true,
  sameSite: 'strict' as const,
  secure: isSecure(cc, req),
  ...(maxAgeSeconds !== undefined ? { maxAge: maxAgeSeconds } : {}),
});

const FormToken = z.object({ _csrf: z.string().max(200).optional() }).loose();

/** The session's CSRF token from the X-CSRF-Token header or the form's `_csrf` field. */
export const submittedToken = (req: FastifyRequest): string | undefined => {
  const header = req.headers['x-csrf-token'];
  if (typeof header === 'string') return header;
  const body = FormToken.safeParse(req.body);
  return body.success ? body.data._csrf : undefined;
};

export const checkCsrf = (session: Session, token: string | undefined): void => {
  if (!sameToken(token, session.csrfToken)) throw new ConsoleError(403, 'errors.csrf');
};

type HandlerSpec = {
  access: 'viewer' | 'admin';
  /**
   * 'form' (default for POST): the token is checked before the handler runs, from the header or the
   * urlencoded body. 'handler': the handler checks it itself (multipart bodies: from the first field,
   * before any file is read).
   */
  csrf?: 'form' | 'handler';
  /** Answers errors as JSON (the upload script) rather than as a page. */
  json?: boolean;
};

const baseCtx = async (
  cc: ConsoleContext,
  req: FastifyRequest,
  reply: FastifyReply,
): Promise<{ ctx: Ctx; token: string | undefined }> => {
  const locale = localeOf(req);
  const now = cc.route.now();
  const token = req.cookies[COOKIES.session];
  const session = token ? ((await findSession(cc.route.db, token, now, cc.sessionPolicy)) ?? null) : null;
  return {
    ctx: { cc, req, reply, locale, t: translator(locale), session, now, url: (p) => `${cc.prefix}${p}`, here: req.url },
    token,
  };
};

/** What a route declares about its input; Fastify validates it (fastify-type-provider-zod) before the handler. */
export type RouteSchemas = { params?: z.ZodType; querystring?: z.ZodType; body?: z.ZodType };
type Out<T> = T extends z.ZodType ? z.output<T> : undefined;
/** A route's input, typed from the same schemas that validated it. */
export type Input<S extends RouteSchemas> = {
  params: Out<S['params']>;
  query: Out<S['querystring']>;
  body: Out<S['body']>;
};

export type RouteSpec<S extends RouteSchemas> = {
  method: 'GET' | 'POST';
  url: string;
  schema?: S;
  /** The 404 message when the path's parameters do not parse (default errors.notFound). */
  notFound?: ConsoleKey;
  bodyLimit?: number;
};

declare module 'fastify' {
  interface FastifyContextConfig {
    /** See RouteSpec.notFound; read by the console's error handler. */
    consoleNotFound?: ConsoleKey;
  }
}

/**
 * Fastify has replaced params, query and body by what the route's zod schemas parsed them into
 * (the validator compiler of fastify-type-provider-zod), so they are of exactly these types; the one
 * place the generic link has to be stated by hand.
 */
const inputOf = <S extends RouteSchemas>(req: FastifyRequest): Input<S> =>
  ({ params: req.params, query: req.query, body: req.body }) as Input<S>;

const contexts = new WeakMap<FastifyRequest, Ctx>();
const contextOf = (req: FastifyRequest): Ctx => {
  const ctx = contexts.get(req);
  if (!ctx) throw new Error('console: a route ran without its pre-validation step');
  return ctx;
};

const register = <S extends RouteSchemas>(
  app: FastifyInstance,
  spec: RouteSpec<S>,
  preValidation: (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>,
  handle: (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>,
): void => {
  app.withTypeProvider<ZodTypeProvider>().route({
    method: spec.method,
    url: spec.url,
    schema: spec.schema ?? {},
    config: { consoleNotFound: spec.notFound },
    ...(spec.bodyLimit !== undefined ? { bodyLimit: spec.bodyLimit } : {}),
    preValidation,
    handler: handle,
  });
};

/** Login and the like: no session needed (one may still be there). */
export const publicRoute = <S extends RouteSchemas>(
  app: FastifyInstance,
  cc: ConsoleContext,
  spec: RouteSpec<S>,
  fn: (ctx: Ctx, input: Input<S>) => Promise<unknown>,
): void =>
  register(
    app,
    spec,
    async (req, reply) => {
      contexts.set(req, (await baseCtx(cc, req, reply)).ctx);
    },
    async (req) => fn(contextOf(req), inputOf<S>(req)),
  );

/**
 * Session, role and CSRF checks (before the input is validated, so that an expired session is sent
 * to the login page whatever it submitted), then the handler with its typed input.
 */
export const route = <S extends RouteSchemas>(
  app: FastifyInstance,
  cc: ConsoleContext,
  spec: RouteSpec<S> & HandlerSpec,
  fn: (ctx: AuthedCtx, input: Input<S>) => Promise<unknown>,
): void =>
  register(
    app,
    spec,
    async (req, reply) => {
      const { ctx, token } = await baseCtx(cc, req, reply);
      const session = ctx.session;
      if (!session) {
        if (token) void reply.clearCookie(COOKIES.session, cookieOptions(cc, req));
        if (spec.json) throw new ConsoleError(401, token ? 'errors.sessionExpired' : 'errors.notLoggedIn');
        const next = req.method === 'GET' ? `&next=${encodeURIComponent(req.url)}` : '';
        return reply.redirect(`${cc.prefix}/login?${token ? 'expired=1' : 'required=1'}${next}`, 303);
      }
      if (spec.access === 'admin' && session.role !== 'province_admin') throw new ConsoleError(403, 'errors.forbidden');
      if (req.method !== 'GET' && req.method !== 'HEAD' && (spec.csrf ?? 'form') === 'form')
        checkCsrf(session, submittedToken(req));
      contexts.set(req, ctx);
    },
    async (req) => {
      const ctx = contextOf(req);
      if (!ctx.session) throw new Error('console: an authenticated route without a session');
      return fn({ ...ctx, session: ctx.session }, inputOf<S>(req));
    },
  );

export const sendHtml = (reply: FastifyReply, page: Html, status = 200): FastifyReply =>
  reply.code(status).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(page.text);

/** A unit viewer sees only its own unit; a province admin sees every unit (null). */
export const unitScope = (session: Session): string | null =>
  session.role === 'province_admin' ? null : session.unitId;
