import { z } from 'zod';
import { type ReportQuery, checkReportRange } from '../../../shared/reports/query.ts';
import type { ReportSettings } from '../../../shared/reports/settings.ts';
import { parseRows } from '../../db/rows.ts';
import type { Queryable } from '../../db/types.ts';
import { isWithin, unitsUnder } from '../../ops/unit-tree.ts';
import { ReportRequestError, type ReportViewer } from './errors.ts';

/** A query the viewer may run, with the unit filled in for a unit viewer and the units it covers. */
export type CheckedQuery = { query: ReportQuery; units: string[]; showOfficers: boolean };

const Id = z.object({ id: z.string() });

/** Checks that cost nothing (range, groupings) before any database work. */
const checkShape = (q: ReportQuery, settings: ReportSettings): void => {
  const range = checkReportRange(q, settings.maxRangeDays);
  if (range) throw new ReportRequestError('bad_range', range);
  if (new Set(q.by).size !== q.by.length)
    throw new ReportRequestError('bad_query', `a grouping is given twice: ${q.by.join(', ')}`);
};

/** Whether this viewer may see figures per officer (settings.officerFiguresRoles; IT at centralctl always). */
const mayseeOfficers = (viewer: ReportViewer | null, settings: ReportSettings): boolean =>
  viewer === null || settings.officerFiguresRoles.includes(viewer.role);

/**
 * Who may ask what. A unit viewer sees only their unit and the units under it: `unit: null` means their
 * own unit; any other unit is refused as not_allowed whether it exists or not, so ids cannot be probed.
 * Officer grouping or filtering needs a role in settings.officerFiguresRoles.
 */
export const checkQuery = async (
  db: Queryable,
  query: ReportQuery,
  viewer: ReportViewer | null,
  settings: ReportSettings,
): Promise<CheckedQuery> => {
  checkShape(query, settings);
  const showOfficers = mayseeOfficers(viewer, settings);
  if (!showOfficers && (query.officer !== undefined || query.by.includes('officer')))
    throw new ReportRequestError('not_allowed', 'figures per officer are not shown to your role');
  let q = query;
  if (viewer?.role === 'unit_viewer') {
    if (viewer.unitId === null) throw new ReportRequestError('not_allowed', 'your account is not tied to a unit');
    if (q.unit === null) q = { ...q, unit: viewer.unitId };
    else if (!(await isWithin(db, q.unit, viewer.unitId)))
      throw new ReportRequestError('not_allowed', `unit "${q.unit}" is not yours to see`);
  }
  if (q.unit === null) {
    const all = parseRows(Id, await db.query('SELECT id FROM units ORDER BY id')).map((r) => r.id);
    return { query: q, units: all, showOfficers };
  }
  const units = await unitsUnder(db, q.unit, q.withSubunits);
  if (units.length === 0) throw new ReportRequestError('unknown_unit', `there is no unit "${q.unit}"`);
  return { query: q, units, showOfficers };
};
