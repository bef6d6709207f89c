import { z } from 'zod';
import type { Quarter, UnitIndicatorEntry } from '../../../shared/reports/formulas.ts';
import { Int, parseRows } from '../../db/rows.ts';
import type { Queryable } from '../../db/types.ts';

const Row = z.object({
  unit_id: z.string(),
  year: Int,
  quarter: Int,
  indicator: Int,
  self_points: Int.nullable(),
  verified_points: Int.nullable(),
});

/** Entries by unit, then indicator. */
export type UnitEntries = Map<string, Map<number, UnitIndicatorEntry[]>>;

const ordinal = (q: Quarter): number => q.year * 4 + q.quarter - 1;

/** The unit-level indicator entries of these units for the quarters from `first` to `last`. */
export const loadUnitEntries = async (
  db: Queryable,
  units: readonly string[],
  indicators: readonly number[],
  first: Quarter,
  last: Quarter,
): Promise<UnitEntries> => {
  const out: UnitEntries = new Map();
  if (units.length === 0 || indicators.length === 0) return out;
  const rows = parseRows(
    Row,
    await db.query(
      `SELECT unit_id, year, quarter, indicator, self_points, verified_points FROM unit_indicator_scores
        WHERE unit_id = ANY($1::text[]) AND indicator = ANY($2::int[]) AND year * 4 + quarter - 1 BETWEEN $3 AND $4`,
      [units, indicators, ordinal(first), ordinal(last)],
    ),
  );
  for (const r of rows) {
    const byIndicator = out.get(r.unit_id) ?? new Map<number, UnitIndicatorEntry[]>();
    out.set(r.unit_id, byIndicator);
    byIndicator.set(r.indicator, [
      ...(byIndicator.get(r.indicator) ?? []),
      { year: r.year, quarter: r.quarter, selfPoints: r.self_points, verifiedPoints: r.verified_points },
    ]);
  }
  return out;
};
