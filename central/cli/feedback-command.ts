import { parseArgs } from 'node:util';
import { z } from 'zod';
import { periodRange } from '../../shared/reports/query.ts';
import { feedbackFigures } from '../reports/engine/feedback.ts';
import { unitsUnder } from '../ops/unit-tree.ts';
import { type CtlContext, UsageError } from './context.ts';

const Day = z.iso.date();

/** --from/--to (both inclusive) or --period 2026|2026-Q3|2026-10, as `centralctl report` takes them. */
const rangeOf = (values: { from?: string; to?: string; period?: string }): { from: string; to: string } => {
  if (values.period !== undefined) {
    if (values.from !== undefined || values.to !== undefined)
      throw new UsageError('give --period or --from/--to, not both');
    const range = periodRange(values.period);
    if (!range) throw new UsageError(`--period must look like 2026, 2026-Q3 or 2026-10 (got "${values.period}")`);
    return range;
  }
  if (values.from === undefined || values.to === undefined)
    throw new UsageError('give --from YYYY-MM-DD and --to YYYY-MM-DD, or --period');
  for (const [option, value] of [
    ['--from', values.from],
    ['--to', values.to],
  ] as const) {
    if (!Day.safeParse(value).success)
      throw new UsageError(`${option} must be a calendar date YYYY-MM-DD (got "${value}")`);
  }
  if (values.from! > values.to!) throw new UsageError('--from is after --to');
  return { from: values.from!, to: values.to! };
};

/**
 * `centralctl feedback-report`: the feedback figures (follow-ups asked, closed, on time, late,
 * pending, share on time) as JSON, for a unit and the units under it (default every unit), by unit
 * and/or month (central/reports/engine/feedback.ts says what is counted). No contact is ever read.
 */
export const feedbackCommand = async (args: string[], ctx: CtlContext): Promise<number> => {
  const { values } = parseArgs({
    args,
    options: {
      from: { type: 'string' },
      to: { type: 'string' },
      period: { type: 'string' },
      unit: { type: 'string' },
      by: { type: 'string', multiple: true },
    },
    allowPositionals: false,
  });
  const range = rangeOf(values);
  const by = (values.by ?? ['unit']).flatMap((b) => b.split(','));
  if (by.some((b) => b !== 'unit' && b !== 'month')) throw new UsageError('--by is unit, month or both');
  const units =
    values.unit === undefined
      ? (await ctx.db.query('SELECT id FROM units ORDER BY id')).rows.map((r) => String(r['id']))
      : await unitsUnder(ctx.db, values.unit, true);
  if (units.length === 0) {
    ctx.err(`centralctl feedback-report: there is no unit "${values.unit}"\n`);
    return 1;
  }
  const rows = await feedbackFigures(ctx.db, {
    units,
    ...range,
    by: by.filter((b): b is 'unit' | 'month' => b === 'unit' || b === 'month'),
    now: ctx.now(),
  });
  ctx.out(`${JSON.stringify({ report: 'feedback', ...range, unit: values.unit ?? null, rows }, null, 2)}\n`);
  return 0;
};
