import { z } from 'zod';
import type { Questionnaire } from '../../shared/questionnaire.ts';
import { scaleMax, scaleMin } from '../../shared/questionnaire.ts';
import { foldText } from '../../shared/reports/fold.ts';
import { parseRows } from '../db/rows.ts';
import type { Queryable } from '../db/types.ts';
import { countRepeatCases } from './repeat-cases.ts';
import { DAILY_KEY, MONTHLY_KEY } from './aggregate.ts';
import { addRollupDeltas } from './rollups.ts';

/** Where a response's questionnaire may be found, most preferred first (see questionnaireFinder). */
export type QuestionnaireCatalog = {
  /** Versions published to a unit. */
  perUnit: { unitId: string; q: Questionnaire }[];
  /** The embedded defaults every unit's kiosks answer until a configuration arrives. */
  embedded: { unitId?: undefined; q: Questionnaire }[];
  /** Any published copy of an (id, version): a published version never changes. */
  anywhere: { unitId?: undefined; q: Questionnaire }[];
};

/**
 * The rebuild's counting, done by PostgreSQL (and PGlite) with INSERT … SELECT … GROUP BY over
 * `responses` instead of streaming every body through JavaScript (the JSON is read where it lies). It
 * must write exactly what aggregate.ts (the drain's definition) writes for the same responses; the
 * property test in test/central/reports-aggregate-ingest.test.ts compares a rebuild
 * with what the drain wrote after random traffic, and the migration tests compare with the ingest.
 *
 * The questionnaires travel as JSON parameters (which (unit, id, version) resolves to which definition,
 * as questionnaireFinder does, and each definition's questions), so the rules of aggregate.ts are
 * expressed once per column below, each next to the JavaScript it mirrors. Folding comments for search
 * (foldText: Unicode NFD and every combining mark, which PostgreSQL's regular expressions cannot name)
 * stays in JavaScript, once per distinct comment.
 */

/** What String.prototype.trim removes (ECMAScript WhiteSpace and LineTerminator): btrim's character set. */
const JS_TRIMMED =
  ' \t\n\v\f\r\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff';

const isScaleType = (t: string): boolean => t === 'satisfaction5' || t === 'satisfaction3' || t === 'indicator';

/** The catalogue as the rows the statements join on: definitions numbered, and their questions. */
const catalogRows = (catalog: QuestionnaireCatalog) => {
  const numbers = new Map<Questionnaire, number>();
  const number = (q: Questionnaire): number => {
    const held = numbers.get(q);
    if (held !== undefined) return held;
    numbers.set(q, numbers.size + 1);
    return numbers.size;
  };
  const lookup = (entries: readonly { unitId?: string; q: Questionnaire }[]) =>
    entries.map((e) => ({ unit_id: e.unitId ?? null, id: e.q.id, version: e.q.version, def: number(e.q) }));
  const perUnit = lookup(catalog.perUnit);
  const embedded = lookup(catalog.embedded);
  const anywhere = lookup(catalog.anywhere);
  const defs = [...numbers].map(([q, def]) => ({ def, kind: q.kind }));
  const questions = [...numbers].flatMap(([q, def]) =>
    q.questions.map((question, ord) => {
      const scale = isScaleType(question.type);
      return {
        def,
        question_id: question.id,
        ord,
        type: question.type,
        per_case: question.feeds?.instrument === 'per-case',
        smin: scale ? scaleMin(question.type as 'indicator') : null,
        smax: scale ? scaleMax(question.type as 'indicator') : null,
      };
    }),
  );
  return { perUnit, embedded, anywhere, defs, questions };
};

/**
 * The catalogue as temporary tables (dropped at COMMIT), analysed so the planner knows they are small
 * and joins them by hash (or by their keys per response) rather than guessing: lookups in
 * questionnaireFinder's order of preference, definitions, and the questions each definition counts or
 * scores.
 */
const loadCatalog = async (tx: Queryable, catalog: QuestionnaireCatalog): Promise<void> => {
  const rows = catalogRows(catalog);
  const lookup = 'unit_id text, id text, version integer, def integer';
  const tables: [name: string, columns: string, key: string, rows: unknown[]][] = [
    ['rebuild_lookup_unit', lookup, 'unit_id, id, version', rows.perUnit],
    ['rebuild_lookup_embedded', lookup, 'id, version', rows.embedded],
    ['rebuild_lookup_anywhere', lookup, 'id, version', rows.anywhere],
    ['rebuild_defs', 'def integer, kind text', 'def', rows.defs],
    [
      'rebuild_questions',
      'def integer, question_id text, ord integer, type text, per_case boolean, smin integer, smax integer',
      'def, question_id',
      rows.questions,
    ],
  ];
  for (const [name, columns, key, values] of tables) {
    await tx.query(`DROP TABLE IF EXISTS ${name}`);
    await tx.query(`CREATE TEMP TABLE ${name} (${columns}, PRIMARY KEY (${key})) ON COMMIT DROP`);
    await tx.query(`INSERT INTO ${name} SELECT * FROM json_to_recordset($1::json) AS t (${columns})`, [
      JSON.stringify(values),
    ]);
    await tx.query(`ANALYZE ${name}`);
  }
  // What report_daily counts per definition: its non-text questions, and the response itself ('_status',
  // also for def 0: a response whose questionnaire is found nowhere).
  await tx.query('DROP TABLE IF EXISTS rebuild_counted');
  await tx.query(
    `CREATE TEMP TABLE rebuild_counted ON COMMIT DROP AS
       SELECT def, question_id, type FROM rebuild_questions WHERE type <> 'text'
       UNION ALL SELECT def, '_status', '_status' FROM rebuild_defs
       UNION ALL SELECT 0, '_status', '_status'`,
  );
  await tx.query('ANALYZE rebuild_counted');
};

/**
 * Every readable stored response, read ONCE into a temporary table (dropped at COMMIT) with the columns
 * every table needs extracted from its body, its unit and its definition number (NULL: found nowhere,
 * "custom"). "Readable": the fields used have their stored types; central stored only parsed
 * StoredResponses, so this skips only bodies that are no response at all (as the JavaScript rebuild
 * skipped what did not parse).
 *
 * Read once, and without a filter on the jsonb in the statement that reads `responses`: the planner
 * cannot estimate such a filter and guessed one row, which made the drain join every device to every
 * response and take the bodies apart again in each join (9.4 s for a drain of 20,000 responses, and
 * the same again for report_daily); the readability test is applied to the extracted columns instead.
 */
const loadSource = async (tx: Queryable, scoped: boolean): Promise<void> => {
  await tx.query('DROP TABLE IF EXISTS report_src');
  await tx.query(
    `CREATE TEMP TABLE report_src ON COMMIT DROP AS
     WITH x AS MATERIALIZED (
         SELECT r.device_id, r.response_id, d.unit_id, b.answers, b.status, b.qid,
                -- casts only where the type was checked (an unreadable body is dropped just below)
                CASE WHEN b.readable THEN (b.body->>'questionnaireVersion')::integer END AS version,
                CASE WHEN b.readable THEN (b.body->>'submittedAt')::timestamptz END AS submitted_at,
                b.body->>'fieldCode' AS field_code, b.body->>'procedureCode' AS procedure_code,
                coalesce(b.body->>'officerId', '') AS officer_id, coalesce(b.body->>'counterId', '') AS counter_id,
                b.body->>'caseNumber' AS case_number, b.status = 'complete' AS complete,
                -- flagged: rapidRepeat || clockSuspect || repeatCase (optional; a second evaluation of a case)
                CASE WHEN b.readable THEN coalesce((b.body->'flags'->>'rapidRepeat')::boolean, false)
                  OR coalesce((b.body->'flags'->>'clockSuspect')::boolean, false)
                  OR coalesce((b.body->'flags'->>'repeatCase')::boolean, false) END AS flagged,
                b.readable
           FROM ${scoped ? 'report_drain_scope q JOIN responses r ON r.device_id = q.device_id AND r.seq = q.seq' : 'responses r'}
           JOIN devices d ON d.id = r.device_id
           CROSS JOIN LATERAL (
             SELECT r.body, r.body->'answers' AS answers, r.body->>'status' AS status, r.body->>'questionnaireId' AS qid,
                    jsonb_typeof(r.body->'submittedAt') = 'string' AND jsonb_typeof(r.body->'questionnaireId') = 'string'
                      AND jsonb_typeof(r.body->'questionnaireVersion') = 'number' AND r.body->>'status' IN ('complete', 'abandoned')
                      AND jsonb_typeof(r.body->'fieldCode') = 'string' AND jsonb_typeof(r.body->'procedureCode') = 'string'
                      AND jsonb_typeof(r.body->'answers') = 'object' AND jsonb_typeof(r.body->'flags') = 'object' AS readable
           ) b
     )
     SELECT x.*, coalesce(lu.def, le.def, la.def) AS def
       FROM x
       LEFT JOIN rebuild_lookup_unit lu ON lu.unit_id = x.unit_id AND lu.id = x.qid AND lu.version = x.version
       LEFT JOIN rebuild_lookup_embedded le ON le.id = x.qid AND le.version = x.version
       LEFT JOIN rebuild_lookup_anywhere la ON la.id = x.qid AND la.version = x.version`,
  );
  await tx.query('DELETE FROM report_src WHERE readable IS NOT TRUE');
  // Its size and how the definitions spread, for the joins below (not the jsonb answers: slow, and unused).
  await tx.query('ANALYZE report_src (def, complete)');
};

/**
 * The source rows as the statements below read them; day is vietnamDay: the UTC instant plus seven
 * hours, as a calendar day.
 */
const SOURCE = `src AS (
    SELECT s.*, ((s.submitted_at AT TIME ZONE 'UTC') + interval '7 hours')::date AS day FROM report_src s
  )`;

/** report_facts from the responses; comment_folded is filled afterwards (foldComments). $1: JS_TRIMMED. */
const insertFacts = (tx: Queryable) =>
  tx.query(
    `WITH ${SOURCE}
     INSERT INTO report_facts (device_id, response_id, unit_id, day, submitted_at, questionnaire_id, version, kind, field_code,
                               procedure_code, officer_id, counter_id, case_number, complete, flagged, score, comment, comment_folded)
     SELECT s.device_id, s.response_id, s.unit_id, s.day, s.submitted_at, s.qid,
            s.version, coalesce(d.kind, 'custom'), s.field_code, s.procedure_code,
            s.officer_id, s.counter_id, s.case_number, s.complete, s.flagged,
            c.score::real, c.comment, NULL
       FROM src s LEFT JOIN rebuild_defs d ON d.def = s.def
       LEFT JOIN LATERAL (
         SELECT
           -- responseScore: the per-case indicators answered (points over 2 each), else the scale answers on 0..1
           CASE WHEN count(*) FILTER (WHERE q.per_case AND q.smin IS NOT NULL AND jsonb_typeof(s.answers->q.question_id) = 'number') > 0
                THEN sum((s.answers->>q.question_id)::float8) FILTER (WHERE q.per_case AND q.smin IS NOT NULL AND jsonb_typeof(s.answers->q.question_id) = 'number')
                     / (2 * count(*) FILTER (WHERE q.per_case AND q.smin IS NOT NULL AND jsonb_typeof(s.answers->q.question_id) = 'number'))
                ELSE avg(((s.answers->>q.question_id)::float8 - q.smin) / (q.smax - q.smin))
                       FILTER (WHERE q.smin IS NOT NULL AND jsonb_typeof(s.answers->q.question_id) = 'number')
           END AS score,
           -- responseComment: non-blank text answers in the questionnaire's order, a blank line between
           string_agg(s.answers->>q.question_id, E'\\n\\n' ORDER BY q.ord)
             FILTER (WHERE q.type = 'text' AND jsonb_typeof(s.answers->q.question_id) = 'string'
                       AND btrim(s.answers->>q.question_id, $1) <> '') AS comment
           FROM rebuild_questions q WHERE q.def = s.def
       ) c ON true`,
    [JS_TRIMMED],
  );

/**
 * report_daily from the responses: countsOf's rows summed. Each response meets a `_status` pseudo-question
 * (found or not) and, when complete, its questionnaire's counted questions; each pair gives the values
 * countedValues gives: a multi answer each option once, a number, yes/no or choice its text, nothing else.
 */
const DAILY_COUNTS = `WITH ${SOURCE},
     answered AS MATERIALIZED (
       SELECT s.unit_id, s.day, s.qid, s.version, s.field_code, s.procedure_code, s.officer_id, s.counter_id, s.flagged,
              s.def, a.key, a.answer
         FROM src s CROSS JOIN LATERAL jsonb_each(s.answers) AS a (key, answer)
        WHERE s.complete
     ),
     counted AS (
       SELECT s.unit_id, s.day, s.qid, s.version, s.field_code, s.procedure_code, s.officer_id, s.counter_id, s.flagged,
              '_status' AS question_id, s.status AS value
         FROM src s
       UNION ALL
       SELECT a.unit_id, a.day, a.qid, a.version, a.field_code, a.procedure_code, a.officer_id, a.counter_id, a.flagged,
              a.key, a.answer #>> '{}'
         FROM answered a JOIN rebuild_counted q ON q.def = a.def AND q.question_id = a.key
        WHERE q.type NOT IN ('_status', 'multi') AND jsonb_typeof(a.answer) IN ('number', 'boolean', 'string')
       UNION ALL
       SELECT a.unit_id, a.day, a.qid, a.version, a.field_code, a.procedure_code, a.officer_id, a.counter_id, a.flagged,
              a.key, e.value
         FROM answered a JOIN rebuild_counted q ON q.def = a.def AND q.question_id = a.key
        CROSS JOIN LATERAL jsonb_array_elements_text(
          (SELECT coalesce(jsonb_agg(DISTINCT x), '[]'::jsonb) FROM jsonb_array_elements(a.answer) AS x)) AS e (value)
        WHERE q.type = 'multi' AND jsonb_typeof(a.answer) = 'array'
     )
     SELECT unit_id, day, qid AS questionnaire_id, version, field_code, procedure_code, officer_id, counter_id, flagged,
            question_id, value, count(*) AS n
       FROM counted GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11`;

const DAILY_COLUMNS = DAILY_KEY.join(', ');
const MONTHLY_COLUMNS = MONTHLY_KEY.join(', ');

const Comment = z.object({ comment: z.string() });
const FOLD_CHUNK = 5_000;

/** comment_folded with foldText (shared/reports/fold.ts), once per distinct comment. */
const foldComments = async (tx: Queryable, scoped: boolean): Promise<void> => {
  // The drain folds only its own responses' comments.
  const facts = scoped
    ? 'report_src s JOIN report_facts f ON f.device_id = s.device_id AND f.response_id = s.response_id'
    : 'report_facts f';
  await tx.query('DROP TABLE IF EXISTS report_rebuild_folds');
  await tx.query(
    'CREATE TEMP TABLE report_rebuild_folds (comment text PRIMARY KEY, folded text NOT NULL) ON COMMIT DROP',
  );
  let after: string | null = null;
  for (;;) {
    const rows: { comment: string }[] = parseRows(
      Comment,
      await tx.query(
        `SELECT DISTINCT f.comment FROM ${facts} WHERE f.comment IS NOT NULL ${after === null ? '' : 'AND f.comment > $2'}
          ORDER BY f.comment LIMIT $1`,
        after === null ? [FOLD_CHUNK] : [FOLD_CHUNK, after],
      ),
    );
    if (rows.length === 0) break;
    await tx.query(
      `INSERT INTO report_rebuild_folds (comment, folded) SELECT * FROM json_to_recordset($1::json) AS t (comment text, folded text)`,
      [JSON.stringify(rows.map((r) => ({ comment: r.comment, folded: foldText(r.comment) })))],
    );
    after = rows.at(-1)!.comment;
  }
  await tx.query(
    scoped
      ? `UPDATE report_facts f SET comment_folded = m.folded FROM report_rebuild_folds m, report_src s
          WHERE f.device_id = s.device_id AND f.response_id = s.response_id AND f.comment = m.comment`
      : `UPDATE report_facts f SET comment_folded = m.folded FROM report_rebuild_folds m WHERE f.comment = m.comment`,
  );
  await tx.query('DROP TABLE report_rebuild_folds');
};

/**
 * Fills the emptied report_facts, report_daily and report_monthly from `responses` in SQL (the caller
 * holds the locks and has emptied them; rebuild.ts). report_monthly is report_daily summed per month,
 * as sumMonthly does.
 */
export const rebuildBaseTablesInSql = async (tx: Queryable, catalog: QuestionnaireCatalog): Promise<void> => {
  await loadCatalog(tx, catalog);
  // Every row of these tables is new: filling them with their indexes in place would insert each row
  // into each index one by one (in hash order, for report_daily's eleven-column key). Build the indexes
  // once afterwards instead (a sort each), under the same names, in this transaction: nobody sees a
  // table without them. The definitions are migration 7's.
  await tx.query(`SET LOCAL maintenance_work_mem = '1GB'`);
  await tx.query('ALTER TABLE report_facts DROP CONSTRAINT report_facts_pkey');
  await tx.query('DROP INDEX report_facts_unit_day');
  await tx.query('DROP INDEX report_facts_comments');
  await tx.query('ALTER TABLE report_daily DROP CONSTRAINT report_daily_pkey');
  await tx.query('ALTER TABLE report_monthly DROP CONSTRAINT report_monthly_pkey');
  await loadSource(tx, false);
  await insertFacts(tx);
  await foldComments(tx, false);
  await tx.query('ALTER TABLE report_facts ADD CONSTRAINT report_facts_pkey PRIMARY KEY (device_id, response_id)');
  await tx.query('CREATE INDEX report_facts_unit_day ON report_facts (unit_id, day)');
  await tx.query('CREATE INDEX report_facts_comments ON report_facts (unit_id, day) WHERE comment IS NOT NULL');
  await tx.query(`INSERT INTO report_daily (${DAILY_COLUMNS}, n) ${DAILY_COUNTS}`);
  await tx.query(`ALTER TABLE report_daily ADD CONSTRAINT report_daily_pkey PRIMARY KEY (${DAILY_COLUMNS})`);
  await tx.query(
    `INSERT INTO report_monthly (${MONTHLY_COLUMNS}, n)
     SELECT unit_id, date_trunc('month', day)::date, questionnaire_id, version, field_code, procedure_code, flagged, question_id, value, sum(n)
       FROM report_daily GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9`,
  );
  await tx.query(`ALTER TABLE report_monthly ADD CONSTRAINT report_monthly_pkey PRIMARY KEY (${MONTHLY_COLUMNS})`);
  await countRepeatCases(tx, { scope: 'all', rollups: false, loadSource, dailyCounts: DAILY_COUNTS });
};

/**
 * The drain's counting: the responses a drain took off the queue (by device and seq) added to
 * report_facts, report_daily, report_monthly and the roll-ups, by the same statements as the rebuild
 * restricted to them, upserting the counts (in primary-key order: a second writer would wait, not
 * deadlock). Returns how many of them were found in `responses`.
 */
export const drainCountsInSql = async (
  tx: Queryable,
  catalog: QuestionnaireCatalog,
  taken: readonly { device_id: string; seqs: readonly number[] }[],
): Promise<number> => {
  await loadCatalog(tx, catalog);
  await tx.query('DROP TABLE IF EXISTS report_drain_scope');
  await tx.query(
    `CREATE TEMP TABLE report_drain_scope ON COMMIT DROP AS
       SELECT t.device_id, s.seq FROM json_to_recordset($1::json) AS t (device_id text, seqs integer[])
       CROSS JOIN LATERAL unnest(t.seqs) AS s (seq)`,
    [JSON.stringify(taken)],
  );
  // Known to be small, so each of its responses is found by its (device, seq) key, never by a scan.
  await tx.query('ANALYZE report_drain_scope');
  await loadSource(tx, true);
  const found = await insertFacts(tx);
  await foldComments(tx, true);
  await tx.query('DROP TABLE IF EXISTS report_drain_daily');
  await tx.query(`CREATE TEMP TABLE report_drain_daily ON COMMIT DROP AS ${DAILY_COUNTS}`);
  await addDailyDeltas(tx, 'report_drain_daily');
  return found.rowCount;
};

/**
 * Count rows (a temporary table of report_daily's columns and n) added to report_daily, report_monthly
 * and the roll-ups. Only a holder of the drain lock (drain-lock.ts: the drain, the rebuild, the roll-ups'
 * rebuild) writes these tables, so no other writer can hold a row this one waits for: the rows go in as
 * they come, unsorted (sorting a drain's ten thousand wide keys first was a tenth of the drain).
 */
export const addDailyDeltas = async (tx: Queryable, daily: string): Promise<void> => {
  await tx.query(
    `INSERT INTO report_daily (${DAILY_COLUMNS}, n) SELECT ${DAILY_COLUMNS}, n FROM ${daily}
     ON CONFLICT (${DAILY_COLUMNS}) DO UPDATE SET n = report_daily.n + excluded.n`,
  );
  await tx.query('DROP TABLE IF EXISTS report_drain_monthly');
  await tx.query(
    `CREATE TEMP TABLE report_drain_monthly ON COMMIT DROP AS
     SELECT unit_id, date_trunc('month', day)::date AS month, questionnaire_id, version, field_code, procedure_code, flagged,
            question_id, value, sum(n) AS n
       FROM ${daily} GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9`,
  );
  await tx.query(
    `INSERT INTO report_monthly (${MONTHLY_COLUMNS}, n) SELECT ${MONTHLY_COLUMNS}, n FROM report_drain_monthly
     ON CONFLICT (${MONTHLY_COLUMNS}) DO UPDATE SET n = report_monthly.n + excluded.n`,
  );
  await addRollupDeltas(tx, { from: 'report_drain_monthly AS t', params: [] });
};

/**
 * The rule of one counted evaluation per case number per unit (repeat-cases.ts) for the case numbers a
 * drain counted (report_drain_cases); a repeat found is recounted from `responses` with the rebuild's
 * statements, for which the catalogue is loaded then (a drain of queued rows does not load it).
 */
export const countRepeatCasesOfDrain = (tx: Queryable, catalog: () => Promise<QuestionnaireCatalog>): Promise<number> =>
  countRepeatCases(tx, {
    scope: 'drain',
    rollups: true,
    loadSource: async (t, scoped) => {
      await loadCatalog(t, await catalog());
      await loadSource(t, scoped);
    },
    dailyCounts: DAILY_COUNTS,
  });
