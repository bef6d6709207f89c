import { z } from 'zod';
import { firstRow } from '../db/rows.ts';
import type { Queryable } from '../db/types.ts';

export const UnitId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'a unit id is lowercase letters, digits and "-" (e.g. "xa-hai-long")');
export type Unit = { id: string; name: string };

const UnitRow = z.object({ id: z.string(), name: z.string() });

export const DEFAULT_UNIT: Unit = { id: 'default', name: 'Đơn vị mặc định' };

export const getUnit = async (db: Queryable, id: string): Promise<Unit | undefined> =>
  firstRow(UnitRow, await db.query('SELECT id, name FROM units WHERE id = $1', [id]));

/** Creates the unit if it does not exist; returns whether it was created. */
export const ensureUnit = async (db: Queryable, unit: Unit): Promise<boolean> => {
  UnitId.parse(unit.id);
  const r = await db.query('INSERT INTO units (id, name) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING', [
    unit.id,
    unit.name,
  ]);
  return r.rowCount > 0;
};

/** Every unit, by id. */
export const listUnits = async (db: Queryable): Promise<Unit[]> =>
  (await db.query('SELECT id, name FROM units ORDER BY id')).rows.map((r) => UnitRow.parse(r));
