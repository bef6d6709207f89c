import { z } from 'zod';
import type { ReportQuery } from '../../../shared/reports/query.ts';
import { parseRows } from '../../db/rows.ts';
import type { Queryable } from '../../db/types.ts';
import { type CountsResult, type GroupCounts, emptyGroup, groupKeyString } from './counts.ts';

const Parent = z.object({ parent_id: z.string() });

/** The units of the selection that have another unit of the selection directly under them. */
const parentsInSelection = async (db: Queryable, units: readonly string[]): Promise<Set<string>> =>
  new Set(
    parseRows(
      Parent,
      await db.query(
        `SELECT DISTINCT parent_id FROM units
          WHERE id = ANY($1::text[]) AND parent_id IS NOT NULL AND parent_id = ANY($1::text[])`,
        [units],
      ),
    ).map((r) => r.parent_id),
  );

/**
 * Groups in a stable order (by key). Ungrouped, there is always the one group, even empty. Grouped by unit
 * alone, every unit of the selection WITHOUT sub-units in it has a group, so a commune that sent nothing shows
 * (unranked) rather than vanishing; a unit with sub-units in the selection (a province, a centre with branches)
 * shows only when it has responses of its own: its empty group would be an empty row and bar beside its
 * sub-units' figures, read as "the province scored nothing".
 */
export const orderedGroups = async (
  db: Queryable,
  counts: CountsResult,
  q: ReportQuery,
  units: readonly string[],
): Promise<GroupCounts[]> => {
  const groups = new Map(counts.groups);
  if (q.by.length === 0 && groups.size === 0) groups.set(groupKeyString({}, q.by), emptyGroup({}));
  if (q.by.length === 1 && q.by[0] === 'unit') {
    const parents = await parentsInSelection(db, units);
    for (const unit of units) {
      const id = groupKeyString({ unit }, q.by);
      if (!groups.has(id) && !parents.has(unit)) groups.set(id, emptyGroup({ unit }));
    }
  }
  return [...groups.values()].sort((a, b) => compareKeys(a, b, q.by));
};

/** By each grouping in turn, as text; a questionnaire version as a number, so v2 comes before v10. */
const compareKeys = (a: GroupCounts, b: GroupCounts, by: ReportQuery['by']): number => {
  for (const g of by) {
    const x = a.key[g] ?? '';
    const y = b.key[g] ?? '';
    const order = g === 'version' ? Number(x) - Number(y) : x < y ? -1 : x > y ? 1 : 0;
    if (order !== 0) return order;
  }
  return 0;
};
