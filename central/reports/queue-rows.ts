import { z } from 'zod';
import { Int, parseRows } from '../db/rows.ts';
import type { Queryable } from '../db/types.ts';
import { type FactRow, STATUS_QUESTION, factOf, forEachCountedAnswer } from './aggregate.ts';
import { type GroupColumns, countsBuilder, sumQueuedCounts } from './queued-counts.ts';
import type { AggregateInput } from './write-aggregates.ts';

/**
 * What a batch puts in the report queue besides its seqs (migration 14): its report_facts rows and its
 * count rows summed (in the form of queued-counts.ts), as aggregate.ts defines them, computed by the
 * ingest from the responses it has just checked and inserted (parsed, each with its questionnaire). The
 * drain adds them to the report tables without reading a body back out of `responses` (addQueuedRows):
 * taking each stored body apart again in SQL was most of what the report tables cost the ingest. This
 * runs on the server's event loop for every batch, so it is one pass with no sort.
 */
export type QueuedRows = { facts: string; counts: string };

/**
 * A fact as queued: report_facts' columns under one-letter keys (FACT_RECORD), a null left out (the
 * drain reads a missing key as NULL); the device is the queue row's.
 */
const queuedFact = (f: FactRow) => ({
  r: f.response_id,
  u: f.unit_id,
  d: f.day,
  s: f.submitted_at,
  q: f.questionnaire_id,
  v: f.version,
  k: f.kind,
  f: f.field_code,
  p: f.procedure_code,
  o: f.officer_id,
  c: f.counter_id,
  n: f.case_number ?? undefined,
  x: f.complete,
  g: f.flagged,
  e: f.score ?? undefined,
  m: f.comment ?? undefined,
  z: f.comment_folded ?? undefined,
});

export const queuedRowsOf = (inputs: readonly AggregateInput[]): QueuedRows => {
  const facts: ReturnType<typeof queuedFact>[] = [];
  const counts = countsBuilder();
  for (const { response, place, questionnaire } of inputs) {
    const fact = factOf(response, place, questionnaire);
    facts.push(queuedFact(fact));
    const columns: GroupColumns = {
      u: fact.unit_id,
      d: fact.day,
      q: fact.questionnaire_id,
      v: fact.version,
      f: fact.field_code,
      p: fact.procedure_code,
      o: fact.officer_id,
      c: fact.counter_id,
      g: fact.flagged,
    };
    const group = counts.group(columns);
    const add = (question: string, value: string) => counts.add(group, counts.cell(question, value), 1);
    add(STATUS_QUESTION, response.status);
    forEachCountedAnswer(response, questionnaire, add);
  }
  return { facts: JSON.stringify(facts), counts: counts.json() };
};

/** json_to_recordset's column list for a queued fact row, and its columns as report_facts names them. */
const FACT_RECORD = `r uuid, u text, d date, s timestamptz, q text, v integer, k text, f text, p text, o text, c text,
  n text, x boolean, g boolean, e real, m text, z text`;

const Added = z.object({ n: Int });

/**
 * The queued rows of the batches in `queued` (a FROM clause whose report_pending rows are named `p`)
 * added to report_facts, and their counts summed across those batches into the temporary table `into`
 * (report_daily's columns and n), for the caller to upsert. The (unit, case number) of each evaluation
 * added that competes for its case's count (complete, unflagged, with a case number) goes into the
 * temporary table report_drain_cases, where the rule of repeat-cases.ts looks. Returns the number of
 * facts added.
 */
export const addQueuedRows = async (tx: Queryable, queued: string, into: string): Promise<number> => {
  await tx.query('DROP TABLE IF EXISTS report_drain_cases');
  await tx.query('CREATE TEMP TABLE report_drain_cases (unit_id text, case_number text) ON COMMIT DROP');
  const added = await tx.query(
    `WITH facts AS (
       INSERT INTO report_facts (device_id, response_id, unit_id, day, submitted_at, questionnaire_id, version, kind, field_code,
                                 procedure_code, officer_id, counter_id, case_number, complete, flagged, score, comment, comment_folded)
       SELECT p.device_id, t.r, t.u, t.d, t.s, t.q, t.v, t.k, t.f, t.p, t.o, t.c, t.n, t.x, t.g, t.e, t.m, t.z
         FROM ${queued} CROSS JOIN LATERAL json_to_recordset(p.facts) AS t (${FACT_RECORD})
        WHERE p.facts IS NOT NULL
       RETURNING unit_id, case_number, complete, flagged
     ), cases AS (
       INSERT INTO report_drain_cases SELECT DISTINCT unit_id, case_number FROM facts
        WHERE case_number IS NOT NULL AND complete AND NOT flagged
     )
     SELECT count(*)::int AS n FROM facts`,
  );
  await sumQueuedCounts(tx, queued, into);
  return parseRows(Added, added)[0]?.n ?? 0;
};
