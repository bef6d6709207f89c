import type { Queryable } from './types.ts';
import { rebuildReports } from '../reports/rebuild.ts';

/**
 * Migration 15: one evaluation per case number per unit, across kiosks (issue 11;
 * central/reports/repeat-cases.ts). The drain looks up, for each case number it counts, the unit's
 * counted (complete, unflagged) evaluations of it: this partial index makes that one small lookup, and
 * holds only facts with a case number that are still counted.
 */
export const REPEAT_CASES_MIGRATION_SQL = `
  CREATE INDEX report_facts_open_cases ON report_facts (unit_id, case_number)
   WHERE case_number IS NOT NULL AND complete AND NOT flagged;
`;

/**
 * Figures drained before this rule counted every evaluation of a case made on different kiosks. Where
 * any unit has a case number counted twice, the report tables are rebuilt from the stored responses
 * (the rebuild applies the rule); elsewhere (most databases) nothing needs to change.
 */
export const countRepeatCasesOnce = async (tx: Queryable): Promise<void> => {
  const twice = await tx.query(
    `SELECT 1 FROM report_facts WHERE case_number IS NOT NULL AND complete AND NOT flagged
      GROUP BY unit_id, case_number HAVING count(*) > 1 LIMIT 1`,
  );
  if (twice.rows.length > 0) await rebuildReports(tx);
};
