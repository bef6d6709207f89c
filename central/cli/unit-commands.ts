/** centralctl commands for the unit tree, unit-level indicator entries and report settings. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { errorMessage } from '../../shared/error-message.ts';
import { DEFAULT_REPORT_SETTINGS, ReportSettings } from '../../shared/reports/settings.ts';
import {
  UnitId,
  UnitKind,
  UnitName,
  type UnitChange,
  ensureUnit,
  getUnit,
  listUnitTree,
  updateUnit,
} from '../ops/units.ts';
import { loadReportSettings, saveReportSettings } from '../reports/settings-store.ts';
import { Quarter, pointsFrom, quarterLabel, readUnitIndicators, setUnitIndicator } from '../reports/unit-indicators.ts';
import { type CtlContext, UsageError } from './context.ts';

type Command = (args: string[], ctx: CtlContext) => Promise<number>;

const oneId = (positionals: string[], what: string): string => {
  if (positionals.length !== 1) throw new UsageError(`expected one ${what}, got ${positionals.length}`);
  const ok = UnitId.safeParse(positionals[0]);
  if (!ok.success) throw new UsageError(`${positionals[0]}: ${ok.error.issues[0]?.message ?? 'not a unit id'}`);
  return ok.data;
};

export const kindOption = (v: string | undefined): UnitKind | undefined => {
  if (v === undefined) return undefined;
  const ok = UnitKind.safeParse(v);
  if (!ok.success) throw new UsageError(`--kind must be one of ${UnitKind.options.join(', ')}`);
  return ok.data;
};

export const parentOption = (v: string | undefined): string | undefined => {
  if (v === undefined) return undefined;
  if (!UnitId.safeParse(v).success) throw new UsageError(`--parent: not a unit id: ${v}`);
  return v;
};

const units: Command = async (args, ctx) => {
  const { values } = parseArgs({ args, options: { json: { type: 'boolean' } } });
  const tree = await listUnitTree(ctx.db);
  if (values.json) {
    ctx.out(`${JSON.stringify(tree, null, 2)}\n`);
    return 0;
  }
  if (tree.length === 0) ctx.out('no units\n');
  for (const u of tree)
    ctx.out(`${'  '.repeat(u.depth)}${u.id}  ${u.name}  [${u.kind}]${u.publicReport ? '  public report' : ''}\n`);
  return 0;
};

const unitAdd: Command = async (args, ctx) => {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { name: { type: 'string' }, parent: { type: 'string' }, kind: { type: 'string' } },
  });
  const id = oneId(positionals, 'unit id');
  const name = UnitName.safeParse(values.name ?? '');
  if (!name.success) throw new UsageError(`--name: ${name.error.issues[0]?.message ?? 'invalid'}`);
  const parentId = parentOption(values.parent);
  const kind = kindOption(values.kind);
  const created = await ctx.db.transaction((tx) =>
    ensureUnit(tx, { id, name: name.data, parentId: parentId ?? null, ...(kind ? { kind } : {}) }, ctx.now()),
  );
  if (!created) {
    ctx.err(`centralctl unit-add: unit "${id}" already exists (change it with centralctl unit-set)\n`);
    return 1;
  }
  ctx.out(`created unit "${id}"${parentId ? ` under "${parentId}"` : ''}\n`);
  return 0;
};

const OnOff = (v: string | undefined, option: string): boolean | undefined => {
  if (v === undefined) return undefined;
  if (v === 'on' || v === 'off') return v === 'on';
  throw new UsageError(`${option} must be on or off`);
};

const unitSet: Command = async (args, ctx) => {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      parent: { type: 'string' },
      'no-parent': { type: 'boolean' },
      name: { type: 'string' },
      kind: { type: 'string' },
      public: { type: 'string' },
    },
  });
  const id = oneId(positionals, 'unit id');
  if (values.parent !== undefined && values['no-parent'])
    throw new UsageError('give --parent P or --no-parent, not both');
  const change: UnitChange = {
    ...(values['no-parent'] ? { parentId: null } : {}),
    ...(values.parent !== undefined ? { parentId: parentOption(values.parent) } : {}),
    ...(values.name !== undefined ? { name: values.name } : {}),
    ...(values.kind !== undefined ? { kind: kindOption(values.kind) } : {}),
    ...(values.public !== undefined ? { publicReport: OnOff(values.public, '--public') } : {}),
  };
  if (Object.keys(change).length === 0)
    throw new UsageError('nothing to change: give --parent, --no-parent, --name, --kind or --public');
  const u = await ctx.db.transaction((tx) => updateUnit(tx, id, change));
  ctx.out(
    `unit "${u.id}": ${u.name} [${u.kind}] parent ${u.parentId ?? '(none)'}, public report ${u.publicReport ? 'on' : 'off'}\n`,
  );
  return 0;
};

const quarterOption = (v: string | undefined): Quarter => {
  const q = Quarter.safeParse(v ?? '');
  if (!q.success) throw new UsageError(`--quarter: ${q.error.issues[0]?.message ?? 'invalid'}`);
  return q.data;
};

const unitIndicators: Command = async (args, ctx) => {
  const { values } = parseArgs({
    args,
    options: { unit: { type: 'string' }, quarter: { type: 'string' }, json: { type: 'boolean' } },
  });
  const unitId = parentOption(values.unit);
  if (!unitId) throw new UsageError('--unit is required');
  const quarter = quarterOption(values.quarter);
  if (!(await getUnit(ctx.db, unitId))) {
    ctx.err(`centralctl unit-indicators: unknown unit "${unitId}"\n`);
    return 1;
  }
  const entries = await readUnitIndicators(ctx.db, unitId, quarter);
  if (values.json) {
    ctx.out(`${JSON.stringify({ unit: unitId, quarter: quarterLabel(quarter), entries }, null, 2)}\n`);
    return 0;
  }
  for (const e of entries) {
    const part = (p: { points: number; by: string; at: Date } | null) =>
      p ? `${p.points} (${p.by}, ${p.at.toISOString()})` : '-';
    ctx.out(
      `indicator ${e.indicator}: self ${part(e.self)}  verified ${part(e.verified)}${e.note ? `  note: ${e.note}` : ''}\n`,
    );
  }
  return 0;
};

const unitIndicatorSet: Command = async (args, ctx) => {
  const { values } = parseArgs({
    args,
    options: {
      unit: { type: 'string' },
      quarter: { type: 'string' },
      indicator: { type: 'string' },
      self: { type: 'string' },
      verified: { type: 'string' },
      note: { type: 'string' },
    },
  });
  const unitId = parentOption(values.unit);
  if (!unitId) throw new UsageError('--unit is required');
  const quarter = quarterOption(values.quarter);
  const indicator = /^\d{1,2}$/.test(values.indicator ?? '') ? Number(values.indicator) : NaN;
  if (!Number.isInteger(indicator)) throw new UsageError('--indicator must be an indicator number, e.g. 8');
  if ((values.self === undefined) === (values.verified === undefined))
    throw new UsageError('give exactly one of --self N or --verified N');
  const which = values.self !== undefined ? 'self' : 'verified';
  const points = pointsFrom(values.self ?? values.verified ?? '');
  if (points === undefined) throw new UsageError(`--${which} must be 0, 1 or 2`);
  const entry = await setUnitIndicator(ctx.db, {
    unitId,
    quarter,
    indicator,
    which,
    points,
    ...(values.note !== undefined ? { note: values.note } : {}),
    by: 'centralctl',
    now: ctx.now(),
  });
  ctx.out(
    `unit "${unitId}" ${quarterLabel(quarter)} indicator ${entry.indicator}: self ${entry.self?.points ?? '-'}, verified ${entry.verified?.points ?? '-'}\n`,
  );
  return 0;
};

const reportSettings: Command = async (args, ctx) => {
  const { values } = parseArgs({ args, options: { json: { type: 'boolean' } } });
  const settings = await loadReportSettings(ctx.db);
  if (values.json) {
    ctx.out(`${JSON.stringify(settings, null, 2)}\n`);
    return 0;
  }
  for (const [key, value] of Object.entries(settings)) {
    const isDefault = JSON.stringify(value) === JSON.stringify(DEFAULT_REPORT_SETTINGS[key as keyof ReportSettings]);
    ctx.out(`${key} = ${JSON.stringify(value)}${isDefault ? '  (default)' : ''}\n`);
  }
  return 0;
};

const reportSettingsSet: Command = async (args, ctx) => {
  const { positionals } = parseArgs({ args, allowPositionals: true });
  if (positionals.length !== 1) throw new UsageError('expected one FILE (JSON)');
  const file = resolve(ctx.cwd, positionals[0]!);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    ctx.err(`centralctl report-settings-set: ${file}: ${errorMessage(e)}\n`);
    return 1;
  }
  const parsed = ReportSettings.safeParse(json);
  if (!parsed.success) {
    ctx.err(
      `centralctl report-settings-set: ${file} is not valid report settings:\n${parsed.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}\n`).join('')}`,
    );
    return 1;
  }
  await saveReportSettings(ctx.db, parsed.data, 'centralctl', ctx.now());
  ctx.out(`report settings saved\n`);
  return 0;
};

export const UNIT_COMMANDS: readonly (readonly [string, Command])[] = [
  ['units', units],
  ['unit-add', unitAdd],
  ['unit-set', unitSet],
  ['unit-indicators', unitIndicators],
  ['unit-indicator-set', unitIndicatorSet],
  ['report-settings', reportSettings],
  ['report-settings-set', reportSettingsSet],
];
