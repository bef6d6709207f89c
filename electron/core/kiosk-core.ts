import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import type { KioskHandlers, Result } from '../../shared/api.ts';
import { type ConfigProblem, EMBEDDED_CONFIG_DIR } from '../../shared/node/config-loader.ts';
import { offeredLocales, withPackTexts } from '../../shared/language-pack.ts';
import type { PublishedConfig } from '../../shared/sync.ts';
import type { ActiveConfig } from './active-config.ts';
import { readChoice, resolveAssignment, writeChoice } from './assignment.ts';
import type { TargetScan } from './admin/export-targets.ts';
import { createAdminHandlers } from './admin/handlers.ts';
import { type ConfigHolder, openConfigHolder } from './config-holder.ts';
import { type LanBridge, startLanBridge } from './lan-bridge/index.ts';
import { createAdminLanHandlers } from './lan-bridge/admin-handlers.ts';
import { invitationChoice, lastInvitationOf, shownInvitation } from './invitations/choice.ts';
import { type Invitations, createInvitations } from './invitations/invitations.ts';
import { openDatabase } from './db/open.ts';
import { preparePrivateDir } from './db/private-files.ts';
import { ensureDeviceId } from './device.ts';
import { type ResponseRecorder, createResponseRecorder } from './response-recorder.ts';
import { readAloudHandlers } from './read-aloud-handlers.ts';
import { refuse } from './result.ts';
import { type Clock, type Logger, consoleLogger, systemClock } from './runtime.ts';
import { type StaffAuth, createStaffAuth } from './staff-auth.ts';
import { classifyStorageError, storageError } from './storage-errors.ts';
import { audit } from './store/audit.ts';
import { favouriteProcedures, recentProcedures, recordUse, toggleFavourite } from './store/procedure-usage.ts';
import { type StoredSettings, ensureDefaultPins, settingsReader } from './store/settings.ts';
import { type WalUpkeep, walUpkeep } from './store/wal-upkeep.ts';
import { hostFromCore } from './sync-host.ts';
import type { Timeouts } from './sync/client.ts';
import type { KeyProtector } from './sync/device-key.ts';
import { deviceContexts } from './sync/device-context.ts';
import { type SyncEngine, type SyncEngineOptions, createSyncEngine, realSyncClock } from './sync/engine.ts';
import { type InvitationStream, createInvitationStream, streamDeviceFrom } from './sync/invitation-stream.ts';
import type { ConfigApplyResult } from './sync/published-config.ts';
import { errorMessage } from '../../shared/error-message.ts';

export { type Clock, type Logger, systemClock } from './runtime.ts';

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
  /**
   * How long the invitation stream waits without a byte (not even central's keep-alive) before it
   * takes the link for dead and reconnects (default 2.5 × central's keep-alive; tests that run central
   * with a short keep-alive shorten it).
   */
  invitationStreamIdleMs?: number;
};

export const databasePath = (dataDir: string): string => join(dataDir, 'kiosk.sqlite');

export type KioskCore = KioskHandlers & {
  readonly db: Database;
  readonly deviceId: string;
  /**
   * The non-secret settings as stored now (read on every call: kioskctl may change one from another
   * process). For hosts that act on a setting themselves, e.g. the shell's opening hours; never the PINs.
   */
  settings: () => StoredSettings;
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
  /**
   * The LAN bridge (issue 11): listens on the office network only while IT enables it. Hosts call
   * `lanBridge.start()` as they start sync; close() stops it.
   */
  readonly lanBridge: LanBridge;
  /**
   * The counter bridge's one InvitationSink (issue 11): central's stream, the LAN bridge and kioskctl
   * hand it invitations; the current one is the assignment until it is answered, expires or is replaced.
   */
  readonly invitations: Invitations;
  /**
   * The outgoing connection central pushes invitations on, and the status reports back; started by the
   * host with the sync engine (never by the core), idle until the kiosk is enrolled.
   */
  readonly invitationStream: InvitationStream;
  close: () => void;
};

/** What the respondent's and staff's handlers work with. */
type CoreParts = {
  db: Database;
  deviceId: string;
  clock: Clock;
  config: ConfigHolder;
  settings: () => StoredSettings;
  recorder: ResponseRecorder;
  auth: StaffAuth;
  sessionMs: () => number;
  invitations: Invitations;
};

/**
 * The assignment in force now, resolved against the configuration in force now: the invitation waiting
 * for its citizen if there is one, else what staff chose (kept untouched underneath, so the kiosk goes
 * back to it when the invitation is answered, expires or is replaced).
 */
const currentAssignment = (p: CoreParts) => {
  const invitation = p.invitations.current();
  const choice = invitation ? invitationChoice(invitation) : readChoice(p.db);
  const resolved = resolveAssignment(p.config.active().bundle, choice);
  return { ...resolved, invitation: shownInvitation(invitation, resolved.assignment) };
};

/** The respondent's side: the kiosk's state, the catalog, and a survey from start to stored. */
const surveyHandlers = (
  p: CoreParts,
): Pick<
  KioskHandlers,
  'getKioskState' | 'awaitInvitation' | 'getCatalog' | 'beginResponse' | 'submitResponse' | 'abandonResponse'
> => ({
  getKioskState: () => {
    // Language packs (issue 15): their texts shown in place (display only), their languages offered
    // where the questionnaire exists in them, the packs themselves for the renderer's i18n.
    const packs = p.config.active().bundle.languagePacks;
    const { assignment, questionnaire, invitation } = currentAssignment(p);
    const s = p.settings();
    const last = p.recorder.lastCompleteWall();
    const rapidUntil =
      last !== null && s.minSecondsBetweenResponses > 0 ? last + s.minSecondsBetweenResponses * 1000 : null;
    return {
      ok: true,
      value: {
        deviceId: p.deviceId,
        settings: {
          officeName: s.officeName,
          counterName: s.counterName,
          idleSeconds: s.idleSeconds,
          countdownSeconds: s.countdownSeconds,
          thankYouSeconds: s.thankYouSeconds,
          minSecondsBetweenResponses: s.minSecondsBetweenResponses,
          abandonedPolicy: s.abandonedPolicy,
          locales: offeredLocales(s.locales, packs, questionnaire),
          accessibleLayout: s.accessibleLayout,
          pictureFirst: s.pictureFirst,
          readAloudVolume: s.readAloudVolume,
          readAloudRate: s.readAloudRate,
        },
        assignment: withPackTexts(assignment, packs),
        questionnaire: withPackTexts(questionnaire, packs),
        ...(packs ? { languagePacks: packs } : {}),
        configVersion: p.config.active().version,
        storage: p.recorder.health(),
        rapidUntil: rapidUntil !== null && rapidUntil > p.clock.now() ? new Date(rapidUntil).toISOString() : null,
        invitation,
        lastInvitation: lastInvitationOf(p.invitations.latest()),
      },
    };
  },
  awaitInvitation: async ({ knownId, waitMs }) => {
    await p.invitations.waitForChange(knownId, waitMs);
    return { ok: true, value: { invitation: currentAssignment(p).invitation } };
  },
  getCatalog: () => {
    const { bundle } = p.config.active();
    return {
      ok: true,
      value: {
        catalog: bundle.catalog,
        questionnaires: bundle.questionnaires.map((q) => ({ id: q.id, version: q.version, title: q.title })),
      },
    };
  },
  beginResponse: () => {
    const { assignment, questionnaire: whole } = currentAssignment(p);
    const refused = p.recorder.repeatRefusal(assignment.caseNumber);
    if (refused) return refused;
    const { contactKey, bundle } = p.config.active();
    const packs = bundle.languagePacks;
    const packLocales = offeredLocales([], packs, whole);
    const { draftId, startedAt, questionnaire } = p.recorder.begin(assignment, whole, contactKey, packLocales);
    const followUp = contactKey !== undefined && whole.followUp !== false;
    const value = {
      draftId,
      startedAt: new Date(startedAt).toISOString(),
      questionnaire: withPackTexts(questionnaire, packs),
      assignment: withPackTexts(assignment, packs),
      followUp,
    };
    return { ok: true, value };
  },
  submitResponse: ({ draftId, locale, answers, contact }) =>
    p.recorder.store(draftId, locale, answers, 'complete', contact),
  abandonResponse: ({ draftId, locale, answers }) => {
    if (p.settings().abandonedPolicy === 'discard') return p.recorder.discard(draftId);
    const r = p.recorder.store(draftId, locale, answers, 'abandoned');
    return r.ok ? { ok: true, value: { stored: true, id: r.value.id, seq: r.value.seq } } : r;
  },
});

/** Staff's side (behind the PIN): who serves which procedure at which counter, and their favourites. */
const staffHandlers = (
  p: CoreParts,
): Pick<KioskHandlers, 'staffUnlock' | 'staffLock' | 'staffContext' | 'setAssignment' | 'toggleFavourite'> => {
  const { db, auth } = p;
  const withSession = <T>(session: string, run: () => Result<T>): Result<T> =>
    auth.check(session, 'staff', p.sessionMs())
      ? run()
      : refuse('session_expired', 'the staff session has ended; enter the PIN again');
  const inCatalog = (code: string) => p.config.active().bundle.catalog.procedures.some((c) => c.code === code);
  return {
    staffUnlock: ({ pin }) => auth.unlock('staff', pin, p.sessionMs()),
    staffLock: ({ session }) => {
      auth.lock(session);
      return { ok: true, value: {} };
    },
    staffContext: ({ session }) =>
      withSession(session, () => {
        const s = p.settings();
        return {
          ok: true,
          value: {
            recent: recentProcedures(db),
            favourites: favouriteProcedures(db),
            officers: s.officers,
            counters: s.counters,
            assignment: currentAssignment(p).assignment,
          },
        };
      }),
    setAssignment: ({ session, procedureCode, caseNumber, officerId, counterId }) =>
      withSession(session, () => {
        if (!inCatalog(procedureCode)) return refuse('not_found', `no procedure ${procedureCode} in the catalog`);
        const s = p.settings();
        if (officerId && !s.officers.some((o) => o.id === officerId))
          return refuse('not_found', `no officer ${officerId}`);
        if (counterId && !s.counters.some((c) => c.id === counterId))
          return refuse('not_found', `no counter ${counterId}`);
        const choice = {
          procedureCode,
          caseNumber,
          officerId,
          counterId,
          setAt: new Date(p.clock.now()).toISOString(),
        };
        db.transaction(() => {
          writeChoice(db, choice);
          recordUse(db, procedureCode);
          audit(db, 'staff', 'set_assignment', choice);
        }).immediate();
        p.invitations.withdraw('staff chose another assignment on the kiosk');
        return { ok: true, value: currentAssignment(p).assignment };
      }),
    toggleFavourite: ({ session, procedureCode }) =>
      withSession(session, () => {
        // A stale favourite may be removed, but a code the catalog does not know is never added.
        if (!inCatalog(procedureCode) && !favouriteProcedures(db).includes(procedureCode))
          return refuse('not_found', `no procedure ${procedureCode} in the catalog`);
        toggleFavourite(db, procedureCode);
        return { ok: true, value: { favourites: favouriteProcedures(db) } };
      }),
  };
};

/**
 * Every write outside the response path (PIN lockout and audit, assignment, favourites) can meet a
 * full or read-only disk too: that is a typed storage_unavailable result, never a thrown exception
 * (which the transports could only turn into an opaque internal error).
 */
const guardStorage = (handlers: KioskHandlers, log: Logger): KioskHandlers => {
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
  return Object.fromEntries(
    (Object.keys(handlers) as (keyof KioskHandlers)[]).map((m) => [m, guard(m)]),
  ) as KioskHandlers;
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
  const config = openConfigHolder({ db, configDir, log, now: clock.now });

  const invitations = createInvitations({
    db,
    clock,
    log,
    knownProcedure: (code) => config.active().bundle.catalog.procedures.some((c) => c.code === code),
  });
  const upkeep = walUpkeep(db, (e) => log('warn', `WAL upkeep skipped: ${errorMessage(e)}`));
  const settings = settingsReader(db);
  const sessionMs = () => settings().staffSessionSeconds * 1000;
  const auth = createStaffAuth(db, clock.now);
  const recorder = createResponseRecorder({ db, clock, log, settings, upkeep, invitations });

  const syncHost = hostFromCore(
    { db, deviceId, config: config.active, applyPublishedConfig: config.applyPublished },
    options.dataDir,
  );
  const sync = createSyncEngine({
    log: (level, message, data) => log(level, `sync: ${message}`, data),
    ...options.sync,
    host: syncHost,
    protector: options.keyProtector,
  });
  const streamContexts = deviceContexts({ host: syncHost, clock: realSyncClock, protector: options.keyProtector });
  const invitationStream = createInvitationStream({
    device: streamDeviceFrom(streamContexts),
    sink: invitations,
    reports: { pending: invitations.pendingReports, acknowledged: invitations.markReported },
    backoff: options.sync?.backoff,
    ...(options.invitationStreamIdleMs === undefined ? {} : { idleMs: options.invitationStreamIdleMs }),
    log: (level, message, data) => log(level, message, data),
  });
  const admin = createAdminHandlers({
    db,
    dataDir: options.dataDir,
    deviceId,
    auth,
    sessionMs,
    settings,
    engine: sync,
    configVersion: () => config.active().version,
    now: clock.now,
    log,
    protector: options.keyProtector,
    limits: options.sync?.limits,
    exportTargets: options.exportTargets,
    enrolTimeouts: options.enrolTimeouts,
  });

  // The LAN bridge's one wiring point: its sink is the core's InvitationSink (electron/core/invitations).
  const lanBridge = startLanBridge({
    db,
    settings,
    catalog: () => config.active().bundle.catalog,
    sink: () => invitations,
    now: clock.now,
    log,
  });
  const lanAdmin = createAdminLanHandlers({ db, auth, sessionMs, settings, bridge: lanBridge, now: clock.now });

  const parts: CoreParts = { db, deviceId, clock, config, settings, recorder, auth, sessionMs, invitations };
  const handlers: KioskHandlers = {
    ...admin,
    ...lanAdmin,
    ...surveyHandlers(parts),
    ...staffHandlers(parts),
    ...readAloudHandlers(options.dataDir, log),
  };
  return {
    ...guardStorage(handlers, log),
    db,
    deviceId,
    settings,
    config: config.active,
    configProblems: config.problems,
    reloadConfig: config.reload,
    applyPublishedConfig: config.applyPublished,
    runWalUpkeep: upkeep.run,
    sync,
    lanBridge,
    invitations,
    invitationStream,
    close: () => {
      upkeep.cancel();
      void lanBridge.stop();
      void invitationStream.stop().finally(() => streamContexts.close());
      invitations.close();
      // Hosts stop the engine first (await core.sync.stop()); this only aborts a pass still in flight.
      if (sync.running) void sync.stop();
      if (db.open) db.close();
    },
  };
};
