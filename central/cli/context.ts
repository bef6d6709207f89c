import type { KeyPairB64 } from '../../shared/node/signing.ts';
import type { CentralDb } from '../db/types.ts';
import type { runReport } from '../reports/run-report.ts';

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
  /** The data dir (its central-*.json key files go into a backup and come back from one). */
  dataDir?: string;
  /** Set when the command runs inside the central server (its admin endpoint), not in centralctl. */
  inServer?: boolean;
  /** The report engine; tests of `centralctl report` pass a stand-in for it (default: the real one). */
  runReport?: typeof runReport;
};

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const USAGE = `centralctl: operate the central survey service

usage: centralctl [--data-dir DIR] COMMAND [options]

  enrol-code [--unit U] [--unit-name NAME] [--parent P] [--kind K] [--hours H] [--json]
                                 issue a one-time enrolment code (default unit "default", 72 hours);
                                 a unit it creates goes under P and starts with P's configuration
  units [--json]                 the units as a tree (kind, public report flag)
  unit-add ID --name NAME [--parent P] [--kind province|centre|branch|commune|unit]
                                 a new unit; under P it starts with P's published configuration
  unit-set ID [--parent P|--no-parent] [--name N] [--kind K] [--public on|off]
                                 change a unit (a parent under the unit itself is refused)
  unit-indicators --unit U --quarter 2026-Q3 [--json]
                                 the unit-level indicators entered for the unit and quarter
  unit-indicator-set --unit U --quarter 2026-Q3 --indicator N (--self P | --verified P) [--note TEXT]
                                 enter self-assessed or verified points (0, 1, 2)
  report-settings [--json]       the report settings in force ("(default)" where not changed)
  report-settings-set FILE       replace the report settings with FILE (JSON, validated)
  devices [--json]               per device: responses, highest gap-free seq, gaps, duplicates,
                                 conflicts, last heartbeat, clock drift, revoked
  revoke DEVICE                  refuse the device's batches, heartbeats and config requests
  unrevoke DEVICE                lift a revocation
  refused [--device DEVICE] [--json]
                                 signed responses set aside as invalid (unknown questionnaire or
                                 answers outside its rules), newest first, with the reason
  export-responses --format ndjson|csv [--out FILE]
                                 every stored response; CSV has a header row and the answers as
                                 JSON in one column ("answers_json"), who gave each answer
                                 ("answer_sources_json") and a flagged repeat case ("repeat_case")
  publish-config DIR [--unit U] [--unit-name NAME]
                                 validate DIR (catalog.json, questionnaires/*.json, optional
                                 settings.json) and publish it, signed, to the unit's kiosks
  clips add --locale L --text "EXACT TEXT" FILE
                                 a read-aloud recording (WAV, Ogg, MP3, WebM, MP4; at most 2 MiB) for
                                 one text, exactly as the configuration shows it; replaces that
                                 text's clip; kiosks get it with the next publish-config
  clips remove --locale L --text "EXACT TEXT"
                                 remove a text's clip (from the next publish-config)
  clips list [--json]            the recordings held: language, text, size
  create-admin USERNAME [--role province-admin|unit-viewer|follow-up-officer|counter-officer] [--unit U] [--name NAME]
               [--password-file F]
                                 a web console account; without --password-file a password is
                                 generated and printed once (a unit viewer or follow-up
                                 officer needs --unit)
  reset-admin-password USERNAME [--password-file F]
                                 new password (printed when generated), lockout lifted, sessions ended
  report per-case|per-case-list|sipas|quick|comments|invitations
         (--from YYYY-MM-DD --to YYYY-MM-DD | --period 2026|2026-Q3|2026-10)
         [--unit U] [--with-subunits] [--by unit|field|procedure|officer|counter|month|quarter]
         [--field F] [--procedure P] [--officer O] [--counter C] [--questionnaire Q] [--version N]
         [--include-flagged] [--search TEXT] [--limit N] [--offset N]
         [--format json|csv|xlsx] [--out FILE]
                                 a report (days in Vietnam's time, both inclusive; --by at most
                                 twice or "a,b"); JSON to stdout by default; xlsx needs --out
  backup --out DIR               the database (one consistent snapshot) and the data dir's key
                                 files into a new directory, with a manifest of SHA-256 checksums
  restore --from DIR [--force]   check a backup's checksums and restore it into an empty database
                                 (--force: replace what is there) and its keys into the data dir;
                                 stop every central instance first
  feedback-report (--from YYYY-MM-DD --to YYYY-MM-DD | --period 2026-Q3) [--unit U] [--by unit|month]
                                 follow-ups asked, closed, on time, late, pending and the share on
                                 time, as JSON (U with the units under it; default every unit)
  invite --unit U --counter C --case N --procedure P [--officer O] [--ttl S] [--facts FILE] [--json]
                                 send a counter invitation ("rate this case") to the kiosks at
                                 counter C of unit U; prints its id (issue 11)
  device-counter DEVICE COUNTER|--clear
                                 place a kiosk at a counter (where its invitations come from)
  integration-key create --label L --unit U [--unit U2]… | list [--json] | revoke ID
                                 keys for one-stop systems calling the counter API (the secret
                                 is printed once; a unit covers the units under it)
  rebuild-reports                recompute the report tables (facts, daily and monthly counts and
                                 their roll-ups) from the stored responses, counting in SQL, in
                                 one transaction; progress on stderr

Database: PostgreSQL when DATABASE_URL is set, else PGlite in DIR/pgdata (default ${'.data/central'}).
PGlite allows one process per data dir: while the central server runs, centralctl sends the
command to the server's loopback admin endpoint (token in DIR/admin-token).
`;
