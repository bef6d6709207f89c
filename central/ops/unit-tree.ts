import { z } from 'zod';
import { parseRows } from '../db/rows.ts';
import type { Queryable } from '../db/types.ts';

const Id = z.object({ id: z.string() });

/** The unit and, with `withSubunits`, every unit under it (any depth); [] when the unit does not exist. */
export const unitsUnder = async (db: Queryable, unitId: string, withSubunits: boolean): Promise<string[]> =>
  parseRows(
    Id,
    await db.query(
      withSubunits
        ? `WITH RECURSIVE tree AS (
             SELECT id FROM units WHERE id = $1
             UNION
             SELECT u.id FROM units u JOIN tree t ON u.parent_id = t.id
           ) SELECT id FROM tree ORDER BY id`
        : `SELECT id FROM units WHERE id = $1`,
      [unitId],
    ),
  ).map((r) => r.id);

/** Whether `unitId` is `ancestorId` or lies under it. */
export const isWithin = async (db: Queryable, unitId: string, ancestorId: string): Promise<boolean> =>
  (await unitsUnder(db, ancestorId, true)).includes(unitId);
