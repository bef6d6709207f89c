import { z } from 'zod';
import type { ReportQuery } from '../../../shared/reports/query.ts';
import { parseRows } from '../../db/rows.ts';
import type { Queryable } from '../../db/types.ts';

const Id = z.object({ id: z.string() });

/**
 * The units whose whole subtrees make up a checked query's selection, for the tree roll-up
 * (plan.ts chooseRollups): the unit asked for with its sub-units, or every root when no unit is asked
 * for (the selection is then every unit). undefined: the selection is one unit alone.
 */
export const subtreesOf = async (
  db: Queryable,
  q: Pick<ReportQuery, 'unit' | 'withSubunits'>,
): Promise<string[] | undefined> => {
  if (q.unit !== null) return q.withSubunits ? [q.unit] : undefined;
  return parseRows(Id, await db.query('SELECT id FROM units WHERE parent_id IS NULL ORDER BY id')).map((r) => r.id);
};
