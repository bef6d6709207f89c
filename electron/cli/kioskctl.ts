import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type Outcome, configGet, configSet, responses, setProcedure, status, verify } from './commands.ts';
import { LAN_USAGE, lanClients, lanPair } from './lan-commands.ts';
import { invite, listInvitations } from './invite-commands.ts';
import {
  type ProgressSink,
  SYNC_USAGE,
  isOutcome,
  isSyncCommand,
  openKioskDatabase,
  runSyncCommand,
} from './sync-commands.ts';
import { errorMessage } from '../../shared/error-message.ts';
import { terminalSafe } from '../../shared/terminal-text.ts';

const USAGE = `kioskctl: inspect and adjust a kiosk's data directory (safe while the kiosk runs)

usage: kioskctl <command> [options] [--data-dir DIR] [--json]
  status                         device id, response counts, last sequence, current procedure
  responses [--since SEQ]        responses after sequence SEQ (default 0)
  set-procedure CODE [--case N] [--facts JSON]
                                 point the kiosk at a procedure (and case) for the next respondent;
                                 --facts: the case's facts from the one-stop system, e.g.
                                 '{"dueAt":"2026-12-10T17:00:00+07:00","returnedAt":"2026-12-08T09:00:00+07:00","returnVisits":0}'
  invite --case N --procedure P [--officer O] [--counter C] [--ttl S] [--facts FILE]
                                 invite the next citizen to rate case N (counter bridge); prints its id
                                 and status; it waits --ttl seconds (default: setting invitationTtlSeconds)
  invitations [--limit N]        the most recent invitations and where each stands
  verify                         integrity and sequence-gap check; exit 1 on any problem
  config get KEY                 read a setting
  config set KEY VALUE           write a setting (JSON values; PINs are stored hashed)
  config set KEY --value-file F  the same, the value read from file F (a pinned central key, a PIN)
${SYNC_USAGE}
${LAN_USAGE}

The data dir defaults to $KIOSK_DATA_DIR, else .data/kiosk (the browser host's default).`;

const parse = (argv: string[]) =>
  parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'data-dir': { type: 'string', default: process.env.KIOSK_DATA_DIR ?? '.data/kiosk' },
      json: { type: 'boolean', default: false },
      since: { type: 'string' },
      case: { type: 'string' },
      facts: { type: 'string' },
      'value-file': { type: 'string' },
      revoke: { type: 'string' },
      // invite (invite-commands.ts)
      procedure: { type: 'string' },
      officer: { type: 'string' },
      counter: { type: 'string' },
      ttl: { type: 'string' },
      limit: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
      // sync commands (sync-commands.ts)
      central: { type: 'string' },
      code: { type: 'string' },
      'code-file': { type: 'string' },
      label: { type: 'string' },
      out: { type: 'string' },
      from: { type: 'string' },
      retries: { type: 'string' },
    },
  });

/**
 * Progress lines carry text from central (error messages) and from files: made terminal-safe, except
 * the carriage return the progress bar itself starts a redraw with.
 */
const safeProgress: ProgressSink = {
  isTTY: process.stderr.isTTY,
  columns: process.stderr.columns,
  write: (s) => process.stderr.write(s.startsWith('\r') ? `\r${terminalSafe(s.slice(1))}` : terminalSafe(s)),
};

/** Every command; the sync commands (network, files) are asynchronous. */
export const runAsync = async (argv: string[]): Promise<Outcome> => {
  const { values, positionals } = parse(argv);
  const [command, ...rest] = positionals;
  if (!values.help && isSyncCommand(command)) return runSyncCommand(command, rest, values, safeProgress);
  return run(argv);
};

/** The commands run() handles itself (the sync commands are runAsync's). A Set: no prototype to look names up in. */
const LOCAL_COMMANDS: ReadonlySet<string> = new Set([
  'status',
  'responses',
  'set-procedure',
  'verify',
  'config',
  'lan-pair',
  'lan-clients',
  'invite',
  'invitations',
]);

const unknownCommand = (command: string): Outcome => ({
  exitCode: 2,
  out: { error: `unknown command "${command}"` },
  text: `error: unknown command "${command}"\n\n${USAGE}`,
});

export const run = (argv: string[]): Outcome => {
  const { values, positionals } = parse(argv);
  const [command, ...rest] = positionals;
  if (values.help || !command) return { exitCode: command || values.help ? 0 : 2, out: { usage: USAGE }, text: USAGE };
  if (isSyncCommand(command))
    return {
      exitCode: 2,
      out: { error: `"${command}" is asynchronous: use runAsync` },
      text: `error: "${command}" is asynchronous: use runAsync`,
    };
  // Before touching the data dir: an unknown name is a usage error wherever the kiosk's data lives.
  if (!LOCAL_COMMANDS.has(command)) return unknownCommand(command);
  // config set may prepare a kiosk before its first start (PINs, a pinned central key): it creates the database.
  const opened = openKioskDatabase(resolve(values['data-dir']), { create: command === 'config' && rest[0] === 'set' });
  if (isOutcome(opened)) return opened;
  const { db, dbPath } = opened;
  try {
    switch (command) {
      case 'status':
        return status(db, dbPath);
      case 'responses': {
        // Digits only: Number('') is 0, so an empty value (an unset shell variable) would list everything.
        const since = values.since === undefined ? 0 : /^\d+$/.test(values.since) ? Number(values.since) : NaN;
        if (!Number.isInteger(since) || since < 0)
          return {
            exitCode: 2,
            out: { error: '--since takes a sequence number' },
            text: 'error: --since takes a sequence number',
          };
        return responses(db, since);
      }
      case 'set-procedure':
        if (rest.length !== 1)
          return {
            exitCode: 2,
            out: { error: 'set-procedure takes one procedure code' },
            text: 'error: set-procedure takes one procedure code',
          };
        return setProcedure(db, rest[0]!, values.case, values.facts);
      case 'invite':
        return invite(db, {
          caseNumber: values.case,
          procedure: values.procedure,
          officer: values.officer,
          counter: values.counter,
          ttl: values.ttl,
          // A file, as the one-stop system would hand it over; JSON text on the command line works too.
          factsJson:
            values.facts === undefined || values.facts.trimStart().startsWith('{')
              ? values.facts
              : readFileSync(values.facts, 'utf8'),
        });
      case 'invitations':
        return listInvitations(db, values.limit);
      case 'verify':
        return verify(db);
      case 'config':
        if (rest[0] === 'get' && rest.length === 2) return configGet(db, rest[1]!);
        if (rest[0] === 'set' && rest.length === 3 && values['value-file'] === undefined)
          return configSet(db, rest[1]!, rest[2]!);
        // A value from a file, e.g. the central key fingerprint handed over at install, or a PIN kept out of history.
        if (rest[0] === 'set' && rest.length === 2 && values['value-file'] !== undefined)
          return configSet(db, rest[1]!, readFileSync(values['value-file'], 'utf8').trim());
        return {
          exitCode: 2,
          out: { error: 'usage: config get KEY | config set KEY VALUE' },
          text: 'error: usage: config get KEY | config set KEY VALUE',
        };
      case 'lan-pair':
        return lanPair(db, Date.now());
      case 'lan-clients':
        return lanClients(db, values.revoke, Date.now());
      default:
        return unknownCommand(command);
    }
  } finally {
    db.close();
  }
};

const main = async (): Promise<void> => {
  const argv = process.argv.slice(2);
  let outcome: Outcome;
  try {
    outcome = await runAsync(argv);
  } catch (e) {
    outcome = {
      exitCode: 1,
      out: { error: errorMessage(e) },
      text: `error: ${errorMessage(e)}`,
    };
  }
  const json = argv.includes('--json');
  const stream = outcome.exitCode === 0 ? process.stdout : process.stderr;
  stream.write(terminalSafe(`${json ? JSON.stringify(outcome.out, null, 2) : outcome.text}\n`));
  process.exitCode = outcome.exitCode;
};

await main();
