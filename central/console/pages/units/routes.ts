import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  UnitId,
  UnitKind,
  UnitName,
  UnitTreeError,
  ensureUnit,
  getUnit,
  listUnitTree,
  updateUnit,
} from '../../../ops/units.ts';
import { audit } from '../../audit.ts';
import { type AuthedCtx, type ConsoleContext, ConsoleError, route, sendHtml } from '../../context.ts';
import { type FieldErrors, formBody, formTrimmed } from '../../forms.ts';
import type { ConsoleKey } from '../../i18n.ts';
import { notice } from '../../layout.ts';
import { type UnitsOptions, unitsView } from './view.ts';

const page = async (ctx: AuthedCtx, options: UnitsOptions = {}) =>
  sendHtml(ctx.reply, unitsView(ctx, await listUnitTree(ctx.cc.route.db), options), options.status ?? 200);

const AddForm = formBody({
  id: formTrimmed(100),
  name: formTrimmed(500),
  parent: formTrimmed(100),
  kind: formTrimmed(20),
});
const EditForm = formBody({
  name: formTrimmed(500),
  parent: formTrimmed(100),
  kind: formTrimmed(20),
  public: formTrimmed(10),
});
const Params = z.object({ id: UnitId });

const TREE_ERRORS: Record<UnitTreeError['code'], ConsoleKey> = {
  unknown_unit: 'units.errors.unknownUnit',
  unknown_parent: 'units.errors.unknownParent',
  cycle: 'units.errors.cycle',
  exists: 'units.errors.exists',
  invalid: 'units.errors.name',
};

export const unitRoutes = (app: FastifyInstance, cc: ConsoleContext): void => {
  route(app, cc, { method: 'GET', url: '/units', access: 'admin' }, async (ctx) => page(ctx));

  route(
    app,
    cc,
    { method: 'POST', url: '/units', access: 'admin', schema: { body: AddForm } },
    async (ctx, { body }) => {
      const db = cc.route.db;
      const errors: FieldErrors = {};
      if (!UnitId.safeParse(body.id).success) errors['id'] = ctx.t('units.errors.unitId');
      else if (await getUnit(db, body.id)) errors['id'] = ctx.t('units.errors.exists');
      const name = UnitName.safeParse(body.name);
      if (!name.success) errors['name'] = ctx.t('units.errors.name');
      const kind = UnitKind.safeParse(body.kind);
      if (!kind.success) errors['kind'] = ctx.t('units.errors.kind');
      if (body.parent !== '' && !(await getUnit(db, body.parent)))
        errors['parent'] = ctx.t('units.errors.unknownParent');
      if (Object.keys(errors).length > 0 || !name.success || !kind.success)
        return page(ctx, { values: body, errors, status: 400 });
      const created = await db.transaction(async (tx) => {
        const made = await ensureUnit(
          tx,
          { id: body.id, name: name.data, parentId: body.parent || null, kind: kind.data },
          ctx.now,
        );
        if (made)
          await audit(tx, {
            username: ctx.session.username,
            action: 'unit_created',
            detail: { unit: body.id, parent: body.parent || null, kind: kind.data },
            ip: ctx.req.ip,
            at: ctx.now,
          });
        return made;
      });
      if (!created) return page(ctx, { values: body, errors: { id: ctx.t('units.errors.exists') }, status: 400 });
      return page(ctx, { top: notice('ok', ctx.t('units.added', { unit: body.id }), 'unit-ok') });
    },
  );

  route(
    app,
    cc,
    {
      method: 'POST',
      url: '/units/:id',
      access: 'admin',
      schema: { params: Params, body: EditForm },
      notFound: 'units.errors.unknownUnit',
    },
    async (ctx, { params, body }) => {
      const refuse = (key: ConsoleKey) => page(ctx, { top: notice('error', ctx.t(key), 'unit-error'), status: 400 });
      const kind = UnitKind.safeParse(body.kind);
      if (!kind.success) return refuse('units.errors.kind');
      if (body.public !== 'on' && body.public !== 'off') return refuse('units.errors.public');
      try {
        const changed = await cc.route.db.transaction(async (tx) => {
          const u = await updateUnit(tx, params.id, {
            name: body.name,
            kind: kind.data,
            parentId: body.parent || null,
            publicReport: body.public === 'on',
          });
          await audit(tx, {
            username: ctx.session.username,
            action: 'unit_changed',
            detail: { unit: u.id, name: u.name, kind: u.kind, parent: u.parentId, publicReport: u.publicReport },
            ip: ctx.req.ip,
            at: ctx.now,
          });
          return u;
        });
        return page(ctx, { top: notice('ok', ctx.t('units.saved', { unit: changed.id }), 'unit-ok') });
      } catch (e) {
        if (!(e instanceof UnitTreeError)) throw e;
        if (e.code === 'unknown_unit') throw new ConsoleError(404, 'units.errors.unknownUnit');
        return refuse(TREE_ERRORS[e.code]);
      }
    },
  );
};
