import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { backupCentral } from '../backup/backup.ts';
import type { BackupProgress } from '../backup/format.ts';
import { restoreCentral } from '../backup/restore.ts';
import { LATEST_CENTRAL_SCHEMA } from '../db/migrations.ts';
import { type CtlContext, UsageError } from './context.ts';

type Command = (args: string[], ctx: CtlContext) => Promise<number>;

const n = (x: number): string => x.toLocaleString('en');

/**
 * Progress on stderr: a line when a table is done, and for a big one (responses on a province's
 * server) about every tenth, so ten million rows visibly move.
 */
const progressPrinter = (ctx: CtlContext, verb: string) => {
  let table = '';
  let tenth = -1;
  let verifying = false;
  return (p: BackupProgress): void => {
    if (p.step === 'verify') {
      if (!verifying) ctx.err(`checking the backup's checksums\n`);
      verifying = true;
      return;
    }
    if (p.step === 'keys' || p.total === 0) return;
    const now = p.total === 0 ? 10 : Math.min(10, Math.floor((p.done * 10) / p.total));
    if (p.table === table && now === tenth) return;
    table = p.table;
    tenth = now;
    if (now === 10 || (p.total >= 20_000 && p.done > 0))
      ctx.err(`${verb} ${p.table}: ${n(p.done)} of ${n(p.total)} rows\n`);
  };
};

/**
 * Where the key files are: beside the shared central key file when CENTRAL_KEY_FILE names one (several
 * instances: the contact key lives there too), else the data dir.
 */
const dataDirOf = (ctx: CtlContext): string => {
  const shared = process.env['CENTRAL_KEY_FILE'];
  if (shared) return dirname(resolve(ctx.cwd, shared));
  if (!ctx.dataDir) throw new UsageError('this centralctl has no data dir to take the key files from');
  return ctx.dataDir;
};

const backup: Command = async (args, ctx) => {
  const { values } = parseArgs({ args, options: { out: { type: 'string' } } });
  if (!values.out) throw new UsageError('--out DIR is required (a new or empty directory)');
  const outDir = resolve(ctx.cwd, values.out);
  const manifest = await backupCentral(ctx.db, {
    outDir,
    dataDir: dataDirOf(ctx),
    now: ctx.now(),
    onProgress: progressPrinter(ctx, 'backup'),
  });
  const width = Math.max(...manifest.tables.map((t) => t.name.length));
  ctx.out(
    `backed up ${manifest.source} (schema version ${manifest.schemaVersion}) to ${outDir}:\n` +
      manifest.tables
        .map((t) => `  ${t.name.padEnd(width)}  ${n(t.rows).padStart(12)} rows  ${n(t.bytes).padStart(14)} bytes\n`)
        .join('') +
      `  key files: ${manifest.keys.map((k) => k.name).join(', ') || 'none (none in the data dir: keep the key another way)'}\n` +
      `every file's SHA-256 is in ${resolve(outDir, 'manifest.json')}; the directory holds keys and answers: keep it private\n`,
  );
  return 0;
};

const restore: Command = async (args, ctx) => {
  const { values } = parseArgs({ args, options: { from: { type: 'string' }, force: { type: 'boolean' } } });
  if (!values.from) throw new UsageError('--from DIR is required (a directory made by centralctl backup)');
  if (ctx.inServer)
    throw new UsageError('a running central server cannot restore over its own database: stop it, then run restore');
  const fromDir = resolve(ctx.cwd, values.from);
  const summary = await restoreCentral(ctx.db, {
    fromDir,
    dataDir: dataDirOf(ctx),
    force: values.force ?? false,
    onProgress: progressPrinter(ctx, 'restore'),
  });
  const m = summary.manifest;
  const total = summary.tables.reduce((s, t) => s + t.rows, 0);
  const width = Math.max(...summary.tables.map((t) => t.name.length));
  ctx.out(
    `restored the backup of ${m.source} made ${m.createdAt} (schema version ${m.schemaVersion}), checksums verified, ` +
      `into ${ctx.db.description}: ${n(total)} rows in ${summary.tables.length} tables\n` +
      summary.tables.map((t) => `  ${t.name.padEnd(width)}  ${n(t.rows).padStart(12)} rows\n`).join('') +
      (summary.replaced.length > 0 ? `  replaced what was there (--force): ${summary.replaced.join(', ')}\n` : '') +
      `  key files in ${dataDirOf(ctx)}: ${summary.keys.map((k) => `${k.name} (${k.action})`).join(', ') || 'none in the backup'}\n` +
      (m.schemaVersion < LATEST_CENTRAL_SCHEMA
        ? `the central service of this release migrates it from schema ${m.schemaVersion} to ${LATEST_CENTRAL_SCHEMA} when it starts\n`
        : '') +
      `kiosks resend anything they sent after the backup was made on their next sync (centralctl devices shows them catch up)\n`,
  );
  return 0;
};

export const BACKUP_COMMANDS: readonly [string, Command][] = [
  ['backup', backup],
  ['restore', restore],
];

/** Commands that must see the database as it is, not migrated first. */
export const UNMIGRATED_COMMANDS: ReadonlySet<string> = new Set(['backup', 'restore']);
