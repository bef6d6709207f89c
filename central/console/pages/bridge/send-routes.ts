import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { CaseNumber, StaffRef } from '../../../../shared/response.ts';
import { unitProcedures } from '../../../bridge/catalog.ts';
import { issueInvitation } from '../../../bridge/issue.ts';
import { countersOfUnit, recentInvitations } from '../../../bridge/store.ts';
import { SyncError } from '../../../errors.ts';
import { audit } from '../../audit.ts';
import { type AuthedCtx, type ConsoleContext, ConsoleError, route, sendHtml } from '../../context.ts';
import { type FieldErrors, formBody, formTrimmed } from '../../forms.ts';
import { sendableUnits } from './access.ts';
import { type SendOptions, type SendValues, recentTable, sendView } from './send-view.ts';

const Query = z.object({
  unit: z.string().max(63).optional().catch(undefined),
  counter: z.string().max(32).optional().catch(undefined),
  case: z.string().max(40).optional().catch(undefined),
});

const SendForm = formBody({
  unit: formTrimmed(63),
  counter: formTrimmed(32),
  caseNumber: formTrimmed(40),
  procedure: formTrimmed(40),
  officer: formTrimmed(32),
});

/** The page for these values: the unit (one the session may use), its counters, catalog and the counter's recent invitations. */
const sendPage = async (
  ctx: AuthedCtx,
  values: Partial<SendValues>,
  options: Omit<SendOptions, 'values'> & { status?: number },
) => {
  const db = ctx.cc.route.db;
  const units = await sendableUnits(ctx);
  const unit = values.unit && units.includes(values.unit) ? values.unit : (units[0] ?? '');
  const [counters, procedures] = await Promise.all([countersOfUnit(db, unit), unitProcedures(db, unit)]);
  const counter = values.counter && counters.includes(values.counter) ? values.counter : (counters[0] ?? '');
  const recent = counter ? await recentInvitations(db, unit, counter, ctx.now) : [];
  const v: SendValues = {
    unit,
    counter,
    caseNumber: values.caseNumber ?? '',
    procedure: values.procedure ?? procedures[0]?.code ?? '',
    officer: values.officer ?? '',
  };
  return sendHtml(
    ctx.reply,
    sendView(ctx, { units, counters, procedures, recent }, { ...options, values: v }),
    options.status ?? 200,
  );
};

/** What issueInvitation refused, as the field it concerns. */
const fieldOf = (e: SyncError): 'procedure' | 'counter' | undefined =>
  e.code === 'unknown_procedure' ? 'procedure' : e.code === 'unknown_counter' ? 'counter' : undefined;

/**
 * The officer's "send an invitation" page (/bridge/send) for offices whose software calls nothing,
 * and its refreshing list (/bridge/recent). Province admins and counter officers (their unit and
 * the units under it) only; the unit is checked against the session on every request.
 */
export const bridgeSendRoutes = (app: FastifyInstance, cc: ConsoleContext): void => {
  route(
    app,
    cc,
    { method: 'GET', url: '/bridge/send', access: 'viewer', schema: { querystring: Query } },
    async (ctx, { query }) =>
      sendPage(
        ctx,
        { ...(query.unit ? { unit: query.unit } : {}), ...(query.counter ? { counter: query.counter } : {}) },
        {},
      ),
  );

  route(
    app,
    cc,
    { method: 'GET', url: '/bridge/recent', access: 'viewer', schema: { querystring: Query } },
    async (ctx, { query }) => {
      const units = await sendableUnits(ctx);
      if (!query.unit || !units.includes(query.unit) || !query.counter) throw new ConsoleError(404, 'errors.notFound');
      const recent = await recentInvitations(cc.route.db, query.unit, query.counter, ctx.now);
      return sendHtml(ctx.reply, recentTable(ctx, query.counter, recent));
    },
  );

  route(
    app,
    cc,
    { method: 'POST', url: '/bridge/send', access: 'viewer', schema: { body: SendForm } },
    async (ctx, { body }) => {
      const units = await sendableUnits(ctx);
      const errors: FieldErrors = {};
      if (!units.includes(body.unit)) errors['unit'] = ctx.t('bridge.send.errors.unit');
      const caseNumber = CaseNumber.safeParse(body.caseNumber);
      if (!caseNumber.success) errors['caseNumber'] = ctx.t('bridge.send.errors.caseNumber');
      if (body.officer !== '' && !StaffRef.safeParse(body.officer).success)
        errors['officer'] = ctx.t('bridge.send.errors.officer');
      if (!StaffRef.safeParse(body.counter).success) errors['counter'] = ctx.t('bridge.send.errors.counter');
      if (Object.keys(errors).length > 0 || !caseNumber.success) return sendPage(ctx, body, { errors, status: 400 });
      try {
        const invitation = await issueInvitation(cc.route.db, {
          request: {
            unitId: body.unit,
            counterId: body.counter,
            caseNumber: caseNumber.data,
            procedureCode: body.procedure,
            ...(body.officer ? { officerId: body.officer } : {}),
          },
          issuedBy: `user:${ctx.session.username}`,
          now: ctx.now,
        });
        await audit(cc.route.db, {
          username: ctx.session.username,
          action: 'invitation_sent',
          detail: { invitation: invitation.id, unit: body.unit, counter: body.counter, case: invitation.caseNumber },
          ip: ctx.req.ip,
          at: ctx.now,
        });
      } catch (e) {
        const field = e instanceof SyncError ? fieldOf(e) : undefined;
        if (!field) throw e;
        return sendPage(ctx, body, { errors: { [field]: ctx.t(`bridge.send.errors.${field}`) }, status: 422 });
      }
      // Fresh form for the next citizen, same unit and counter; the notice names the case just sent.
      return sendPage(
        ctx,
        { unit: body.unit, counter: body.counter },
        { sent: { caseNumber: caseNumber.data, counter: body.counter } },
      );
    },
  );
};
