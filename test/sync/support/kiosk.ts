/**
 * Test harness for the kiosk's sync side: a real kiosk core on a temp data dir, responses recorded
 * through the core (the citizen's path) or inserted in bulk (backlogs), and a real central service
 * (central/, PGlite in memory) on 127.0.0.1, port 0.
 */
import type { Database } from 'better-sqlite3';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { openKioskCore, type KioskCore } from '../../../electron/core/kiosk-core.ts';
import { responseWriter } from '../../../electron/core/store/responses.ts';
import { sourcesOf } from '../../../shared/fact-answers.ts';
import { enrol } from '../../../electron/core/sync/enrolment.ts';
import { type SyncEngine, type SyncEngineOptions, createSyncEngine } from '../../../electron/core/sync/engine.ts';
import { hostFromCore } from '../../../electron/core/sync-host.ts';
import { uuidv7 } from '../../../shared/ids.ts';
import type { StoredResponse } from '../../../shared/response.ts';
import { type RateLimitSettings, type RunningCentral, startCentral } from '../../../central/index.ts';
import { fakeAnswers } from '../../bench/answers.ts';
import { seededRandom } from '../../bench/stats.ts';
import { setOfficePins } from '../../support/pins.ts';
import { tempDir } from '../../support/tmp.ts';

export const silent = (): void => {};

/** The core's handlers answer synchronously (the KioskHandlers type also allows promises). */
export const now = <T>(r: T | Promise<T>): T => {
  if (r instanceof Promise) throw new Error('expected a synchronous handler result');
  return r;
};

export type TestKiosk = { core: KioskCore; dataDir: string; db: Database; deviceId: string; close: () => void };

export const openTestKiosk = (dataDir?: string): TestKiosk => {
  const t = dataDir ? { dir: dataDir, cleanup: () => {} } : tempDir('kiosk-sync-');
  const core = openKioskCore({ dataDir: t.dir, log: silent });
  // Enrolment and sync refuse the published demo PINs.
  setOfficePins(core.db);
  return {
    core,
    dataDir: t.dir,
    db: core.db,
    deviceId: core.deviceId,
    close: () => {
      core.close();
      t.cleanup();
    },
  };
};

/** Records n responses the way a citizen does: beginResponse, then submit (or abandon). */
export const recordResponses = (core: KioskCore, n: number, seed = 1): { id: string; seq: number }[] => {
  const rng = seededRandom(seed);
  const out: { id: string; seq: number }[] = [];
  for (let i = 0; i < n; i++) {
    const begun = now(core.beginResponse({}));
    if (!begun.ok) throw new Error(`beginResponse failed: ${JSON.stringify(begun.error)}`);
    const status = rng() < 0.1 ? 'abandoned' : 'complete';
    const answers = fakeAnswers(begun.value.questionnaire, rng, { status });
    const r =
      status === 'complete'
        ? now(core.submitResponse({ draftId: begun.value.draftId, locale: 'vi', answers }))
        : now(core.abandonResponse({ draftId: begun.value.draftId, locale: 'vi', answers }));
    if (!r.ok) throw new Error(`recording failed: ${JSON.stringify(r.error)}`);
    const v = r.value as { id: string | null; seq: number | null };
    if (v.id && v.seq) out.push({ id: v.id, seq: v.seq });
  }
  return out;
};

/** Inserts n valid responses in one transaction (a backlog), through the store's own writer. */
export const insertBacklog = (
  core: KioskCore,
  n: number,
  options: { seed?: number; commentBytes?: number } = {},
): void => {
  const rng = seededRandom(options.seed ?? 7);
  const begun = now(core.beginResponse({}));
  if (!begun.ok) throw new Error('beginResponse failed');
  const { questionnaire, assignment } = begun.value;
  const write = responseWriter(core.db);
  const base = Date.parse('2026-03-01T01:00:00.000Z');
  const textQuestion = questionnaire.questions.find((q) => q.type === 'text');
  core.db.transaction(() => {
    for (let i = 0; i < n; i++) {
      const started = base + i * 60_000;
      const answers = fakeAnswers(questionnaire, rng, { status: 'complete' });
      if (options.commentBytes && textQuestion) answers[textQuestion.id] = 'x'.repeat(options.commentBytes);
      const sources = sourcesOf(questionnaire, answers, {});
      write({
        id: uuidv7(started),
        questionnaireId: assignment.questionnaireId,
        questionnaireVersion: assignment.questionnaireVersion,
        procedureCode: assignment.procedureCode,
        fieldCode: assignment.fieldCode,
        caseNumber: null,
        officerId: null,
        counterId: null,
        locale: 'vi',
        status: 'complete',
        startedAt: new Date(started).toISOString(),
        submittedAt: new Date(started + 45_000).toISOString(),
        durationMs: 45_000,
        answers,
        flags: { rapidRepeat: false, clockSuspect: false },
        // per-case v2 (the default procedure's questionnaire) records who gave each answer; all the citizen here
        ...(sources ? { sources } : {}),
      });
    }
  })();
};

export const startTestCentral = (options: { rateLimit?: Partial<RateLimitSettings> } = {}): Promise<RunningCentral> =>
  startCentral({
    memory: true,
    port: 0,
    host: '127.0.0.1',
    rateLimit: options.rateLimit ?? { perIp: false, perDevice: false },
  });

export const enrolTestKiosk = async (kiosk: TestKiosk, central: RunningCentral, centralUrl = central.url) => {
  const r = await enrol({
    db: kiosk.db,
    dataDir: kiosk.dataDir,
    centralUrl,
    code: await central.enrolmentCode(),
    label: 'test kiosk',
  });
  if (!r.ok) throw new Error(`enrolment failed: ${r.code} ${r.message}`);
  return r.enrolment;
};

/** Engine options for tests: fast backoff, no waiting between passes, quiet. */
export const testEngine = (kiosk: TestKiosk, options: Partial<SyncEngineOptions> = {}): SyncEngine =>
  createSyncEngine({
    host: hostFromCore(kiosk.core, kiosk.dataDir),
    log: silent,
    backoff: { baseMs: 10, capMs: 200 },
    pollIntervalMs: 20,
    timeouts: { idleMs: 5_000, batchDeadlineMs: 10_000, smallDeadlineMs: 10_000 },
    freeDisk: async () => 1_000_000_000,
    ...options,
  });

export type CentralRow = { id: string; seq: number; body: StoredResponse };

/** What central holds for a device, in seq order. */
export const centralResponses = async (central: RunningCentral, deviceId: string): Promise<CentralRow[]> => {
  const r = await central.db.query(
    'SELECT response_id::text AS id, seq, body FROM responses WHERE device_id = $1 ORDER BY seq',
    [deviceId],
  );
  return r.rows.map((row) => ({
    id: String(row.id),
    seq: Number(row.seq),
    body: (typeof row.body === 'string' ? JSON.parse(row.body) : row.body) as StoredResponse,
  }));
};

export const centralCount = async (central: RunningCentral, sql: string, params: unknown[] = []): Promise<number> => {
  const r = await central.db.query(sql, params);
  return Number(Object.values(r.rows[0] ?? { n: 0 })[0]);
};

export type CentralForFile = {
  /** The file's central, started before its first test (reading it earlier throws). */
  readonly central: RunningCentral;
  /** Run after each test, last added first: close what the test opened. */
  cleanups: (() => unknown)[];
};

/**
 * Call at the top of a test file: one real central (in-memory PGlite) for all its tests, closed after the last,
 * and a list of cleanups run after each test.
 */
export const useCentralForFile = (): CentralForFile => {
  let running: RunningCentral | undefined;
  const cleanups: (() => unknown)[] = [];
  beforeAll(async () => {
    running = await startTestCentral();
  });
  afterAll(async () => {
    await running?.close();
  });
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  return {
    get central(): RunningCentral {
      if (!running) throw new Error('the test central starts in beforeAll; read it inside a test or hook');
      return running;
    },
    cleanups,
  };
};
