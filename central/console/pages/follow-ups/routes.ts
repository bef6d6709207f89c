import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { errorMessage } from '../../../../shared/error-message.ts';
import type { ContactDetails } from '../../../../shared/follow-up.ts';
import { openContact } from '../../../../shared/node/contact-seal.ts';
import { FollowUpStatus, listCases, sealedContactOf } from '../../../follow-ups/cases.ts';
import { audit } from '../../audit.ts';
import { type AuthedCtx, type ConsoleContext, route, sendHtml } from '../../context.ts';
import { formText, lenient } from '../../forms.ts';
import { notice } from '../../layout.ts';
import { caseScope, visibleCase } from './access.ts';
import { caseActionRoutes } from './actions.ts';
import { followUpSettingsRoutes } from './settings.ts';
import { listView } from './view.ts';
import { CaseParams, sendDetail } from './detail.ts';

const ListQuery = z.object({
  status: lenient(z.union([FollowUpStatus, z.enum(['open', 'overdue'])])),
  unit: lenient(z.string().max(63)),
});
const Done = z.object({ done: lenient(z.enum(['saved', 'erased'])) });

/**
 * Opens the contact for one reply, after the showing is committed to the audit log (who, when, which
 * follow-up; never the number). Nothing of it is kept: the page is sent with no-store.
 */
const showNumber = async (ctx: AuthedCtx, id: number): Promise<ContactDetails | 'cannot_open' | undefined> => {
  const c = await visibleCase(ctx, id);
  const box = await ctx.cc.route.db.transaction(async (tx) => {
    const sealed = await sealedContactOf(tx, c.id);
    if (sealed)
      await audit(tx, {
        username: ctx.session.username,
        action: 'follow_up_number_shown',
        detail: { followUp: c.id, unit: c.unitId },
        ip: ctx.req.ip,
        at: ctx.now,
      });
    return sealed;
  });
  if (!box) return undefined;
  const key = ctx.cc.route.contactKey;
  if (!key) return 'cannot_open';
  try {
    return openContact(key, c.responseId, box);
  } catch (e) {
    console.error(`central console: follow-up ${c.id} does not open: ${errorMessage(e)}`);
    return 'cannot_open';
  }
};

/** The follow-up list and detail pages (pages/follow-ups): province admin and follow-up officers only. */
export const followUpRoutes = (app: FastifyInstance, cc: ConsoleContext): void => {
  followUpSettingsRoutes(app, cc);
  route(
    app,
    cc,
    { method: 'GET', url: '/follow-ups', access: 'viewer', schema: { querystring: ListQuery } },
    async (ctx, { query }) => {
      const scope = await caseScope(ctx);
      const units =
        scope ?? (await cc.route.db.query('SELECT id FROM units ORDER BY id')).rows.map((r) => String(r['id']));
      const unit = query.unit && units.includes(query.unit) ? query.unit : undefined;
      const cases = await listCases(cc.route.db, scope, { status: query.status, unitId: unit, now: ctx.now });
      return sendHtml(
        ctx.reply,
        listView(ctx, { cases, units, filter: { status: query.status ?? '', unit: unit ?? '' } }),
      );
    },
  );
  route(
    app,
    cc,
    {
      method: 'GET',
      url: '/follow-ups/:id',
      access: 'viewer',
      schema: { params: CaseParams, querystring: Done },
      notFound: 'followUps.noSuch',
    },
    async (ctx, { params, query }) =>
      sendDetail(ctx, params.id, {
        message: query.done
          ? notice('ok', ctx.t(query.done === 'erased' ? 'followUps.erased' : 'followUps.saved'), 'follow-up-message')
          : undefined,
      }),
  );
  route(
    app,
    cc,
    {
      method: 'POST',
      url: '/follow-ups/:id/number',
      access: 'viewer',
      schema: { params: CaseParams, body: z.object({ _csrf: formText(200) }).loose() },
      notFound: 'followUps.noSuch',
    },
    async (ctx, { params }) => sendDetail(ctx, params.id, { contact: await showNumber(ctx, params.id) }),
  );
  caseActionRoutes(app, cc);
};
