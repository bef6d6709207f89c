import type { FastifyInstance } from 'fastify';
import type { ReportQuery } from '../../../../shared/reports/query.ts';
import { ReportRequestError, type ReportViewer } from '../../../reports/run-report.ts';
import { loadReportSettings } from '../../../reports/settings-store.ts';
import { reportRoleOf } from '../../auth/users.ts';
import { checkQuery } from '../../../reports/engine/access.ts';
import { feedbackFigures } from '../../../reports/engine/feedback.ts';
import { type AuthedCtx, type ConsoleContext, ConsoleError, route, sendHtml } from '../../context.ts';
import type { AggregateResult } from './chart-data.ts';
import { ReportForm, defaultForm, parseReportForm } from './filters.ts';
import type { ReportScope } from './print.ts';
import { type UnitOption, reportUnits } from './units.ts';
import { type ReportsPageData, reportsView } from './view.ts';

const viewerOf = (ctx: AuthedCtx): ReportViewer => ({
  username: ctx.session.username,
  role: reportRoleOf(ctx.session.role),
  unitId: ctx.session.unitId,
});

/** Whom the report is about, for its headings: the unit asked for, else the viewer's unit, else the province. */
const scopeOf = (q: ReportQuery, units: readonly UnitOption[], ctx: AuthedCtx): ReportScope => {
  const id = q.unit ?? ctx.session.unitId;
  const unit = id === null ? undefined : units.find((u) => u.id === id);
  if (unit)
    return { provinceName: unit.rootName, unitName: unit.name, withSubunits: q.unit !== null && q.withSubunits };
  const roots = [...new Set(units.map((u) => u.rootName))];
  const province = roots.length === 1 ? roots[0]! : null;
  return { provinceName: province, unitName: province ?? ctx.t('reports.result.allUnits'), withSubunits: false };
};

/** The period touches two calendar months or more (so a trend by month has something to show). */
const spansMonths = (q: ReportQuery): boolean => q.from.slice(0, 7) !== q.to.slice(0, 7);

/** The report "not found" for a unit the viewer may not see, exactly as for a unit that does not exist. */
const unitNotFound = (): ConsoleError => new ConsoleError(404, 'reports.errors.unitNotFound');

/**
 * The reports page: GET /reports with the filters in the query string. Checks in order, each before
 * any report work: the unit is one this account may see (else the same 404 as for no such unit, so
 * ids cannot be probed), the form parses (else the form again, filled, with messages, 400), the
 * engine runs; its refusals of access are the same 404, of the query a message (400).
 */
export const reportRoutes = (app: FastifyInstance, cc: ConsoleContext): void => {
  route(
    app,
    cc,
    { method: 'GET', url: '/reports', access: 'viewer', schema: { querystring: ReportForm } },
    async (ctx, { query: raw }) => {
      const db = cc.route.db;
      const [settings, units] = await Promise.all([loadReportSettings(db), reportUnits(db, ctx.session)]);
      const officerFigures = settings.officerFiguresRoles.includes(reportRoleOf(ctx.session.role));
      const submitted = raw.report !== '';
      const form = submitted ? raw : defaultForm(ctx.now, ctx.session.unitId);
      const formData = { form, units, officerFigures, allUnitsOption: ctx.session.role === 'province_admin' };
      const page = (data: Partial<ReportsPageData>, status = 200) =>
        sendHtml(
          ctx.reply,
          reportsView(ctx, { formData: { ...formData, errors: {} }, outcome: null, engineError: null, ...data }),
          status,
        );
      if (!submitted) return page({});
      if (form.unit !== '' && !units.some((u) => u.id === form.unit)) throw unitNotFound();

      const parsed = parseReportForm(form, ctx.t, { settings, officerFigures });
      if (!parsed.ok) return page({ formData: { ...formData, errors: parsed.errors } }, 400);
      const q = parsed.query;
      try {
        const result = await cc.options.runReport(db, q, { viewer: viewerOf(ctx), now: ctx.now });
        const trend = await trendOf(cc, ctx, q);
        // The same access check as the report: the units this viewer may see, for the feedback figures.
        const checked = await checkQuery(db, q, viewerOf(ctx), settings);
        const feedback = await feedbackFigures(db, {
          units: checked.units,
          from: q.from,
          to: q.to,
          by: ['unit'],
          now: ctx.now,
        });
        return page({
          outcome: { result, trend, scope: scopeOf(q, units, ctx), decimals: settings.decimals },
          feedback,
        });
      } catch (e) {
        if (!(e instanceof ReportRequestError)) throw e;
        if (e.code === 'not_allowed' || e.code === 'unknown_unit') throw unitNotFound();
        return page({ engineError: e.message }, 400);
      }
    },
  );
};

/**
 * A summary report over several months that is not grouped by time gets its trend from the same
 * query grouped by month (the aggregates make that cheap); a trend that cannot be made is left out.
 */
const trendOf = async (cc: ConsoleContext, ctx: AuthedCtx, q: ReportQuery): Promise<AggregateResult | null> => {
  if (q.report !== 'per-case' && q.report !== 'sipas' && q.report !== 'quick') return null;
  if (q.by.includes('month') || q.by.includes('quarter') || !spansMonths(q)) return null;
  try {
    const trend = await cc.options.runReport(
      cc.route.db,
      { ...q, by: ['month'] },
      { viewer: viewerOf(ctx), now: ctx.now },
    );
    return trend.report === 'per-case' || trend.report === 'sipas' || trend.report === 'quick' ? trend : null;
  } catch (e) {
    if (e instanceof ReportRequestError) return null;
    throw e;
  }
};
