/**
 * Migration 9: follow-ups (a dissatisfied citizen asked to be contacted, issue 12). The survey answers
 * stay in `responses`, anonymous; a follow-up is a separate row that only points to its response and
 * holds the contact SEALED (central/follow-ups/). Erasing a contact clears `sealed` and the notes' text
 * and keeps the row (status, dates): that a follow-up happened is what the feedback figures count.
 */
export const FOLLOW_UPS_MIGRATION_SQL = `
  -- One row: how long the office has (working days, Mon-Fri minus holidays), how long a closed case's
  -- contact is kept, and central's contact public key as published with every configuration.
  CREATE TABLE follow_up_settings (
    id boolean PRIMARY KEY DEFAULT true CHECK (id),
    due_working_days integer NOT NULL DEFAULT 5 CHECK (due_working_days BETWEEN 1 AND 60),
    holidays date[] NOT NULL DEFAULT '{}',
    retention_days integer NOT NULL DEFAULT 30 CHECK (retention_days BETWEEN 0 AND 3650),
    contact_key_id text CHECK (contact_key_id ~ '^[0-9a-f]{16}$'),
    contact_public_key text,
    CHECK ((contact_key_id IS NULL) = (contact_public_key IS NULL))
  );
  INSERT INTO follow_up_settings DEFAULT VALUES;

  CREATE TABLE follow_ups (
    id bigserial PRIMARY KEY,
    device_id text NOT NULL REFERENCES devices (id),
    response_id uuid NOT NULL,
    -- The device's unit when the batch came in (who is to call back).
    unit_id text NOT NULL REFERENCES units (id),
    consent_purpose text NOT NULL CHECK (consent_purpose IN ('follow-up')),
    consent_text_version text NOT NULL,
    consent_locale text NOT NULL,
    consent_given_at timestamptz NOT NULL,
    -- SealedBox JSON (shared/follow-up.ts): only central's contact key opens it. NULL once erased.
    sealed jsonb,
    received_at timestamptz NOT NULL,
    status text NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'contacted', 'resolved', 'unreachable')),
    due_at timestamptz NOT NULL,
    closed_at timestamptz,
    erased_at timestamptz,
    erase_reason text CHECK (erase_reason IN ('retention', 'withdrawn')),
    UNIQUE (device_id, response_id),
    FOREIGN KEY (device_id, response_id) REFERENCES responses (device_id, response_id),
    CHECK ((status IN ('resolved', 'unreachable')) = (closed_at IS NOT NULL)),
    CHECK ((sealed IS NULL) = (erased_at IS NOT NULL)),
    CHECK ((erased_at IS NULL) = (erase_reason IS NULL))
  );
  CREATE INDEX follow_ups_unit_status ON follow_ups (unit_id, status, due_at);
  CREATE INDEX follow_ups_to_erase ON follow_ups (closed_at) WHERE erased_at IS NULL AND closed_at IS NOT NULL;

  -- Who did what and when; the text is cleared with the contact (it may repeat what the citizen said).
  CREATE TABLE follow_up_notes (
    id bigserial PRIMARY KEY,
    follow_up_id bigint NOT NULL REFERENCES follow_ups (id),
    at timestamptz NOT NULL,
    username text NOT NULL,
    status_from text NOT NULL,
    status_to text NOT NULL,
    note text NOT NULL DEFAULT '' CHECK (length(note) <= 2000)
  );
  CREATE INDEX follow_up_notes_case ON follow_up_notes (follow_up_id, id);

  -- The follow-up officer: sees and works the follow-ups of one unit and the units under it.
  ALTER TABLE admin_users DROP CONSTRAINT admin_users_role_check, DROP CONSTRAINT admin_users_check;
  ALTER TABLE admin_users
    ADD CONSTRAINT admin_users_role_check CHECK (role IN ('province_admin', 'unit_viewer', 'follow_up_officer')),
    ADD CONSTRAINT admin_users_check CHECK ((role = 'province_admin') = (unit_id IS NULL));

  -- Contacts a batch carried and what became of them (a contact of a refused or conflicting response is dropped).
  ALTER TABLE batches ADD COLUMN contacts integer NOT NULL DEFAULT 0, ADD COLUMN contacts_dropped integer NOT NULL DEFAULT 0;
`;
