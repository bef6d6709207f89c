import { z } from 'zod';
import { Answers } from './answers.ts';
import { AnswerSource } from './case-facts.ts';
import { FieldCode, ProcedureCode } from './catalog.ts';
import { UuidV7 } from './ids.ts';
import { LocaleCode } from './locale.ts';
import { Int32, SafeInt } from './numbers.ts';
import { Slug } from './questionnaire.ts';

/** "Mã hồ sơ": the case number, the only link from a response to a person. */
export const CaseNumber = z
  .string()
  .trim()
  .regex(/^[0-9A-Za-z][0-9A-Za-z.\-/]{0,39}$/, 'expected a case number of letters, digits, ".", "-" or "/"');
export const StaffRef = z.string().regex(/^[A-Za-z0-9_.-]{1,32}$/);

export const ResponseFlags = z.object({
  /** Completed sooner after the previous completed response than the configured minimum. Flagged, never dropped. */
  rapidRepeat: z.boolean(),
  /** The wall clock moved backwards or jumped relative to the monotonic clock during the response. */
  clockSuspect: z.boolean(),
  /**
   * A second evaluation of a case number this kiosk already has one for, kept because the office chose
   * to flag repeats rather than refuse them. Optional: older kiosks and batches never send it.
   */
  repeatCase: z.boolean().optional(),
});
export type ResponseFlags = z.infer<typeof ResponseFlags>;

export const ResponseStatus = z.enum(['complete', 'abandoned']);

/** A response as the kiosk stores it and as it travels to the central service. */
export const StoredResponse = z.object({
  id: UuidV7,
  deviceId: z.string().min(1).max(64),
  /** The device's gap-free sequence number; central keeps it in an `integer` column. */
  seq: Int32(1),
  questionnaireId: Slug,
  questionnaireVersion: Int32(1),
  procedureCode: ProcedureCode,
  fieldCode: FieldCode,
  caseNumber: CaseNumber.nullable(),
  officerId: StaffRef.nullable(),
  counterId: StaffRef.nullable(),
  locale: LocaleCode,
  status: ResponseStatus,
  startedAt: z.iso.datetime(),
  submittedAt: z.iso.datetime(),
  durationMs: SafeInt(0),
  answers: Answers,
  flags: ResponseFlags,
  /**
   * Who gave each answer (question id → citizen or system), recorded for questionnaires that take some
   * indicators from the case's facts; absent on every other response (all citizen), and on responses
   * from kiosks older than this field.
   */
  sources: z
    .custom<unknown>(
      (v) => typeof v !== 'object' || v === null || !Object.hasOwn(v, '__proto__'),
      'the key "__proto__" is not a question id',
    )
    .pipe(z.record(Slug, AnswerSource).refine((s) => Object.keys(s).length <= 60, 'too many sources'))
    .optional(),
});
export type StoredResponse = z.infer<typeof StoredResponse>;
