import type { FastifyInstance } from 'fastify';
import { NOTE_MAX, FollowUpStatus, changeStatus } from '../../../follow-ups/cases.ts';
import { eraseContact } from '../../../follow-ups/retention.ts';
import { audit } from '../../audit.ts';
import { type ConsoleContext, route } from '../../context.ts';
import { formBody, formText } from '../../forms.ts';
import { visibleCase } from './access.ts';
import { CaseParams, sendDetail } from './detail.ts';

const StatusForm = formBody({ to: formText(20), note: formText(NOTE_MAX * 2) });
const EraseForm = formBody({ confirm: formText(10) });

/** Status changes with notes, and erasure on request (consent withdrawn): each with its audit row, in one transaction. */
export const caseActionRoutes = (app: FastifyInstance, cc: ConsoleContext): void => {
  route(
    app,
    cc,
    {
      method: 'POST',
      url: '/follow-ups/:id/status',
      access: 'viewer',
      schema: { params: CaseParams, body: StatusForm },
      notFound: 'followUps.noSuch',
    },
    async (ctx, { params, body }) => {
      const c = await visibleCase(ctx, params.id);
      const to = FollowUpStatus.safeParse(body.to);
      const note = body.note.trim();
      if (!to.success) return sendDetail(ctx, c.id, {}, 400);
      if ([...note].length > NOTE_MAX)
        return sendDetail(ctx, c.id, { errors: { note: ctx.t('followUps.noteTooLong', { max: NOTE_MAX }) } }, 400);
      await cc.route.db.transaction(async (tx) => {
        await changeStatus(tx, c, { to: to.data, note, username: ctx.session.username, now: ctx.now });
        await audit(tx, {
          username: ctx.session.username,
          action: 'follow_up_status_changed',
          detail: { followUp: c.id, unit: c.unitId, from: c.status, to: to.data },
          ip: ctx.req.ip,
          at: ctx.now,
        });
      });
      return ctx.reply.redirect(`${cc.prefix}/follow-ups/${c.id}?done=saved`, 303);
    },
  );
  route(
    app,
    cc,
    {
      method: 'POST',
      url: '/follow-ups/:id/erase',
      access: 'viewer',
      schema: { params: CaseParams, body: EraseForm },
      notFound: 'followUps.noSuch',
    },
    async (ctx, { params, body }) => {
      const c = await visibleCase(ctx, params.id);
      if (body.confirm !== 'yes')
        return sendDetail(ctx, c.id, { errors: { confirm: ctx.t('followUps.eraseConfirmMissing') } }, 400);
      await cc.route.db.transaction(async (tx) => {
        if (await eraseContact(tx, c.id, 'withdrawn', ctx.now))
          await audit(tx, {
            username: ctx.session.username,
            action: 'follow_up_erased',
            detail: { followUp: c.id, unit: c.unitId, reason: 'withdrawn' },
            ip: ctx.req.ip,
            at: ctx.now,
          });
      });
      return ctx.reply.redirect(`${cc.prefix}/follow-ups/${c.id}?done=erased`, 303);
    },
  );
};
