/**
 * A large kiosk store for the latency-at-scale measurement: the real schema (made by openKioskCore,
 * so migrations, device id, PINs and the embedded configuration are all in place), then `rows`
 * responses in one transaction through a prepared INSERT with the columns of store/responses.ts.
 * Rows vary like a real counter's: procedures drawn from the catalog (a few popular ones dominate),
 * each answering its own questionnaire, some abandoned part-way, some comments, case numbers,
 * officers and counters. Ids are UUIDv7 from shared/ids.ts at the response's start time; seq 1..rows.
 *
 * The built file is cached under the OS temp dir, keyed by schema version, fixture format, embedded
 * configuration hash and row count, so a second bench run only copies it.
 */
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { type ConfigBundle, questionnaireFor } from '../../shared/catalog.ts';
import { uuidv7 } from '../../shared/ids.ts';
import { EMBEDDED_CONFIG_DIR, loadConfigDir } from '../../shared/node/config-loader.ts';
import { LATEST_SCHEMA_VERSION } from '../../electron/core/db/migrations.ts';
import { databasePath, openKioskCore } from '../../electron/core/kiosk-core.ts';
import { fakeAnswers, fakeSources } from './answers.ts';
import { seededRandom } from './stats.ts';

/** Bump when the generated rows change, so stale cached stores are not reused. */
export const FIXTURE_FORMAT = 1;
const SEED = 20_240_601;
/** The stored history spans this long, ending a day before the bench runs. */
const SPAN_MS = 2 * 365 * 24 * 3600 * 1000;

export const fixtureCacheDir = (): string => process.env.BENCH_CACHE_DIR ?? join(tmpdir(), 'hailong-kiosk-bench-cache');

const embeddedConfigHash = (): string => {
  const loaded = loadConfigDir(EMBEDDED_CONFIG_DIR);
  if (!loaded.ok) throw new Error(`embedded configuration is broken: ${JSON.stringify(loaded.problems)}`);
  return loaded.config.hash.slice(0, 12);
};

const fixturePrefix = (): string =>
  `store-schema${LATEST_SCHEMA_VERSION}-fmt${FIXTURE_FORMAT}-cfg${embeddedConfigHash()}-`;

export const fixtureFile = (rows: number): string => join(fixtureCacheDir(), `${fixturePrefix()}rows${rows}.sqlite`);

/** Cached stores made for another schema, fixture format or configuration will never be used again. */
const removeStale = (progress: (m: string) => void): void => {
  const prefix = fixturePrefix();
  for (const name of readdirSync(fixtureCacheDir())) {
    if (/^store-.*\.sqlite$/.test(name) && !name.startsWith(prefix)) {
      rmSync(join(fixtureCacheDir(), name), { force: true });
      progress(`  removed stale cached store ${name}`);
    }
  }
};

/** fsync a file (or directory), so its dirty pages do not drain during a later measurement. */
export const syncPath = (path: string): void => {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
};

const INSERT = `
  INSERT INTO responses (seq, id, questionnaire_id, questionnaire_version, procedure_code, field_code, case_number,
    officer_id, counter_id, locale, status, started_at, submitted_at, duration_ms, answers, flags, sources)
  VALUES (@seq, @id, @questionnaireId, @questionnaireVersion, @procedureCode, @fieldCode, @caseNumber,
    @officerId, @counterId, @locale, @status, @startedAt, @submittedAt, @durationMs, @answers, @flags, @sources)`;

type RowSource = (seq: number) => Record<string, string | number | null>;

const rowSource = (bundle: ConfigBundle, rows: number, endMs: number): RowSource => {
  const rng = seededRandom(SEED);
  const procedures = bundle.catalog.procedures;
  // Zipf-like: the first procedures of the catalog are the everyday ones (birth, marriage, certification).
  const weights = procedures.map((_, k) => 1 / (k + 1));
  const total = weights.reduce((s, w) => s + w, 0);
  const pickProcedure = () => {
    let r = rng() * total;
    for (let k = 0; k < procedures.length; k++) {
      r -= weights[k]!;
      if (r <= 0) return procedures[k]!;
    }
    return procedures.at(-1)!;
  };
  const questionnaires = new Map(bundle.questionnaires.map((q) => [q.id, q]));
  const startMs = endMs - SPAN_MS;
  const step = SPAN_MS / rows;
  return (seq) => {
    const procedure = pickProcedure();
    const questionnaire = questionnaires.get(questionnaireFor(bundle.catalog, procedure.code)!)!;
    const status = rng() < 0.08 ? 'abandoned' : 'complete';
    const submitted = Math.floor(startMs + (seq - 1) * step + rng() * step * 0.5);
    const durationMs =
      status === 'complete' ? 25_000 + Math.floor(rng() * 150_000) : 10_000 + Math.floor(rng() * 90_000);
    const started = submitted - durationMs;
    const day = new Date(submitted).toISOString().slice(2, 10).replace(/-/g, '');
    const withCase = rng() < (questionnaire.kind === 'per-case' ? 0.9 : 0.3);
    const flags = (rng() < 0.02 ? 1 : 0) | (rng() < 0.001 ? 2 : 0);
    const answers = fakeAnswers(questionnaire, rng, { status });
    const sources = fakeSources(questionnaire, answers);
    return {
      seq,
      id: uuidv7(started),
      questionnaireId: questionnaire.id,
      questionnaireVersion: questionnaire.version,
      procedureCode: procedure.code,
      fieldCode: procedure.field,
      caseNumber: withCase ? `000.00.17.H12-${day}-${String(1 + Math.floor(rng() * 9999)).padStart(4, '0')}` : null,
      officerId: rng() < 0.6 ? (rng() < 0.5 ? 'cb01' : 'cb02') : null,
      counterId: rng() < 0.7 ? (rng() < 0.5 ? 'q1' : 'q2') : null,
      locale: rng() < 0.95 ? 'vi' : 'en',
      status,
      startedAt: new Date(started).toISOString(),
      submittedAt: new Date(submitted).toISOString(),
      durationMs,
      answers: JSON.stringify(answers),
      flags,
      sources: sources === undefined ? null : JSON.stringify(sources),
    };
  };
};

const silent = (): void => {};

const build = (target: string, rows: number, progress: (m: string) => void): void => {
  mkdirSync(fixtureCacheDir(), { recursive: true });
  const buildDir = mkdtempSync(join(fixtureCacheDir(), 'build-'));
  try {
    const core = openKioskCore({ dataDir: buildDir, log: silent });
    const bundle = core.config().bundle;
    core.close();
    const file = databasePath(buildDir);
    const db = new Database(file);
    // Build-time only: a rollback journal does not copy appended pages, so the one big transaction
    // writes the data once instead of through the WAL and again at checkpoint. WAL is restored below.
    db.pragma('journal_mode = DELETE');
    db.pragma('synchronous = OFF');
    db.pragma('cache_size = -262144');
    db.pragma('foreign_keys = ON');
    const insert = db.prepare(INSERT);
    const next = rowSource(bundle, rows, Date.now() - 24 * 3600 * 1000);
    const started = performance.now();
    db.transaction(() => {
      for (let seq = 1; seq <= rows; seq++) {
        insert.run(next(seq));
        if (seq % 200_000 === 0)
          progress(
            `  fixture: ${seq.toLocaleString('en')} / ${rows.toLocaleString('en')} rows (${((performance.now() - started) / 1000).toFixed(1)} s)`,
          );
      }
    })();
    db.pragma('journal_mode = WAL');
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    for (const leftover of ['-wal', '-shm']) rmSync(file + leftover, { force: true });
    syncPath(file);
    renameSync(file, target);
    syncPath(fixtureCacheDir());
  } finally {
    rmSync(buildDir, { recursive: true, force: true });
  }
};

/** The cached store with `rows` responses, building it first when missing. */
export const ensureFixture = (
  rows: number,
  progress: (m: string) => void,
): { file: string; builtSeconds: number | null } => {
  const target = fixtureFile(rows);
  if (existsSync(target)) return { file: target, builtSeconds: null };
  progress(`building a ${rows.toLocaleString('en')}-response store (cached afterwards at ${target})`);
  mkdirSync(fixtureCacheDir(), { recursive: true });
  removeStale(progress);
  const t0 = performance.now();
  build(target, rows, progress);
  return { file: target, builtSeconds: (performance.now() - t0) / 1000 };
};
