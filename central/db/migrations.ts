import type { Queryable } from './types.ts';
import { REPORTS_MIGRATION_SQL } from './migration-7-reports.ts';
import { rebuildReportTables } from '../reports/rebuild.ts';
import { FOLLOW_UPS_MIGRATION_SQL } from './migration-9-follow-ups.ts';
import { refreshRollups } from '../reports/rollups.ts';
import { REPORT_ROLLUPS_MIGRATION_SQL } from './migration-8-report-rollups.ts';
import { BRIDGE_MIGRATION_SQL } from './migration-11-bridge.ts';
import { REPEAT_CASES_MIGRATION_SQL, countRepeatCasesOnce } from './migration-15-repeat-cases.ts';
/**
 * Numbered schema migrations of the central database. `schema_migrations` records each applied one.
 * Never edit a migration that has shipped: add the next number. Each has a test in
 * test/central/migrations.test.ts that starts from the version before it, with data in place.
 */
export type CentralMigration = {
  version: number;
  name: string;
  sql: string;
  /**
   * Runs after `sql`, in the same transaction, for work SQL alone cannot do well (rebuilding derived
   * report tables with the same code the ingest uses). Must be idempotent over what `sql` created.
   */
  after?: (tx: Queryable) => Promise<void>;
};

export const migrations: readonly CentralMigration[] = [
  {
    version: 1,
    name: 'units, enrolment codes, devices',
    sql: `
      CREATE TABLE units (
        id text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
        name text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      -- Only the SHA-256 of a code is kept: a leaked database does not leak usable codes.
      CREATE TABLE enrolment_codes (
        code_hash text PRIMARY KEY,
        unit_id text NOT NULL REFERENCES units (id),
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        used_by text,
        used_at timestamptz,
        CHECK ((used_by IS NULL) = (used_at IS NULL))
      );
      CREATE TABLE devices (
        id text PRIMARY KEY,
        unit_id text NOT NULL REFERENCES units (id),
        public_key text NOT NULL,
        label text,
        app_version text NOT NULL,
        enrolled_at timestamptz NOT NULL,
        revoked_at timestamptz,
        last_heartbeat jsonb,
        last_heartbeat_at timestamptz,
        -- device clock minus server clock at the last heartbeat
        clock_drift_ms bigint
      );
      CREATE INDEX devices_unit ON devices (unit_id);
    `,
  },
  {
    version: 2,
    name: 'responses, conflicts, batches, device progress',
    sql: `
      -- One row per device, locked FOR UPDATE by each ingest: batches of one device apply one at a time.
      CREATE TABLE device_progress (
        device_id text PRIMARY KEY REFERENCES devices (id),
        highest_contiguous_seq integer NOT NULL DEFAULT 0,
        responses bigint NOT NULL DEFAULT 0,
        duplicates bigint NOT NULL DEFAULT 0,
        conflicts bigint NOT NULL DEFAULT 0,
        batches bigint NOT NULL DEFAULT 0,
        last_batch_at timestamptz
      );
      CREATE TABLE responses (
        device_id text NOT NULL REFERENCES devices (id),
        response_id uuid NOT NULL,
        seq integer NOT NULL CHECK (seq >= 1),
        content_hash text NOT NULL,
        body jsonb NOT NULL,
        received_at timestamptz NOT NULL,
        batch_id uuid NOT NULL,
        PRIMARY KEY (device_id, response_id),
        UNIQUE (device_id, seq)
      );
      -- Same id with other content, or a new id on a seq already held: kept aside, never overwriting.
      CREATE TABLE conflicts (
        id bigserial PRIMARY KEY,
        device_id text NOT NULL REFERENCES devices (id),
        response_id uuid NOT NULL,
        seq integer NOT NULL,
        reason text NOT NULL CHECK (reason IN ('different_content', 'seq_taken')),
        content_hash text NOT NULL,
        body jsonb NOT NULL,
        batch_id uuid NOT NULL,
        first_received_at timestamptz NOT NULL,
        last_received_at timestamptz NOT NULL,
        times integer NOT NULL DEFAULT 1,
        UNIQUE (device_id, response_id, seq, content_hash)
      );
      -- Every accepted batch, each time it arrives (a replay or a USB copy of an online batch is a new row).
      CREATE TABLE batches (
        id bigserial PRIMARY KEY,
        batch_id uuid NOT NULL,
        device_id text NOT NULL REFERENCES devices (id),
        seq_from integer NOT NULL,
        seq_to integer NOT NULL,
        via text NOT NULL CHECK (via IN ('http', 'file')),
        received integer NOT NULL,
        inserted integer NOT NULL,
        duplicates integer NOT NULL,
        conflicts integer NOT NULL,
        received_at timestamptz NOT NULL
      );
      CREATE INDEX batches_device ON batches (device_id, received_at);
      CREATE INDEX batches_batch_id ON batches (batch_id);
      INSERT INTO device_progress (device_id) SELECT id FROM devices;
    `,
  },
  {
    version: 3,
    name: 'published configurations and questionnaire versions',
    sql: `
      -- Every questionnaire version ever published, by content hash: the same (id, version) may never change.
      CREATE TABLE questionnaires (
        id text NOT NULL,
        version integer NOT NULL,
        hash text NOT NULL,
        body jsonb NOT NULL,
        first_published_at timestamptz NOT NULL,
        PRIMARY KEY (id, version)
      );
      -- Each publication for a unit; the newest row is what the unit's kiosks get. The signed document
      -- is stored as served, so its ETag and signature stay stable.
      CREATE TABLE configs (
        id bigserial PRIMARY KEY,
        unit_id text NOT NULL REFERENCES units (id),
        version text NOT NULL,
        hash text NOT NULL,
        document text NOT NULL,
        published_at timestamptz NOT NULL
      );
      CREATE INDEX configs_unit ON configs (unit_id, id DESC);
    `,
  },
  {
    version: 4,
    name: 'web console: admin accounts, sessions, audit log, configuration drafts',
    sql: `
      -- Console accounts. A unit viewer is tied to one unit; a province admin to none.
      CREATE TABLE admin_users (
        id bigserial PRIMARY KEY,
        username text NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9][a-z0-9._-]{2,31}$'),
        display_name text NOT NULL,
        role text NOT NULL CHECK (role IN ('province_admin', 'unit_viewer')),
        unit_id text REFERENCES units (id),
        -- scrypt, "scrypt$N$r$p$salt$hash" (central/console/auth/password.ts); never a password in clear.
        password_hash text NOT NULL,
        -- Still the documented demo password (or one printed at first start): the console asks to change it.
        password_is_initial boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL,
        password_changed_at timestamptz NOT NULL,
        disabled_at timestamptz,
        -- Lockout state lives here, so a restart does not reset it.
        failed_logins integer NOT NULL DEFAULT 0,
        locked_until timestamptz,
        last_login_at timestamptz,
        CHECK ((role = 'unit_viewer') = (unit_id IS NOT NULL))
      );
      -- Server-side sessions: only the SHA-256 of the cookie's token is kept.
      CREATE TABLE admin_sessions (
        token_hash text PRIMARY KEY,
        user_id bigint NOT NULL REFERENCES admin_users (id) ON DELETE CASCADE,
        csrf_token text NOT NULL,
        created_at timestamptz NOT NULL,
        last_seen_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL
      );
      CREATE INDEX admin_sessions_user ON admin_sessions (user_id);
      CREATE TABLE admin_audit (
        id bigserial PRIMARY KEY,
        at timestamptz NOT NULL,
        username text,
        action text NOT NULL,
        detail jsonb NOT NULL DEFAULT '{}'::jsonb,
        ip text
      );
      CREATE INDEX admin_audit_at ON admin_audit (at DESC);
      -- A validated configuration uploaded in the console, waiting to be published to chosen units.
      CREATE TABLE config_drafts (
        id bigserial PRIMARY KEY,
        created_at timestamptz NOT NULL,
        created_by text NOT NULL,
        base_unit_id text REFERENCES units (id),
        file_name text NOT NULL,
        version text NOT NULL,
        hash text NOT NULL,
        bundle jsonb NOT NULL
      );
    `,
  },
  {
    version: 5,
    name: 'web console: login failures per account and client address',
    sql: `
      -- Wrong passwords are counted, and locks set, per (account, client address): a flood from one
      -- address locks that address out of that account, never the officer logging in from elsewhere.
      -- In the database so that every instance of the service shares the counts.
      CREATE TABLE admin_login_failures (
        user_id bigint NOT NULL REFERENCES admin_users (id) ON DELETE CASCADE,
        -- The client address (an IPv6 address by its /64: one host holds a whole /64).
        address text NOT NULL,
        -- Wrong passwords in a row from this address; cleared by a correct one, a reset, or an unlock.
        failures integer NOT NULL CHECK (failures > 0),
        first_failed_at timestamptz NOT NULL,
        last_failed_at timestamptz NOT NULL,
        locked_until timestamptz,
        PRIMARY KEY (user_id, address)
      );
      -- The per-account lock it replaces: one attacker could keep any account locked for ever.
      ALTER TABLE admin_users DROP COLUMN failed_logins, DROP COLUMN locked_until;
    `,
  },
  {
    version: 6,
    name: 'responses set aside as refused, questionnaires published per unit',
    sql: `
      -- Which questionnaire versions each unit has been given (every publication, never removed): a
      -- device's response must name one of these (or an embedded default) to be stored as a response.
      CREATE TABLE unit_questionnaires (
        unit_id text NOT NULL REFERENCES units (id),
        questionnaire_id text NOT NULL,
        version integer NOT NULL,
        first_published_at timestamptz NOT NULL,
        PRIMARY KEY (unit_id, questionnaire_id, version),
        FOREIGN KEY (questionnaire_id, version) REFERENCES questionnaires (id, version)
      );
      INSERT INTO unit_questionnaires (unit_id, questionnaire_id, version, first_published_at)
      SELECT c.unit_id, q.value->>'id', (q.value->>'version')::integer, min(c.published_at)
        FROM configs c,
             LATERAL (SELECT translate(c.document::jsonb->>'payload', '-_', '+/') AS b64) p,
             LATERAL jsonb_array_elements(
               convert_from(decode(rpad(p.b64, (length(p.b64) + 3) / 4 * 4, '='), 'base64'), 'UTF8')::jsonb->'bundle'->'questionnaires'
             ) q
       GROUP BY 1, 2, 3;
      -- A signed response that fails validation (unknown questionnaire, unknown question, value out of
      -- range): kept aside with the reason, never in responses, but its seq counts as received.
      CREATE TABLE refused_responses (
        device_id text NOT NULL REFERENCES devices (id),
        response_id uuid NOT NULL,
        seq integer NOT NULL CHECK (seq >= 1),
        reason text NOT NULL CHECK (reason IN ('unknown_questionnaire', 'invalid_answers')),
        detail text NOT NULL,
        content_hash text NOT NULL,
        body jsonb NOT NULL,
        received_at timestamptz NOT NULL,
        batch_id uuid NOT NULL,
        PRIMARY KEY (device_id, response_id),
        UNIQUE (device_id, seq)
      );
      CREATE INDEX refused_responses_received ON refused_responses (received_at DESC);
      ALTER TABLE device_progress ADD COLUMN refused bigint NOT NULL DEFAULT 0;
      ALTER TABLE batches ADD COLUMN refused integer NOT NULL DEFAULT 0;
      -- Every seq central has received from a device, stored or set aside: what gap-free accounting counts.
      CREATE VIEW received_seqs AS
        SELECT device_id, seq, received_at, body FROM responses
        UNION ALL
        SELECT device_id, seq, received_at, body FROM refused_responses;
    `,
  },
  {
    version: 7,
    name: 'unit tree, report facts and aggregates, unit-level indicator entries, report settings',
    sql: REPORTS_MIGRATION_SQL,
    after: rebuildReportTables,
  },
  {
    version: 8,
    name: 'report roll-ups: monthly counts per unit without field and procedure, and per ancestor unit',
    sql: REPORT_ROLLUPS_MIGRATION_SQL,
    after: refreshRollups,
  },
  {
    version: 9,
    name: 'follow-ups: sealed contacts, status and notes, follow-up settings, contact counts per batch',
    sql: FOLLOW_UPS_MIGRATION_SQL,
  },
  {
    version: 10,
    name: 'several instances: shared rate-limit counters, the central key every instance must hold',
    sql: `
      -- Rate limits counted here rather than in each process, so a budget holds across all instances
      -- on this database (central/routes/shared-rate-limit.ts). A fixed window per key from its first
      -- hit; rows whose window ended are deleted by a periodic job.
      CREATE TABLE rate_limit_counters (
        -- "limiter name:address or device", e.g. "v1-address:203.0.113.7"
        key text PRIMARY KEY,
        window_ends_at timestamptz NOT NULL,
        hits integer NOT NULL CHECK (hits > 0)
      );
      CREATE INDEX rate_limit_counters_window ON rate_limit_counters (window_ends_at);
      -- The public half of the Ed25519 key that signs this database's configurations, recorded by the
      -- first instance that starts on it: an instance holding another key refuses to start, instead of
      -- publishing configurations the enrolled kiosks would reject.
      CREATE TABLE central_identity (
        only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
        public_key text NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now()
      );
    `,
  },
  {
    version: 11,
    name: 'counter bridge: integration keys, invitations and their status, the counter a device stands at',
    sql: BRIDGE_MIGRATION_SQL,
  },
  {
    version: 13,
    name: 'read-aloud clips: recorded audio per (language, exact text), published with every configuration',
    sql: `
      -- One clip per text: text_sha256 is the SHA-256 of the locale, a newline and the exact text
      -- (shared/read-aloud.ts), so a reworded question finds no clip. The audio is served by its own
      -- SHA-256 (GET /v1/clips/<sha>).
      CREATE TABLE read_aloud_clips (
        text_sha256 text PRIMARY KEY CHECK (text_sha256 ~ '^[0-9a-f]{64}$'),
        locale text NOT NULL,
        audio_sha256 text NOT NULL CHECK (audio_sha256 ~ '^[0-9a-f]{64}$'),
        mime text NOT NULL,
        bytes integer NOT NULL CHECK (bytes > 0 AND bytes = octet_length(audio)),
        audio bytea NOT NULL,
        -- The text itself, for IT's list (never used to match: the hash is).
        text text NOT NULL,
        added_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX read_aloud_clips_audio ON read_aloud_clips (audio_sha256);
    `,
  },
  {
    version: 14,
    name: 'report queue: each batch queued with its report rows, counted when it was stored',
    sql: `
      -- The ingest counts each batch's responses as it stores them (it holds them parsed, with their
      -- questionnaires) and queues the rows: one report_facts row per response, and the batch's count
      -- rows summed (central/reports/queue-rows.ts). The drain then only adds them up, instead of
      -- reading every body back out of responses. Rows queued before this migration have neither and
      -- are counted from responses as before. Stored uncompressed: written once, read once, and
      -- compressing megabytes per batch cost the ingest more than the space saved.
      ALTER TABLE report_pending ADD COLUMN facts json, ADD COLUMN counts json,
        ADD CONSTRAINT report_pending_rows_together CHECK ((facts IS NULL) = (counts IS NULL));
      ALTER TABLE report_pending ALTER COLUMN facts SET STORAGE EXTERNAL, ALTER COLUMN counts SET STORAGE EXTERNAL;
    `,
  },
  {
    version: 15,
    name: 'one evaluation per case number per unit: an index of counted case numbers, figures recounted if needed',
    sql: REPEAT_CASES_MIGRATION_SQL,
    after: countRepeatCasesOnce,
  },
  {
    version: 16,
    name: 'report counts: room on each page for a count to be updated in place',
    sql: `
      -- A drain adds to counts that mostly exist already (today's, for the same officers and answers).
      -- With full pages every such update writes a new row version elsewhere and a new primary-key
      -- entry for it; with room left on the page it stays there and the index is not touched (a
      -- heap-only update). Pages written from now on keep a fifth free; existing ones fill as before.
      ALTER TABLE report_daily SET (fillfactor = 80);
      ALTER TABLE report_monthly SET (fillfactor = 80);
    `,
  },
];

export const LATEST_CENTRAL_SCHEMA = migrations.at(-1)?.version ?? 0;
