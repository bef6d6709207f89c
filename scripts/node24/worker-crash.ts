/**
 * A vitest worker that dies (a native crash, a signal) is not a failing test: vitest reports
 * "Worker exited unexpectedly" and the file's tests are neither passed nor failed. CI saw this once
 * under Node 24 with every test that ran passing, and it did not happen again on the same commit.
 * The runner re-runs only such files, once, and says so; a failed test is never re-run, and a second
 * death fails the run.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const JsonReport = z.object({
  numFailedTests: z.number(),
  numFailedTestSuites: z.number(),
  testResults: z.array(
    z.object({
      name: z.string(),
      status: z.string(),
      assertionResults: z.array(z.object({ status: z.string() })),
    }),
  ),
});

export type CrashVerdict =
  { kind: 'tests-failed' } | { kind: 'unreadable'; reason: string } | { kind: 'worker-died'; files: string[] };

/**
 * What a non-zero vitest exit means, from its JSON report: a test failed, or workers died in these
 * files (a file with tests left pending, or one that never reported, counted among the expected).
 */
export const readCrashVerdict = (reportPath: string): CrashVerdict => {
  let report: z.infer<typeof JsonReport>;
  try {
    report = JsonReport.parse(JSON.parse(readFileSync(reportPath, 'utf8')));
  } catch (e) {
    return { kind: 'unreadable', reason: e instanceof Error ? e.message : String(e) };
  }
  if (report.numFailedTests > 0 || report.numFailedTestSuites > 0) return { kind: 'tests-failed' };
  const files = report.testResults
    .filter((f) => f.status !== 'passed' || f.assertionResults.some((a) => a.status === 'pending'))
    .map((f) => f.name);
  return files.length > 0 ? { kind: 'worker-died', files } : { kind: 'unreadable', reason: 'no unfinished file found' };
};
