import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseRows } from '../../../db/rows.ts';
import { ReportRequestError } from '../../../reports/run-report.ts';
import { loadReportSettings } from '../../../reports/settings-store.ts';
import { type ConsoleContext, ConsoleError, publicRoute, sendHtml } from '../../context.ts';
import { trusted } from '../../html.ts';
import { translator } from '../../i18n.ts';
import { PageCache } from './cache.ts';
import { publicFigures } from './figures.ts';
import { publicReportView } from './view.ts';
import { LIMITER } from '../../../routes/rate-limit.ts';

/**
 * Five minutes: the figures change as batches arrive, but a portal's visitors do not need them to the
 * second, and an uncached page runs three reports. The unit's flag is still read on every request, so
 * turning the page off takes effect at once.
 */
export const PUBLIC_PAGE_CACHE_MS = 5 * 60_000;
/** Units × two languages of a large province, with room; each page is some tens of kilobytes. */
export const PUBLIC_PAGE_CACHE_ENTRIES = 400;

/** A unit id as reports take it; anything else names no public page (the same 404). */
const Params = z.object({ unitId: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/) });
/** Only `lang` means something; any other parameter, or a repeated one, is ignored rather than refused. */
const Query = z.object({ lang: z.unknown().optional() }).loose();

const PublicUnit = z.object({ name: z.string(), public_report: z.boolean() });

const css = readFileSync(new URL('../../assets/public-report.css', import.meta.url), 'utf8');

/**
 * GET <console>/public/units/:unitId: a unit's public figures for the province's portal, anonymous. Inside
 * the console's plugin so that its security headers (CSP without inline script or style, no framing),
 * host allow-list and error pages apply. A unit that does not exist and one whose page is off get the same
 * 404, so ids cannot be probed; a per-address rate limit comes before any database work.
 */
export const publicReportRoutes = (app: FastifyInstance, cc: ConsoleContext): void => {
  const limiter = cc.route.limiter(LIMITER.publicReport, { max: cc.options.publicReportPerMinute, windowMs: 60_000 });
  const cache = new PageCache(PUBLIC_PAGE_CACHE_MS, PUBLIC_PAGE_CACHE_ENTRIES);

  app.get('/assets/public-report.css', async (_req, reply) =>
    reply.header('cache-control', 'no-cache').type('text/css; charset=utf-8').send(css),
  );

  publicRoute(
    app,
    cc,
    { method: 'GET', url: '/public/units/:unitId', schema: { params: Params, querystring: Query } },
    async (ctx, { params, query }) => {
      if ((await limiter(ctx.req)).exceeded) throw new ConsoleError(429, 'errors.rateLimited');
      const db = cc.route.db;
      const unitId = params.unitId;
      const [unit] = parseRows(
        PublicUnit,
        await db.query('SELECT name, public_report FROM units WHERE id = $1', [unitId]),
      );
      if (!unit?.public_report) throw new ConsoleError(404, 'errors.notFound');
      const locale = query.lang === 'en' ? 'en' : 'vi';
      const now = ctx.now;
      const page = await cache
        .get(`${unitId}\n${locale}`, now.getTime(), async () => {
          const settings = await loadReportSettings(db);
          const figures = await publicFigures(db, unitId, settings, now);
          return publicReportView({
            locale,
            t: translator(locale),
            path: ctx.url(`/public/units/${unitId}`),
            cssUrls: [ctx.url('/assets/console.css'), ctx.url('/assets/public-report.css')],
            unitName: unit.name,
            figures,
            decimals: settings.decimals,
            minResponses: settings.publicMinResponses,
            cacheMinutes: PUBLIC_PAGE_CACHE_MS / 60_000,
            now,
          }).text;
        })
        .catch((e: unknown) => {
          // The unit went away or the settings make its period impossible: nothing to show, not a fault.
          if (e instanceof ReportRequestError) throw new ConsoleError(404, 'errors.notFound');
          throw e;
        });
      return sendHtml(ctx.reply, trusted(page));
    },
  );
};
