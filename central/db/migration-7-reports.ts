/**
 * Migration 7: what reports stand on. Kept in its own file because it is long; see docs/reports.md for
 * how each table is used. The derived tables (report_facts, report_daily, report_monthly) are filled from
 * the queue report_pending, which the ingest writes in the batch's own transaction, by the drain
 * (central/reports/drain.ts: a timer in the server, and every report before it reads) and, for responses
 * stored before this migration, by its `after` step (central/reports/rebuild.ts), with the same code.
 */
export const REPORTS_MIGRATION_SQL = `
  -- Units as a tree: a province, its centres (with branches) and communes. A unit without a parent is a
  -- root; cycles are refused by the code that sets a parent (central/ops/units.ts).
  ALTER TABLE units ADD COLUMN parent_id text REFERENCES units (id);
  ALTER TABLE units ADD COLUMN kind text NOT NULL DEFAULT 'unit'
    CHECK (kind IN ('province', 'centre', 'branch', 'commune', 'unit'));
  -- An optional public page with the unit's monthly figures (no comments, no officers); off by default.
  ALTER TABLE units ADD COLUMN public_report boolean NOT NULL DEFAULT false;
  ALTER TABLE units ADD CONSTRAINT units_parent_not_self CHECK (parent_id IS NULL OR parent_id <> id);
  CREATE INDEX units_parent ON units (parent_id);

  -- One row per stored response with the columns reports filter on, extracted once at ingest.
  -- day: the respondent's submittedAt as a calendar day in Asia/Ho_Chi_Minh (UTC+7, no daylight saving).
  -- officer_id / counter_id: '' when the response names none (so they can be part of a primary key).
  CREATE TABLE report_facts (
    device_id text NOT NULL,
    response_id uuid NOT NULL,
    unit_id text NOT NULL,
    day date NOT NULL,
    submitted_at timestamptz NOT NULL,
    questionnaire_id text NOT NULL,
    version integer NOT NULL,
    kind text NOT NULL,
    field_code text NOT NULL,
    procedure_code text NOT NULL,
    officer_id text NOT NULL,
    counter_id text NOT NULL,
    case_number text,
    complete boolean NOT NULL,
    flagged boolean NOT NULL,
    -- 0..1, for "lowest scores first" (per-case total / max, else the mean of scale answers over their
    -- range); NULL when the response has no scored answer.
    score real,
    -- The response's free-text answers joined by a blank line, as given, and folded (lower case, no
    -- Vietnamese diacritics, đ → d) for search; both NULL when it has none.
    comment text,
    comment_folded text,
    -- No foreign keys (to responses, to units): each was a per-row trigger query costing about as much
    -- as the row itself. Only the drain (for responses a batch queued in report_pending) and the
    -- rebuild (from responses) write here.
    PRIMARY KEY (device_id, response_id)
  );
  CREATE INDEX report_facts_unit_day ON report_facts (unit_id, day);
  CREATE INDEX report_facts_comments ON report_facts (unit_id, day) WHERE comment IS NOT NULL;

  -- Answer counts per day and every dimension a report filters or groups on. question_id '_status'
  -- (not a valid question id) carries the responses themselves: value 'complete' or 'abandoned'.
  -- Other rows count COMPLETE responses only: value is the answer as text ('0'..'5' for scales,
  -- 'true'/'false' for yes/no, the option value for a choice, one row per option chosen for multi);
  -- free text is never counted here.
  CREATE TABLE report_daily (
    unit_id text NOT NULL,
    day date NOT NULL,
    questionnaire_id text NOT NULL,
    version integer NOT NULL,
    field_code text NOT NULL,
    procedure_code text NOT NULL,
    officer_id text NOT NULL,
    counter_id text NOT NULL,
    flagged boolean NOT NULL,
    question_id text NOT NULL,
    value text NOT NULL,
    n bigint NOT NULL CHECK (n > 0),
    PRIMARY KEY (unit_id, day, questionnaire_id, version, field_code, procedure_code, officer_id, counter_id, flagged, question_id, value)
  );
  -- The same counts per calendar month (month = its first day), without officer and counter: what a
  -- month-aligned report that neither filters nor groups by officer or counter reads.
  CREATE TABLE report_monthly (
    unit_id text NOT NULL,
    month date NOT NULL CHECK (extract(day FROM month) = 1),
    questionnaire_id text NOT NULL,
    version integer NOT NULL,
    field_code text NOT NULL,
    procedure_code text NOT NULL,
    flagged boolean NOT NULL,
    question_id text NOT NULL,
    value text NOT NULL,
    n bigint NOT NULL CHECK (n > 0),
    PRIMARY KEY (unit_id, month, questionnaire_id, version, field_code, procedure_code, flagged, question_id, value)
  );

  -- Batches stored but not yet in the report tables: ONE row per batch, written in the batch's own
  -- transaction with the seqs it inserted into responses (so a committed batch is always either here or
  -- counted, never lost), deleted by the drain in the transaction that adds those responses to the
  -- report tables (central/reports/drain.ts). Updating the counts in every batch's transaction cost the
  -- ingest more than half its rate; a drain merges many batches' rows into one upsert per table.
  CREATE TABLE report_pending (
    id bigserial PRIMARY KEY,
    device_id text NOT NULL,
    seqs integer[] NOT NULL CHECK (cardinality(seqs) > 0),
    queued_at timestamptz NOT NULL
  );

  -- Indicators that describe a unit rather than a case (5, 8, 9; 6 where scored per unit), entered per
  -- unit and quarter in the console: self-assessed by the unit, verified by the province.
  CREATE TABLE unit_indicator_scores (
    unit_id text NOT NULL REFERENCES units (id),
    year integer NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    quarter integer NOT NULL CHECK (quarter BETWEEN 1 AND 4),
    indicator integer NOT NULL CHECK (indicator BETWEEN 1 AND 20),
    self_points integer CHECK (self_points BETWEEN 0 AND 2),
    self_by text,
    self_at timestamptz,
    verified_points integer CHECK (verified_points BETWEEN 0 AND 2),
    verified_by text,
    verified_at timestamptz,
    note text CHECK (length(note) <= 1000),
    PRIMARY KEY (unit_id, year, quarter, indicator),
    CHECK ((self_points IS NULL) = (self_at IS NULL)),
    CHECK ((verified_points IS NULL) = (verified_at IS NULL))
  );

  -- The province's report rules (shared/reports/settings.ts; defaults apply to any key not stored).
  CREATE TABLE report_settings (
    id boolean PRIMARY KEY DEFAULT true CHECK (id),
    settings jsonb NOT NULL,
    updated_by text NOT NULL,
    updated_at timestamptz NOT NULL
  );
`;
