import type { Database } from 'better-sqlite3';

/**
 * Numbered schema migrations. The database's `user_version` is the number of the last one applied.
 * Never edit a migration that has shipped: add the next number. Each has a test in
 * test/unit/migrations.test.ts that starts from the version before it with data in place.
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
];

export const LATEST_SCHEMA_VERSION = migrations.at(-1)?.version ?? 0;
