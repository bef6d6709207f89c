import { z } from 'zod';
import { Int, parseRows } from '../../db/rows.ts';
import type { Queryable } from '../../db/types.ts';

/**
 * Feedback figures (issue 12; SIPAS's fifth element, the feedback rates of the service index): how
 * many citizens asked to be contacted, and how many of those cases the office handled by their due
 * date. A follow-up belongs to the day it was asked (the consent's time, never later than central
 * received it) in Vietnam's time, and to the unit of the kiosk it came from.
 *
 *   on time  closed (resolved or could not reach) at or before its due time
 *   late     closed after its due time, or still open after it
 *   pending  open and not yet due at `now`: not counted either way yet
 *   share on time = on time / (on time + late), null when both are 0
 */
export type FeedbackFigures = {
  unitId: string | null;
  /** YYYY-MM when grouped by month, else null. */
  month: string | null;
  asked: number;
  closed: number;
  onTime: number;
  late: number;
  pending: number;
  shareOnTime: number | null;
};

export type FeedbackQuery = {
  /** The units to count (already checked for the viewer, e.g. by checkQuery); [] counts nothing. */
  units: readonly string[];
  /** Calendar days in Vietnam, both inclusive (YYYY-MM-DD). */
  from: string;
  to: string;
  by: readonly ('unit' | 'month')[];
  now: Date;
};

const VN_OFFSET_MS = 7 * 3_600_000;
const dayStart = (day: string): Date => new Date(Date.parse(`${day}T00:00:00.000Z`) - VN_OFFSET_MS);

const Row = z.object({
  unit_id: z.string().nullable(),
  month: z.string().nullable(),
  asked: Int,
  closed: Int,
  on_time: Int,
  late: Int,
  pending: Int,
});

const share = (onTime: number, late: number): number | null => (onTime + late === 0 ? null : onTime / (onTime + late));

/** One row per group asked for (per unit, per month, or both), then the total over all of them (unitId and month null). */
export const feedbackFigures = async (db: Queryable, q: FeedbackQuery): Promise<FeedbackFigures[]> => {
  const byUnit = q.by.includes('unit');
  const byMonth = q.by.includes('month');
  const rows = parseRows(
    Row,
    await db.query(
      `WITH f AS (
         SELECT unit_id, least(consent_given_at, received_at) AS asked_at, due_at, closed_at FROM follow_ups
          WHERE unit_id = ANY($1::text[])
       )
       SELECT CASE WHEN $5 THEN unit_id END AS unit_id,
              CASE WHEN $6 THEN to_char((asked_at AT TIME ZONE 'UTC') + interval '7 hours', 'YYYY-MM') END AS month,
              count(*) AS asked,
              count(*) FILTER (WHERE closed_at IS NOT NULL) AS closed,
              count(*) FILTER (WHERE closed_at <= due_at) AS on_time,
              count(*) FILTER (WHERE closed_at > due_at OR (closed_at IS NULL AND due_at <= $4)) AS late,
              count(*) FILTER (WHERE closed_at IS NULL AND due_at > $4) AS pending
         FROM f
        WHERE asked_at >= $2 AND asked_at < $3
        GROUP BY 1, 2
        ORDER BY 1, 2`,
      [q.units, dayStart(q.from), new Date(dayStart(q.to).getTime() + 86_400_000), q.now, byUnit, byMonth],
    ),
  );
  const groups = rows.map((r): FeedbackFigures => ({
    unitId: r.unit_id,
    month: r.month,
    asked: r.asked,
    closed: r.closed,
    onTime: r.on_time,
    late: r.late,
    pending: r.pending,
    shareOnTime: share(r.on_time, r.late),
  }));
  const sum = (k: 'asked' | 'closed' | 'onTime' | 'late' | 'pending') => groups.reduce((n, g) => n + g[k], 0);
  const total: FeedbackFigures = {
    unitId: null,
    month: null,
    asked: sum('asked'),
    closed: sum('closed'),
    onTime: sum('onTime'),
    late: sum('late'),
    pending: sum('pending'),
    shareOnTime: share(sum('onTime'), sum('late')),
  };
  return byUnit || byMonth ? [...groups, total] : [total];
};
