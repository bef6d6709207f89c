import type { ReportQuery } from '../../shared/reports/query.ts';
import type { ReportResult } from '../../shared/reports/result.ts';
import type { Queryable } from '../db/types.ts';

/** Who asks: a console account (its role and unit) or IT at centralctl (null: every unit, officers included). */
export type ReportViewer = { username: string; role: 'province_admin' | 'unit_viewer'; unitId: string | null };

/** A report request that cannot run, with a message for the person who asked (console and centralctl show it as is). */
export class ReportRequestError extends Error {
  constructor(
    readonly code: 'unknown_unit' | 'not_allowed' | 'bad_range' | 'bad_query',
    message: string,
  ) {
    super(message);
    this.name = 'ReportRequestError';
  }
}

export type RunReportOptions = { viewer: ReportViewer | null; now: Date };

/** Computes one report (being built: the engine replaces this body). */
export const runReport = async (
  db: Queryable,
  query: ReportQuery,
  options: RunReportOptions,
): Promise<ReportResult> => {
  void db;
  void options;
  throw new ReportRequestError('bad_query', `the ${query.report} report is not built yet`);
};
