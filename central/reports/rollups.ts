import { z } from 'zod';
import { parseRows } from '../db/rows.ts';
import type { Queryable } from '../db/types.ts';
import { MONTHLY_KEY } from './aggregate.ts';
import { lockDrain } from './drain-lock.ts';

/**
 * The roll-ups of migration 8 (report_monthly_unit, report_monthly_tree) are sums of report_monthly
 * rows and nothing else; this file is the only place that writes them, three ways that agree:
 * - addRollupDeltas: the drain's (and the rebuild's) new report_monthly rows, added to both;
 * - subtractRollupDeltas: counts taken back out of both (a counted evaluation central later decided is a
 *   repeat of its case moves from flagged = false to flagged = true: central/reports/repeat-cases.ts);
 * - refreshRollups: both recomputed from report_monthly (migration 8, `centralctl rebuild-reports`);
 * - moveSubtreeRollups: a unit whose parent changes takes its subtree's sums from its old ancestors'
 *   tree rows to its new ones, in the transaction that changes the parent (central/ops/units.ts).
 * The property tests compare the tables with a rebuild after random traffic and moves.
 */

const MONTHLY_COLUMNS = `month date, questionnaire_id text, version integer, field_code text, procedure_code text,
  flagged boolean, question_id text, value text, n bigint`;

/**
 * Adds report_monthly deltas (rows of report_monthly's shape: a JSON array as writeAggregates builds it,
 * or the drain's temporary table) to the
 * roll-ups: per unit without field and procedure, and to every strict ancestor of the row's unit as the
 * tree is now. Rows are summed per key in SQL first (one upsert may not touch a row twice).
 */
export type MonthlyDeltas = { from: string; params: unknown[] };

/** report_monthly deltas given as a JSON array (a parameter), for addRollupDeltas. */
export const monthlyJsonDeltas = (monthlyJson: string): MonthlyDeltas => ({
  from: `json_to_recordset($1::json) AS t (unit_id text, ${MONTHLY_COLUMNS})`,
  params: [monthlyJson],
});

export const addRollupDeltas = async (tx: Queryable, deltas: MonthlyDeltas): Promise<void> => {
  await tx.query(
    `INSERT INTO report_monthly_unit (unit_id, month, questionnaire_id, version, flagged, question_id, value, n)
     SELECT unit_id, month, questionnaire_id, version, flagged, question_id, value, sum(n)
       FROM ${deltas.from}
      GROUP BY unit_id, month, questionnaire_id, version, flagged, question_id, value
      ORDER BY unit_id, month, questionnaire_id, version, flagged, question_id, value
     ON CONFLICT (unit_id, month, questionnaire_id, version, flagged, question_id, value)
     DO UPDATE SET n = report_monthly_unit.n + excluded.n`,
    deltas.params,
  );
  await tx.query(
    `INSERT INTO report_monthly_tree (ancestor_id, month, questionnaire_id, version, field_code, procedure_code, flagged, question_id, value, n)
     SELECT a.ancestor_id, t.month, t.questionnaire_id, t.version, t.field_code, t.procedure_code, t.flagged, t.question_id, t.value, sum(t.n)
       FROM ${deltas.from}
       JOIN unit_ancestors a ON a.unit_id = t.unit_id
      GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9
      ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9
     ON CONFLICT (ancestor_id, month, questionnaire_id, version, field_code, procedure_code, flagged, question_id, value)
     DO UPDATE SET n = report_monthly_tree.n + excluded.n`,
    deltas.params,
  );
};

/**
 * Takes report_monthly deltas (as for addRollupDeltas; each part of counts added before) back out of both
 * roll-ups. A row whose whole count goes is deleted (n > 0 is a CHECK, and a rebuild would have no row).
 */
export const subtractRollupDeltas = async (tx: Queryable, deltas: MonthlyDeltas): Promise<void> => {
  const unitKey = ['unit_id', 'month', 'questionnaire_id', 'version', 'flagged', 'question_id', 'value'];
  // report_monthly's key with the unit's ancestor in place of the unit.
  const treeKey = ['ancestor_id', ...MONTHLY_KEY.slice(1)];
  const unitSums = `SELECT ${unitKey.join(', ')}, sum(n) AS n FROM ${deltas.from} GROUP BY ${unitKey.join(', ')}`;
  const treeSums = `SELECT a.ancestor_id, ${treeKey
    .slice(1)
    .map((c) => `t.${c}`)
    .join(', ')}, sum(t.n) AS n
      FROM ${deltas.from} JOIN unit_ancestors a ON a.unit_id = t.unit_id GROUP BY ${treeKey.map((_, i) => i + 1).join(', ')}`;
  for (const [table, key, sums] of [
    ['report_monthly_unit', unitKey, unitSums],
    ['report_monthly_tree', treeKey, treeSums],
  ] as const) {
    const same = key.map((c) => `r.${c} = s.${c}`).join(' AND ');
    await tx.query(`DELETE FROM ${table} r USING (${sums}) s WHERE ${same} AND r.n = s.n`, deltas.params);
    await tx.query(`UPDATE ${table} r SET n = r.n - s.n FROM (${sums}) s WHERE ${same}`, deltas.params);
  }
};

/** Both roll-ups emptied and recomputed from report_monthly, in the caller's transaction. */
export const refreshRollups = async (tx: Queryable): Promise<void> => {
  await tx.query('DELETE FROM report_monthly_unit');
  await tx.query('DELETE FROM report_monthly_tree');
  await tx.query(
    `INSERT INTO report_monthly_unit (unit_id, month, questionnaire_id, version, flagged, question_id, value, n)
     SELECT unit_id, month, questionnaire_id, version, flagged, question_id, value, sum(n)
       FROM report_monthly GROUP BY unit_id, month, questionnaire_id, version, flagged, question_id, value`,
  );
  await tx.query(
    `INSERT INTO report_monthly_tree (ancestor_id, month, questionnaire_id, version, field_code, procedure_code, flagged, question_id, value, n)
     SELECT a.ancestor_id, m.month, m.questionnaire_id, m.version, m.field_code, m.procedure_code, m.flagged, m.question_id, m.value, sum(m.n)
       FROM report_monthly m JOIN unit_ancestors a ON a.unit_id = m.unit_id
      GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9`,
  );
};

const Ancestor = z.object({ ancestor_id: z.string() });

/** The strict ancestors of a unit as the tree is now (parent first is not promised). */
export const ancestorsOf = async (tx: Queryable, unitId: string): Promise<string[]> =>
  parseRows(Ancestor, await tx.query('SELECT ancestor_id FROM unit_ancestors WHERE unit_id = $1', [unitId])).map(
    (r) => r.ancestor_id,
  );

/** The sums of report_monthly over a unit and everything under it, as a subquery (parameter $1 is the unit). */
const SUBTREE_SUMS = `SELECT month, questionnaire_id, version, field_code, procedure_code, flagged, question_id, value, sum(n) AS n
    FROM report_monthly
   WHERE unit_id = $1 OR unit_id IN (SELECT unit_id FROM unit_ancestors WHERE ancestor_id = $1)
   GROUP BY month, questionnaire_id, version, field_code, procedure_code, flagged, question_id, value`;

const SAME_KEY = `t.month = s.month AND t.questionnaire_id = s.questionnaire_id AND t.version = s.version
  AND t.field_code = s.field_code AND t.procedure_code = s.procedure_code AND t.flagged = s.flagged
  AND t.question_id = s.question_id AND t.value = s.value`;

/**
 * A unit moved in the tree (its subtree goes with it): its subtree's sums leave the tree rows of the
 * ancestors it had (`before`) and join those of the ancestors it has now (`after`). Ancestors in both
 * are left alone. Takes the drain's lock first, so no drain adds deltas under the old tree meanwhile.
 */
export const moveSubtreeRollups = async (
  tx: Queryable,
  unitId: string,
  before: readonly string[],
  after: readonly string[],
): Promise<void> => {
  const left = before.filter((a) => !after.includes(a));
  const joined = after.filter((a) => !before.includes(a));
  if (left.length === 0 && joined.length === 0) return;
  await lockDrain(tx);
  if (left.length > 0) {
    // A row whose whole count came from the subtree goes (n > 0 is a CHECK); the others shrink.
    await tx.query(
      `DELETE FROM report_monthly_tree t USING (${SUBTREE_SUMS}) s
        WHERE t.ancestor_id = ANY($2::text[]) AND ${SAME_KEY} AND t.n = s.n`,
      [unitId, left],
    );
    await tx.query(
      `UPDATE report_monthly_tree t SET n = t.n - s.n FROM (${SUBTREE_SUMS}) s
        WHERE t.ancestor_id = ANY($2::text[]) AND ${SAME_KEY}`,
      [unitId, left],
    );
  }
  if (joined.length > 0)
    await tx.query(
      `INSERT INTO report_monthly_tree (ancestor_id, month, questionnaire_id, version, field_code, procedure_code, flagged, question_id, value, n)
       SELECT a.id, s.month, s.questionnaire_id, s.version, s.field_code, s.procedure_code, s.flagged, s.question_id, s.value, s.n
         FROM (${SUBTREE_SUMS}) s CROSS JOIN unnest($2::text[]) AS a (id)
        ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9
       ON CONFLICT (ancestor_id, month, questionnaire_id, version, field_code, procedure_code, flagged, question_id, value)
       DO UPDATE SET n = report_monthly_tree.n + excluded.n`,
      [unitId, joined],
    );
};
