import { open } from 'node:fs/promises';
import { resolve } from 'node:path';
import { checkReportRange } from '../../shared/reports/query.ts';
import { exportReport } from '../reports/export/index.ts';
import { ReportRequestError, runReport } from '../reports/run-report.ts';
import { loadReportSettings } from '../reports/settings-store.ts';
import { type CtlContext, UsageError } from './context.ts';
import { parseReportArgs } from './report-args.ts';

const writeFile = async (file: string, bytes: Buffer): Promise<void> => {
  // Reports name people and units: the file is the service user's alone, like export-responses'.
  const handle = await open(file, 'w', 0o600);
  try {
    await handle.write(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
};

/**
 * `centralctl report per-case|per-case-list|sipas|quick|comments|invitations ...`: the same report the console
 * shows, for IT and scripts, as JSON (default, to stdout), CSV or XLSX (--out). Everything wrong with
 * the line is refused before the report runs; IT at centralctl sees every unit (viewer null).
 */
export const reportCommand = async (args: string[], ctx: CtlContext): Promise<number> => {
  const { query, format, out } = parseReportArgs(args);
  const settings = await loadReportSettings(ctx.db);
  const rangeProblem = checkReportRange(query, settings.maxRangeDays);
  if (rangeProblem) throw new UsageError(rangeProblem);
  let result;
  try {
    result = await (ctx.runReport ?? runReport)(ctx.db, query, { viewer: null, now: ctx.now() });
  } catch (e) {
    if (!(e instanceof ReportRequestError)) throw e;
    ctx.err(`centralctl report: ${e.message}\n`);
    return 1;
  }
  const bytes = await exportReport(result, format, settings.decimals);
  if (out === undefined) {
    // The CSV's BOM stays in the text (Buffer#toString keeps it): `> file.csv` still opens in Excel.
    ctx.out(bytes.toString('utf8'));
    return 0;
  }
  const file = resolve(ctx.cwd, out);
  await writeFile(file, bytes);
  ctx.err(`wrote the ${query.report} report (${format}, ${bytes.length} bytes) to ${file}\n`);
  return 0;
};
