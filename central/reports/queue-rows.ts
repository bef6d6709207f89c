import { z } from 'zod';
import { copyBoolean, copyNumber, copyText } from '../db/copy-text.ts';
import { Int, parseRows } from '../db/rows.ts';
import type { Queryable } from '../db/types.ts';
import { type FactRow, STATUS_QUESTION, factOf, forEachCountedAnswer } from './aggregate.ts';
import type { HeldBatch } from './held-rows.ts';
import { type QueuedCountsValue, countsBuilder, sumQueuedCounts } from './queued-counts.ts';
import type { AggregateInput } from './write-aggregates.ts';

/**
 * A batch's report rows, computed by the ingest from the responses it has just checked and inserted
 * (parsed, each with its questionnaire), as aggregate.ts defines them: its report_facts rows and its
 * count rows summed (in the form of queued-counts.ts). The drain adds them to the report tables without
 * reading a body back out of `responses` (addQueuedRows): taking each stored body apart again in SQL was
 * most of what the report tables cost the ingest. They are held in the memory of the process that stored
 * the batch (held-rows.ts), or, where it cannot hold them, queued with the batch (queuedJsonOf, migration
 * 14). This runs on the server's event loop for every batch, so it is one pass with no sort.
 */
export type ReportRowsOfBatch = { facts: FactRow[]; counts: QueuedCountsValue };

export const reportRowsOf = (inputs: readonly AggregateInput[]): ReportRowsOfBatch => {
  const facts: FactRow[] = [];
  const counts = countsBuilder();
  let group: ReturnType<typeof counts.group> | undefined;
  // One callback for the batch (not one per response): it adds to the group of the response at hand.
  const add = (question: string, value: string) => counts.add(group!, counts.cell(question, value), 1);
  for (const { response, place, questionnaire } of inputs) {
    const fact = factOf(response, place, questionnaire);
    facts.push(fact);
    group = counts.group({
      u: fact.unit_id,
      d: fact.day,
      q: fact.questionnaire_id,
      v: fact.version,
      f: fact.field_code,
      p: fact.procedure_code,
      o: fact.officer_id,
      c: fact.counter_id,
      g: fact.flagged,
    });
    add(STATUS_QUESTION, response.status);
    forEachCountedAnswer(response, questionnaire, add);
  }
  return { facts, counts: counts.value() };
};

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

/** The rows as report_pending's facts and counts columns hold them. */
export const queuedJsonOf = (rows: ReportRowsOfBatch): { facts: string; counts: string } => ({
  facts: JSON.stringify(rows.facts.map(queuedFact)),
  counts: JSON.stringify(rows.counts),
});

/** report_facts' columns, in the order of factLine. */
const FACT_COLUMNS = `device_id, response_id, unit_id, day, submitted_at, questionnaire_id, version, kind, field_code,
  procedure_code, officer_id, counter_id, case_number, complete, flagged, score, comment, comment_folded`;

/** A fact as one line of COPY text, column by column (written out: it runs for every response stored). */
const factLine = (f: FactRow): string =>
  `${copyText(f.device_id)}\t${f.response_id}\t${copyText(f.unit_id)}\t${f.day}\t${f.submitted_at}\t` +
  `${copyText(f.questionnaire_id)}\t${copyNumber(f.version)}\t${copyText(f.kind)}\t${copyText(f.field_code)}\t` +
  `${copyText(f.procedure_code)}\t${copyText(f.officer_id)}\t${copyText(f.counter_id)}\t${copyText(f.case_number)}\t` +
  `${copyBoolean(f.complete)}\t${copyBoolean(f.flagged)}\t${copyNumber(f.score)}\t${copyText(f.comment)}\t` +
  `${copyText(f.comment_folded)}\n`;

/** Whether a fact competes for its case's one count (repeat-cases.ts): complete, unflagged, with a case number. */
const competingCase = (f: FactRow): f is FactRow & { case_number: string } =>
  f.case_number !== null && f.complete && !f.flagged;

/** The rows as this process holds them for its drain (held-rows.ts). */
export const heldBatchOf = (rows: ReportRowsOfBatch, deviceId: string, seqs: readonly number[]): HeldBatch => ({
  deviceId,
  seqs,
  responses: rows.facts.length,
  facts: rows.facts.map(factLine).join(''),
  cases: rows.facts.filter(competingCase).map((f) => `${copyText(f.unit_id)}\t${copyText(f.case_number)}\n`),
  counts: rows.counts,
});

/** json_to_recordset's column list for a queued fact row, and its columns as report_facts names them. */
const FACT_RECORD = `r uuid, u text, d date, s timestamptz, q text, v integer, k text, f text, p text, o text, c text,
  n text, x boolean, g boolean, e real, m text, z text`;

const Added = z.object({ n: Int });

/**
 * The rows of the batches in `queued` (a FROM clause whose report_pending rows are named `p`): those
 * queued with them, and those this process `held` for them (held-rows.ts), added to report_facts, and
 * their counts summed across those batches into the temporary table `into` (report_daily's columns and
 * n), for the caller to upsert. The (unit, case number) of each evaluation added that competes for its
 * case's count goes into the temporary table report_drain_cases, where the rule of repeat-cases.ts
 * looks. Returns the number of facts added.
 */
export const addQueuedRows = async (
  tx: Queryable,
  queued: string,
  into: string,
  held: readonly HeldBatch[] = [],
): Promise<number> => {
  await tx.query('DROP TABLE IF EXISTS report_drain_cases');
  await tx.query('CREATE TEMP TABLE report_drain_cases (unit_id text, case_number text) ON COMMIT DROP');
  const added = await tx.query(
    `WITH facts AS (
       INSERT INTO report_facts (${FACT_COLUMNS})
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
  if (held.length > 0) await addHeldFacts(tx, held);
  await sumQueuedCounts(
    tx,
    queued,
    into,
    held.map((b) => b.counts),
  );
  return (parseRows(Added, added)[0]?.n ?? 0) + held.reduce((n, b) => n + b.responses, 0);
};

/**
 * The held batches' facts added by COPY. Their competing case numbers go into report_drain_cases only
 * where the rule of repeat-cases.ts has something to decide: a case already counted (looked up before
 * these facts go in, so a new case number, the common case, finds nothing and reads no row) or named
 * twice in this drain. The other ways into this drain (queued JSON before, responses after) add their
 * own case numbers, so a repeat across them is found from their side.
 */
const addHeldFacts = async (tx: Queryable, held: readonly HeldBatch[]): Promise<void> => {
  await tx.query('DROP TABLE IF EXISTS report_drain_held_cases');
  await tx.query('CREATE TEMP TABLE report_drain_held_cases (unit_id text, case_number text) ON COMMIT DROP');
  await tx.copyIn(
    'COPY report_drain_held_cases (unit_id, case_number) FROM STDIN',
    held.map((b) => b.cases.join('')),
  );
  // One probe of the partial index report_facts_open_cases per case (LATERAL … LIMIT 1 cannot become a
  // join): as a semi-join the planner hashed every counted case of the table, in every drain.
  await tx.query(
    `INSERT INTO report_drain_cases SELECT h.unit_id, h.case_number FROM report_drain_held_cases h
      CROSS JOIN LATERAL (SELECT 1 FROM report_facts f WHERE f.unit_id = h.unit_id AND f.case_number = h.case_number
                             AND f.case_number IS NOT NULL AND f.complete AND NOT f.flagged LIMIT 1) counted`,
  );
  const twice = namedTwice(held);
  if (twice.length > 0) await tx.copyIn('COPY report_drain_cases (unit_id, case_number) FROM STDIN', twice);
  await tx.copyIn(
    `COPY report_facts (${FACT_COLUMNS}) FROM STDIN`,
    held.map((b) => b.facts),
  );
};

/** The competing cases (as COPY lines) that more than one evaluation in these batches names. */
const namedTwice = (held: readonly HeldBatch[]): string[] => {
  const seen = new Set<string>();
  const twice = new Set<string>();
  for (const b of held)
    for (const line of b.cases) {
      if (seen.has(line)) twice.add(line);
      else seen.add(line);
    }
  return [...twice];
};
