import type { Questionnaire } from '../../shared/questionnaire.ts';
import type { StoredResponse } from '../../shared/response.ts';
import type { Queryable } from '../db/types.ts';
import {
  type DailyCount,
  type FactRow,
  type ResponsePlace,
  aggregateResponse,
  placeKey,
  repeatCaseLosers,
  sumDaily,
  sumMonthly,
} from './aggregate.ts';
import { addRollupDeltas, monthlyJsonDeltas } from './rollups.ts';

/** One stored response with where it was stored and its questionnaire (undefined: not found, see aggregate.ts). */
export type AggregateInput = {
  response: StoredResponse;
  place: ResponsePlace;
  questionnaire: Questionnaire | undefined;
};

/** What a write added: fact rows, and the distinct daily/monthly keys touched. */
export type AggregateWrite = { facts: number; daily: number; monthly: number };

/**
 * The reference writer: adds these stored responses to report_facts, report_daily and report_monthly as
 * aggregate.ts defines them, and their monthly deltas to the roll-ups of migration 8 (rollups.ts), one
 * statement per table, in the caller's transaction. The drain and the rebuild count in SQL
 * (rebuild-sql.ts); the property test (test/central/reports-aggregate-ingest.test.ts,
 * jsAggregatedReportTables) writes the same responses with this and requires identical tables, so the
 * JavaScript here stays the one definition of what is counted.
 *
 * Count rows are summed in memory first and sorted by primary key (sumDaily/sumMonthly); the statement
 * takes them in that order. Callers pass each response once, and every response at once: the repeat-case
 * rule (repeatCaseLosers: one counted evaluation per case number per unit) is applied among the inputs.
 */
export const writeAggregates = async (tx: Queryable, inputs: readonly AggregateInput[]): Promise<AggregateWrite> => {
  if (inputs.length === 0) return { facts: 0, daily: 0, monthly: 0 };
  const facts: FactRow[] = [];
  const counts: DailyCount[] = [];
  const repeats = repeatCaseLosers(inputs);
  for (const { response, place, questionnaire } of inputs) {
    const { fact, counts: rows } = aggregateResponse(response, place, questionnaire, repeats.has(placeKey(place)));
    facts.push(fact);
    for (const row of rows) counts.push(row);
  }
  const daily = sumDaily(counts);
  const monthly = sumMonthly(daily);
  await tx.query(
    `INSERT INTO report_facts (device_id, response_id, unit_id, day, submitted_at, questionnaire_id, version, kind, field_code,
                               procedure_code, officer_id, counter_id, case_number, complete, flagged, score, comment, comment_folded)
     SELECT * FROM json_to_recordset($1::json) AS t (device_id text, response_id uuid, unit_id text, day date, submitted_at timestamptz,
       questionnaire_id text, version integer, kind text, field_code text, procedure_code text, officer_id text, counter_id text,
       case_number text, complete boolean, flagged boolean, score real, comment text, comment_folded text)
`,
    [JSON.stringify(facts)],
  );
  await tx.query(
    `INSERT INTO report_daily (unit_id, day, questionnaire_id, version, field_code, procedure_code, officer_id, counter_id, flagged, question_id, value, n)
     SELECT * FROM json_to_recordset($1::json) AS t (unit_id text, day date, questionnaire_id text, version integer, field_code text,
       procedure_code text, officer_id text, counter_id text, flagged boolean, question_id text, value text, n bigint)
     ON CONFLICT (unit_id, day, questionnaire_id, version, field_code, procedure_code, officer_id, counter_id, flagged, question_id, value)
     DO UPDATE SET n = report_daily.n + excluded.n`,
    [JSON.stringify(daily)],
  );
  const monthlyJson = JSON.stringify(monthly);
  await tx.query(
    `INSERT INTO report_monthly (unit_id, month, questionnaire_id, version, field_code, procedure_code, flagged, question_id, value, n)
     SELECT * FROM json_to_recordset($1::json) AS t (unit_id text, month date, questionnaire_id text, version integer, field_code text,
       procedure_code text, flagged boolean, question_id text, value text, n bigint)
     ON CONFLICT (unit_id, month, questionnaire_id, version, field_code, procedure_code, flagged, question_id, value)
     DO UPDATE SET n = report_monthly.n + excluded.n`,
    [monthlyJson],
  );
  await addRollupDeltas(tx, monthlyJsonDeltas(monthlyJson));
  return { facts: facts.length, daily: daily.length, monthly: monthly.length };
};
