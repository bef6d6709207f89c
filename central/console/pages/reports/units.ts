import { z } from 'zod';
import { parseRows } from '../../../db/rows.ts';
import type { Queryable } from '../../../db/types.ts';
import { unitsUnder } from '../../../ops/unit-tree.ts';
import type { Session } from '../../auth/sessions.ts';

/** A unit the viewer may pick, with how deep it sits (for indenting the select) and its root's name. */
export type UnitOption = { id: string; name: string; depth: number; rootName: string };

const Row = z.object({ id: z.string(), name: z.string(), parent_id: z.string().nullable() });
type Row = z.infer<typeof Row>;

/** Units in tree order (each followed by the units under it), names sorted within a parent. */
const treeOrder = (rows: readonly Row[]): UnitOption[] => {
  const byParent = new Map<string | null, Row[]>();
  const ids = new Set(rows.map((r) => r.id));
  for (const r of rows) {
    // A parent outside the list (or a broken link) makes the unit a root here.
    const parent = r.parent_id !== null && ids.has(r.parent_id) ? r.parent_id : null;
    byParent.set(parent, [...(byParent.get(parent) ?? []), r]);
  }
  const out: UnitOption[] = [];
  const seen = new Set<string>();
  const walk = (parent: string | null, depth: number, rootName: string | null): void => {
    const children = (byParent.get(parent) ?? []).sort((a, b) => a.name.localeCompare(b.name, 'vi'));
    for (const c of children) {
      if (seen.has(c.id)) continue;
      seen.add(c.id);
      const root = rootName ?? c.name;
      out.push({ id: c.id, name: c.name, depth, rootName: root });
      walk(c.id, depth + 1, root);
    }
  };
  walk(null, 0, null);
  return out;
};

/**
 * The units a console account may report on: every unit for a province admin; for a unit viewer
 * their unit and every unit under it (central/ops/unit-tree.ts), so the select never names another
 * unit and a URL naming one is refused before the engine is asked.
 */
export const reportUnits = async (db: Queryable, session: Session): Promise<UnitOption[]> => {
  // The whole tree first, so that a unit viewer's print header still names the province above them.
  const all = treeOrder(parseRows(Row, await db.query('SELECT id, name, parent_id FROM units')));
  if (session.role === 'province_admin') return all;
  if (session.unitId === null) return [];
  const allowed = new Set(await unitsUnder(db, session.unitId, true));
  const mine = all.filter((u) => allowed.has(u.id));
  const top = Math.min(...mine.map((u) => u.depth));
  return mine.map((u) => ({ ...u, depth: u.depth - top }));
};
