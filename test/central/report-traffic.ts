/**
 * Generated traffic for the property tests of the report tables: devices whose responses (quick and
 * per-case, complete or abandoned, flagged, refused, on a few shared case numbers, with comments that
 * COPY must escape) are cut into batches sent in any order, some sent again, some conflicting.
 */
import fc from 'fast-check';
import { uuidv7 } from '../../shared/ids.ts';
import type { StoredResponse } from '../../shared/response.ts';
import { type FakeDevice, envelopeOf, makeResponse } from '../support/central.ts';
import { PER_CASE_QUESTIONS } from '../support/responses.ts';

/** 1 October 2026 00:00 UTC; responses fall over the following ~four months (late batches included). */
export const BASE = Date.UTC(2026, 9, 1);

/** What one generated response is: which questionnaire (or a refused one), its answers, when, by whom. */
const Spec = fc.record({
  kind: fc.constantFrom('quick', 'quick', 'per-case', 'unknown-questionnaire', 'invalid-answers'),
  complete: fc.boolean(),
  // Sometimes the same minute on both devices: a tie in submittedAt, decided by device then response id.
  minutes: fc.oneof(fc.integer({ min: 0, max: 120 * 24 * 60 }), fc.constant(30 * 24 * 60)),
  officer: fc.constantFrom(null, 'cb-1', 'cb-2'),
  // 1 rapid repeat, 2 clock suspect, 3 a repeat evaluation of a case (optional flag, per-case v2)
  flags: fc.constantFrom(0, 0, 0, 1, 2, 3),
  overall: fc.integer({ min: 1, max: 5 }),
  points: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 9, maxLength: 9 }),
  problems: fc.subarray(['cho-lau', 'tre-hen', 'thai-do'], { minLength: 1 }),
  // The last: a tab, a line break and a backslash, which COPY's text format must escape (copy-text.ts).
  comment: fc.option(fc.constantFrom('Chờ lâu quá', 'Cán bộ nhiệt tình', 'ĐƯỢC việc', 'Dòng 1\nDòng 2\tcột \\N hết')),
  // Few case numbers, so both devices (one unit or two) often evaluate the same case: one is counted.
  caseNumber: fc.constantFrom(null, null, 'HS-1', 'HS-2', 'HS-3'),
});
type Spec = typeof Spec extends fc.Arbitrary<infer T> ? T : never;

const answersOf = (s: Spec): StoredResponse['answers'] => {
  const comment: Record<string, string> = s.comment === null ? {} : { comment: s.comment };
  if (s.kind === 'invalid-answers') return { overall: 9, attitude: 4, time: 3 }; // refused, complete or not
  if (!s.complete) return s.kind === 'per-case' ? { [PER_CASE_QUESTIONS[0]!]: s.points[0]! } : { overall: s.overall };
  if (s.kind === 'per-case')
    return { ...Object.fromEntries(PER_CASE_QUESTIONS.map((id, i) => [id, s.points[i]!])), ...comment };
  return { overall: s.overall, attitude: 4, time: 2, ...(s.overall <= 2 ? { problems: s.problems } : {}), ...comment };
};

const responseOf = (device: FakeDevice, seq: number, s: Spec): StoredResponse => {
  const t = BASE + s.minutes * 60_000;
  return makeResponse(device, seq, {
    id: uuidv7(t),
    questionnaireId: s.kind === 'per-case' ? 'per-case' : s.kind === 'unknown-questionnaire' ? 'khong-co' : 'quick',
    status: s.complete ? 'complete' : 'abandoned',
    startedAt: new Date(t - 30_000).toISOString(),
    submittedAt: new Date(t).toISOString(),
    officerId: s.officer,
    caseNumber: s.caseNumber,
    answers: answersOf(s),
    flags: { rapidRepeat: s.flags === 1, clockSuspect: s.flags === 2, ...(s.flags === 3 ? { repeatCase: true } : {}) },
  });
};

/** One device's traffic: its responses, cut into batches sent in any order, some sent again, and conflicts. */
export const DevicePlan = fc.record({
  specs: fc.array(Spec, { minLength: 1, maxLength: 10 }),
  batchSize: fc.integer({ min: 1, max: 4 }),
  order: fc.array(fc.nat(), { minLength: 10, maxLength: 10 }),
  resend: fc.array(fc.nat(), { maxLength: 3 }),
  changeContentOf: fc.option(fc.nat()),
  newIdOnSeq: fc.option(fc.nat()),
});
export type DevicePlan = typeof DevicePlan extends fc.Arbitrary<infer T> ? T : never;

/** The envelopes one device sends, in sending order. */
export const traffic = (device: FakeDevice, plan: DevicePlan) => {
  const responses = plan.specs.map((s, i) => responseOf(device, i + 1, s));
  const batches: StoredResponse[][] = [];
  for (let i = 0; i < responses.length; i += plan.batchSize) batches.push(responses.slice(i, i + plan.batchSize));
  // Out of order: a late batch (a USB copy of last month's) arrives after newer ones.
  const sent = batches
    .map((b, i) => ({ b, key: plan.order[i % plan.order.length]! }))
    .sort((x, y) => x.key - y.key)
    .map((x) => x.b);
  for (const i of plan.resend) sent.push(batches[i % batches.length]!);
  const pick = (n: number) => responses[n % responses.length]!;
  if (plan.changeContentOf !== null) {
    const r = pick(plan.changeContentOf);
    sent.push([{ ...r, durationMs: r.durationMs + 1 }]); // same id, other content: a conflict
  }
  if (plan.newIdOnSeq !== null) sent.push([{ ...pick(plan.newIdOnSeq), id: uuidv7() }]); // a seq already held
  const valid = plan.specs.filter((s) => s.kind === 'quick' || s.kind === 'per-case').length;
  return { envelopes: sent.map((b) => envelopeOf(device, b)), valid };
};
