import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import type { Assignment, KioskHandlers, Result } from '../../shared/api.ts';
import { checkAnswers } from '../../shared/answers.ts';
import { uuidv7 } from '../../shared/ids.ts';
import type { Questionnaire } from '../../shared/questionnaire.ts';
import type { ResponseFlags } from '../../shared/response.ts';
import { type ActiveConfig, loadActiveConfig } from './active-config.ts';
import { readChoice, resolveAssignment, writeChoice } from './assignment.ts';
import type { ConfigProblem } from '../../shared/node/config-loader.ts';
import { EMBEDDED_CONFIG_DIR } from '../../shared/node/config-loader.ts';
import { openDatabase } from './db/open.ts';
import { preparePrivateDir } from './db/private-files.ts';
import { ensureDeviceId } from './device.ts';
import { createStaffAuth } from './staff-auth.ts';
import { audit } from './store/audit.ts';
import { favouriteProcedures, recentProcedures, recordUse, toggleFavourite } from './store/procedure-usage.ts';
import {
  type NewResponse,
  type StoredOutcome,
  lastCompletedAt,
  responseWriter,
  storedOutcome,
} from './store/responses.ts';
import { ensureDefaultPins, settingsReader } from './store/settings.ts';
import { type WalUpkeep, walUpkeep } from './store/wal-upkeep.ts';
import { type StorageReason, classifyStorageError, storageError } from './storage-errors.ts';
import type { PublishedConfig } from '../../shared/sync.ts';
import { type ConfigApplyResult, applyPublishedConfigToDb, loadPublishedConfig } from './sync/published-config.ts';
import type { KeyProtector } from './sync/device-key.ts';
import { type SyncEngine, type SyncEngineOptions, createSyncEngine } from './sync/engine.ts';
import { hostFromCore } from './sync/host.ts';
import { createAdminHandlers } from './admin/handlers.ts';
import type { TargetScan } from './admin/export-targets.ts';
import type { Timeouts } from './sync/client.ts';
import { errorMessage } from '../../shared/error-message.ts';

export type Clock = { now: () => number; mono: () => number };
export const systemClock: Clock = { now: () => Date.now(), mono: () => performance.now() };

export type Logger = (level: 'info' | 'warn' | 'error', message: string, data?: Record<string, unknown>) => void;
const consoleLogger: Logger = (level, message, data) =>
  console[level === 'info' ? 'log' : level](`[kiosk] ${message}`, data ?? '');

export type KioskCoreOptions = {
  dataDir: string;
  /** Defaults to DATA_DIR/config when it exists, else the embedded demo configuration. */
  configDir?: string;
  clock?: Clock;
  log?: Logger;
  /** Tuning of the core's sync engine (hosts pass syncOptionsFromEnv()); the host decides whether to start it. */
  sync?: Omit<Partial<SyncEngineOptions>, 'host' | 'protector'>;
  /** Wraps the device key (Electron safeStorage); used by the engine, enrolment and export alike. */
  keyProtector?: KeyProtector;
  /** Where the admin panel looks for removable drives (tests give a mount table). */
  exportTargets?: TargetScan;
  /** Enrolment timeouts from the admin panel (tests shorten them). */
  enrolTimeouts?: Partial<Timeouts>;
};

export const databasePath = (dataDir: string): string => join(dataDir, 'kiosk.sqlite');

type Draft = {
  startedAt: number;
  startedMono: number;
  assignment: Assignment;
  questionnaire: Questionnaire;
  /** Set once stored, so a retried submit (lost reply) gets the same answer, not a second row. */
  done?: StoredOutcome;
};

const MAX_DRAFTS = 64;
/** Wall time and monotonic time may disagree by this much before a response is flagged. */
const CLOCK_TOLERANCE_MS = 5_000;

const fail = (code: 'draft_unknown' | 'not_found' | 'session_expired', message: string): Result<never> => ({
  ok: false,
  error: { code, message },
});

export type KioskCore = KioskHandlers & {
  readonly db: Database;
  readonly deviceId: string;
  config: () => ActiveConfig;
  configProblems: () => ConfigProblem[];
  reloadConfig: () => ConfigProblem[];
  /**
   * Sync hook: a verified configuration from central becomes the last good one and is active from the
   * next beginResponse (a survey in progress keeps its questionnaire). Refused with reasons otherwise.
   */
  applyPublishedConfig: (published: PublishedConfig) => ConfigApplyResult;
  /** The WAL upkeep a stored response schedules for the idle moment after it (store/wal-upkeep.ts), run now. */
  runWalUpkeep: WalUpkeep['run'];
  /**
   * The kiosk's one sync engine: the host starts its background loop, the admin panel's "sync now"
   * runs a pass on it (so the two never overlap). Not started by the core.
   */
  readonly sync: SyncEngine;
  close: () => void;
};

export const openKioskCore = (options: KioskCoreOptions): KioskCore => {
  const clock = options.clock ?? systemClock;
  const log = options.log ?? consoleLogger;
  preparePrivateDir(options.dataDir);
  const db = openDatabase(databasePath(options.dataDir));
  const deviceId = ensureDeviceId(db);
  ensureDefaultPins(db);
  const localConfig = join(options.dataDir, 'config');
  const configDir = options.configDir ?? (existsSync(localConfig) ? localConfig : EMBEDDED_CONFIG_DIR);

  let config: ActiveConfig;
  let problems: ConfigProblem[] = [];
  const reloadConfig = (): ConfigProblem[] => {
    const loaded = loadActiveConfig(db, configDir, EMBEDDED_CONFIG_DIR);
    config = loaded.active;
    problems = loaded.problems;
    // An enrolled kiosk runs the configuration central last published to it, when it has one.
    config = loadPublishedConfig(db) ?? config;
    if (problems.length > 0)
      log('error', `configuration in ${configDir} refused; running on ${config.version}`, { problems });
    return problems;
  };
  reloadConfig();

  const writeResponse = responseWriter(db);
  const upkeep = walUpkeep(db, (e) => log('warn', `WAL upkeep skipped: ${errorMessage(e)}`));
  const findStored = storedOutcome(db);
  /** A draft's stored outcome: remembered, or (after a restart or eviction) found by its id in the database. */
  const doneOf = (draftId: string): StoredOutcome | undefined => {
    const draft = drafts.get(draftId);
    return draft ? draft.done : findStored(draftId);
  };
  const auth = createStaffAuth(db, clock.now);
  const drafts = new Map<string, Draft>();
  let health: { ok: true } | { ok: false; reason: StorageReason; since: string } = { ok: true };
  let lastComplete: { wall: number; mono: number | null } | null = null;

  const settings = settingsReader(db);
  const sessionMs = () => settings().staffSessionSeconds * 1000;
  const current = () => resolveAssignment(config!.bundle, readChoice(db));

  const lastCompleteWall = (): number | null => {
    if (!lastComplete) {
      const at = lastCompletedAt(db);
      if (at) lastComplete = { wall: Date.parse(at), mono: null };
    }
    return lastComplete?.wall ?? null;
  };

  /** Rapid repeat: measured on the monotonic clock within one run, on the wall clock across restarts. */
  const isRapid = (nowWall: number, nowMono: number, minSeconds: number): boolean => {
    const minMs = minSeconds * 1000;
    if (minMs === 0 || lastCompleteWall() === null) return false;
    if (lastComplete?.mono != null) return nowMono - lastComplete.mono < minMs;
    return nowWall - lastComplete!.wall < minMs;
  };

  const store = (
    draftId: string,
    locale: string,
    answers: NewResponse['answers'],
    status: 'complete' | 'abandoned',
  ): Result<{ id: string; seq: number; flags: ResponseFlags }> => {
    const done = doneOf(draftId);
    if (done) {
      // Closed as abandoned (the idle timeout won a race with the last tap): a submit must not report
      // the complete answers as saved when only the partial ones are.
      if (status === 'complete' && done.status === 'abandoned')
        return fail('draft_unknown', 'this survey was already closed as abandoned; start again');
      return { ok: true, value: { id: done.id, seq: done.seq, flags: done.flags } };
    }
    const draft = drafts.get(draftId);
    if (!draft)
      return fail('draft_unknown', 'this survey was not started on this kiosk, or the kiosk restarted; start again');
    const issues = checkAnswers(draft.questionnaire, answers, status).map((i) => ({
      path: `answers.${i.question}`,
      message: i.message,
    }));
    // Read once per submit: this runs on the durable path, before the commit's fsync.
    const s = settings();
    if (!s.locales.includes(locale))
      issues.push({ path: 'locale', message: `language "${locale}" is not enabled on this kiosk` });
    if (issues.length > 0)
      return {
        ok: false,
        error: { code: 'invalid_input', message: 'the answers do not fit the questionnaire', issues },
      };
    const nowWall = clock.now();
    const nowMono = clock.mono();
    const elapsedMono = nowMono - draft.startedMono;
    const flags: ResponseFlags = {
      rapidRepeat: status === 'complete' && isRapid(nowWall, nowMono, s.minSecondsBetweenResponses),
      clockSuspect: Math.abs(nowWall - draft.startedAt - elapsedMono) > CLOCK_TOLERANCE_MS,
    };
    const a = draft.assignment;
    try {
      const { seq } = writeResponse({
        id: draftId,
        questionnaireId: a.questionnaireId,
        questionnaireVersion: a.questionnaireVersion,
        procedureCode: a.procedureCode,
        fieldCode: a.fieldCode,
        caseNumber: a.caseNumber,
        officerId: a.officerId,
        counterId: a.counterId,
        locale,
        status,
        startedAt: new Date(draft.startedAt).toISOString(),
        submittedAt: new Date(nowWall).toISOString(),
        durationMs: Math.max(0, Math.round(elapsedMono)),
        answers,
        flags,
      });
      health = { ok: true };
      upkeep.schedule();
      draft.done = { id: draftId, seq, status, flags };
      if (status === 'complete') lastComplete = { wall: nowWall, mono: nowMono };
      return { ok: true, value: { id: draftId, seq, flags } };
    } catch (e) {
      const reason = classifyStorageError(e);
      if (!reason) throw e;
      // A new cause (disk full, then read-only) replaces the old one: IT must see what is wrong now.
      if (health.ok || health.reason !== reason) health = { ok: false, reason, since: new Date(nowWall).toISOString() };
      const error = storageError(reason, e);
      log('error', `response not stored: ${error.message}`, { draftId, status });
      return { ok: false, error };
    }
  };

  const withSession = <T>(session: string, run: () => Result<T>): Result<T> =>
    auth.check(session, 'staff', sessionMs())
      ? run()
      : fail('session_expired', 'the staff session has ended; enter the PIN again');

  const applyPublishedConfig = (published: PublishedConfig): ConfigApplyResult => {
    const applied = applyPublishedConfigToDb(db, published, new Date(clock.now()));
    if (applied.ok) config = applied.active;
    else
      log('error', `configuration ${published.version} from central refused; running on ${config!.version}`, {
        problems: applied.problems,
      });
    return applied;
  };

  const sync = createSyncEngine({
    log: (level, message, data) => log(level, `sync: ${message}`, data),
    ...options.sync,
    host: hostFromCore({ db, deviceId, config: () => config!, applyPublishedConfig }, options.dataDir),
    protector: options.keyProtector,
  });

  const admin = createAdminHandlers({
    db,
    dataDir: options.dataDir,
    deviceId,
    auth,
    sessionMs,
    settings,
    engine: sync,
    configVersion: () => config!.version,
    now: clock.now,
    log,
    protector: options.keyProtector,
    limits: options.sync?.limits,
    exportTargets: options.exportTargets,
    enrolTimeouts: options.enrolTimeouts,
  });

  const handlers: KioskHandlers = {
    ...admin,
    getKioskState: () => {
      const { assignment, questionnaire } = current();
      const s = settings();
      const last = lastCompleteWall();
      const rapidUntil =
        last !== null && s.minSecondsBetweenResponses > 0 ? last + s.minSecondsBetweenResponses * 1000 : null;
      return {
        ok: true,
        value: {
          deviceId,
          settings: {
            officeName: s.officeName,
            counterName: s.counterName,
            idleSeconds: s.idleSeconds,
            countdownSeconds: s.countdownSeconds,
            thankYouSeconds: s.thankYouSeconds,
            minSecondsBetweenResponses: s.minSecondsBetweenResponses,
            abandonedPolicy: s.abandonedPolicy,
            locales: s.locales,
          },
          assignment,
          questionnaire,
          configVersion: config!.version,
          storage: health,
          rapidUntil: rapidUntil !== null && rapidUntil > clock.now() ? new Date(rapidUntil).toISOString() : null,
        },
      };
    },
    getCatalog: () => ({
      ok: true,
      value: {
        catalog: config!.bundle.catalog,
        questionnaires: config!.bundle.questionnaires.map((q) => ({ id: q.id, version: q.version, title: q.title })),
      },
    }),
    beginResponse: () => {
      const { assignment, questionnaire } = current();
      const startedAt = clock.now();
      const draftId = uuidv7(startedAt);
      drafts.set(draftId, { startedAt, startedMono: clock.mono(), assignment, questionnaire });
      while (drafts.size > MAX_DRAFTS) drafts.delete(drafts.keys().next().value!);
      return { ok: true, value: { draftId, startedAt: new Date(startedAt).toISOString(), questionnaire, assignment } };
    },
    submitResponse: ({ draftId, locale, answers }) => store(draftId, locale, answers, 'complete'),
    abandonResponse: ({ draftId, locale, answers }) => {
      if (settings().abandonedPolicy === 'discard') {
        // Already stored (the submit's reply was lost, then the UI timed out): report it, and keep the
        // draft so a retried submit still gets its id and seq.
        const done = doneOf(draftId);
        if (done) return { ok: true, value: { stored: true, id: done.id, seq: done.seq } };
        if (!drafts.delete(draftId)) return fail('draft_unknown', 'unknown survey');
        return { ok: true, value: { stored: false, id: null, seq: null } };
      }
      const r = store(draftId, locale, answers, 'abandoned');
      return r.ok ? { ok: true, value: { stored: true, id: r.value.id, seq: r.value.seq } } : r;
    },
    staffUnlock: ({ pin }) => auth.unlock('staff', pin, sessionMs()),
    staffLock: ({ session }) => {
      auth.lock(session);
      return { ok: true, value: {} };
    },
    staffContext: ({ session }) =>
      withSession(session, () => {
        const s = settings();
        return {
          ok: true,
          value: {
            recent: recentProcedures(db),
            favourites: favouriteProcedures(db),
            officers: s.officers,
            counters: s.counters,
            assignment: current().assignment,
          },
        };
      }),
    setAssignment: ({ session, procedureCode, caseNumber, officerId, counterId }) =>
      withSession(session, () => {
        if (!config!.bundle.catalog.procedures.some((p) => p.code === procedureCode))
          return fail('not_found', `no procedure ${procedureCode} in the catalog`);
        const s = settings();
        if (officerId && !s.officers.some((o) => o.id === officerId))
          return fail('not_found', `no officer ${officerId}`);
        if (counterId && !s.counters.some((c) => c.id === counterId))
          return fail('not_found', `no counter ${counterId}`);
        const choice = { procedureCode, caseNumber, officerId, counterId, setAt: new Date(clock.now()).toISOString() };
        db.transaction(() => {
          writeChoice(db, choice);
          recordUse(db, procedureCode);
          audit(db, 'staff', 'set_assignment', choice);
        }).immediate();
        return { ok: true, value: current().assignment };
      }),
    toggleFavourite: ({ session, procedureCode }) =>
      withSession(session, () => {
        // A stale favourite may be removed, but a code the catalog does not know is never added.
        const known = config!.bundle.catalog.procedures.some((p) => p.code === procedureCode);
        if (!known && !favouriteProcedures(db).includes(procedureCode))
          return fail('not_found', `no procedure ${procedureCode} in the catalog`);
        toggleFavourite(db, procedureCode);
        return { ok: true, value: { favourites: favouriteProcedures(db) } };
      }),
  };

  /**
   * Every write outside the response path (PIN lockout and audit, assignment, favourites) can meet a
   * full or read-only disk too: that is a typed storage_unavailable result, never a thrown exception
   * (which the transports could only turn into an opaque internal error).
   */
  const guard = <M extends keyof KioskHandlers>(method: M): KioskHandlers[M] => {
    const handler = handlers[method] as (input: unknown) => Result<unknown> | Promise<Result<unknown>>;
    const onError = (e: unknown): Result<never> => {
      const reason = classifyStorageError(e);
      if (!reason) throw e;
      const error = storageError(reason, e);
      log('error', `${method} failed: ${error.message}`);
      return { ok: false, error };
    };
    return ((input: unknown) => {
      try {
        const r = handler(input);
        return r instanceof Promise ? r.catch(onError) : r;
      } catch (e) {
        return onError(e);
      }
    }) as KioskHandlers[M];
  };
  const guarded = Object.fromEntries(
    (Object.keys(handlers) as (keyof KioskHandlers)[]).map((m) => [m, guard(m)]),
  ) as KioskHandlers;

  return {
    ...guarded,
    db,
    deviceId,
    config: () => config!,
    configProblems: () => problems,
    reloadConfig,
    applyPublishedConfig,
    runWalUpkeep: upkeep.run,
    sync,
    close: () => {
      upkeep.cancel();
      // Hosts stop the engine first (await core.sync.stop()); this only aborts a pass still in flight.
      if (sync.running) void sync.stop();
      if (db.open) db.close();
    },
  };
};
