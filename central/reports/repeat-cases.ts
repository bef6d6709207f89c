import { z } from 'zod';
import { parseRows } from '../db/rows.ts';
import type { Queryable } from '../db/types.ts';
import { DAILY_KEY, MONTHLY_KEY } from './aggregate.ts';
import { addRollupDeltas, subtractRollupDeltas } from './rollups.ts';

/**
 * One evaluation per case number per unit, across kiosks (issue 11): aggregate.ts's repeatCaseLosers
 * applied to the report tables in SQL. Among a unit's complete, unflagged facts with the same case
 * number, the earliest submitted_at (ties: device id, then response id) stays counted; each other one
 * becomes flagged, and its counts move from the flagged = false rows to the flagged = true rows of
 * report_daily, report_monthly and (for the drain) the roll-ups.
 *
 * Run at the end of the drain (for the case numbers it just counted) and of the rebuild (for all), after
 * every fact and count is written with the kiosk's flags. A counted fact can only become a repeat, never
 * the reverse (a new response can only move the winner earlier), so the drain need only look at the
 * groups its own responses joined: batches may arrive in any order and the tables end as a rebuild
 * makes them (the property test in test/central/reports-aggregate-ingest.test.ts).
 */

/** What rebuild-sql.ts lends (passed in rather than imported, so the two files do not import each other). */
export type RecountHelpers = {
  /** Fills the temporary table report_src with the readable responses of report_drain_scope (scoped). */
  loadSource: (tx: Queryable, scoped: boolean) => Promise<void>;
  /** The statement that turns report_src into report_daily rows (flagged as the kiosk flagged them). */
  dailyCounts: string;
};

export type RepeatCaseScope = RecountHelpers & {
  /**
   * 'drain': only the case numbers in report_drain_cases (the counted ones this drain added, drain.ts);
   * 'all': every case number.
   */
  scope: 'drain' | 'all';
  /** Also move the counts in the roll-ups (the rebuild recomputes them from report_monthly afterwards). */
  rollups: boolean;
};

const Loser = z.object({ device_id: z.string(), response_id: z.string() });

/**
 * The facts that lose to an earlier evaluation of their case. Device ids compared with the "C" collation
 * (byte order), as aggregate.ts compares strings.
 * - drain: the groups of the case numbers this drain counted (report_drain_cases), found in report_facts by the
 *   partial index report_facts_open_cases (migration 15): one lookup per case number, none without one.
 * - all (the rebuild, right after it filled report_facts from report_src, flagged as the kiosks flagged):
 *   report_src itself, hashed once for the groups counted more than once, then only those are ordered.
 *   Not report_facts: under the rebuild's planner settings (no sorts) its index was scanned in order
 *   instead, visiting the heap at random (seconds per million facts).
 */
const findLosers = async (tx: Queryable, scope: 'drain' | 'all') => {
  const open = (t: string) => `${t}.case_number IS NOT NULL AND ${t}.complete AND NOT ${t}.flagged`;
  const groups =
    scope === 'drain'
      ? 'SELECT unit_id, case_number FROM report_drain_cases'
      : `SELECT s.unit_id, s.case_number FROM report_src s WHERE ${open('s')} GROUP BY 1, 2 HAVING count(*) > 1`;
  return parseRows(
    Loser,
    await tx.query(
      `SELECT device_id, response_id::text AS response_id FROM (
         SELECT f.device_id, f.response_id,
                row_number() OVER (PARTITION BY f.unit_id, f.case_number
                                   ORDER BY f.submitted_at, f.device_id COLLATE "C", f.response_id) AS rank
           FROM ${scope === 'drain' ? 'report_facts' : 'report_src'} f
          WHERE ${open('f')} AND (f.unit_id, f.case_number) IN (${groups})
       ) ranked WHERE rank > 1`,
    ),
  );
};

/** Takes the delta rows (one per key) out of a count table; a row whose whole count goes is deleted (n > 0). */
const subtractCounts = async (tx: Queryable, table: string, key: readonly string[], deltas: string) => {
  const same = key.map((c) => `r.${c} = d.${c}`).join(' AND ');
  await tx.query(`DELETE FROM ${table} r USING ${deltas} d WHERE ${same} AND r.n = d.n`);
  await tx.query(`UPDATE ${table} r SET n = r.n - d.n FROM ${deltas} d WHERE ${same}`);
};

/** Adds the delta rows (a few: the repeats) to a count table; only a holder of the drain lock writes it. */
const addCounts = (tx: Queryable, table: string, key: readonly string[], deltas: string) =>
  tx.query(
    `INSERT INTO ${table} (${key.join(', ')}, n) SELECT ${key.join(', ')}, n FROM ${deltas} ORDER BY ${key.join(', ')}
     ON CONFLICT (${key.join(', ')}) DO UPDATE SET n = ${table}.n + excluded.n`,
  );

/** The losers' count rows as they are counted now (unflagged): report_repeat_daily and report_repeat_monthly. */
const recountLosers = async (tx: Queryable, helpers: RecountHelpers, losers: readonly z.infer<typeof Loser>[]) => {
  await tx.query('DROP TABLE IF EXISTS report_drain_scope');
  await tx.query(
    `CREATE TEMP TABLE report_drain_scope ON COMMIT DROP AS
       SELECT r.device_id, r.seq FROM json_to_recordset($1::json) AS t (device_id text, response_id uuid)
       JOIN responses r ON r.device_id = t.device_id AND r.response_id = t.response_id`,
    [JSON.stringify(losers)],
  );
  await tx.query('ANALYZE report_drain_scope');
  await helpers.loadSource(tx, true);
  // Recount each as it was counted: in the unit its fact has, and as "custom" (status only) if its
  // questionnaire was found nowhere then but has been published since. Otherwise the rows taken out
  // would not be the rows put in (a wrong count, or a negative one refused by n > 0, stopping the drain).
  await tx.query(
    `UPDATE report_src s SET unit_id = f.unit_id, def = CASE WHEN f.kind = 'custom' THEN NULL ELSE s.def END
       FROM report_facts f WHERE f.device_id = s.device_id AND f.response_id = s.response_id`,
  );
  await tx.query('DROP TABLE IF EXISTS report_repeat_daily');
  await tx.query(`CREATE TEMP TABLE report_repeat_daily ON COMMIT DROP AS ${helpers.dailyCounts}`);
  await tx.query('DROP TABLE IF EXISTS report_repeat_monthly');
  await tx.query(
    `CREATE TEMP TABLE report_repeat_monthly ON COMMIT DROP AS
     SELECT unit_id, date_trunc('month', day)::date AS month, questionnaire_id, version, field_code, procedure_code, flagged,
            question_id, value, sum(n) AS n
       FROM report_repeat_daily GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9`,
  );
};

/**
 * Applies the rule (see the top of this file) in the caller's transaction, after the drain or the rebuild
 * wrote its facts and counts. Returns how many counted facts became repeats. The common case (no case
 * number counted twice) is the one query of findLosers.
 */
export const countRepeatCases = async (tx: Queryable, options: RepeatCaseScope): Promise<number> => {
  const losers = await findLosers(tx, options.scope);
  if (losers.length === 0) return 0;
  await recountLosers(tx, options, losers);
  const rollups = { from: 'report_repeat_monthly AS t', params: [] };
  await subtractCounts(tx, 'report_daily', DAILY_KEY, 'report_repeat_daily');
  await subtractCounts(tx, 'report_monthly', MONTHLY_KEY, 'report_repeat_monthly');
  if (options.rollups) await subtractRollupDeltas(tx, rollups);
  await tx.query('UPDATE report_repeat_daily SET flagged = true');
  await tx.query('UPDATE report_repeat_monthly SET flagged = true');
  await addCounts(tx, 'report_daily', DAILY_KEY, 'report_repeat_daily');
  await addCounts(tx, 'report_monthly', MONTHLY_KEY, 'report_repeat_monthly');
  if (options.rollups) await addRollupDeltas(tx, rollups);
  await tx.query(
    `UPDATE report_facts f SET flagged = true FROM json_to_recordset($1::json) AS t (device_id text, response_id uuid)
      WHERE f.device_id = t.device_id AND f.response_id = t.response_id`,
    [JSON.stringify(losers)],
  );
  return losers.length;
};
