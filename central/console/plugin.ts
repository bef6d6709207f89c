import { deviceCounterRoutes } from './pages/device/counter.ts';
import { bridgeKeyRoutes } from './pages/bridge/keys-routes.ts';
import { bridgeSendRoutes } from './pages/bridge/send-routes.ts';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { SyncError } from '../errors.ts';
import { derivedServiceKey } from '../keys.ts';
import type { RouteContext } from '../routes/context.ts';
import { LIMITER } from '../routes/rate-limit.ts';
import { consoleAssets } from './assets.ts';
import { type ConsoleContext, ConsoleError, type Ctx, localeOf, sendHtml } from './context.ts';
import { html } from './html.ts';
import { type ConsoleKey, type Vars, translator } from './i18n.ts';
import { layout, notice } from './layout.ts';
import { type ConsoleOptions, DEFAULT_CONSOLE_OPTIONS } from './options.ts';
import { accountRoutes } from './pages/account/routes.ts';
import { codeRoutes } from './pages/codes/routes.ts';
import { configRoutes } from './pages/config/routes.ts';
import { deviceDetailRoutes } from './pages/device/routes.ts';
import { deviceRoutes } from './pages/devices/routes.ts';
import { loginRoutes } from './pages/login/routes.ts';
import { publicReportRoutes } from './pages/public-report/routes.ts';
import { refusedRoutes } from './pages/refused/routes.ts';
import { reportExportRoutes } from './pages/report-export/routes.ts';
import { reportRoutes } from './pages/reports/routes.ts';
import { uploadRoutes } from './pages/uploads/routes.ts';
import { userRoutes } from './pages/users/routes.ts';
import { indicatorRoutes } from './pages/indicators/routes.ts';
import { reportSettingsRoutes } from './pages/report-settings/routes.ts';
import { unitRoutes } from './pages/units/routes.ts';
import { followUpRoutes } from './pages/follow-ups/routes.ts';
import { MAX_KBATCH_BYTES } from './upload/ingest-file.ts';
import { allowedHost, crossSite, isStateChanging, setSecurityHeaders } from './security.ts';

const wantsJson = (req: FastifyRequest): boolean => (req.headers.accept ?? '').includes('application/json');

/** Fastify's and the plugins' own refusals, as console messages. */
const classify = (
  err: unknown,
  notFound: ConsoleKey | undefined,
): { status: number; key: ConsoleKey; vars?: Vars; retryAfter?: number } => {
  if (err instanceof ConsoleError) return { status: err.status, key: err.key, vars: err.vars };
  if (err instanceof SyncError && err.code === 'rate_limited')
    return { status: 429, key: 'errors.rateLimited', retryAfter: err.extra.retryAfterSeconds };
  const fe = err as Partial<FastifyError>;
  // A route's zod schemas refused its input (fastify-type-provider-zod): a path that names nothing is
  // "not found" in the route's own words, anything else a bad request; never a raw JSON error.
  if (fe.code === 'FST_ERR_VALIDATION')
    return fe.validationContext === 'params'
      ? { status: 404, key: notFound ?? 'errors.notFound' }
      : { status: 400, key: 'errors.badRequest' };
  if (fe.code === 'FST_FILES_LIMIT' || fe.code === 'FST_PARTS_LIMIT' || fe.code === 'FST_FIELDS_LIMIT')
    return { status: 413, key: 'errors.tooManyFiles' };
  if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || fe.code === 'FST_REQ_FILE_TOO_LARGE' || fe.statusCode === 413)
    return { status: 413, key: 'errors.tooLarge', vars: { max: MAX_KBATCH_BYTES / 1024 / 1024 } };
  if (
    fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ||
    fe.code === 'FST_INVALID_MULTIPART_CONTENT_TYPE' ||
    fe.statusCode === 415
  )
    return { status: 415, key: 'errors.unsupportedType' };
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500)
    return { status: 400, key: 'errors.badRequest' };
  return { status: 500, key: 'errors.internal' };
};

const errorReply = async (
  cc: ConsoleContext,
  err: unknown,
  req: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> => {
  const { status, key, vars, retryAfter } = classify(err, req.routeOptions.config.consoleNotFound);
  if (status >= 500) console.error(`central console: ${req.method} ${req.url}: ${(err as Error).stack ?? String(err)}`);
  const locale = localeOf(req);
  const t = translator(locale);
  const message = t(key, vars);
  if (retryAfter !== undefined) void reply.header('retry-after', String(retryAfter));
  // A refused upload may still be arriving: do not keep the connection for the rest of it.
  if (status === 413 || status === 411) void reply.header('connection', 'close');
  if (wantsJson(req)) return reply.code(status).send({ error: key.replace(/^errors\./, ''), message });
  const ctx: Ctx = {
    cc,
    req,
    reply,
    locale,
    t,
    session: null,
    now: cc.route.now(),
    url: (p) => `${cc.prefix}${p}`,
    here: req.url,
  };
  const body = html`${notice('error', message, 'console-error')}<p><a href="${cc.prefix}/devices">${t('errors.back')}</a></p>`;
  return sendHtml(reply, layout(ctx, { title: t('errors.title'), body }), status);
};

/**
 * The web console for IT, served by the central service under `<basePath>/console`: login with
 * server-side sessions, roles, CSRF tokens, lockout; devices and reconciliation; enrolment codes;
 * .kbatch uploads through the same ingest as POST /v1/batches; configuration drafts and publication.
 */
export const consoleRoutes =
  (route: RouteContext, options: Partial<ConsoleOptions> & { prefix: string }) =>
  async (app: FastifyInstance): Promise<void> => {
    const opts: ConsoleOptions = {
      ...DEFAULT_CONSOLE_OPTIONS,
      ...options,
      lockout: { ...DEFAULT_CONSOLE_OPTIONS.lockout, ...options.lockout },
    };
    const loginLimiter = route.limiter(LIMITER.consoleLogin, { max: opts.loginPerMinute, windowMs: 60_000 });
    const cc: ConsoleContext = {
      route,
      options: opts,
      prefix: options.prefix,
      // Derived from the central key, not drawn per process: a login form served by one instance
      // behind the proxy must be accepted when it is posted to another.
      loginKey: derivedServiceKey(route.centralKey, 'console login form'),
      sessionPolicy: { absoluteMs: opts.sessionHours * 3_600_000, idleMs: opts.idleMinutes * 60_000 },
      limitLogin: async (req) => {
        if ((await loginLimiter(req)).exceeded) throw new ConsoleError(429, 'errors.rateLimited');
      },
    };
    const assets = await consoleAssets();

    // Route schemas are zod (fastify-type-provider-zod), in this plugin's scope only: /v1 keeps its own.
    app.setValidatorCompiler(validatorCompiler);
    app.setSerializerCompiler(serializerCompiler);
    await app.register(cookie);
    await app.register(formbody);
    // Limits per request are set where parts are read (uploads.ts, config.ts).
    await app.register(multipart, { throwFileSizeLimit: false });
    app.addContentTypeParser(
      'application/octet-stream',
      { parseAs: 'buffer', bodyLimit: MAX_KBATCH_BYTES },
      (_req, body, done) => done(null, body),
    );

    app.addHook('onRequest', async (req, reply) => {
      setSecurityHeaders(reply);
      // First, before any cookie, session or body is looked at. Only the console: the device API
      // (/v1/*) answers kiosks by whatever name they were given for central (they sign each request).
      if (!allowedHost(req, opts.allowedHosts)) throw new ConsoleError(421, 'errors.wrongHost');
      if (isStateChanging(req) && crossSite(req)) throw new ConsoleError(403, 'errors.crossSite');
    });
    app.setErrorHandler((err, req, reply) => errorReply(cc, err, req, reply));
    app.setNotFoundHandler((req, reply) => errorReply(cc, new ConsoleError(404, 'errors.notFound'), req, reply));

    app.get('/assets/console.css', async (_req, reply) =>
      reply.header('cache-control', 'no-cache').type('text/css; charset=utf-8').send(assets.css),
    );
    app.get('/assets/console.js', async (_req, reply) =>
      reply.header('cache-control', 'no-cache').type('text/javascript; charset=utf-8').send(assets.js),
    );

    loginRoutes(app, cc);
    deviceRoutes(app, cc);
    deviceDetailRoutes(app, cc);
    codeRoutes(app, cc);
    uploadRoutes(app, cc);
    refusedRoutes(app, cc);
    configRoutes(app, cc);
    userRoutes(app, cc);
    accountRoutes(app, cc);
    unitRoutes(app, cc);
    indicatorRoutes(app, cc);
    reportSettingsRoutes(app, cc);
    reportExportRoutes(app, cc);
    publicReportRoutes(app, cc);
    reportRoutes(app, cc);
    followUpRoutes(app, cc);
    bridgeKeyRoutes(app, cc);
    bridgeSendRoutes(app, cc);
    deviceCounterRoutes(app, cc);
  };
