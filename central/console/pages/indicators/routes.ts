import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { type UnitNode, listUnitTree } from '../../../ops/units.ts';
import {
  MAX_NOTE,
  Quarter,
  UnitIndicatorError,
  pointsFrom,
  quarterLabel,
  quarterOf,
  readUnitIndicators,
  setUnitIndicator,
} from '../../../reports/unit-indicators.ts';
import { audit } from '../../audit.ts';
import { type AuthedCtx, type ConsoleContext, ConsoleError, route, sendHtml } from '../../context.ts';
import { formBody, formText, formTrimmed, lenient } from '../../forms.ts';
import type { Html } from '../../html.ts';
import type { ConsoleKey } from '../../i18n.ts';
import { indicatorNotice, indicatorsView } from './view.ts';

/** The units this account may see and enter for: a province admin every unit, a unit viewer theirs and those under it. */
const visibleUnits = async (ctx: AuthedCtx): Promise<UnitNode[]> => {
  const db = ctx.cc.route.db;
  if (ctx.session.role === 'province_admin') return listUnitTree(db);
  return ctx.session.unitId ? listUnitTree(db, ctx.session.unitId) : [];
};

/** A unit outside the account's reach is answered like an unknown one (404), so ids cannot be probed. */
const chosenUnit = (units: readonly UnitNode[], id: string | undefined): string => {
  if (id === undefined || id === '') return units[0]?.id ?? '';
  if (!units.some((u) => u.id === id)) throw new ConsoleError(404, 'indicators.errors.noUnit');
  return id;
};

const page = async (
  ctx: AuthedCtx,
  units: UnitNode[],
  unitId: string,
  quarterText: string,
  options: { top?: Html; status?: number } = {},
) => {
  const q = Quarter.safeParse(quarterText);
  const entries = q.success && unitId ? await readUnitIndicators(ctx.cc.route.db, unitId, q.data) : undefined;
  const data = {
    units,
    unitId,
    quarter: quarterText,
    entries,
    canVerify: ctx.session.role === 'province_admin',
  };
  return sendHtml(ctx.reply, indicatorsView(ctx, data, options), options.status ?? 200);
};

const Query = z.object({ unit: lenient(z.string().max(100)), quarter: lenient(z.string().max(20)) });

const EntryForm = formBody({
  unit: formTrimmed(100),
  quarter: formTrimmed(20),
  indicator: formTrimmed(10),
  which: formTrimmed(20),
  points: formTrimmed(10),
  // Long enough that an over-long note is refused with a message rather than dropped to ''.
  note: formText(100_000),
});

export const indicatorRoutes = (app: FastifyInstance, cc: ConsoleContext): void => {
  route(
    app,
    cc,
    { method: 'GET', url: '/indicators', access: 'viewer', schema: { querystring: Query } },
    async (ctx, { query }) => {
      const units = await visibleUnits(ctx);
      const unitId = chosenUnit(units, query.unit);
      const quarterText = query.quarter ?? quarterLabel(quarterOf(ctx.now));
      if (!Quarter.safeParse(quarterText).success)
        return page(ctx, units, unitId, quarterText, {
          top: indicatorNotice('error', ctx.t('indicators.errors.quarter')),
          status: 400,
        });
      return page(ctx, units, unitId, quarterText);
    },
  );

  route(
    app,
    cc,
    { method: 'POST', url: '/indicators', access: 'viewer', schema: { body: EntryForm } },
    async (ctx, { body }) => {
      const units = await visibleUnits(ctx);
      if (!body.unit) throw new ConsoleError(404, 'indicators.errors.noUnit');
      const unitId = chosenUnit(units, body.unit);
      const refuse = (key: ConsoleKey, status = 400) =>
        page(ctx, units, unitId, body.quarter, { top: indicatorNotice('error', ctx.t(key)), status });
      if (body.which !== 'self' && body.which !== 'verified') return refuse('indicators.errors.which');
      if (body.which === 'verified' && ctx.session.role !== 'province_admin')
        return refuse('indicators.errors.verifyAdminOnly', 403);
      const quarter = Quarter.safeParse(body.quarter);
      if (!quarter.success) return refuse('indicators.errors.quarter');
      const points = pointsFrom(body.points);
      if (points === undefined) return refuse('indicators.errors.points');
      if (body.note.length > MAX_NOTE) return refuse('indicators.errors.note');
      const indicator = /^\d{1,2}$/.test(body.indicator) ? Number(body.indicator) : 0;
      const which = body.which;
      try {
        await cc.route.db.transaction(async (tx) => {
          await setUnitIndicator(tx, {
            unitId,
            quarter: quarter.data,
            indicator,
            which,
            points,
            note: body.note.trim(),
            by: ctx.session.username,
            now: ctx.now,
          });
          await audit(tx, {
            username: ctx.session.username,
            action: 'unit_indicator_set',
            detail: { unit: unitId, quarter: body.quarter, indicator, which, points },
            ip: ctx.req.ip,
            at: ctx.now,
          });
        });
      } catch (e) {
        if (e instanceof UnitIndicatorError && e.code === 'unknown_indicator')
          return refuse('indicators.errors.indicator');
        throw e;
      }
      const saved = ctx.t('indicators.saved', {
        n: indicator,
        which: ctx.t(which === 'self' ? 'indicators.self' : 'indicators.verified'),
        unit: unitId,
        quarter: body.quarter,
      });
      return page(ctx, units, unitId, body.quarter, { top: indicatorNotice('ok', saved) });
    },
  );
};
