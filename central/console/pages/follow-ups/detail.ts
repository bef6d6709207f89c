import { z } from 'zod';
import { notesOf } from '../../../follow-ups/cases.ts';
import { type AuthedCtx, sendHtml } from '../../context.ts';
import { visibleCase } from './access.ts';
import { type DetailData, detailView } from './view.ts';

export const CaseParams = z.object({ id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) });
/** The detail page with its history; `extra` for what one reply adds (the number, a message, errors). */
export const sendDetail = async (
  ctx: AuthedCtx,
  id: number,
  extra: Omit<DetailData, 'c' | 'notes'> = {},
  status = 200,
) => {
  const c = await visibleCase(ctx, id);
  const notes = await notesOf(ctx.cc.route.db, c.id);
  return sendHtml(ctx.reply, detailView(ctx, { c, notes, ...extra }), status);
};
