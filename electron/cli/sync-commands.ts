import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Database } from 'better-sqlite3';
import { openDatabase } from '../core/db/open.ts';
import { DataDirError, preparePrivateDir } from '../core/db/private-files.ts';
import { ensureDeviceId } from '../core/device.ts';
import { databasePath } from '../core/kiosk-core.ts';
import { type PassResult, type SyncProgress, createSyncEngine } from '../core/sync/engine.ts';
import { hostFromDb } from '../core/sync/host.ts';
import { type ExportProgress, exportBatches, uploadFiles, type UploadFileResult } from '../core/sync/offline.ts';
import { readStatus } from '../core/sync/status.ts';
import { resetEnrolment } from '../core/sync/enrolment-reset.ts';
import type { Outcome } from './commands.ts';
import { ENROLL_USAGE, type PromptInput, enrolmentCodeFrom, runEnroll } from './enroll-command.ts';

/**
 * kioskctl's sync commands: enroll, sync, sync-status, export, upload. Progress goes to stderr (a
 * bar redrawn with \r on a terminal, plain lines otherwise); the summary is the Outcome, printed by
 * kioskctl.ts on stdout (or as JSON with --json).
 */

export const SYNC_COMMANDS = ['enroll', 'enrol', 'reset-enrolment', 'sync', 'sync-status', 'export', 'upload'] as const;
export const isSyncCommand = (c: string | undefined): c is (typeof SYNC_COMMANDS)[number] =>
  (SYNC_COMMANDS as readonly string[]).includes(c ?? '');

export const SYNC_USAGE = `  enroll --central URL [--code-file PATH | --code CODE] [--label TEXT]
                                 register this kiosk with a central service (one-time code;
                                 without either option, kioskctl asks for it on a terminal)
  reset-enrolment                forget the enrolment, to enrol elsewhere; refused while answers
                                 are neither acknowledged by central nor exported to USB
  sync [--retries N]             one sync pass now: heartbeat, config, every waiting response
  sync-status                    queue depth, last success, last error and what it means
  export --out DIR [--from SEQ]  write the unacknowledged responses (or all from SEQ) as signed
                                 .kbatch files for a USB stick, verified by reading back
  upload FILE... --central URL   send .kbatch files to central; per file: inserted, duplicates,
                                 conflicts, or why it was refused`;

export type SyncCommandValues = {
  'data-dir': string;
  json: boolean;
  central?: string;
  code?: string;
  'code-file'?: string;
  label?: string;
  out?: string;
  from?: string;
  retries?: string;
};

/** Where progress goes: a TTY gets a redrawn bar, anything else gets one line per step. */
export type ProgressSink = { isTTY?: boolean; columns?: number; write: (s: string) => unknown };

export const progressBar = (sink: ProgressSink, width = 28) => {
  let drawn = false;
  return {
    update: (done: number, total: number, label: string) => {
      const fraction = total > 0 ? Math.min(1, done / total) : 1;
      if (sink.isTTY) {
        const filled = Math.round(fraction * width);
        const line = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.floor(fraction * 100)).padStart(3)}% ${label}`;
        const max = (sink.columns ?? 100) - 1;
        sink.write(`\r${line.slice(0, max).padEnd(max)}`);
        drawn = true;
      } else {
        sink.write(`${String(Math.floor(fraction * 100)).padStart(3)}% ${label}\n`);
      }
    },
    end: () => {
      if (drawn) sink.write('\n');
      drawn = false;
    },
  };
};

const n = (x: number) => x.toLocaleString('en-US');
const fail = (message: string, exitCode = 1, extra: Record<string, unknown> = {}): Outcome => ({
  exitCode,
  out: { error: message, ...extra },
  text: `error: ${message}`,
});

/** Opens the kiosk database in `dataDir` (created when `create`), refusing a data directory others can write. */
export const openKioskDatabase = (
  dataDir: string,
  { create = false }: { create?: boolean } = {},
): { db: Database; dbPath: string } | Outcome => {
  const dbPath = databasePath(dataDir);
  if (!create && !existsSync(dbPath))
    return fail(`no kiosk database at ${dbPath} (start the kiosk once, or pass --data-dir)`);
  try {
    preparePrivateDir(dataDir);
  } catch (e) {
    if (e instanceof DataDirError) return fail(e.message);
    throw e;
  }
  return { db: openDatabase(dbPath), dbPath };
};
const openExisting = (dataDir: string) => openKioskDatabase(dataDir);

export const isOutcome = (x: unknown): x is Outcome => typeof x === 'object' && x !== null && 'exitCode' in x;

/** What every sync command gets: the resolved data directory, the parsed options and where progress goes. */
type SyncCommandContext = {
  dataDir: string;
  rest: string[];
  values: SyncCommandValues;
  stderr: ProgressSink;
  stdin: PromptInput;
};

export const runSyncCommand = async (
  command: (typeof SYNC_COMMANDS)[number],
  rest: string[],
  values: SyncCommandValues,
  stderr: ProgressSink = process.stderr,
  io: { stdin: PromptInput } = { stdin: process.stdin },
): Promise<Outcome> => {
  const ctx: SyncCommandContext = { dataDir: resolve(values['data-dir']), rest, values, stderr, stdin: io.stdin };
  switch (command) {
    case 'enroll':
    case 'enrol':
      return enrollCommand(ctx);
    case 'reset-enrolment':
      return resetEnrolmentCommand(ctx);
    case 'sync':
      return syncCommand(ctx);
    case 'sync-status':
      return syncStatusCommand(ctx);
    case 'export':
      return exportCommand(ctx);
    case 'upload':
      return uploadCommand(ctx);
  }
};

const enrollCommand = async ({ dataDir, values, stderr, stdin }: SyncCommandContext): Promise<Outcome> => {
  if (!values.central) return fail(ENROLL_USAGE, 2);
  const code = await enrolmentCodeFrom(values, stdin, stderr);
  if (isOutcome(code)) return code;
  const opened = openKioskDatabase(dataDir, { create: true });
  if (isOutcome(opened)) return opened;
  try {
    return await runEnroll(dataDir, opened.db, values, code);
  } finally {
    opened.db.close();
  }
};

const resetEnrolmentCommand = ({ dataDir }: SyncCommandContext): Outcome => {
  const opened = openExisting(dataDir);
  if (isOutcome(opened)) return opened;
  try {
    const r = resetEnrolment(opened.db, 'kioskctl');
    if (!r.ok) return fail(r.message, 1, { code: r.code, unsent: r.unsent });
    return {
      exitCode: 0,
      out: r,
      text: `enrolment reset: no longer enrolled with ${r.previous.unit.name} at ${r.previous.centralUrl}`,
    };
  } finally {
    opened.db.close();
  }
};

const syncCommand = async ({ dataDir, values, stderr }: SyncCommandContext): Promise<Outcome> => {
  const opened = openExisting(dataDir);
  if (isOutcome(opened)) return opened;
  const { db } = opened;
  const retries = values.retries === undefined ? 2 : Number(values.retries);
  if (!Number.isInteger(retries) || retries < 0 || retries > 20)
    return fail('--retries takes a whole number from 0 to 20', 2);
  const bar = progressBar(stderr);
  const quiet = () => {};
  const engine = createSyncEngine({ host: hostFromDb(db, dataDir), log: quiet });
  try {
    const r = await engine.runOnce({
      retries,
      onProgress: (p: SyncProgress) => {
        if (p.phase === 'heartbeat') bar.update(0, 1, 'heartbeat…');
        else if (p.phase === 'config') bar.update(0, 1, 'checking configuration…');
        else if (p.phase === 'acked' && p.batch)
          bar.update(
            p.done,
            p.total,
            `${n(p.done)}/${n(p.total)} responses (seq ${p.batch.seqFrom}..${p.batch.seqTo} acknowledged)`,
          );
        else if (p.phase === 'sending' && p.batch && stderr.isTTY)
          bar.update(
            p.done,
            p.total,
            `${n(p.done)}/${n(p.total)} responses (sending seq ${p.batch.seqFrom}..${p.batch.seqTo})`,
          );
      },
    });
    bar.end();
    return syncSummary(r, engine.status().ackedThrough);
  } finally {
    bar.end();
    await engine.stop();
    db.close();
  }
};

const syncStatusCommand = ({ dataDir }: SyncCommandContext): Outcome => {
  const opened = openExisting(dataDir);
  if (isOutcome(opened)) return opened;
  try {
    const s = readStatus(opened.db);
    return { exitCode: 0, out: s, text: syncStatusLines(s).join('\n') };
  } finally {
    opened.db.close();
  }
};

const syncStatusLines = (s: ReturnType<typeof readStatus>): string[] => [
  `enrolment   ${s.enrolled ? `${s.unit?.name} (${s.unit?.id}) at ${s.centralUrl}` : 'not enrolled (kioskctl enroll --central URL --code CODE)'}`,
  `queue       ${n(s.queueDepth)} waiting; acknowledged through seq ${n(s.ackedThrough)} of ${n(s.lastSeq)}`,
  `last sync   ${s.lastSuccessAt ?? 'never'}`,
  `heartbeat   ${s.lastHeartbeatAt ?? 'never'}${s.clockDriftMs !== null && Math.abs(s.clockDriftMs) > 120_000 ? ` (clock off by ${Math.round(s.clockDriftMs / 1000)} s)` : ''}`,
  `next try    ${s.nextAttemptAt ?? '-'}`,
  ...(s.lastError
    ? [
        `last error  ${s.lastError.code} at ${s.lastError.at}: ${s.lastError.message}`,
        `  meaning   ${s.lastError.meaning}`,
        `  action    ${s.lastError.action}`,
      ]
    : []),
  ...(s.conflicts > 0
    ? [`conflicts   ${s.conflicts} response(s) central holds with other content (kept aside on central)`]
    : []),
  ...(s.configRefused
    ? [
        `config      ${s.configRefused.version ?? '?'} refused at ${s.configRefused.at}: ${s.configRefused.problems.slice(0, 3).join('; ')}`,
      ]
    : []),
];

const exportCommand = async ({ dataDir, values, stderr }: SyncCommandContext): Promise<Outcome> => {
  if (!values.out) return fail('usage: kioskctl export --out DIR [--from SEQ]', 2);
  const fromSeq = values.from === undefined ? undefined : /^\d+$/.test(values.from) ? Number(values.from) : NaN;
  if (fromSeq !== undefined && !(fromSeq >= 1)) return fail('--from takes a sequence number (1 or more)', 2);
  const opened = openExisting(dataDir);
  if (isOutcome(opened)) return opened;
  const { db } = opened;
  const bar = progressBar(stderr);
  try {
    const started = Date.now();
    const r = await exportBatches({
      db,
      deviceId: ensureDeviceId(db),
      dataDir,
      outDir: values.out,
      fromSeq,
      onProgress: (p: ExportProgress) =>
        bar.update(p.done, p.total, `${n(p.done)}/${n(p.total)} responses, ${p.file.split(/[\\/]/).pop()} verified`),
    });
    bar.end();
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const summary = `${r.files.length} file(s), ${n(r.responses)} responses, ${n(r.bytes)} bytes, written to ${resolve(values.out)} and verified by reading back (${seconds} s)`;
    if (!r.ok)
      return { exitCode: 1, out: r, text: `${r.files.length > 0 ? `${summary}\n` : ''}error: ${r.error!.message}` };
    return {
      exitCode: 0,
      out: r,
      text: r.files.length === 0 ? 'nothing to export: every response is acknowledged by central' : summary,
    };
  } finally {
    bar.end();
    db.close();
  }
};

const uploadCommand = async ({ dataDir, rest, values, stderr }: SyncCommandContext): Promise<Outcome> => {
  if (!values.central || rest.length === 0) return fail('usage: kioskctl upload FILE... --central URL', 2);
  const opened = existsSync(databasePath(dataDir)) ? openExisting(dataDir) : undefined;
  if (isOutcome(opened)) return opened;
  const db = opened?.db;
  const bar = progressBar(stderr);
  try {
    const lines: string[] = [];
    const results = await uploadFiles({
      files: rest,
      centralUrl: values.central,
      db,
      deviceId: db ? ensureDeviceId(db) : undefined,
      // Per-file lines are the result (stdout); a terminal also sees a bar while it runs.
      onResult: (r: UploadFileResult) => {
        lines.push(uploadLine(r));
        if (stderr.isTTY) bar.update(lines.length, rest.length, `${lines.length}/${rest.length} file(s) sent`);
      },
    });
    bar.end();
    return uploadSummary(results, lines);
  } finally {
    bar.end();
    db?.close();
  }
};

const uploadSummary = (results: UploadFileResult[], lines: string[]): Outcome => {
  const rejected = results.filter((r) => !r.ok).length;
  const totals = results.reduce(
    (t, r) =>
      r.ok
        ? {
            inserted: t.inserted + r.ack.inserted,
            duplicates: t.duplicates + r.ack.duplicates,
            conflicts: t.conflicts + r.ack.conflicts.length,
          }
        : t,
    { inserted: 0, duplicates: 0, conflicts: 0 },
  );
  const summary = `${results.length - rejected} of ${results.length} file(s) accepted: ${n(totals.inserted)} inserted, ${n(totals.duplicates)} duplicates, ${totals.conflicts} conflicts${rejected > 0 ? `; ${rejected} rejected` : ''}`;
  return {
    exitCode: rejected > 0 ? 1 : 0,
    out: { files: results, ...totals, rejected },
    text: [...lines, summary].join('\n'),
  };
};

const uploadLine = (r: UploadFileResult): string => {
  const name = r.file.split(/[\\/]/).pop();
  if (r.ok) {
    const c = r.ack.conflicts;
    return `${name}: ${n(r.ack.inserted)} inserted, ${n(r.ack.duplicates)} duplicates, ${c.length} conflicts${c.length > 0 ? ` (${c.map((x) => `seq ${x.seq} ${x.reason}`).join(', ')})` : ''}`;
  }
  const message = r.message.replace(/^HTTP \d+: /, '');
  return `${name}: REJECTED ${r.status ?? ''} ${r.code}: ${message}${r.field ? ` [field ${r.field}]` : ''}`.replace(
    / {2,}/g,
    ' ',
  );
};

export const syncSummary = (r: PassResult, ackedThroughSeq: number): Outcome => {
  const seconds = (r.durationMs / 1000).toFixed(1);
  const lines = [
    `sent ${n(r.responses)} responses in ${r.batches} batch(es): ${n(r.inserted)} inserted, ${n(r.duplicates)} duplicates, ${r.conflicts} conflicts (${seconds} s)`,
    ...(r.skippedByCentral > 0 ? [`skipped ${n(r.skippedByCentral)} central already had (USB upload)`] : []),
    `queue   ${n(r.queueDepth)} waiting; acknowledged through seq ${n(ackedThroughSeq)}`,
    `config  ${r.configVersion} (${r.config}${r.configProblems.length > 0 ? `: ${r.configProblems.slice(0, 3).join('; ')}` : ''})`,
  ];
  if (r.failure) {
    lines.push(
      `error   ${r.failure.code}: ${r.failure.message}${r.failure.field ? ` [field ${r.failure.field}]` : ''}`,
      `meaning ${r.failure.meaning}`,
      `action  ${r.failure.action}`,
    );
  }
  return { exitCode: r.ok ? 0 : 1, out: r, text: lines.join('\n') };
};
