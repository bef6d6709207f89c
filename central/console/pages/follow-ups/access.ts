import { type CaseScope, type FollowUpCase, findCase } from '../../../follow-ups/cases.ts';
import { unitsUnder } from '../../../ops/unit-tree.ts';
import { type AuthedCtx, ConsoleError } from '../../context.ts';

/**
 * Who may see follow-ups (citizens' contacts): the province admin, every unit; a follow-up officer,
 * its unit and the units under it. Anyone else (a unit viewer) is refused before any follow-up is read.
 */
export const caseScope = async (ctx: AuthedCtx): Promise<CaseScope> => {
  const { role, unitId } = ctx.session;
  if (role === 'province_admin') return null;
  if (role !== 'follow_up_officer' || unitId === null) throw new ConsoleError(403, 'errors.forbidden');
  return unitsUnder(ctx.cc.route.db, unitId, true);
};

/** The follow-up, if this session may see it; an id outside its units is "no such follow-up" (404), not 403. */
export const visibleCase = async (ctx: AuthedCtx, id: number): Promise<FollowUpCase> => {
  const c = await findCase(ctx.cc.route.db, await caseScope(ctx), id);
  if (!c) throw new ConsoleError(404, 'followUps.noSuch');
  return c;
};
