import type { FastifyInstance } from 'fastify';
import { DEFAULT_CODE_HOURS, createEnrolmentCode } from '../../../ops/enrolment-codes.ts';
import { listEnrolmentCodes } from '../../../ops/enrolment-code-list.ts';
import { UnitId, UnitKind, ensureUnit, getUnit, listUnits } from '../../../ops/units.ts';
import { audit } from '../../audit.ts';
import { type AuthedCtx, type ConsoleContext, route, sendHtml } from '../../context.ts';
import { type FieldErrors, formBody, formTrimmed } from '../../forms.ts';
import { type CodeValues, type CodesOptions, NEW_UNIT, codesView, issuedBox } from './view.ts';

type Values = CodeValues;

const codesPage = async (ctx: AuthedCtx, options: CodesOptions & { status?: number }) => {
  const units = await listUnits(ctx.cc.route.db);
  const codes = await listEnrolmentCodes(ctx.cc.route.db, ctx.now);
  return sendHtml(ctx.reply, codesView(ctx, { units, codes }, options), options.status ?? 200);
};

const CodeForm = formBody({
  unit: formTrimmed(),
  newUnitId: formTrimmed(),
  newUnitName: formTrimmed(),
  newUnitParent: formTrimmed(),
  newUnitKind: formTrimmed(),
  hours: formTrimmed(),
});

export const codeRoutes = (app: FastifyInstance, cc: ConsoleContext): void => {
  route(app, cc, { method: 'GET', url: '/codes', access: 'admin' }, async (ctx) => codesPage(ctx, {}));

  route(
    app,
    cc,
    { method: 'POST', url: '/codes', access: 'admin', schema: { body: CodeForm } },
    async (ctx, { body }) => {
      const values: Values = { ...body, hours: body.hours || String(DEFAULT_CODE_HOURS) };
      const errors: FieldErrors = {};
      const hours = Number(values.hours);
      if (!Number.isFinite(hours) || hours < 1 || hours > 8760) errors['hours'] = ctx.t('codes.errors.hours');
      let unitId = values.unit;
      let unitName = '';
      if (values.unit === NEW_UNIT) {
        if (!UnitId.safeParse(values.newUnitId).success) errors['newUnitId'] = ctx.t('codes.errors.unitId');
        else if (await getUnit(cc.route.db, values.newUnitId)) errors['newUnitId'] = ctx.t('codes.errors.unitExists');
        if (values.newUnitName.length < 1 || values.newUnitName.length > 120)
          errors['newUnitName'] = ctx.t('codes.errors.unitName');
        if (values.newUnitParent !== '' && !(await getUnit(cc.route.db, values.newUnitParent)))
          errors['newUnitParent'] = ctx.t('units.errors.unknownParent');
        if (values.newUnitKind !== '' && !UnitKind.safeParse(values.newUnitKind).success)
          errors['newUnitKind'] = ctx.t('units.errors.kind');
        unitId = values.newUnitId;
        unitName = values.newUnitName;
      } else if (!(await getUnit(cc.route.db, values.unit))) errors['unit'] = ctx.t('codes.errors.unknownUnit');
      if (Object.keys(errors).length > 0) return codesPage(ctx, { values, errors, status: 400 });
      const issued = await cc.route.db.transaction(async (tx) => {
        // Under a parent, the new unit starts with the parent's configuration (ensureUnit).
        const kind = UnitKind.safeParse(values.newUnitKind);
        if (unitName)
          await ensureUnit(
            tx,
            {
              id: unitId,
              name: unitName,
              parentId: values.newUnitParent || null,
              ...(kind.success ? { kind: kind.data } : {}),
            },
            ctx.now,
          );
        const code = await createEnrolmentCode(tx, { unitId, hours, now: ctx.now });
        await audit(tx, {
          username: ctx.session.username,
          action: 'enrolment_code_issued',
          detail: {
            unit: unitId,
            hours,
            expiresAt: code.expiresAt.toISOString(),
            newUnit: unitName !== '',
            ...(unitName && values.newUnitParent ? { parent: values.newUnitParent } : {}),
          },
          ip: ctx.req.ip,
          at: ctx.now,
        });
        return code;
      });
      const centralUrl = `${ctx.req.protocol}://${ctx.req.host}${cc.prefix.replace(/\/console$/, '')}`;
      const box = issuedBox(ctx, issued, unitId, centralUrl);
      return codesPage(ctx, { issued: box });
    },
  );
};
