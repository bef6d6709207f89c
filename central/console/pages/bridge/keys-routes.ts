import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { KeyLabel, createIntegrationKey, listIntegrationKeys, revokeIntegrationKey } from '../../../bridge/keys.ts';
import { listUnits } from '../../../ops/units.ts';
import { audit } from '../../audit.ts';
import { type AuthedCtx, type ConsoleContext, ConsoleError, route, sendHtml } from '../../context.ts';
import { type FieldErrors, formBody, formTrimmed } from '../../forms.ts';
import { notice } from '../../layout.ts';
import { type KeysOptions, keysView } from './keys-view.ts';

const keysPage = async (ctx: AuthedCtx, cc: ConsoleContext, options: KeysOptions & { status?: number }) =>
  sendHtml(ctx.reply, keysView(ctx, await listIntegrationKeys(cc.route.db), options), options.status ?? 200);

const KeyForm = formBody({ label: formTrimmed(), units: formTrimmed() });

/** The province admin's integration keys page (/bridge/keys): create, list, revoke; each change audited. */
export const bridgeKeyRoutes = (app: FastifyInstance, cc: ConsoleContext): void => {
  route(app, cc, { method: 'GET', url: '/bridge/keys', access: 'admin' }, async (ctx) => keysPage(ctx, cc, {}));

  route(
    app,
    cc,
    { method: 'POST', url: '/bridge/keys', access: 'admin', schema: { body: KeyForm } },
    async (ctx, { body }) => {
      const errors: FieldErrors = {};
      const label = KeyLabel.safeParse(body.label);
      if (!label.success) errors['label'] = ctx.t('bridge.keys.errors.label');
      const unitIds = [...new Set(body.units.split(/[\s,]+/).filter((u) => u !== ''))];
      const known = new Set((await listUnits(cc.route.db)).map((u) => u.id));
      const missing = unitIds.filter((u) => !known.has(u));
      if (unitIds.length === 0 || missing.length > 0)
        errors['units'] = ctx.t('bridge.keys.errors.units', { units: missing.join(', ') || '—' });
      if (!label.success || errors['units']) return keysPage(ctx, cc, { values: body, errors, status: 400 });
      const created = await cc.route.db.transaction(async (tx) => {
        const made = await createIntegrationKey(tx, {
          label: label.data,
          unitIds,
          createdBy: `user:${ctx.session.username}`,
          now: ctx.now,
        });
        await audit(tx, {
          username: ctx.session.username,
          action: 'integration_key_created',
          detail: { key: made.key.id, label: made.key.label, units: unitIds },
          ip: ctx.req.ip,
          at: ctx.now,
        });
        return made;
      });
      return keysPage(ctx, cc, { created: { label: created.key.label, secret: created.secret } });
    },
  );

  route(
    app,
    cc,
    {
      method: 'POST',
      url: '/bridge/keys/:id/revoke',
      access: 'admin',
      schema: { params: z.object({ id: z.uuid() }) },
      notFound: 'bridge.keys.errors.noSuch',
    },
    async (ctx, { params }) => {
      const key = (await listIntegrationKeys(cc.route.db)).find((k) => k.id === params.id);
      const revoked = await cc.route.db.transaction(async (tx) => {
        if (!(await revokeIntegrationKey(tx, params.id, ctx.now))) return false;
        await audit(tx, {
          username: ctx.session.username,
          action: 'integration_key_revoked',
          detail: { key: params.id, label: key?.label ?? '' },
          ip: ctx.req.ip,
          at: ctx.now,
        });
        return true;
      });
      if (!revoked || !key) throw new ConsoleError(404, 'bridge.keys.errors.noSuch');
      return keysPage(ctx, cc, {
        done: notice('ok', ctx.t('bridge.keys.revoked', { label: key.label }), 'key-revoked'),
      });
    },
  );
};
