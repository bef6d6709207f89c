import type { KeyPairB64 } from '../../shared/node/signing.ts';
import type { CentralDb } from '../db/types.ts';

/** What a centralctl command runs against; the same whether run in the CLI process or in the server. */
export type CtlContext = {
  db: CentralDb;
  /** Central's key (publish-config signs with it); loaded lazily from the data dir. */
  centralKey: () => KeyPairB64;
  /** Relative paths (--out, DIR) resolve against this. */
  cwd: string;
  out: (text: string) => void;
  err: (text: string) => void;
  now: () => Date;
};

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const USAGE = `centralctl: operate the central survey service

usage: centralctl [--data-dir DIR] COMMAND [options]

  enrol-code [--unit U] [--unit-name NAME] [--hours H] [--json]
                                 issue a one-time enrolment code (default unit "default", 72 hours)
  devices [--json]               per device: responses, highest gap-free seq, gaps, duplicates,
                                 conflicts, last heartbeat, clock drift, revoked
  revoke DEVICE                  refuse the device's batches, heartbeats and config requests
  unrevoke DEVICE                lift a revocation
  refused [--device DEVICE] [--json]
                                 signed responses set aside as invalid (unknown questionnaire or
                                 answers outside its rules), newest first, with the reason
  export-responses --format ndjson|csv [--out FILE]
                                 every stored response; CSV has a header row and the answers as
                                 JSON in one column ("answers_json")
  publish-config DIR [--unit U] [--unit-name NAME]
                                 validate DIR (catalog.json, questionnaires/*.json, optional
                                 settings.json) and publish it, signed, to the unit's kiosks
  create-admin USERNAME [--role province-admin|unit-viewer] [--unit U] [--name NAME] [--password-file F]
                                 a web console account; without --password-file a password is
                                 generated and printed once (a unit viewer needs --unit)
  reset-admin-password USERNAME [--password-file F]
                                 new password (printed when generated), lockout lifted, sessions ended
  rebuild-reports                recompute the report tables (facts, daily and monthly counts) from
                                 the stored responses, in one transaction; progress on stderr

Database: PostgreSQL when DATABASE_URL is set, else PGlite in DIR/pgdata (default ${'.data/central'}).
PGlite allows one process per data dir: while the central server runs, centralctl sends the
command to the server's loopback admin endpoint (token in DIR/admin-token).
`;
