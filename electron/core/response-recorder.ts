import type { Database } from 'better-sqlite3';
import type { Assignment, Result } from '../../shared/api.ts';
import { type Answers, checkAnswers } from '../../shared/answers.ts';
import { citizenQuestionnaire, factAnswers, sourcesOf } from '../../shared/fact-answers.ts';
import type { PublishedContactKey, SealedContact } from '../../shared/follow-up.ts';
import type { ContactSubmissionArgs } from '../../shared/follow-up-offer.ts';
import { uuidv7 } from '../../shared/ids.ts';
import type { Questionnaire } from '../../shared/questionnaire.ts';
import type { ResponseFlags } from '../../shared/response.ts';
import { sealSubmittedContact } from './follow-up-contact.ts';
import type { Invitations } from './invitations/invitations.ts';
import { refuse } from './result.ts';
import type { Clock, Logger } from './runtime.ts';
import { type StorageReason, classifyStorageError, storageError } from './storage-errors.ts';
import {
  type NewResponse,
  type StoredOutcome,
  caseEvaluated,
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
  /** The answers the case's facts decided (never shown, never the citizen's to give). */
  system: Answers;
  /** What the citizen is asked: the questionnaire without the questions the facts answered. */
  citizen: Questionnaire;
  packLocales: readonly string[];
  /** Set once stored, so a retried submit (lost reply) gets the same answer, not a second row. */
  done?: StoredOutcome;
};

export type StorageHealth = { ok: true } | { ok: false; reason: StorageReason; since: string };

export type Stored = { id: string; seq: number; flags: ResponseFlags };

export type ResponseRecorder = {
  /**
   * A new draft for the assignment and questionnaire in force now; they stay its own until it is stored.
   * Returns the questionnaire the citizen is shown: without the indicators the case's facts answered.
   */
  begin: (
    assignment: Assignment,
    questionnaire: Questionnaire,
    contactKey?: PublishedContactKey,
    /** Languages a language pack offers this questionnaire in (beyond the configured ones), fixed at the start. */
    packLocales?: readonly string[],
  ) => { draftId: string; startedAt: number; questionnaire: Questionnaire };
  /** The polite refusal when this case number was evaluated here already and the office refuses repeats. */
  repeatRefusal: (caseNumber: string | null) => Result<never> | null;
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

const alreadyEvaluated = (caseNumber: string): Result<never> => ({
  ok: false,
  error: {
    code: 'already_evaluated',
    message: `case ${caseNumber} has been evaluated on this kiosk already (one evaluation per case)`,
    caseNumber,
  },
});
/** Wall time and monotonic time may disagree by this much before a response is flagged. */
const CLOCK_TOLERANCE_MS = 5_000;

const answersRefused = (issues: { path: string; message: string }[]): Result<never> => ({
  ok: false,
  error: { code: 'invalid_input', message: 'the answers do not fit the questionnaire', issues },
});

/**
 * The citizen's answers against what they were shown, then, with the answers the facts gave, against
 * the whole questionnaire. Returns the full answers to store.
 */
const checkDraftAnswers = (
  draft: Draft,
  answers: Answers,
  status: 'complete' | 'abandoned',
): { full: Answers; issues: { path: string; message: string }[] } => {
  const citizenIssues = checkAnswers(draft.citizen, answers, status);
  const full: Answers = { ...answers, ...draft.system };
  const issues = citizenIssues.length > 0 ? citizenIssues : checkAnswers(draft.questionnaire, full, status);
  return { full, issues: issues.map((i) => ({ path: `answers.${i.question}`, message: i.message })) };
};

/** The row to store: the draft's assignment and questionnaire, the answers and who gave each. */
const responseOf = (
  draft: Draft,
  r: {
    locale: string;
    status: 'complete' | 'abandoned';
    answers: Answers;
    flags: ResponseFlags;
    nowWall: number;
    elapsedMono: number;
  },
): Omit<NewResponse, 'id'> => {
  const a = draft.assignment;
  const sources = sourcesOf(draft.questionnaire, r.answers, draft.system);
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
    ...(sources ? { sources } : {}),
  };
};

/** Whether the last write reached the disk, and since when it has not. */
const healthTracker = () => {
  let health: StorageHealth = { ok: true };
  return {
    get: (): StorageHealth => health,
    ok: (): void => {
      health = { ok: true };
    },
    failed: (reason: StorageReason, nowWall: number): void => {
      // A new cause (disk full, then read-only) replaces the old one: IT must see what is wrong now.
      if (health.ok || health.reason !== reason) health = { ok: false, reason, since: new Date(nowWall).toISOString() };
    },
  };
};

/** A draft's stored outcome: remembered, or (after a restart or eviction) found by its id in the database. */
const outcomeOf = (
  drafts: ReadonlyMap<string, Draft>,
  findStored: (id: string) => StoredOutcome | undefined,
  draftId: string,
): StoredOutcome | undefined => {
  const draft = drafts.get(draftId);
  return draft ? draft.done : findStored(draftId);
};

type InvitationLink = Pick<Invitations, 'answerIn' | 'changed'>;

/**
 * A complete response answers the invitation it was begun under, inside the response's own transaction;
 * not one that expired or was replaced meanwhile (answerIn checks, and then links nothing).
 */
const answerLink = (
  invitations: InvitationLink | undefined,
  draft: Draft,
  status: 'complete' | 'abandoned',
  nowWall: number,
): ((responseId: string) => void) | undefined => {
  const invitationId = status === 'complete' ? draft.assignment.invitationId : undefined;
  if (invitationId === undefined || !invitations) return undefined;
  return (responseId) => void invitations.answerIn(invitationId, responseId, nowWall);
};

/** When the last complete response was stored: on the monotonic clock within one run, the wall clock across restarts. */
const rapidRepeatTracker = (db: Database) => {
  let lastComplete: { wall: number; mono: number | null } | null = null;
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
  const completed = (wall: number, mono: number): void => {
    lastComplete = { wall, mono };
  };
  return { lastCompleteWall, isRapid, completed };
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
  /** The counter-bridge invitations a complete response answers (issue 11). */
  invitations?: InvitationLink;
}): ResponseRecorder => {
  const { db, clock, log, settings, upkeep, invitations } = options;
  const writeResponse = responseWriter(db);
  const findStored = storedOutcome(db);
  const evaluated = caseEvaluated(db);
  const drafts = new Map<string, Draft>();
  const health = healthTracker();
  const rapid = rapidRepeatTracker(db);

  const doneOf = (draftId: string) => outcomeOf(drafts, findStored, draftId);

  const write = (
    draftId: string,
    draft: Draft,
    response: Omit<NewResponse, 'id'>,
    nowWall: number,
    contact: SealedContact | undefined,
  ): Result<Stored> => {
    const link = answerLink(invitations, draft, response.status, nowWall);
    try {
      const { seq } = writeResponse({ id: draftId, ...response }, contact, link);
      if (link) invitations?.changed();
      health.ok();
      upkeep.schedule();
      draft.done = { id: draftId, seq, status: response.status, flags: response.flags };
      return { ok: true, value: { id: draftId, seq, flags: response.flags } };
    } catch (e) {
      const reason = classifyStorageError(e);
      if (!reason) throw e;
      health.failed(reason, nowWall);
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
    // Read once per submit: this runs on the durable path, before the commit's fsync.
    const s = settings();
    const { full, issues } = checkDraftAnswers(draft, answers, status);
    if (!s.locales.includes(locale) && !draft.packLocales.includes(locale))
      issues.push({ path: 'locale', message: `language "${locale}" is not enabled on this kiosk` });
    if (issues.length > 0) return answersRefused(issues);
    const a = draft.assignment;
    // Checked again at the submit: two drafts of one case may have been begun before either was stored.
    const repeat = status === 'complete' && a.caseNumber !== null && evaluated(a.caseNumber);
    if (repeat && s.repeatCasePolicy === 'refuse') return alreadyEvaluated(a.caseNumber!);
    const nowWall = clock.now();
    const nowMono = clock.mono();
    const sealed = contact
      ? sealSubmittedContact(
          {
            responseId: draftId,
            questionnaire: draft.questionnaire,
            answers,
            status,
            locale,
            now: nowWall,
            contactKey: draft.contactKey,
          },
          contact,
        )
      : undefined;
    if (sealed && !sealed.ok) return sealed;
    const elapsedMono = nowMono - draft.startedMono;
    const flags: ResponseFlags = {
      rapidRepeat: status === 'complete' && rapid.isRapid(nowWall, nowMono, s.minSecondsBetweenResponses),
      clockSuspect: Math.abs(nowWall - draft.startedAt - elapsedMono) > CLOCK_TOLERANCE_MS,
      ...(repeat ? { repeatCase: true } : {}),
    };
    const response = responseOf(draft, { locale, status, answers: full, flags, nowWall, elapsedMono });
    const stored = write(draftId, draft, response, nowWall, sealed?.value);
    if (stored.ok && status === 'complete') rapid.completed(nowWall, nowMono);
    return stored;
  };

  return {
    begin: (assignment, questionnaire, contactKey, packLocales = []) => {
      const startedAt = clock.now();
      const draftId = uuidv7(startedAt);
      const system = factAnswers(questionnaire, assignment.facts);
      const citizen = citizenQuestionnaire(questionnaire, system);
      drafts.set(draftId, {
        startedAt,
        startedMono: clock.mono(),
        assignment,
        questionnaire,
        contactKey,
        system,
        citizen,
        packLocales,
      });
      while (drafts.size > MAX_DRAFTS) drafts.delete(drafts.keys().next().value!);
      return { draftId, startedAt, questionnaire: citizen };
    },
    repeatRefusal: (caseNumber) =>
      caseNumber !== null && settings().repeatCasePolicy === 'refuse' && evaluated(caseNumber)
        ? alreadyEvaluated(caseNumber)
        : null,
    store,
    discard: (draftId) => {
      // Already stored (the submit's reply was lost, then the UI timed out): report it, and keep the
      // draft so a retried submit still gets its id and seq.
      const done = doneOf(draftId);
      if (done) return { ok: true, value: { stored: true, id: done.id, seq: done.seq } };
      if (!drafts.delete(draftId)) return refuse('draft_unknown', 'unknown survey');
      return { ok: true, value: { stored: false, id: null, seq: null } };
    },
    health: health.get,
    lastCompleteWall: rapid.lastCompleteWall,
  };
};
