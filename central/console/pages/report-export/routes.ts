import type { FastifyInstance } from 'fastify';
import { checkReportRange } from '../../../../shared/reports/query.ts';
import { CONTENT_TYPES, exportFileName, exportReport } from '../../../reports/export/index.ts';
import type { runReport } from '../../../reports/run-report.ts';
import { ReportRequestError } from '../../../reports/run-report.ts';
import { loadReportSettings } from '../../../reports/settings-store.ts';
import { audit } from '../../audit.ts';
import { reportRoleOf } from '../../auth/users.ts';
import { type AuthedCtx, type ConsoleContext, ConsoleError, route } from '../../context.ts';
import { ExportQuerystring, toReportQuery } from './query.ts';

/** not_allowed and unknown_unit look the same (404): a unit viewer cannot probe which unit ids exist. */
const refusal = (e: ReportRequestError): ConsoleError =>
  e.code === 'not_allowed' || e.code === 'unknown_unit'
    ? new ConsoleError(404, 'errors.notFound')
    : new ConsoleError(400, 'reportExport.refused', { message: e.message });

const runFor = async (ctx: AuthedCtx, query: Parameters<typeof runReport>[1]) => {
  const { session } = ctx;
  try {
    return await ctx.cc.options.runReport(ctx.cc.route.db, query, {
      viewer: { username: session.username, role: reportRoleOf(session.role), unitId: session.unitId },
      now: ctx.now,
    });
  } catch (e) {
    throw e instanceof ReportRequestError ? refusal(e) : e;
  }
};

/**
 * GET /reports/export?format=csv|xlsx|json&report=…&from=…&to=…(or period=…)&…: the report the
 * reports page shows, as a download. The viewer is the session's account, so a unit viewer gets only
 * what the engine lets them see; every export is audited with its filters.
 */
export const reportExportRoutes = (app: FastifyInstance, cc: ConsoleContext): void => {
  route(
    app,
    cc,
    { method: 'GET', url: '/reports/export', access: 'viewer', schema: { querystring: ExportQuerystring } },
    async (ctx, { query: qs }) => {
      const asked = toReportQuery(qs);
      if ('problem' in asked) throw new ConsoleError(400, 'reportExport.refused', { message: asked.problem });
      const { query } = asked;
      const settings = await loadReportSettings(cc.route.db);
      const rangeProblem = checkReportRange(query, settings.maxRangeDays);
      if (rangeProblem) throw new ConsoleError(400, 'reportExport.refused', { message: rangeProblem });
      const result = await runFor(ctx, query);
      const bytes = await exportReport(result, qs.format, settings.decimals);
      await audit(cc.route.db, {
        username: ctx.session.username,
        action: 'report_export',
        detail: { format: qs.format, ...query },
        ip: ctx.req.ip,
        at: ctx.now,
      });
      return ctx.reply
        .code(200)
        .header('cache-control', 'no-store')
        .header('content-type', CONTENT_TYPES[qs.format])
        .header('content-disposition', `attachment; filename="${exportFileName(query, qs.format)}"`)
        .send(bytes);
    },
  );
};
