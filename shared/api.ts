import { z } from 'zod';
import { adminApi } from './admin.ts';
import { adminLanApi } from './admin-lan.ts';
import { Answers } from './answers.ts';
import { CaseFacts } from './case-facts.ts';
import { Catalog, FieldCode, ProcedureCode } from './catalog.ts';
import { LanguagePack } from './language-pack.ts';
import { Uuid, UuidV7 } from './ids.ts';
import { InvitationStatus } from './invitation.ts';
import { LocaleCode, LocalizedText } from './locale.ts';
import { Questionnaire, Slug } from './questionnaire.ts';
import { CaseNumber, ResponseFlags, StaffRef } from './response.ts';
import { Pin, ScreenSettings, settingSchemas } from './settings.ts';
import { errorMessage } from './error-message.ts';
import { ContactSubmission } from './follow-up-offer.ts';
import { ClipMime, MAX_CLIP_BYTES, ReadAloudClip, Sha256Hex } from './read-aloud.ts';

/**
 * KioskApi: the one contract between the touch UI and the kiosk core. Each method has a zod schema
 * for its input and its result; both transports (Electron IPC, loopback HTTP) validate on both sides.
 * Failures are typed results, never thrown strings, so the UI can choose what to tell a citizen.
 */

export const ApiError = z.discriminatedUnion('code', [
  z.object({
    code: z.literal('invalid_input'),
    message: z.string(),
    issues: z.array(z.object({ path: z.string(), message: z.string() })),
  }),
  z.object({
    code: z.literal('bad_pin'),
    message: z.string(),
    attemptsLeft: z.number().int().min(0),
    lockedForMs: z.number().int().min(0),
  }),
  z.object({ code: z.literal('locked'), message: z.string(), retryAfterMs: z.number().int().min(0) }),
  z.object({ code: z.literal('session_expired'), message: z.string() }),
  z.object({ code: z.literal('not_found'), message: z.string() }),
  z.object({ code: z.literal('draft_unknown'), message: z.string() }),
  /** One evaluation per case number: this case has been evaluated on this kiosk already. */
  z.object({ code: z.literal('already_evaluated'), message: z.string(), caseNumber: z.string() }),
  z.object({
    code: z.literal('storage_unavailable'),
    /** What IT needs: disk full, read-only, I/O error. The citizen is shown a polite message instead. */
    reason: z.enum(['disk_full', 'read_only', 'io_error', 'busy']),
    message: z.string(),
  }),
  z.object({ code: z.literal('internal'), message: z.string() }),
  // The admin panel's failures (shared/admin.ts): each names what IT can do about it.
  z.object({
    code: z.literal('enrol_failed'),
    reason: z.enum([
      'invalid_url',
      'invalid_code',
      'unreachable',
      'not_central',
      'code_rejected',
      'device_exists',
      'device_revoked',
      'unsupported_protocol',
      'server_error',
      'refused',
      // Refused by the kiosk itself before (or, for the key, right after) asking central:
      'already_enrolled',
      'demo_pins',
      'plain_http',
      'central_key_mismatch',
    ]),
    message: z.string(),
    status: z.number().int().nullable(),
  }),
  z.object({ code: z.literal('not_enrolled'), message: z.string() }),
  /** An enrolment reset refused: answers neither acknowledged by central nor exported to USB. */
  z.object({ code: z.literal('unsent_responses'), message: z.string(), unsent: z.number().int().min(1) }),
  z.object({ code: z.literal('busy'), message: z.string() }),
  z.object({
    code: z.literal('target_unusable'),
    reason: z.enum(['not_absolute', 'missing', 'not_directory', 'not_writable']),
    path: z.string(),
    message: z.string(),
  }),
  z.object({
    code: z.literal('pin_rule'),
    reason: z.enum(['too_short', 'repeated', 'sequence', 'demo', 'same_as_other']),
    message: z.string(),
  }),
]);
export type ApiError = z.infer<typeof ApiError>;
export type ApiErrorCode = ApiError['code'];

export type Result<T> = { ok: true; value: T } | { ok: false; error: ApiError };

export const resultSchema = <T extends z.ZodType>(value: T) =>
  z.discriminatedUnion('ok', [
    z.object({ ok: z.literal(true), value }),
    z.object({ ok: z.literal(false), error: ApiError }),
  ]);

const StaffSession = z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, 'expected a staff session token');

export const Assignment = z.object({
  procedureCode: ProcedureCode,
  procedureName: LocalizedText,
  fieldCode: FieldCode,
  fieldName: LocalizedText,
  questionnaireId: Slug,
  questionnaireVersion: z.number().int().min(1),
  caseNumber: CaseNumber.nullable(),
  officerId: StaffRef.nullable(),
  counterId: StaffRef.nullable(),
  setAt: z.iso.datetime(),
  /** What the one-stop system said about the case (kioskctl, later the counter bridge); absent when nothing. */
  facts: CaseFacts.optional(),
  /** Set while a counter-bridge invitation is the assignment (issue 11): a complete response answers it. */
  invitationId: UuidV7.optional(),
});
export type Assignment = z.infer<typeof Assignment>;

/**
 * The invitation the attract screen shows (issue 11): "please rate case N". `expiresAtMs` is on the
 * kiosk's own clock; the core ends it (expiry, the next invitation, an answer), the screen just follows.
 */
export const CurrentInvitation = z.object({
  id: UuidV7,
  caseNumber: CaseNumber,
  procedureName: LocalizedText,
  officerId: StaffRef.nullable(),
  expiresAtMs: z.number().int(),
});
export type CurrentInvitation = z.infer<typeof CurrentInvitation>;

export const StorageHealth = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true) }),
  z.object({
    ok: z.literal(false),
    reason: z.enum(['disk_full', 'read_only', 'io_error', 'busy']),
    since: z.iso.datetime(),
  }),
]);

export const KioskState = z.object({
  deviceId: z.string(),
  settings: ScreenSettings,
  assignment: Assignment,
  questionnaire: Questionnaire,
  configVersion: z.string(),
  storage: StorageHealth,
  /** UI languages the configuration adds (issue 15); absent when it adds none. */
  languagePacks: z.array(LanguagePack).optional(),
  /** When the next completed response stops counting as a rapid repeat (ISO), or null. */
  rapidUntil: z.iso.datetime().nullable(),
  /** A counter-bridge invitation waiting for its citizen, or null. */
  invitation: CurrentInvitation.nullable(),
  /** The invitation received last and where it stands, for the officer's display; null before the first. */
  lastInvitation: z
    .object({ id: UuidV7, caseNumber: CaseNumber, status: InvitationStatus, at: z.iso.datetime() })
    .nullable(),
});
export type KioskState = z.infer<typeof KioskState>;

const Draft = z.object({ draftId: Uuid, locale: LocaleCode, answers: Answers });

export const kioskApi = {
  /** Everything the attract screen and survey need for the next respondent. */
  getKioskState: { input: z.object({}).strict(), output: KioskState },
  /**
   * Long poll for the attract screen: answers as soon as the current invitation differs from `knownId`
   * (a new one arrived, or it expired, was replaced or answered), else after `waitMs`. The screen then
   * reads getKioskState; so an invitation is painted within a frame or two of reaching the core.
   */
  awaitInvitation: {
    input: z
      .object({ knownId: UuidV7.nullable(), waitMs: z.number().int().min(0).max(15_000).default(10_000) })
      .strict(),
    output: z.object({ invitation: CurrentInvitation.nullable() }),
  },
  /** Fields, procedures and questionnaire titles, for the staff panel's search. */
  getCatalog: {
    input: z.object({}).strict(),
    output: z.object({
      catalog: Catalog,
      questionnaires: z.array(z.object({ id: Slug, version: z.number().int(), title: LocalizedText })),
    }),
  },
  /** Starts a respondent: the assignment and questionnaire are fixed now, so a staff switch affects only the next person. */
  beginResponse: {
    input: z.object({}).strict(),
    output: z.object({
      draftId: Uuid,
      startedAt: z.iso.datetime(),
      questionnaire: Questionnaire,
      assignment: Assignment,
      /**
       * Whether this respondent may be offered a follow-up contact (central published its contact key
       * and the questionnaire does not turn it off); the answers decide (shared/follow-up-offer.ts).
       */
      followUp: z.boolean(),
    }),
  },
  /**
   * Stores a completed response; resolves only after the write is durable. With `contact` (the
   * citizen accepted a follow-up), the core seals it and stores it with the response in one transaction.
   */
  submitResponse: {
    input: Draft.extend({ contact: ContactSubmission.optional() }).strict(),
    output: z.object({ id: z.string(), seq: z.number().int().min(1), flags: ResponseFlags }),
  },
  /** Records (or, by policy, discards) a respondent who walked away. */
  abandonResponse: {
    input: Draft.strict(),
    output: z.object({ stored: z.boolean(), id: z.string().nullable(), seq: z.number().int().nullable() }),
  },
  staffUnlock: {
    input: z.object({ pin: Pin }).strict(),
    output: z.object({ session: StaffSession, expiresAt: z.iso.datetime() }),
  },
  staffLock: { input: z.object({ session: StaffSession }).strict(), output: z.object({}) },
  /** Recent and favourite procedures, officers and counters, for the staff panel. */
  staffContext: {
    input: z.object({ session: StaffSession }).strict(),
    output: z.object({
      recent: z.array(ProcedureCode),
      favourites: z.array(ProcedureCode),
      officers: settingSchemas.officers,
      counters: settingSchemas.counters,
      assignment: Assignment,
    }),
  },
  setAssignment: {
    input: z
      .object({
        session: StaffSession,
        procedureCode: ProcedureCode,
        caseNumber: CaseNumber.nullable().default(null),
        officerId: StaffRef.nullable().default(null),
        counterId: StaffRef.nullable().default(null),
      })
      .strict(),
    output: Assignment,
  },
  toggleFavourite: {
    input: z.object({ session: StaffSession, procedureCode: ProcedureCode }).strict(),
    output: z.object({ favourites: z.array(ProcedureCode) }),
  },
  /**
   * Read-aloud (issue 15): the clips central published that this kiosk holds, checked (the renderer
   * looks a text's clip up by its key, textSha256). Empty when there are none.
   */
  readAloudClips: {
    input: z.object({}).strict(),
    output: z.object({ clips: z.array(ReadAloudClip.omit({ bytes: true })) }),
  },
  /** One listed clip's audio (base64), given only while its bytes still match audioSha256; else not_found. */
  readAloudClip: {
    input: z.object({ audioSha256: Sha256Hex }).strict(),
    output: z.object({ mime: ClipMime, base64: z.string().max(Math.ceil(MAX_CLIP_BYTES / 3) * 4) }),
  },
  ...adminApi,
  ...adminLanApi,
} as const;

export type KioskMethod = keyof typeof kioskApi;
export const KIOSK_METHODS = Object.keys(kioskApi) as KioskMethod[];
export const isKioskMethod = (name: string): name is KioskMethod => Object.hasOwn(kioskApi, name);

export type MethodInput<M extends KioskMethod> = z.input<(typeof kioskApi)[M]['input']>;
export type MethodArgs<M extends KioskMethod> = z.output<(typeof kioskApi)[M]['input']>;
export type MethodOutput<M extends KioskMethod> = z.output<(typeof kioskApi)[M]['output']>;

/** What the renderer calls. Implemented by both transports' clients. */
export type KioskApi = { [M in KioskMethod]: (input: MethodInput<M>) => Promise<Result<MethodOutput<M>>> };

/** What the core implements: inputs already validated. */
export type KioskHandlers = {
  [M in KioskMethod]: (input: MethodArgs<M>) => Promise<Result<MethodOutput<M>>> | Result<MethodOutput<M>>;
};

export const zodIssues = (error: z.ZodError): { path: string; message: string }[] =>
  error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(root)', message: i.message }));

/** Validates an unknown input for a method; the error names every offending field. */
export const parseInput = <M extends KioskMethod>(method: M, input: unknown): Result<MethodArgs<M>> => {
  const parsed = kioskApi[method].input.safeParse(input ?? {});
  if (parsed.success) return { ok: true, value: parsed.data as MethodArgs<M> };
  return {
    ok: false,
    error: { code: 'invalid_input', message: `invalid input for ${method}`, issues: zodIssues(parsed.error) },
  };
};

/**
 * What a transport answers when a handler throws (a bug, not a typed failure). The same envelope over IPC
 * and HTTP; it names only the method, so no error text or stack trace reaches the page (the host logs it).
 */
export const internalFailure = (method: string): Result<never> => ({
  ok: false,
  error: { code: 'internal', message: `${method.slice(0, 64)} failed inside the kiosk; see the log` },
});

/** Runs validated handlers for an untrusted (method, input) pair: the single entry point of every transport. */
export const dispatch = async (handlers: KioskHandlers, method: string, input: unknown): Promise<Result<unknown>> => {
  if (!isKioskMethod(method))
    return { ok: false, error: { code: 'not_found', message: `no such method: ${method.slice(0, 64)}` } };
  const args = parseInput(method, input);
  if (!args.ok) return args;
  const handler = handlers[method] as (a: unknown) => Promise<Result<unknown>> | Result<unknown>;
  return handler(args.value);
};

/** Raw transport: sends a method call, returns the unvalidated envelope. */
export type Transport = (method: KioskMethod, input: unknown) => Promise<unknown>;

/** Builds a typed KioskApi over any transport, validating every result that comes back. */
export const createKioskClient = (transport: Transport): KioskApi => {
  const call = async (method: KioskMethod, input: unknown): Promise<Result<unknown>> => {
    let raw: unknown;
    try {
      raw = await transport(method, input);
    } catch (e) {
      return {
        ok: false,
        error: { code: 'internal', message: `transport failed: ${errorMessage(e)}` },
      };
    }
    const parsed = resultSchema(kioskApi[method].output).safeParse(raw);
    if (parsed.success) return parsed.data as Result<unknown>;
    return {
      ok: false,
      error: {
        code: 'internal',
        message: `malformed result from ${method}: ${zodIssues(parsed.error)[0]?.message ?? ''}`,
      },
    };
  };
  return Object.fromEntries(KIOSK_METHODS.map((m) => [m, (input: unknown) => call(m, input)])) as KioskApi;
};
