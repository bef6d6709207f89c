import type { Queryable } from '../../central/db/types.ts';
import { StoredRow, aggregateInputs, questionnaireFinder, rebuildReports } from '../../central/reports/rebuild.ts';
import { writeAggregates } from '../../central/reports/write-aggregates.ts';
import { parseRows } from '../../central/db/rows.ts';
import type { CentralDb } from '../../central/index.ts';

/** The derived report tables (migration 7's three and migration 8's roll-ups), every row as JSON, in primary-key order: what tests compare. */
export type ReportTables = {
  facts: unknown[];
  daily: unknown[];
  monthly: unknown[];
  monthlyUnit: unknown[];
  tree: unknown[];
};

const rows = async (db: Queryable, sql: string): Promise<unknown[]> => (await db.query(sql)).rows.map((r) => r['row']);

export const readReportTables = async (db: Queryable, schema7 = false): Promise<ReportTables> => ({
  facts: await rows(db, `SELECT to_jsonb(t) AS row FROM report_facts t ORDER BY device_id, response_id`),
  daily: await rows(
    db,
    `SELECT to_jsonb(t) AS row FROM report_daily t
      ORDER BY unit_id, day, questionnaire_id, version, field_code, procedure_code, officer_id, counter_id, flagged, question_id, value`,
  ),
  monthly: await rows(
    db,
    `SELECT to_jsonb(t) AS row FROM report_monthly t
      ORDER BY unit_id, month, questionnaire_id, version, field_code, procedure_code, flagged, question_id, value`,
  ),
  // At schema 7 (migration 7's own test) the roll-ups do not exist yet.
  monthlyUnit: schema7
    ? []
    : await rows(
        db,
        `SELECT to_jsonb(t) AS row FROM report_monthly_unit t
      ORDER BY unit_id, month, questionnaire_id, version, flagged, question_id, value`,
      ),
  tree: schema7
    ? []
    : await rows(
        db,
        `SELECT to_jsonb(t) AS row FROM report_monthly_tree t
      ORDER BY ancestor_id, month, questionnaire_id, version, field_code, procedure_code, flagged, question_id, value`,
      ),
});

class Rollback extends Error {}

/** What rebuildReports would make of this database's responses, read inside a transaction that is then rolled back. */
export const rebuiltReportTables = async (db: CentralDb): Promise<ReportTables> => {
  let rebuilt: ReportTables | undefined;
  try {
    await db.transaction(async (tx) => {
      await rebuildReports(tx);
      rebuilt = await readReportTables(tx);
      throw new Rollback();
    });
  } catch (e) {
    if (!(e instanceof Rollback)) throw e;
  }
  if (!rebuilt) throw new Error('the rebuild did not run');
  return rebuilt;
};

/** Totals that do not depend on the aggregate code: responses stored vs responses counted in each table. */
export const statusTotals = async (db: Queryable) =>
  (
    await db.query(
      `SELECT (SELECT count(*)::int FROM responses) AS responses,
              (SELECT count(*)::int FROM report_facts) AS facts,
              (SELECT coalesce(sum(n), 0)::int FROM report_daily WHERE question_id = '_status') AS daily,
              (SELECT coalesce(sum(n), 0)::int FROM report_monthly WHERE question_id = '_status') AS monthly`,
    )
  ).rows[0];

/**
 * What the JavaScript definition (central/reports/aggregate.ts, written by writeAggregates) makes of this
 * database's responses, read inside a transaction that is then rolled back: the oracle the SQL counting
 * (the drain and the rebuild, central/reports/rebuild-sql.ts) is compared with.
 */
export const jsAggregatedReportTables = async (db: CentralDb): Promise<ReportTables> => {
  let aggregated: ReportTables | undefined;
  try {
    await db.transaction(async (tx) => {
      for (const t of ['report_facts', 'report_daily', 'report_monthly', 'report_monthly_unit', 'report_monthly_tree'])
        await tx.query(`DELETE FROM ${t}`);
      const rows = parseRows(
        StoredRow,
        await tx.query(
          `SELECT r.device_id, r.response_id::text AS response_id, d.unit_id, r.body
             FROM responses r JOIN devices d ON d.id = r.device_id ORDER BY r.device_id, r.response_id`,
        ),
      );
      const inputs = aggregateInputs(rows, await questionnaireFinder(tx), { unknownQuestionnaire: 0, unreadable: 0 });
      await writeAggregates(tx, inputs);
      aggregated = await readReportTables(tx);
      throw new Rollback();
    });
  } catch (e) {
    if (!(e instanceof Rollback)) throw e;
  }
  if (!aggregated) throw new Error('the JavaScript aggregate did not run');
  return aggregated;
};
