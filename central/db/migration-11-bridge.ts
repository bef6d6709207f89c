/**
 * Migration 11: the counter bridge (issue 11). Integration keys a one-stop system calls the counter
 * API with, the invitations central issued and where each stands, and the counter a device stands at.
 * The report figures on invitations (sent, answered, expired) read `bridge_invitations` as it is here.
 */
export const BRIDGE_MIGRATION_SQL = `
  -- Only the SHA-256 of a key's secret is kept: a leaked database does not leak usable keys.
  CREATE TABLE integration_keys (
    id uuid PRIMARY KEY,
    label text NOT NULL CHECK (length(label) BETWEEN 1 AND 100),
    key_hash text NOT NULL UNIQUE CHECK (key_hash ~ '^[0-9a-f]{64}$'),
    -- The units the key may send invitations for; each covers the units under it.
    unit_ids text[] NOT NULL CHECK (cardinality(unit_ids) > 0),
    created_by text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz,
    last_used_at timestamptz
  );
  CREATE TABLE bridge_invitations (
    id uuid PRIMARY KEY,
    unit_id text NOT NULL REFERENCES units (id),
    counter_id text NOT NULL,
    case_number text NOT NULL,
    procedure_code text NOT NULL,
    officer_id text,
    facts jsonb,
    -- 'key:<id>' | 'user:<id>' | 'cli'
    issued_by text NOT NULL CHECK (issued_by ~ '^(key:|user:|cli$)'),
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL CHECK (expires_at > created_at),
    status text NOT NULL CHECK (status IN ('waiting', 'delivered', 'answered', 'expired', 'replaced', 'refused')),
    status_at timestamptz NOT NULL,
    response_id uuid,
    reason text
  );
  CREATE INDEX bridge_invitations_counter ON bridge_invitations (unit_id, counter_id, created_at);
  -- The expiry job and the stream's catch-up read only the open ones.
  CREATE INDEX bridge_invitations_open ON bridge_invitations (expires_at) WHERE status IN ('waiting', 'delivered');
  -- Which counter a kiosk stands at (set by IT): central pushes that counter's invitations to it.
  ALTER TABLE devices ADD COLUMN counter_id text CHECK (counter_id ~ '^[A-Za-z0-9_.-]{1,32}$');
  -- The counter officer (the console's "send an invitation" page, for offices whose software calls nothing).
  ALTER TABLE admin_users DROP CONSTRAINT admin_users_role_check,
    ADD CONSTRAINT admin_users_role_check
      CHECK (role IN ('province_admin', 'unit_viewer', 'follow_up_officer', 'counter_officer'));
  CREATE INDEX devices_counter ON devices (unit_id, counter_id) WHERE counter_id IS NOT NULL;
`;
