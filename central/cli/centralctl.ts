/**
 * centralctl: the central service's operator CLI (bin/centralctl.js). Runs each command directly on
 * the database (PostgreSQL via DATABASE_URL, or PGlite in the data dir), or, when a central server
 * holds the PGlite data dir, inside that server through its loopback admin endpoint.
 */
import { resolve } from 'node:path';
import {
  DEFAULT_DATA_DIR,
  DataDirBusyError,
  DataDirUnsafeError,
  lockDataDir,
  pgliteDir,
  readAdminToken,
  readLock,
} from '../data-dir.ts';
import { terminalSafe } from '../../shared/terminal-text.ts';
import { openCentralDb } from '../db/open.ts';
import { loadOrCreateCentralKey } from '../keys.ts';
import { UNMIGRATED_COMMANDS } from './backup-commands.ts';
import { runCommand } from './commands.ts';
import { USAGE } from './context.ts';
import { runRemote } from './remote.ts';

/** Splits off the global `--data-dir DIR` (anywhere on the line). */
export const splitGlobal = (argv: string[]): { dataDir: string; args: string[] } => {
  const args: string[] = [];
  let dataDir = DEFAULT_DATA_DIR;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--data-dir') dataDir = argv[++i] ?? dataDir;
    else if (a.startsWith('--data-dir=')) dataDir = a.slice('--data-dir='.length);
    else args.push(a);
  }
  return { dataDir: resolve(dataDir), args };
};

/** Every line centralctl prints (local or from the server's admin endpoint) is made terminal-safe here. */
const io = {
  out: (t: string) => void process.stdout.write(terminalSafe(t)),
  err: (t: string) => void process.stderr.write(terminalSafe(t)),
};

export const centralctl = async (argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> => {
  const { dataDir, args } = splitGlobal(argv);
  if (args.length === 0 || ['help', '--help', '-h'].includes(args[0]!)) {
    (args.length === 0 ? io.err : io.out)(USAGE);
    return args.length === 0 ? 2 : 0;
  }
  const databaseUrl = env['DATABASE_URL'] || undefined;
  if (!databaseUrl) {
    const holder = readLock(dataDir);
    if (holder?.role === 'server' && args[0] === 'restore') {
      io.err(
        `centralctl: ${new DataDirBusyError(dataDir, holder).message}\n(restore replaces the database: stop the server first)\n`,
      );
      return 1;
    }
    if (holder?.role === 'server') {
      const token = readAdminToken(dataDir);
      if (!holder.adminUrl || !token) {
        io.err(
          `centralctl: ${new DataDirBusyError(dataDir, holder).message}\n(the server has not published its admin endpoint yet; try again in a moment)\n`,
        );
        return 1;
      }
      const answer = await runRemote(holder.adminUrl, token, args, process.cwd());
      io.out(answer.stdout);
      io.err(answer.stderr);
      return answer.exitCode;
    }
  }
  let lock;
  try {
    lock = databaseUrl ? undefined : lockDataDir(dataDir, 'centralctl');
  } catch (e) {
    if (e instanceof DataDirBusyError || e instanceof DataDirUnsafeError) {
      io.err(`centralctl: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  try {
    // Backup and restore see the database as it is; restore on one connection, so that any other
    // session on the database is someone else's (a central instance still running).
    const migrate = !UNMIGRATED_COMMANDS.has(args[0]!);
    const db = await openCentralDb(
      databaseUrl ? { databaseUrl, poolSize: args[0] === 'restore' ? 1 : 2 } : { pgliteDir: pgliteDir(dataDir) },
      { migrate },
    );
    try {
      return await runCommand(args, {
        db,
        // The same key file as the server's: CENTRAL_KEY_FILE when the instances share one (docs/operators).
        centralKey: () => loadOrCreateCentralKey(dataDir, process.env['CENTRAL_KEY_FILE'] || undefined),
        cwd: process.cwd(),
        dataDir,
        now: () => new Date(),
        ...io,
      });
    } finally {
      await db.close();
    }
  } finally {
    lock?.release();
  }
};
