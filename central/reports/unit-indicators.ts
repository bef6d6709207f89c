/**
 * Indicators that describe a unit rather than a case (by default 5, 8 and 9 of the per-case
 * evaluation; settings.unitLevelIndicators), entered per unit and quarter: the unit's self-assessed
 * points and the province's verified points, each with who entered it and when, as the provincial
 * "Mẫu 2" layout shows them. The report engine reads them back with `readUnitIndicators`.
 */
import { z } from 'zod';
import { Int, NullableTimestamp, parseRows } from '../db/rows.ts';
import type { Queryable } from '../db/types.ts';
import { getUnit } from '../ops/units.ts';
import { loadReportSettings } from './settings-store.ts';

/** "2026-Q3" → { year: 2026, quarter: 3 }. */
export const Quarter = z
  .string()
  .regex(/^(\d{4})-Q([1-4])$/, 'a quarter is written YYYY-Qn, e.g. 2026-Q3')
  .transform((s) => ({ year: Number(s.slice(0, 4)), quarter: Number(s.slice(6)) }))
  .refine((q) => q.year >= 2000 && q.year <= 2100, 'the year must be between 2000 and 2100');
export type Quarter = { year: number; quarter: number };
export const quarterLabel = (q: Quarter): string => `${q.year}-Q${q.quarter}`;

/** The quarter a moment falls in, in Asia/Ho_Chi_Minh (UTC+7, no daylight saving). */
export const quarterOf = (at: Date): Quarter => {
  const local = new Date(at.getTime() + 7 * 3_600_000);
  return { year: local.getUTCFullYear(), quarter: Math.floor(local.getUTCMonth() / 3) + 1 };
};

/** Points as typed: exactly "0", "1" or "2". */
export const Points = z.union([z.literal(0), z.literal(1), z.literal(2)]);
export const pointsFrom = (text: string): 0 | 1 | 2 | undefined => {
  const p = /^[012]$/.test(text.trim()) ? Number(text.trim()) : NaN;
  const ok = Points.safeParse(p);
  return ok.success ? ok.data : undefined;
};
export const MAX_NOTE = 1000;

export type IndicatorEntry = {
  indicator: number;
  self: { points: number; by: string; at: Date } | null;
  verified: { points: number; by: string; at: Date } | null;
  note: string | null;
};

const Row = z.object({
  indicator: Int,
  self_points: Int.nullable(),
  self_by: z.string().nullable(),
  self_at: NullableTimestamp,
  verified_points: Int.nullable(),
  verified_by: z.string().nullable(),
  verified_at: NullableTimestamp,
  note: z.string().nullable(),
});

export class UnitIndicatorError extends Error {
  constructor(
    readonly code: 'unknown_unit' | 'unknown_indicator' | 'bad_points' | 'note_too_long',
    message: string,
  ) {
    super(message);
    this.name = 'UnitIndicatorError';
  }
}

/**
 * The entries of a unit for a quarter, one per indicator in `indicators` (default: the settings'
 * unitLevelIndicators, in that order), null parts where nothing was entered; stored entries for an
 * indicator no longer in the settings are kept after them, so nothing entered disappears from view.
 */
export const readUnitIndicators = async (
  db: Queryable,
  unitId: string,
  q: Quarter,
  indicators?: readonly number[],
): Promise<IndicatorEntry[]> => {
  const wanted = indicators ?? (await loadReportSettings(db)).unitLevelIndicators;
  const rows = parseRows(
    Row,
    await db.query(
      `SELECT indicator, self_points, self_by, self_at, verified_points, verified_by, verified_at, note
         FROM unit_indicator_scores WHERE unit_id = $1 AND year = $2 AND quarter = $3 ORDER BY indicator`,
      [unitId, q.year, q.quarter],
    ),
  );
  const entryOf = (r: z.infer<typeof Row>): IndicatorEntry => ({
    indicator: r.indicator,
    self: r.self_points !== null && r.self_at ? { points: r.self_points, by: r.self_by ?? '', at: r.self_at } : null,
    verified:
      r.verified_points !== null && r.verified_at
        ? { points: r.verified_points, by: r.verified_by ?? '', at: r.verified_at }
        : null,
    note: r.note,
  });
  const byIndicator = new Map(rows.map((r) => [r.indicator, entryOf(r)]));
  const listed = wanted.map((i) => byIndicator.get(i) ?? { indicator: i, self: null, verified: null, note: null });
  return [...listed, ...[...byIndicator.values()].filter((e) => !wanted.includes(e.indicator))];
};

export type IndicatorInput = {
  unitId: string;
  quarter: Quarter;
  indicator: number;
  /** Which figure: the unit's own assessment, or the province's verification. */
  which: 'self' | 'verified';
  points: number;
  /** undefined leaves the note as it is; '' clears it. */
  note?: string;
  by: string;
  now: Date;
};

/**
 * Enters one figure. Who may enter which figure is the caller's check (the console: a unit viewer
 * only `self`, for their unit or one under it; centralctl is IT). Refuses an unknown unit, an
 * indicator not in settings.unitLevelIndicators, points other than 0, 1, 2, a note over 1000 characters.
 */
export const setUnitIndicator = async (db: Queryable, input: IndicatorInput): Promise<IndicatorEntry> => {
  if (!Points.safeParse(input.points).success)
    throw new UnitIndicatorError('bad_points', `points must be 0, 1 or 2 (got ${String(input.points)})`);
  if (input.note !== undefined && input.note.length > MAX_NOTE)
    throw new UnitIndicatorError('note_too_long', `the note is ${MAX_NOTE} characters at most`);
  const settings = await loadReportSettings(db);
  if (!settings.unitLevelIndicators.includes(input.indicator))
    throw new UnitIndicatorError(
      'unknown_indicator',
      `indicator ${input.indicator} is not entered per unit (the report settings list ${settings.unitLevelIndicators.join(', ') || 'none'})`,
    );
  if (!(await getUnit(db, input.unitId)))
    throw new UnitIndicatorError('unknown_unit', `unknown unit "${input.unitId}"`);
  const col = input.which === 'self' ? 'self' : 'verified';
  const note = input.note === undefined ? null : input.note === '' ? null : input.note;
  await db.query(
    `INSERT INTO unit_indicator_scores (unit_id, year, quarter, indicator, ${col}_points, ${col}_by, ${col}_at, note)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (unit_id, year, quarter, indicator) DO UPDATE SET
       ${col}_points = excluded.${col}_points, ${col}_by = excluded.${col}_by, ${col}_at = excluded.${col}_at,
       note = CASE WHEN $9 THEN excluded.note ELSE unit_indicator_scores.note END`,
    [
      input.unitId,
      input.quarter.year,
      input.quarter.quarter,
      input.indicator,
      input.points,
      input.by,
      input.now,
      note,
      input.note !== undefined,
    ],
  );
  const [entry] = await readUnitIndicators(db, input.unitId, input.quarter, [input.indicator]);
  if (!entry) throw new Error('unit indicator vanished after being written');
  return entry;
};
