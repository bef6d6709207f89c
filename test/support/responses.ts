import type { NewResponse } from '../../electron/core/store/responses.ts';
import { uuidv7 } from '../../shared/ids.ts';

/** A valid response for the store's tests (quick questionnaire v1, birth registration). */
export const sampleResponse = (over: Partial<NewResponse> = {}): NewResponse => ({
  id: uuidv7(),
  questionnaireId: 'quick',
  questionnaireVersion: 1,
  procedureCode: '1.001193',
  fieldCode: 'ho-tich',
  caseNumber: null,
  officerId: null,
  counterId: null,
  locale: 'vi',
  status: 'complete',
  startedAt: '2026-01-01T00:00:00.000Z',
  submittedAt: '2026-01-01T00:00:30.000Z',
  durationMs: 30000,
  answers: { overall: 5 },
  flags: { rapidRepeat: false, clockSuspect: false },
  ...over,
});

/** The nine per-case indicators of per-case version 1 (assets/config/retired/per-case.v1.json), in order 1..9. */
export const PER_CASE_QUESTIONS = [
  'tong-thoi-gian',
  'thoi-gian-tung-co-quan',
  'so-lan-lien-he',
  'so-co-quan-lien-he',
  'tiep-nhan-tai-mot-cua',
  'cong-khai-tthc',
  'thai-do-can-bo',
  'tiep-thu-giai-trinh',
  'dich-vu-cong-truc-tuyen',
] as const;
