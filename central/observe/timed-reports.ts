import type { runReport } from '../reports/run-report.ts';
import type { CentralMetrics } from './metrics.ts';

/** Wraps the console's report function so each report's time lands in the latency histogram. */
export const timedReports =
  (run: typeof runReport, metrics: CentralMetrics): typeof runReport =>
  async (db, query, options) => {
    const started = process.hrtime.bigint();
    try {
      return await run(db, query, options);
    } finally {
      metrics.reportRan(query.report, Number(process.hrtime.bigint() - started) / 1e9);
    }
  };
