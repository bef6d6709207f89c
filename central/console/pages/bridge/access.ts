import { listUnits } from '../../../ops/units.ts';
import { unitsUnder } from '../../../ops/unit-tree.ts';
import { type AuthedCtx, ConsoleError } from '../../context.ts';

/**
 * Who may send invitations from the console: the province admin, for every unit; a counter officer,
 * for its unit and the units under it. Anyone else (a unit viewer, a follow-up officer) is refused
 * before anything is read.
 */
export const sendableUnits = async (ctx: AuthedCtx): Promise<string[]> => {
  const { role, unitId } = ctx.session;
  if (role === 'province_admin') return (await listUnits(ctx.cc.route.db)).map((u) => u.id);
  if (role !== 'counter_officer' || unitId === null) throw new ConsoleError(403, 'errors.forbidden');
  return unitsUnder(ctx.cc.route.db, unitId, true);
};
