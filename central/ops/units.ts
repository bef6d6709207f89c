import { z } from 'zod';
import { Int, firstRow, parseRows } from '../db/rows.ts';
import type { Queryable } from '../db/types.ts';
import { ancestorsOf, moveSubtreeRollups } from '../reports/rollups.ts';
import { inheritParentConfig } from './unit-config-inherit.ts';

export const UnitId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'a unit id is lowercase letters, digits and "-" (e.g. "xa-hai-long")');
export type Unit = { id: string; name: string };

/** What a unit is in the province's tree (since 2025: province, its centres with branches, and communes). */
export const UNIT_KINDS = ['province', 'centre', 'branch', 'commune', 'unit'] as const;
export const UnitKind = z.enum(UNIT_KINDS);
export type UnitKind = z.infer<typeof UnitKind>;

export const UnitName = z
  .string()
  .trim()
  .min(1, 'a unit name is required')
  .max(120, 'a unit name is 120 characters at most');

const UnitRow = z.object({ id: z.string(), name: z.string() });

export const DEFAULT_UNIT: Unit = { id: 'default', name: 'Đơn vị mặc định' };

/** A refusal of a change to the tree, with a message for the person (console and centralctl show it as is). */
export class UnitTreeError extends Error {
  constructor(
    readonly code: 'unknown_unit' | 'unknown_parent' | 'cycle' | 'exists' | 'invalid',
    message: string,
  ) {
    super(message);
    this.name = 'UnitTreeError';
  }
}

export const getUnit = async (db: Queryable, id: string): Promise<Unit | undefined> =>
  firstRow(UnitRow, await db.query('SELECT id, name FROM units WHERE id = $1', [id]));

export type NewUnit = Unit & { parentId?: string | null; kind?: UnitKind };

/**
 * Creates the unit if it does not exist; returns whether it was created. A unit created under a
 * parent starts with the newest configuration published to it or, failing that, to its nearest
 * ancestor that has one (unit-config-inherit.ts), so its kiosks have questionnaires from their first
 * config request. Give it a transaction so that the unit and its configuration land together.
 */
export const ensureUnit = async (db: Queryable, unit: NewUnit, now: Date = new Date()): Promise<boolean> => {
  UnitId.parse(unit.id);
  const parentId = unit.parentId ?? null;
  if (parentId !== null && !(await getUnit(db, parentId)))
    throw new UnitTreeError('unknown_parent', `unknown parent unit "${parentId}"`);
  const r = await db.query(
    'INSERT INTO units (id, name, parent_id, kind) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING',
    [unit.id, unit.name, parentId, unit.kind ?? 'unit'],
  );
  if (r.rowCount === 0) return false;
  if (parentId !== null) await inheritParentConfig(db, unit.id, now);
  return true;
};

/** Every unit, by id. */
export const listUnits = async (db: Queryable): Promise<Unit[]> =>
  (await db.query('SELECT id, name FROM units ORDER BY id')).rows.map((r) => UnitRow.parse(r));

const NodeRow = z.object({
  id: z.string(),
  name: z.string(),
  parent_id: z.string().nullable(),
  kind: UnitKind,
  public_report: z.boolean(),
});
export type UnitNode = Unit & { parentId: string | null; kind: UnitKind; publicReport: boolean; depth: number };

export const getUnitNode = async (db: Queryable, id: string): Promise<Omit<UnitNode, 'depth'> | undefined> => {
  const r = firstRow(
    NodeRow,
    await db.query('SELECT id, name, parent_id, kind, public_report FROM units WHERE id = $1', [id]),
  );
  return r && { id: r.id, name: r.name, parentId: r.parent_id, kind: r.kind, publicReport: r.public_report };
};

/**
 * The whole tree in display order: each root (by id), then its children depth-first, with `depth`
 * (0 for a root). With `under`, only that unit and what lies under it (depth counted from it).
 */
export const listUnitTree = async (db: Queryable, under?: string): Promise<UnitNode[]> => {
  const rows = parseRows(
    NodeRow,
    await db.query('SELECT id, name, parent_id, kind, public_report FROM units ORDER BY id'),
  );
  const children = new Map<string | null, typeof rows>();
  for (const r of rows) children.set(r.parent_id, [...(children.get(r.parent_id) ?? []), r]);
  const out: UnitNode[] = [];
  const seen = new Set<string>();
  const walk = (r: (typeof rows)[number], depth: number): void => {
    if (seen.has(r.id)) return; // a cycle cannot be stored through this module; never loop on one anyway
    seen.add(r.id);
    out.push({ id: r.id, name: r.name, parentId: r.parent_id, kind: r.kind, publicReport: r.public_report, depth });
    for (const c of children.get(r.id) ?? []) walk(c, depth + 1);
  };
  const roots = under === undefined ? (children.get(null) ?? []) : rows.filter((r) => r.id === under);
  for (const r of roots) walk(r, 0);
  return out;
};

const Depth = z.object({ n: Int });

/** Whether `candidate` is `unitId` itself or one of its ancestors would close a cycle: walks up from candidate. */
const wouldCycle = async (db: Queryable, unitId: string, candidateParent: string): Promise<boolean> => {
  const r = firstRow(
    Depth,
    await db.query(
      `WITH RECURSIVE up AS (
         SELECT id, parent_id FROM units WHERE id = $1
         UNION
         SELECT u.id, u.parent_id FROM units u JOIN up ON u.id = up.parent_id
       ) SELECT count(*) AS n FROM up WHERE id = $2`,
      [candidateParent, unitId],
    ),
  );
  return (r?.n ?? 0) > 0;
};

export type UnitChange = { parentId?: string | null; name?: string; kind?: UnitKind; publicReport?: boolean };

/**
 * Changes a unit. A new parent must exist and must not be the unit or lie under it (a cycle would
 * make "the unit with everything under it" endless). Changing the parent moves the unit with its
 * whole subtree; its devices, responses and configuration stay as they are. Give it a transaction.
 */
export const updateUnit = async (db: Queryable, unitId: string, change: UnitChange): Promise<UnitNode> => {
  // Two moves at once (A under B, B under A) would each pass the cycle check on the tree as it was:
  // parent changes take turns. Needs the caller's transaction (LOCK is refused outside one).
  if (change.parentId !== undefined) await db.query('LOCK TABLE units IN SHARE ROW EXCLUSIVE MODE');
  const current = await getUnitNode(db, unitId);
  if (!current) throw new UnitTreeError('unknown_unit', `unknown unit "${unitId}"`);
  if (change.parentId !== undefined && change.parentId !== null) {
    if (!(await getUnit(db, change.parentId)))
      throw new UnitTreeError('unknown_parent', `unknown parent unit "${change.parentId}"`);
    if (await wouldCycle(db, unitId, change.parentId))
      throw new UnitTreeError(
        'cycle',
        change.parentId === unitId
          ? `unit "${unitId}" cannot be its own parent`
          : `unit "${change.parentId}" lies under "${unitId}"; making it the parent would close a cycle`,
      );
  }
  if (change.name !== undefined) {
    const name = UnitName.safeParse(change.name);
    if (!name.success) throw new UnitTreeError('invalid', name.error.issues[0]?.message ?? 'invalid name');
    change = { ...change, name: name.data };
  }
  const next = {
    parentId: change.parentId !== undefined ? change.parentId : current.parentId,
    name: change.name ?? current.name,
    kind: change.kind ?? current.kind,
    publicReport: change.publicReport ?? current.publicReport,
  };
  const moves = change.parentId !== undefined && change.parentId !== current.parentId;
  const ancestorsBefore = moves ? await ancestorsOf(db, unitId) : [];
  await db.query('UPDATE units SET parent_id = $2, name = $3, kind = $4, public_report = $5 WHERE id = $1', [
    unitId,
    next.parentId,
    next.name,
    next.kind,
    next.publicReport,
  ]);
  // The report roll-up per ancestor must follow the tree in this same transaction (central/reports/rollups.ts).
  if (moves) await moveSubtreeRollups(db, unitId, ancestorsBefore, await ancestorsOf(db, unitId));
  return { id: unitId, ...next, depth: 0 };
};
