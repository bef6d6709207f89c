/**
 * Migration 8: report roll-ups, so a whole-province report reads a few thousand rows instead of every
 * unit's (issue 10, "Speed and scale"). Both tables are sums of report_monthly rows and nothing else
 * (central/reports/rollups.ts keeps them so: the drain adds the same deltas, a unit that moves in the
 * tree moves its sums, the rebuild recomputes them); the report planner (central/reports/engine/plan.ts)
 * reads the smallest table that answers a query.
 */
export const REPORT_ROLLUPS_MIGRATION_SQL = `
  -- Each unit with every STRICT ancestor (parent, grandparent, ...): what the tree roll-up is keyed by.
  CREATE VIEW unit_ancestors AS
    WITH RECURSIVE up (unit_id, ancestor_id) AS (
      SELECT id, parent_id FROM units WHERE parent_id IS NOT NULL
      UNION
      SELECT up.unit_id, u.parent_id FROM up JOIN units u ON u.id = up.ancestor_id WHERE u.parent_id IS NOT NULL
    ) SELECT unit_id, ancestor_id FROM up;

  -- report_monthly without field and procedure: a report by unit, month or quarter that neither filters
  -- nor groups by field or procedure (a province's units side by side) reads this.
  CREATE TABLE report_monthly_unit (
    unit_id text NOT NULL,
    month date NOT NULL CHECK (extract(day FROM month) = 1),
    questionnaire_id text NOT NULL,
    version integer NOT NULL,
    flagged boolean NOT NULL,
    question_id text NOT NULL,
    value text NOT NULL,
    n bigint NOT NULL CHECK (n > 0),
    PRIMARY KEY (unit_id, month, questionnaire_id, version, flagged, question_id, value)
  );

  -- report_monthly summed over everything under a unit: one row set per ancestor (its strict
  -- descendants' counts; the unit's own rows stay in report_monthly). "A unit with everything under
  -- it", not grouped by unit, reads the unit's own rows plus its rows here, whatever the tree's size.
  CREATE TABLE report_monthly_tree (
    ancestor_id text NOT NULL,
    month date NOT NULL CHECK (extract(day FROM month) = 1),
    questionnaire_id text NOT NULL,
    version integer NOT NULL,
    field_code text NOT NULL,
    procedure_code text NOT NULL,
    flagged boolean NOT NULL,
    question_id text NOT NULL,
    value text NOT NULL,
    n bigint NOT NULL CHECK (n > 0),
    PRIMARY KEY (ancestor_id, month, questionnaire_id, version, field_code, procedure_code, flagged, question_id, value)
  );
`;
