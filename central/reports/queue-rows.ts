import { z } from 'zod';
import { Int, parseRows } from '../db/rows.ts';
import type { Queryable } from '../db/types.ts';
import { type FactRow, STATUS_QUESTION, factOf, forEachCountedAnswer } from './aggregate.ts';
import type { AggregateInput } from './write-aggregates.ts';

/**
 * What a batch puts in the report queue besides its seqs (migration 14): its report_facts rows and its
 * count rows summed, as aggregate.ts defines them, computed by the ingest from the responses it has
 * just checked and inserted (parsed, each with its questionnaire). The drain adds them to the report
 * tables without reading a body back out of `responses` (addQueuedRows): taking each stored body apart
 * again in SQL was most of what the report tables cost the ingest.
 *
 * The counts are a batch's distinct (question id, value) cells, listed once (k and x, index by index),
 * and its groups: report_daily's columns other than question and value under one-letter keys, with
 * the 1-based cell numbers (i) and counts (n) of that group. A batch of 1,000 per-case responses spread
 * over a month has about 7,000 count rows in some 500 groups but only about 40 cells: naming the cells
 * by number kept the question ids from being most of the queue's JSON. (The first form of migration
 * 14, still drained, was an array of groups carrying the ids and values themselves.) This runs on the
 * server's event loop for every batch, so it is one pass with no sort (the drain's GROUP BY sums).
 */
export type QueuedRows = { facts: string; counts: string };

/** One queued count group: the columns its rows share, and its cells. */
type QueuedGroup = {
  u: string;
  d: string;
  q: string;
  v: number;
  f: string;
  p: string;
  o: string;
  c: string;
  g: boolean;
  /** Cell numbers (1-based, into the batch's k and x) and counts, index by index. */
  i: number[];
  n: number[];
};

const groupOf = (fact: FactRow): QueuedGroup => ({
  u: fact.unit_id,
  d: fact.day,
  q: fact.questionnaire_id,
  v: fact.version,
  f: fact.field_code,
  p: fact.procedure_code,
  o: fact.officer_id,
  c: fact.counter_id,
  g: fact.flagged,
  i: [],
  n: [],
});

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

/** A batch's cells: each distinct (question id, value) numbered from 1 in the order first seen. */
const cellNumbering = () => {
  const byQuestion = new Map<string, Map<string, number>>();
  const k: string[] = [];
  const x: string[] = [];
  const numberOf = (question: string, value: string): number => {
    let values = byQuestion.get(question);
    if (!values) byQuestion.set(question, (values = new Map()));
    let cell = values.get(value);
    if (cell === undefined) {
      k.push(question);
      x.push(value);
      values.set(value, (cell = k.length));
    }
    return cell;
  };
  return { k, x, numberOf };
};

export const queuedRowsOf = (inputs: readonly AggregateInput[]): QueuedRows => {
  const facts: ReturnType<typeof queuedFact>[] = [];
  const cells = cellNumbering();
  // Per group, where each of its cells sits in i and n (indexed by cell number; a hole: not yet counted).
  const groups = new Map<string, { group: QueuedGroup; at: number[] }>();
  for (const { response, place, questionnaire } of inputs) {
    const fact = factOf(response, place, questionnaire);
    facts.push(queuedFact(fact));
    // NUL cannot occur in any column (PostgreSQL text refuses it), so the joined key is unambiguous.
    const key = `${fact.unit_id}\u0000${fact.day}\u0000${fact.questionnaire_id}\u0000${fact.version}\u0000${fact.field_code}\u0000${fact.procedure_code}\u0000${fact.officer_id}\u0000${fact.counter_id}\u0000${fact.flagged}`;
    let held = groups.get(key);
    if (!held) groups.set(key, (held = { group: groupOf(fact), at: [] }));
    const { group, at } = held;
    const add = (question: string, value: string) => {
      const cell = cells.numberOf(question, value);
      const index = at[cell];
      if (index !== undefined) group.n[index]! += 1;
      else {
        at[cell] = group.i.length;
        group.i.push(cell);
        group.n.push(1);
      }
    };
    add(STATUS_QUESTION, response.status);
    forEachCountedAnswer(response, questionnaire, add);
  }
  const counts = { k: cells.k, x: cells.x, g: [...groups.values()].map(({ group }) => group) };
  return { facts: JSON.stringify(facts), counts: JSON.stringify(counts) };
};

/** json_to_recordset's column list for a queued fact row, and its columns as report_facts names them. */
const FACT_RECORD = `r uuid, u text, d date, s timestamptz, q text, v integer, k text, f text, p text, o text, c text,
  n text, x boolean, g boolean, e real, m text, z text`;

/** json_to_recordset's columns for a queued count group's shared columns. */
const GROUP_RECORD = 'u text, d date, q text, v integer, f text, p text, o text, c text, g boolean';

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
  await tx.query(`DROP TABLE IF EXISTS ${into}`);
  await tx.query(
    `CREATE TEMP TABLE ${into} ON COMMIT DROP AS
     SELECT unit_id, day, questionnaire_id, version, field_code, procedure_code, officer_id, counter_id, flagged,
            question_id, value, sum(n) AS n
       FROM (
         SELECT g.u AS unit_id, g.d AS day, g.q AS questionnaire_id, g.v AS version, g.f AS field_code,
                g.p AS procedure_code, g.o AS officer_id, g.c AS counter_id, g.g AS flagged,
                cells.k[e.i] AS question_id, cells.x[e.i] AS value, e.n
           FROM ${queued}
          -- OFFSET 0 keeps this a subquery run once per queue row: pulled up into the outer query, its
          -- ARRAY()s would take the batch's JSON apart again for every count.
          CROSS JOIN LATERAL (SELECT ARRAY(SELECT json_array_elements_text(p.counts->'k')) AS k,
                                     ARRAY(SELECT json_array_elements_text(p.counts->'x')) AS x OFFSET 0) cells
          CROSS JOIN LATERAL json_to_recordset(p.counts->'g') AS g (${GROUP_RECORD}, i integer[], n bigint[])
          CROSS JOIN LATERAL unnest(g.i, g.n) AS e (i, n)
          WHERE json_typeof(p.counts) = 'object'
         UNION ALL
         -- Queued by the first form of migration 14: groups carrying their question ids and values.
         SELECT g.u, g.d, g.q, g.v, g.f, g.p, g.o, g.c, g.g, e.k, e.x, e.n
           FROM ${queued}
          CROSS JOIN LATERAL json_to_recordset(p.counts) AS g (${GROUP_RECORD}, k text[], x text[], n bigint[])
          CROSS JOIN LATERAL unnest(g.k, g.x, g.n) AS e (k, x, n)
          WHERE json_typeof(p.counts) = 'array'
       ) counted
      GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11`,
  );
  return parseRows(Added, added)[0]?.n ?? 0;
};
