import { existsSync, readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { loadConfigDir } from '../../shared/node/config-loader.ts';
import { PublicSettings } from '../../shared/settings.ts';
import { DeviceId } from '../../shared/sync.ts';
import { ConfigRefusedError, publishConfig } from '../ops/configs.ts';
import { listDevices, revokeDevice, unrevokeDevice } from '../ops/devices.ts';
import { DEFAULT_CODE_HOURS, createEnrolmentCode } from '../ops/enrolment-codes.ts';
import { exportResponses } from '../ops/export.ts';
import { listRefused } from '../ops/refused.ts';
import { DEFAULT_UNIT, UnitId, ensureUnit } from '../ops/units.ts';
import { rebuildReports } from '../reports/rebuild.ts';
import { createAdmin, resetAdminPassword } from './admin-commands.ts';
import { BACKUP_COMMANDS } from './backup-commands.ts';
import { BRIDGE_COMMANDS } from './bridge-commands.ts';
import { reportCommand } from './report-command.ts';
import { feedbackCommand } from './feedback-command.ts';
import { clipsCommand } from '../clips/commands.ts';
import { type CtlContext, USAGE, UsageError } from './context.ts';
import { UNIT_COMMANDS, kindOption, parentOption } from './unit-commands.ts';
import { errorMessage } from '../../shared/error-message.ts';

type Command = (args: string[], ctx: CtlContext) => Promise<number>;

/** Exactly n positional arguments, or a usage error. (parseArgs' own errors are usage errors too.) */
const exactly = <T extends { positionals: string[] }>(parsed: T, n: number): T => {
  if (parsed.positionals.length !== n)
    throw new UsageError(`expected ${n} argument(s), got ${parsed.positionals.length}`);
  return parsed;
};

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

const unitOf = async (ctx: CtlContext, values: Record<string, unknown>): Promise<string> => {
  const id = str(values['unit']) ?? DEFAULT_UNIT.id;
  const ok = UnitId.safeParse(id);
  if (!ok.success) throw new UsageError(`--unit: ${ok.error.issues[0]?.message ?? 'invalid'}`);
  const name = str(values['unit-name']) ?? (id === DEFAULT_UNIT.id ? DEFAULT_UNIT.name : id);
  // Only for a unit this command creates: an existing unit is moved with unit-set, never here.
  const parentId = parentOption(str(values['parent'])) ?? null;
  const kind = kindOption(str(values['kind']));
  const created = await ctx.db.transaction((tx) =>
    ensureUnit(tx, { id, name, parentId, ...(kind ? { kind } : {}) }, ctx.now()),
  );
  if (created) ctx.err(`created unit "${id}" (${name})${parentId ? ` under "${parentId}"` : ''}\n`);
  else if (parentId || kind)
    ctx.err(`unit "${id}" exists: --parent and --kind apply only to a unit created here (see centralctl unit-set)\n`);
  return id;
};

const enrolCode: Command = async (args, ctx) => {
  const { values } = parseArgs({
    args,
    options: {
      unit: { type: 'string' },
      'unit-name': { type: 'string' },
      parent: { type: 'string' },
      kind: { type: 'string' },
      hours: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  const hours = values.hours === undefined ? DEFAULT_CODE_HOURS : Number(values.hours);
  if (!Number.isFinite(hours) || hours <= 0 || hours > 8760)
    throw new UsageError('--hours must be a number of hours between 0 and 8760');
  const unitId = await unitOf(ctx, values);
  const issued = await createEnrolmentCode(ctx.db, { unitId, hours, now: ctx.now() });
  if (values.json)
    ctx.out(`${JSON.stringify({ code: issued.code, unit: unitId, expiresAt: issued.expiresAt.toISOString() })}\n`);
  else {
    ctx.out(`${issued.code}\n`);
    ctx.err(`one-time code for unit "${unitId}", valid until ${issued.expiresAt.toISOString()}\n`);
  }
  return 0;
};

const devices: Command = async (args, ctx) => {
  const { values } = parseArgs({ args, options: { json: { type: 'boolean' } } });
  const list = await listDevices(ctx.db);
  if (values.json) {
    ctx.out(`${JSON.stringify(list, null, 2)}\n`);
    return 0;
  }
  if (list.length === 0) ctx.out('no devices enrolled\n');
  for (const d of list) {
    const gaps = d.highestSeq > d.highestContiguousSeq ? ` (gaps: holds up to ${d.highestSeq})` : '';
    ctx.out(
      `${d.id}  unit=${d.unit}${d.label ? ` "${d.label}"` : ''}${d.revoked ? '  REVOKED' : ''}\n` +
        `  responses=${d.responses}  gap-free to seq ${d.highestContiguousSeq}${gaps}  duplicates=${d.duplicates}  conflicts=${d.conflicts}  refused=${d.refused}\n` +
        `  last heartbeat ${d.lastHeartbeatAt ?? 'never'}${d.clockDriftMs !== null ? `  clock drift ${Math.round(d.clockDriftMs / 1000)} s` : ''}\n`,
    );
  }
  return 0;
};

const revoke: Command = async (args, ctx) => {
  const id = exactly(parseArgs({ args, allowPositionals: true }), 1).positionals[0]!;
  if (!DeviceId.safeParse(id).success) throw new UsageError(`not a device id: ${id}`);
  const outcome = await revokeDevice(ctx.db, id, ctx.now());
  if (outcome === 'unknown_device') {
    ctx.err(`centralctl: no device ${id}\n`);
    return 1;
  }
  ctx.out(outcome === 'revoked' ? `revoked ${id}\n` : `${id} was already revoked\n`);
  return 0;
};

const unrevoke: Command = async (args, ctx) => {
  const id = exactly(parseArgs({ args, allowPositionals: true }), 1).positionals[0]!;
  const outcome = await unrevokeDevice(ctx.db, id);
  if (outcome === 'unknown_device') {
    ctx.err(`centralctl: no device ${id}\n`);
    return 1;
  }
  ctx.out(outcome === 'unrevoked' ? `unrevoked ${id}\n` : `${id} was not revoked\n`);
  return 0;
};

const refused: Command = async (args, ctx) => {
  const { values } = parseArgs({ args, options: { device: { type: 'string' }, json: { type: 'boolean' } } });
  if (values.device !== undefined && !DeviceId.safeParse(values.device).success)
    throw new UsageError(`not a device id: ${values.device}`);
  const list = await listRefused(ctx.db, { deviceId: values.device });
  if (values.json) {
    ctx.out(`${JSON.stringify(list, null, 2)}\n`);
    return 0;
  }
  if (list.length === 0) ctx.out('no responses set aside\n');
  for (const r of list)
    ctx.out(
      `${r.deviceId} seq ${r.seq}  ${r.reason}  ${r.questionnaire}  received ${r.receivedAt}\n` +
        `  response ${r.responseId}: ${r.detail}\n`,
    );
  return 0;
};

const Format = z.enum(['ndjson', 'csv']);

const exportCmd: Command = async (args, ctx) => {
  const { values } = parseArgs({ args, options: { format: { type: 'string' }, out: { type: 'string' } } });
  const format = Format.safeParse(values.format);
  if (!format.success) throw new UsageError('--format must be ndjson or csv');
  const outPath = str(values.out);
  if (!outPath) {
    const n = await exportResponses(ctx.db, format.data, (chunk) => ctx.out(chunk));
    ctx.err(`exported ${n} responses\n`);
    return 0;
  }
  const file = resolve(ctx.cwd, outPath);
  const handle = await open(file, 'w', 0o600);
  try {
    const n = await exportResponses(ctx.db, format.data, async (chunk) => {
      await handle.write(chunk);
    });
    await handle.sync();
    ctx.err(`exported ${n} responses to ${file}\n`);
  } finally {
    await handle.close();
  }
  return 0;
};

const publish: Command = async (args, ctx) => {
  const { values, positionals } = exactly(
    parseArgs({ args, allowPositionals: true, options: { unit: { type: 'string' }, 'unit-name': { type: 'string' } } }),
    1,
  );
  const dir = resolve(ctx.cwd, positionals[0]!);
  const loaded = loadConfigDir(dir);
  if (!loaded.ok) {
    ctx.err(
      `centralctl: ${dir} is not a valid configuration:\n${loaded.problems.map((p) => `  ${p.file} ${p.path}: ${p.message}\n`).join('')}`,
    );
    return 1;
  }
  let settings;
  const settingsFile = join(dir, 'settings.json');
  if (existsSync(settingsFile)) {
    const parsed = PublicSettings.partial()
      .strict()
      .safeParse(JSON.parse(readFileSync(settingsFile, 'utf8')));
    if (!parsed.success) {
      ctx.err(
        `centralctl: settings.json: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}\n`,
      );
      return 1;
    }
    settings = parsed.data;
  }
  const unitId = await unitOf(ctx, values);
  try {
    const outcome = await publishConfig(ctx.db, {
      unitId,
      config: loaded.config,
      settings,
      centralKey: ctx.centralKey(),
      now: ctx.now(),
    });
    ctx.out(
      outcome.status === 'published'
        ? `published ${outcome.version} to unit "${unitId}"\n`
        : `unit "${unitId}" already has ${outcome.version}; nothing to do\n`,
    );
    return 0;
  } catch (e) {
    if (e instanceof ConfigRefusedError) {
      ctx.err(`centralctl: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
};

const rebuildReportsCmd: Command = async (args, ctx) => {
  exactly(parseArgs({ args, allowPositionals: true }), 0);
  let shown = -1;
  const summary = await ctx.db.transaction((tx) =>
    rebuildReports(tx, {
      onProgress: ({ done, total }) => {
        // About every tenth, and the end: enough to see it move on ten million responses.
        const tenth = total === 0 ? 10 : Math.floor((done * 10) / total);
        if (tenth === shown) return;
        shown = tenth;
        ctx.err(`rebuild-reports: ${done.toLocaleString('en')} of ${total.toLocaleString('en')} responses\n`);
      },
    }),
  );
  ctx.out(
    `rebuilt the report tables from ${summary.responses} responses: ${summary.facts} facts, ` +
      `${summary.dailyRows} daily and ${summary.monthlyRows} monthly count rows\n`,
  );
  if (summary.unknownQuestionnaire > 0)
    ctx.err(
      `rebuild-reports: ${summary.unknownQuestionnaire} responses name a questionnaire version found nowhere; counted as responses (kind "custom"), their answers not\n`,
    );
  if (summary.unreadable > 0)
    ctx.err(`rebuild-reports: ${summary.unreadable} stored bodies are not a response and were left out\n`);
  return 0;
};

/** Name → command. A Map, not an object literal: "constructor" or "__proto__" must not find Object.prototype's. */
export const COMMANDS: ReadonlyMap<string, Command> = new Map<string, Command>([
  ['enrol-code', enrolCode],
  ['devices', devices],
  ['revoke', revoke],
  ['unrevoke', unrevoke],
  ['refused', refused],
  ['export-responses', exportCmd],
  ['publish-config', publish],
  ['create-admin', createAdmin],
  ['reset-admin-password', resetAdminPassword],
  ...UNIT_COMMANDS,
  ['report', reportCommand],
  ['rebuild-reports', rebuildReportsCmd],
  ...BACKUP_COMMANDS,
  ['feedback-report', feedbackCommand],
  ['clips', clipsCommand],
  ...BRIDGE_COMMANDS,
]);

/** Runs one centralctl command; returns the exit code (0 ok, 1 failed, 2 usage). */
export const runCommand = async (argv: string[], ctx: CtlContext): Promise<number> => {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    ctx.out(USAGE);
    return name ? 0 : 2;
  }
  const command = COMMANDS.get(name);
  if (!command) {
    ctx.err(`centralctl: unknown command "${name}"\n\n${USAGE}`);
    return 2;
  }
  try {
    return await command(rest, ctx);
  } catch (e) {
    if (e instanceof UsageError || String((e as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS')) {
      ctx.err(`centralctl ${name}: ${errorMessage(e)}\n`);
      return 2;
    }
    ctx.err(`centralctl ${name}: ${errorMessage(e)}\n`);
    return 1;
  }
};
