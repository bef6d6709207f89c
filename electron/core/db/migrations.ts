import type { Database } from 'better-sqlite3';

/**
 * Numbered schema migrations. The database's `user_version` is the number of the last one applied.
 * Never edit a migration that has shipped: add the next number. Each has a test in
 * test/core/migrations.test.ts that starts from the version before it with data in place.
 */
export type Migration = { version: number; name: string; up: (db: Database) => void };

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'settings, state, config, questionnaires, responses',
    up: (db) => {
      db.exec(`
        CREATE TABLE settings (
          key TEXT PRIMARY KEY,
          value TEXT NOT NULL CHECK (json_valid(value)),
          updated_at TEXT NOT NULL
        ) STRICT;
        -- Internal state the kiosk keeps for itself: device id, current assignment, PIN lockouts.
        CREATE TABLE state (
          key TEXT PRIMARY KEY,
          value TEXT NOT NULL CHECK (json_valid(value))
        ) STRICT;
        -- Every configuration bundle that loaded cleanly: the newest is the last good one.
        CREATE TABLE config_versions (
          version TEXT PRIMARY KEY,
          hash TEXT NOT NULL,
          body TEXT NOT NULL CHECK (json_valid(body)),
          source TEXT NOT NULL,
          loaded_at TEXT NOT NULL
        ) STRICT;
        -- Questionnaire definitions by (id, version); a response refers to the exact one it answered.
        CREATE TABLE questionnaires (
          id TEXT NOT NULL,
          version INTEGER NOT NULL,
          hash TEXT NOT NULL,
          body TEXT NOT NULL CHECK (json_valid(body)),
          PRIMARY KEY (id, version)
        ) STRICT;
        -- seq is the rowid: gap-free per device because it is assigned as max+1 inside the insert's
        -- transaction and rows are never deleted.
        CREATE TABLE responses (
          seq INTEGER PRIMARY KEY,
          id TEXT NOT NULL UNIQUE,
          questionnaire_id TEXT NOT NULL,
          questionnaire_version INTEGER NOT NULL,
          procedure_code TEXT NOT NULL,
          field_code TEXT NOT NULL,
          case_number TEXT,
          officer_id TEXT,
          counter_id TEXT,
          locale TEXT NOT NULL,
          status TEXT NOT NULL CHECK (status IN ('complete', 'abandoned')),
          started_at TEXT NOT NULL,
          submitted_at TEXT NOT NULL,
          duration_ms INTEGER NOT NULL CHECK (duration_ms >= 0),
          answers TEXT NOT NULL CHECK (json_valid(answers)),
          flags INTEGER NOT NULL DEFAULT 0,
          FOREIGN KEY (questionnaire_id, questionnaire_version) REFERENCES questionnaires (id, version)
        ) STRICT;
      `);
    },
  },
  {
    version: 2,
    name: 'audit log',
    up: (db) => {
      db.exec(`
        CREATE TABLE audit_log (
          id INTEGER PRIMARY KEY,
          at TEXT NOT NULL,
          actor TEXT NOT NULL,
          action TEXT NOT NULL,
          details TEXT NOT NULL CHECK (json_valid(details))
        ) STRICT;
        CREATE INDEX audit_log_at ON audit_log (at);
      `);
    },
  },
  {
    version: 3,
    name: 'procedure usage for the staff panel',
    up: (db) => {
      db.exec(`
        CREATE TABLE procedure_usage (
          code TEXT PRIMARY KEY,
          last_used_at TEXT,
          use_count INTEGER NOT NULL DEFAULT 0,
          favourite INTEGER NOT NULL DEFAULT 0 CHECK (favourite IN (0, 1))
        ) STRICT;
      `);
    },
  },
  {
    version: 4,
    name: 'sync state: acknowledged ranges, conflicts, batches, status, exports',
    up: (db) => {
      db.exec(`
        -- Sequence ranges the central service has acknowledged (inserted, duplicate or conflict),
        -- kept merged: normally one row, 1..acked-through. Rows of responses are never deleted.
        CREATE TABLE sync_acked (
          seq_from INTEGER PRIMARY KEY CHECK (seq_from >= 1),
          seq_to INTEGER NOT NULL CHECK (seq_to >= seq_from),
          acked_at TEXT NOT NULL
        ) STRICT;
        -- Responses central reported as conflicts: acknowledged (resending cannot resolve them), shown to IT.
        CREATE TABLE sync_conflicts (
          response_id TEXT NOT NULL,
          seq INTEGER NOT NULL,
          reason TEXT NOT NULL,
          batch_id TEXT NOT NULL,
          reported_at TEXT NOT NULL,
          PRIMARY KEY (response_id, batch_id)
        ) STRICT;
        -- Every acknowledged batch, online or uploaded from this kiosk: the evidence behind sync_acked.
        CREATE TABLE sync_batches (
          batch_id TEXT PRIMARY KEY,
          seq_from INTEGER NOT NULL,
          seq_to INTEGER NOT NULL,
          via TEXT NOT NULL CHECK (via IN ('online', 'upload')),
          acked_at TEXT NOT NULL,
          received INTEGER NOT NULL,
          inserted INTEGER NOT NULL,
          duplicates INTEGER NOT NULL,
          conflicts INTEGER NOT NULL,
          highest_contiguous_seq INTEGER NOT NULL
        ) STRICT;
        -- One row: how the sync engine is doing, for kioskctl, the heartbeat and the admin panel.
        CREATE TABLE sync_status (
          id INTEGER PRIMARY KEY CHECK (id = 1),
          attempts INTEGER NOT NULL DEFAULT 0,
          last_attempt_at TEXT,
          last_success_at TEXT,
          last_error_code TEXT,
          last_error_message TEXT,
          last_error_status INTEGER,
          last_error_at TEXT,
          next_attempt_at TEXT,
          last_heartbeat_at TEXT,
          clock_drift_ms INTEGER,
          central_contiguous_seq INTEGER
        ) STRICT;
        INSERT INTO sync_status (id) VALUES (1);
        -- .kbatch files written by kioskctl export (verified by reading back before being listed here).
        CREATE TABLE sync_exports (
          id INTEGER PRIMARY KEY,
          file TEXT NOT NULL,
          batch_id TEXT NOT NULL,
          seq_from INTEGER NOT NULL,
          seq_to INTEGER NOT NULL,
          bytes INTEGER NOT NULL,
          sha256 TEXT NOT NULL,
          created_at TEXT NOT NULL
        ) STRICT;
      `);
    },
  },
  {
    version: 5,
    name: 'sealed follow-up contacts',
    up: (db) => {
      db.exec(`
        -- A citizen's request to be contacted about a response (issue 12): the SealedContact JSON only
        -- (consent record in clear, the details sealed to central's contact key), never the number in
        -- clear. One per response, written in the response's own transaction; sent with its batch.
        CREATE TABLE follow_up_contacts (
          response_id TEXT PRIMARY KEY REFERENCES responses (id),
          body TEXT NOT NULL CHECK (json_valid(body))
        ) STRICT;
      `);
    },
  },
  {
    version: 6,
    name: 'answer sources and the case-number lookup for one evaluation per case',
    up: (db) => {
      db.exec(`
        -- Who gave each answer ({"question": "citizen" | "system"}) for questionnaires that take indicators
        -- from the case's facts; NULL on every other response.
        ALTER TABLE responses ADD COLUMN sources TEXT CHECK (sources IS NULL OR json_valid(sources));
        -- "Has this case been evaluated here already?" is asked on every start and submit with a case number.
        CREATE INDEX responses_case_number ON responses (case_number) WHERE case_number IS NOT NULL;
      `);
    },
  },
  {
    version: 7,
    name: 'counter bridge invitations',
    up: (db) => {
      db.exec(`
        -- Invitations to rate a case (issue 11), from central's stream, a paired LAN PC or kioskctl. The
        -- issuer's times are kept as sent; expires_local_ms is the deadline on THIS kiosk's clock (its
        -- receipt plus the lifetime, bounded by the issuer's deadline where the clock offset is known),
        -- so a kiosk whose clock is off neither shows a dead invitation nor drops a live one.
        -- reported: the status as it stands now reached the issuer (only central's are reported).
        CREATE TABLE invitations (
          id TEXT PRIMARY KEY,
          source TEXT NOT NULL CHECK (source IN ('central', 'lan', 'cli')),
          counter_id TEXT NOT NULL,
          case_number TEXT NOT NULL,
          procedure_code TEXT NOT NULL,
          officer_id TEXT,
          facts TEXT CHECK (facts IS NULL OR json_valid(facts)),
          issued_at TEXT NOT NULL,
          expires_at TEXT NOT NULL,
          received_at TEXT NOT NULL,
          expires_local_ms INTEGER NOT NULL,
          status TEXT NOT NULL CHECK (status IN ('delivered', 'answered', 'expired', 'replaced', 'refused')),
          status_at TEXT NOT NULL,
          response_id TEXT REFERENCES responses (id),
          reason TEXT,
          reported INTEGER NOT NULL DEFAULT 0 CHECK (reported IN (0, 1)),
          CHECK ((status = 'answered') = (response_id IS NOT NULL))
        ) STRICT;
        -- The current invitation is the one delivered row; statuses still to report; kioskctl's recent list.
        CREATE INDEX invitations_delivered ON invitations (received_at) WHERE status = 'delivered';
        CREATE INDEX invitations_unreported ON invitations (status_at) WHERE reported = 0;
        CREATE INDEX invitations_received ON invitations (received_at);
      `);
    },
  },
  {
    version: 8,
    name: 'LAN bridge: paired counter PCs and their one-time pairing codes',
    up: (db) => {
      db.exec(`
        -- Counter PCs paired on the office LAN (issue 11): each holds its own token, stored here only as its
        -- SHA-256 (the token is 32 random bytes, so a plain hash is enough). Revoked rows stay for the audit.
        CREATE TABLE lan_clients (
          id TEXT PRIMARY KEY,
          label TEXT NOT NULL,
          token_hash TEXT NOT NULL UNIQUE,
          paired_at TEXT NOT NULL,
          last_seen_at TEXT,
          revoked_at TEXT
        ) STRICT;
        -- One-time pairing codes IT shows on the admin panel: scrypt-hashed like a PIN (code_hash is its JSON),
        -- valid until expires_at, single use,
        -- voided after too many wrong tries. At most one is open (ended_at NULL); a new code ends the last.
        CREATE TABLE lan_pairing_codes (
          id INTEGER PRIMARY KEY,
          code_hash TEXT NOT NULL CHECK (json_valid(code_hash)),
          created_at TEXT NOT NULL,
          expires_at TEXT NOT NULL,
          wrong_attempts INTEGER NOT NULL DEFAULT 0 CHECK (wrong_attempts >= 0),
          ended_at TEXT,
          ended_reason TEXT CHECK (ended_reason IS NULL OR ended_reason IN ('used', 'voided', 'replaced')),
          client_id TEXT REFERENCES lan_clients (id)
        ) STRICT;
      `);
    },
  },
  {
    version: 9,
    name: 'LAN bridge: which paired PC sent which invitation',
    up: (db) => {
      db.exec(`
        -- Only the PC that sent an invitation may read its status (another paired PC gets the 404 of an
        -- unknown id), also after the kiosk restarts; an invitation from central or kioskctl has no row.
        CREATE TABLE lan_invitation_senders (
          invitation_id TEXT PRIMARY KEY,
          client_id TEXT NOT NULL REFERENCES lan_clients (id)
        ) STRICT;
      `);
    },
  },
];

export const LATEST_SCHEMA_VERSION = migrations.at(-1)?.version ?? 0;
