import type { Database } from 'better-sqlite3';
import type { Assignment, Result } from '../../shared/api.ts';
import { checkAnswers } from '../../shared/answers.ts';
import type { PublishedContactKey, SealedContact } from '../../shared/follow-up.ts';
import type { ContactSubmissionArgs } from '../../shared/follow-up-offer.ts';
import { uuidv7 } from '../../shared/ids.ts';
import type { Questionnaire } from '../../shared/questionnaire.ts';
import type { ResponseFlags } from '../../shared/response.ts';
import { sealSubmittedContact } from './follow-up-contact.ts';
import { refuse } from './result.ts';
import type { Clock, Logger } from './runtime.ts';
import { type StorageReason, classifyStorageError, storageError } from './storage-errors.ts';
import {
  type NewResponse,
  type StoredOutcome,
  lastCompletedAt,
  responseWriter,
  storedOutcome,
} from './store/responses.ts';
import type { StoredSettings } from './store/settings.ts';
import type { WalUpkeep } from './store/wal-upkeep.ts';

type Draft = {
  startedAt: number;
  startedMono: number;
  assignment: Assignment;
  questionnaire: Questionnaire;
  /** Central's contact key when the survey began: a follow-up is sealed to it, or not taken without it. */
  contactKey: PublishedContactKey | undefined;
  /** Set once stored, so a retried submit (lost reply) gets the same answer, not a second row. */
  done?: StoredOutcome;
};

export type StorageHealth = { ok: true } | { ok: false; reason: StorageReason; since: string };

export type Stored = { id: string; seq: number; flags: ResponseFlags };

export type ResponseRecorder = {
  /** A new draft for the assignment and questionnaire in force now; they stay its own until it is stored. */
  begin: (
    assignment: Assignment,
    questionnaire: Questionnaire,
    contactKey?: PublishedContactKey,
  ) => { draftId: string; startedAt: number };
  /** With `contact`, the response and its sealed follow-up contact are stored together or not at all. */
  store: (
    draftId: string,
    locale: string,
    answers: NewResponse['answers'],
    status: 'complete' | 'abandoned',
    contact?: ContactSubmissionArgs,
  ) => Result<Stored>;
  /** The "discard abandoned surveys" policy: forgets the draft, unless it was stored already (a lost reply). */
  discard: (draftId: string) => Result<{ stored: boolean; id: string | null; seq: number | null }>;
  /** Whether the last write reached the disk, and since when it has not. */
  health: () => StorageHealth;
  /** Wall time of the last complete response (this run, else the database), for the rapid-repeat pause. */
  lastCompleteWall: () => number | null;
};

const MAX_DRAFTS = 64;
/** Wall time and monotonic time may disagree by this much before a response is flagged. */
const CLOCK_TOLERANCE_MS = 5_000;

/** The row to store for a draft: its assignment as it was at the start, and what happened since. */
const responseOf = (
  draft: Draft,
  r: Pick<NewResponse, 'locale' | 'status' | 'answers' | 'flags'> & { nowWall: number; elapsedMono: number },
): Omit<NewResponse, 'id'> => {
  const a = draft.assignment;
  return {
    questionnaireId: a.questionnaireId,
    questionnaireVersion: a.questionnaireVersion,
    procedureCode: a.procedureCode,
    fieldCode: a.fieldCode,
    caseNumber: a.caseNumber,
    officerId: a.officerId,
    counterId: a.counterId,
    locale: r.locale,
    status: r.status,
    startedAt: new Date(draft.startedAt).toISOString(),
    submittedAt: new Date(r.nowWall).toISOString(),
    durationMs: Math.max(0, Math.round(r.elapsedMono)),
    answers: r.answers,
    flags: r.flags,
  };
};

/**
 * The citizen's path to the disk: drafts begun on the kiosk, their answers checked against the
 * questionnaire they started with, flagged (rapid repeat, suspect clock) and stored durably, once.
 */
export const createResponseRecorder = (options: {
  db: Database;
  clock: Clock;
  log: Logger;
  settings: () => StoredSettings;
  upkeep: WalUpkeep;
}): ResponseRecorder => {
  const { db, clock, log, settings, upkeep } = options;
  const writeResponse = responseWriter(db);
  const findStored = storedOutcome(db);
  const drafts = new Map<string, Draft>();
  let health: StorageHealth = { ok: true };
  let lastComplete: { wall: number; mono: number | null } | null = null;

  /** A draft's stored outcome: remembered, or (after a restart or eviction) found by its id in the database. */
  const doneOf = (draftId: string): StoredOutcome | undefined => {
    const draft = drafts.get(draftId);
    return draft ? draft.done : findStored(draftId);
  };

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
    const lastWall = lastCompleteWall();
    if (minMs === 0 || lastWall === null) return false;
    if (lastComplete?.mono != null) return nowMono - lastComplete.mono < minMs;
    return nowWall - lastWall < minMs;
  };

  const write = (
    draftId: string,
    draft: Draft,
    response: Omit<NewResponse, 'id'>,
    nowWall: number,
    contact: SealedContact | undefined,
  ): Result<Stored> => {
    try {
      const { seq } = writeResponse({ id: draftId, ...response }, contact);
      health = { ok: true };
      upkeep.schedule();
      draft.done = { id: draftId, seq, status: response.status, flags: response.flags };
      return { ok: true, value: { id: draftId, seq, flags: response.flags } };
    } catch (e) {
      const reason = classifyStorageError(e);
      if (!reason) throw e;
      // A new cause (disk full, then read-only) replaces the old one: IT must see what is wrong now.
      if (health.ok || health.reason !== reason) health = { ok: false, reason, since: new Date(nowWall).toISOString() };
      const error = storageError(reason, e);
      log('error', `response not stored: ${error.message}`, { draftId, status: response.status });
      return { ok: false, error };
    }
  };

  const store: ResponseRecorder['store'] = (draftId, locale, answers, status, contact) => {
    const done = doneOf(draftId);
    if (done) {
      // Closed as abandoned (the idle timeout won a race with the last tap): a submit must not report
      // the complete answers as saved when only the partial ones are.
      if (status === 'complete' && done.status === 'abandoned')
        return refuse('draft_unknown', 'this survey was already closed as abandoned; start again');
      return { ok: true, value: { id: done.id, seq: done.seq, flags: done.flags } };
    }
    const draft = drafts.get(draftId);
    if (!draft)
      return refuse('draft_unknown', 'this survey was not started on this kiosk, or the kiosk restarted; start again');
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
    let sealed: SealedContact | undefined;
    if (contact) {
      const ctx = { responseId: draftId, questionnaire: draft.questionnaire, answers, status, locale, now: nowWall };
      const r = sealSubmittedContact({ ...ctx, contactKey: draft.contactKey }, contact);
      if (!r.ok) return r;
      sealed = r.value;
    }
    const elapsedMono = nowMono - draft.startedMono;
    const flags: ResponseFlags = {
      rapidRepeat: status === 'complete' && isRapid(nowWall, nowMono, s.minSecondsBetweenResponses),
      clockSuspect: Math.abs(nowWall - draft.startedAt - elapsedMono) > CLOCK_TOLERANCE_MS,
    };
    const response = responseOf(draft, { locale, status, answers, flags, nowWall, elapsedMono });
    const stored = write(draftId, draft, response, nowWall, sealed);
    if (stored.ok && status === 'complete') lastComplete = { wall: nowWall, mono: nowMono };
    return stored;
  };

  return {
    begin: (assignment, questionnaire, contactKey) => {
      const startedAt = clock.now();
      const draftId = uuidv7(startedAt);
      drafts.set(draftId, { startedAt, startedMono: clock.mono(), assignment, questionnaire, contactKey });
      while (drafts.size > MAX_DRAFTS) drafts.delete(drafts.keys().next().value!);
      return { draftId, startedAt };
    },
    store,
    discard: (draftId) => {
      // Already stored (the submit's reply was lost, then the UI timed out): report it, and keep the
      // draft so a retried submit still gets its id and seq.
      const done = doneOf(draftId);
      if (done) return { ok: true, value: { stored: true, id: done.id, seq: done.seq } };
      if (!drafts.delete(draftId)) return refuse('draft_unknown', 'unknown survey');
      return { ok: true, value: { stored: false, id: null, seq: null } };
    },
    health: () => health,
    lastCompleteWall,
  };
};
