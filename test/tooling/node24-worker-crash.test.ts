import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCrashVerdict } from '../../scripts/node24/worker-crash.ts';

const dir = mkdtempSync(join(tmpdir(), 'node24-verdict-'));
const write = (name: string, report: unknown): string => {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(report));
  return path;
};
const file = (name: string, status: string, tests: string[]) => ({
  name,
  status,
  assertionResults: tests.map((t) => ({ status: t })),
});

describe('the Node 24 runner tells a dead worker from a failing test', () => {
  it('names the files left with pending tests when nothing failed (the shape vitest writes after a worker dies)', () => {
    const path = write('died.json', {
      numFailedTests: 0,
      numFailedTestSuites: 0,
      testResults: [
        file('/a.test.ts', 'passed', ['passed', 'skipped']),
        file('/b.test.ts', 'passed', ['passed', 'pending']),
      ],
    });
    expect(readCrashVerdict(path)).toEqual({ kind: 'worker-died', files: ['/b.test.ts'] });
  });

  it('never re-runs when a test failed, even if a worker died too', () => {
    const path = write('failed.json', {
      numFailedTests: 1,
      numFailedTestSuites: 0,
      testResults: [file('/a.test.ts', 'failed', ['failed']), file('/b.test.ts', 'passed', ['pending'])],
    });
    expect(readCrashVerdict(path)).toEqual({ kind: 'tests-failed' });
  });

  it('a missing or foreign report, or one with nothing unfinished, is not a reason to re-run', () => {
    expect(readCrashVerdict(join(dir, 'absent.json')).kind).toBe('unreadable');
    expect(readCrashVerdict(write('foreign.json', { hello: 1 })).kind).toBe('unreadable');
    const clean = write('clean.json', {
      numFailedTests: 0,
      numFailedTestSuites: 0,
      testResults: [file('/a.test.ts', 'passed', ['passed'])],
    });
    expect(readCrashVerdict(clean)).toEqual({ kind: 'unreadable', reason: 'no unfinished file found' });
  });
});
