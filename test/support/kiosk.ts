// Helpers for the integration and fault suites: a controllable clock, valid answers built from a
// questionnaire's own questions, typed dispatch, and a snapshot of everything in the database.
import { execFile, spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import type { Database } from 'better-sqlite3';
import type { KioskCore } from '../../electron/core/kiosk-core.ts';
import type { KioskMethod, MethodOutput, Result } from '../../shared/api.ts';
import { dispatch } from '../../shared/api.ts';
import type { AnswerValue, Answers } from '../../shared/answers.ts';
import { conditionHolds } from '../../shared/answers.ts';
import type { Question, Questionnaire } from '../../shared/questionnaire.ts';
import { prng } from './prng.ts';

export const REPO_ROOT = resolve(import.meta.dirname, '../..');
export const KIOSKCTL_BIN = resolve(REPO_ROOT, 'bin/kioskctl.js');

/** A wall clock and a monotonic clock the test moves by hand; both advance together unless told otherwise. */
export type FakeClock = {
  now: () => number;
  mono: () => number;
  /** Real time passing: wall and monotonic clocks move together. */
  advance: (ms: number) => void;
  /** Someone sets the system clock: only the wall clock moves. */
  jumpWall: (ms: number) => void;
};

export const fakeClock = (startWall = Date.parse('2026-03-02T01:00:00.000Z')): FakeClock => {
  let wall = startWall;
  let mono = 1_000;
  return {
    now: () => wall,
    mono: () => mono,
    advance: (ms) => {
      wall += ms;
      mono += ms;
    },
    jumpWall: (ms) => {
      wall += ms;
    },
  };
};

export { prng };

const pick = <T>(rng: () => number, items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;
const intIn = (rng: () => number, min: number, max: number): number => min + Math.floor(rng() * (max - min + 1));

const valueFor = (q: Question, rng: () => number): AnswerValue => {
  switch (q.type) {
    case 'satisfaction5':
      return intIn(rng, 1, 5);
    case 'satisfaction3':
      return intIn(rng, 1, 3);
    case 'indicator':
      return pick(rng, q.options).points;
    case 'yesno':
      return rng() < 0.5;
    case 'single':
      return pick(rng, q.options).value;
    case 'multi': {
      const max = Math.min(q.maxSelected ?? q.options.length, q.options.length);
      const shuffled = [...q.options].sort(() => rng() - 0.5);
      return shuffled.slice(0, intIn(rng, 1, max)).map((o) => o.value);
    }
    case 'text':
      return pick(rng, [
        'Cán bộ nhiệt tình, hướng dẫn rõ ràng.',
        'Chờ hơi lâu',
        "O'Brien; DROP TABLE responses;--",
        'Tốt 👍',
      ]).slice(0, q.maxLength);
  }
};

export type AnswerOptions = {
  rng?: () => number;
  /** Fixed values by question id (used when the question is shown). */
  fixed?: Record<string, AnswerValue>;
  /** Answer optional questions too (default: half of the time). */
  optional?: 'always' | 'never' | 'sometimes';
  /** Stop after this many answered questions (for abandoned responses). */
  limit?: number;
};

/**
 * A complete, valid set of answers, built from the questionnaire's own questions in order: a
 * question is answered only if it is shown given the answers before it (conditions only look back).
 */
export const buildAnswers = (q: Questionnaire, options: AnswerOptions = {}): Answers => {
  const rng = options.rng ?? prng(1);
  const answers: Answers = {};
  let count = 0;
  for (const question of q.questions) {
    if (options.limit !== undefined && count >= options.limit) break;
    if (question.showIf && !conditionHolds(question.showIf, answers)) continue;
    const fixed = options.fixed?.[question.id];
    if (!question.required && fixed === undefined) {
      const mode = options.optional ?? 'sometimes';
      if (mode === 'never' || (mode === 'sometimes' && rng() < 0.5)) continue;
    }
    answers[question.id] = fixed ?? valueFor(question, rng);
    count++;
  }
  return answers;
};

/** dispatch, typed by method (the untrusted entry point every transport uses). */
export const call = async <M extends KioskMethod>(
  core: KioskCore,
  method: M,
  input: unknown,
): Promise<Result<MethodOutput<M>>> => (await dispatch(core, method, input)) as Result<MethodOutput<M>>;

/** The value of an ok result; otherwise fails with the whole error, so a failing test says why. */
export const okValue = <T>(r: Result<T>): T => {
  if (!r.ok) throw new Error(`expected ok, got ${JSON.stringify(r.error)}`);
  return r.value;
};

export const errorOf = <T>(r: Result<T>) => {
  if (r.ok) throw new Error(`expected an error, got ok ${JSON.stringify(r.value).slice(0, 300)}`);
  return r.error;
};

/** Every table's rows (in rowid/primary-key order), so "nothing was written" compares content, not just counts. */
export const snapshotDb = (db: Database): Record<string, { count: number; rows: unknown[] }> => {
  const tables = (
    db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
      .all() as { name: string }[]
  ).map((t) => t.name);
  return Object.fromEntries(
    tables.map((name) => {
      const rows = db.prepare(`SELECT * FROM "${name}" ORDER BY 1`).all();
      return [name, { count: rows.length, rows }];
    }),
  );
};

export const rowCount = (db: Database, table: string): number =>
  (db.prepare(`SELECT COUNT(*) AS n FROM "${table}"`).get() as { n: number }).n;

export type CtlResult = { code: number | null; stdout: string; stderr: string };

/** kioskctl as IT runs it: the real bin, in its own process. */
export const kioskctl = (dataDir: string, ...args: string[]): CtlResult => {
  const r = spawnSync(process.execPath, [KIOSKCTL_BIN, ...args, '--data-dir', dataDir], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

/** kioskctl without blocking the test process, so independent invocations can run side by side. */
export const kioskctlAsync = (dataDir: string, ...args: string[]): Promise<CtlResult> =>
  new Promise((resolveRun, reject) => {
    execFile(
      process.execPath,
      [KIOSKCTL_BIN, ...args, '--data-dir', dataDir],
      { cwd: REPO_ROOT, encoding: 'utf8', timeout: 30_000 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') return reject(error);
        resolveRun({ code: error ? (error.code as number) : 0, stdout, stderr });
      },
    );
  });

export const silentLog = (): void => {};
