import type { Answers } from '../../shared/answers.ts';
import type { Questionnaire } from '../../shared/questionnaire.ts';
import { foldText } from '../../shared/reports/fold.ts';
import type { StoredResponse } from '../../shared/response.ts';
import { countPlanOf } from './count-plan.ts';

/**
 * What one stored response adds to the report tables (migration 7): one report_facts row and its
 * count rows. Pure: the definition of what is counted. The drain and the rebuild count in SQL
 * (rebuild-sql.ts), tested to write exactly what this defines (write-aggregates.ts is the reference writer).
 * Row fields are named after the table columns: they travel to PostgreSQL as one json_to_recordset.
 */

/** Asia/Ho_Chi_Minh is UTC+7 all year (Vietnam has no daylight saving). */
const VIETNAM_OFFSET_MS = 7 * 60 * 60 * 1000;

/** A timestamp as responses carry it (UTC, "Z"), with a valid hour, minute and second. */
const UTC_INSTANT = /^\d{4}-\d\d-\d\dT(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d+)?)?Z$/;
/** The Vietnam day of a UTC hour ("YYYY-MM-DDTHH"): the ingest asks for a few hours thousands of times. */
const dayOfUtcHour = new Map<string, string>();

/** The calendar day in Vietnam (YYYY-MM-DD) of an instant given as an ISO timestamp. */
export const vietnamDay = (iso: string): string => {
  // Of a UTC instant, the date and the hour alone decide the day (+7 h); anything else is parsed.
  const hour = UTC_INSTANT.test(iso) ? iso.slice(0, 13) : undefined;
  const known = hour === undefined ? undefined : dayOfUtcHour.get(hour);
  if (known !== undefined) return known;
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`not a timestamp: ${iso}`);
  const day = new Date(ms + VIETNAM_OFFSET_MS).toISOString().slice(0, 10);
  if (hour !== undefined) {
    if (dayOfUtcHour.size >= 10_000) dayOfUtcHour.clear();
    dayOfUtcHour.set(hour, day);
  }
  return day;
};

/** The first day of the month of a YYYY-MM-DD day. */
export const monthOf = (day: string): string => `${day.slice(0, 8)}01`;

/** Question id of the row that counts responses themselves (not a valid Slug, so no question has it). */
export const STATUS_QUESTION = '_status';

/** Where a response was stored: its key in responses, and its device's unit at ingest. */
export type ResponsePlace = { deviceId: string; responseId: string; unitId: string };

export type FactRow = {
  device_id: string;
  response_id: string;
  unit_id: string;
  day: string;
  submitted_at: string;
  questionnaire_id: string;
  version: number;
  kind: string;
  field_code: string;
  procedure_code: string;
  officer_id: string;
  counter_id: string;
  case_number: string | null;
  complete: boolean;
  flagged: boolean;
  score: number | null;
  comment: string | null;
  comment_folded: string | null;
};

/** A report_daily row (n responses or answers). */
export type DailyCount = {
  unit_id: string;
  day: string;
  questionnaire_id: string;
  version: number;
  field_code: string;
  procedure_code: string;
  officer_id: string;
  counter_id: string;
  flagged: boolean;
  question_id: string;
  value: string;
  n: number;
};

/** A report_monthly row: month is the first day of the month; no officer or counter. */
export type MonthlyCount = Omit<DailyCount, 'day' | 'officer_id' | 'counter_id'> & { month: string };

/**
 * The questionnaire kind a response is reported under. A response whose questionnaire cannot be
 * found (stored before central checked responses, for a version nobody has any more) is 'custom':
 * it is counted as a response (complete/abandoned) but none of its answers are.
 */
const kindOf = (q: Questionnaire | undefined): string => q?.kind ?? 'custom';

/**
 * 0..1, what "lowest scores first" sorts on. A questionnaire with per-case indicators: the points
 * earned over the points of the indicators answered (= total / max for a complete evaluation, where
 * every indicator is required). Otherwise the mean of its scale answers, each placed on 0..1 of its
 * range (satisfaction5: 1 → 0, 5 → 1). null when the response has no such answer.
 */
export const responseScore = (q: Questionnaire, answers: Answers): number | null => {
  const plan = countPlanOf(q);
  let points = 0;
  let indicators = 0;
  for (const id of plan.indicators) {
    const v = answers[id];
    if (typeof v === 'number') {
      points += v;
      indicators++;
    }
  }
  if (indicators > 0) return points / (2 * indicators);
  let placed = 0;
  let scales = 0;
  for (const { id, min, span } of plan.scales) {
    const v = answers[id];
    if (typeof v === 'number') {
      placed += (v - min) / span;
      scales++;
    }
  }
  return scales === 0 ? null : placed / scales;
};

/** The free-text answers in the questionnaire's order, joined by a blank line; null when none. */
export const responseComment = (q: Questionnaire, answers: Answers): string | null => {
  const texts: string[] = [];
  for (const id of countPlanOf(q).texts) {
    const v = answers[id];
    if (typeof v === 'string' && v.trim() !== '') texts.push(v);
  }
  return texts.length === 0 ? null : texts.join('\n\n');
};

/** Flagged by the kiosk: a rapid repeat, a suspect clock, or a case it had an evaluation of already. */
const kioskFlagged = (r: StoredResponse): boolean =>
  r.flags.rapidRepeat || r.flags.clockSuspect || r.flags.repeatCase === true;

/**
 * factOf, countsOf and aggregateResponse take `repeat`: true when central decided this response is a
 * repeat evaluation of a case (repeatCaseLosers); it is then counted as flagged like the kiosk's flags.
 */
export const factOf = (
  r: StoredResponse,
  place: ResponsePlace,
  q: Questionnaire | undefined,
  repeat = false,
): FactRow => {
  const comment = q ? responseComment(q, r.answers) : null;
  return {
    device_id: place.deviceId,
    response_id: place.responseId,
    unit_id: place.unitId,
    day: vietnamDay(r.submittedAt),
    submitted_at: r.submittedAt,
    questionnaire_id: r.questionnaireId,
    version: r.questionnaireVersion,
    kind: kindOf(q),
    field_code: r.fieldCode,
    procedure_code: r.procedureCode,
    officer_id: r.officerId ?? '',
    counter_id: r.counterId ?? '',
    case_number: r.caseNumber,
    complete: r.status === 'complete',
    flagged: kioskFlagged(r) || repeat,
    score: q ? responseScore(q, r.answers) : null,
    comment,
    comment_folded: comment === null ? null : foldText(comment),
  };
};

/**
 * The count rows of one response, n = 1 each: always its `_status` row (complete or abandoned); for
 * a COMPLETE response also one row per answer counted (a multi answer: one per option chosen; text
 * never). An abandoned response's answers are not in any figure.
 */
export const countsOf = (
  r: StoredResponse,
  place: ResponsePlace,
  q: Questionnaire | undefined,
  repeat = false,
): DailyCount[] => {
  const day = vietnamDay(r.submittedAt);
  const officer = r.officerId ?? '';
  const counter = r.counterId ?? '';
  const flagged = kioskFlagged(r) || repeat;
  // A literal with every column, not a spread of a shared object: V8 builds it with a fixed shape, which
  // keeps this and the sums over hundreds of thousands of rows fast (the spread was most of a drain).
  const row = (question_id: string, value: string): DailyCount => ({
    unit_id: place.unitId,
    day,
    questionnaire_id: r.questionnaireId,
    version: r.questionnaireVersion,
    field_code: r.fieldCode,
    procedure_code: r.procedureCode,
    officer_id: officer,
    counter_id: counter,
    flagged,
    question_id,
    value,
    n: 1,
  });
  const rows: DailyCount[] = [row(STATUS_QUESTION, r.status)];
  for (const [question, value] of countedAnswers(r, q)) rows.push(row(question, value));
  return rows;
};

/**
 * Calls `count` with each (question id, value) pair a response's answers add to the counts, besides its
 * `_status` row, in the questionnaire's order: none for an abandoned response or one whose questionnaire
 * is not found. The value is the answer as report_daily's `value` column has it: a multi answer gives one
 * per option chosen, free text (and an unusable value) none.
 */
export const forEachCountedAnswer = (
  r: StoredResponse,
  q: Questionnaire | undefined,
  count: (question: string, value: string) => void,
): void => {
  if (r.status !== 'complete' || !q) return;
  for (const { id, multi } of countPlanOf(q).counted) {
    const value = r.answers[id];
    if (value === undefined) continue;
    if (multi) {
      if (Array.isArray(value)) for (const option of new Set(value)) count(id, option);
    } else if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string')
      count(id, String(value));
  }
};

/** forEachCountedAnswer's pairs as a list. */
export const countedAnswers = (r: StoredResponse, q: Questionnaire | undefined): [string, string][] => {
  const pairs: [string, string][] = [];
  forEachCountedAnswer(r, q, (question, value) => pairs.push([question, value]));
  return pairs;
};

/** Both at once: what one stored response adds. */
export const aggregateResponse = (
  r: StoredResponse,
  place: ResponsePlace,
  q: Questionnaire | undefined,
  repeat = false,
): { fact: FactRow; counts: DailyCount[] } => ({
  fact: factOf(r, place, q, repeat),
  counts: countsOf(r, place, q, repeat),
});

/** A response's key in report_facts (and a Set of them): device and response id. */
export const placeKey = (place: ResponsePlace): string => `${place.deviceId}\u0000${place.responseId}`;

/**
 * One evaluation per case number per unit, across kiosks (issue 11). Among the COMPLETE responses of a
 * unit that name the same case number and that no kiosk flagged, the earliest submittedAt is counted
 * (ties: device id, then response id, compared as code units like PostgreSQL's "C" collation); every
 * other one is a repeat central decided, counted as flagged. Returns the keys (placeKey) of those.
 * Abandoned responses are not evaluations (the kiosk's rule too), and a flagged one never wins, so a
 * kiosk-flagged response never hides an unflagged evaluation of the same case. Adding responses can
 * only move the winner earlier: a counted response may become a repeat, never the reverse; that is
 * what lets the drain (central/reports/repeat-cases.ts) apply the rule to what it just added.
 */
export const repeatCaseLosers = (items: Iterable<{ response: StoredResponse; place: ResponsePlace }>): Set<string> => {
  type Entry = { at: number; place: ResponsePlace };
  const winners = new Map<string, Entry>();
  const losers = new Set<string>();
  const before = (a: Entry, b: Entry): boolean =>
    a.at !== b.at
      ? a.at < b.at
      : a.place.deviceId !== b.place.deviceId
        ? a.place.deviceId < b.place.deviceId
        : a.place.responseId < b.place.responseId;
  for (const { response: r, place } of items) {
    if (r.status !== 'complete' || r.caseNumber === null || kioskFlagged(r)) continue;
    const group = `${place.unitId}\u0000${r.caseNumber}`;
    const entry: Entry = { at: Date.parse(r.submittedAt), place };
    const held = winners.get(group);
    if (held === undefined) winners.set(group, entry);
    else if (before(entry, held)) {
      losers.add(placeKey(held.place));
      winners.set(group, entry);
    } else losers.add(placeKey(place));
  }
  return losers;
};

/** report_daily's primary key. */
export const DAILY_KEY = [
  'unit_id',
  'day',
  'questionnaire_id',
  'version',
  'field_code',
  'procedure_code',
  'officer_id',
  'counter_id',
  'flagged',
  'question_id',
  'value',
] as const satisfies readonly (keyof DailyCount)[];
/** report_monthly's primary key. */
export const MONTHLY_KEY = [
  'unit_id',
  'month',
  'questionnaire_id',
  'version',
  'field_code',
  'procedure_code',
  'flagged',
  'question_id',
  'value',
] as const satisfies readonly (keyof MonthlyCount)[];

/** Adds up rows with the same primary key; the result is sorted by that key (for stable tests and diffs). */
const sumBy = <R extends { n: number }>(rows: Iterable<R>, key: readonly (keyof R)[]): R[] => {
  const sums = new Map<string, R>();
  for (const row of rows) {
    // Columns joined by NUL: no column can hold one (PostgreSQL text and jsonb refuse it, and every row
    // comes from a jsonb body), so the key is unambiguous; much cheaper than JSON of an array.
    let k = '';
    for (const c of key) k += `${String(row[c])}\u0000`;
    const held = sums.get(k);
    if (held) held.n += row.n;
    else sums.set(k, { ...row });
  }
  return [...sums.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row);
};

/** report_daily rows: the count rows of many responses, summed per primary key. */
export const sumDaily = (rows: Iterable<DailyCount>): DailyCount[] => sumBy(rows, DAILY_KEY);

/** report_monthly rows: the same counts per month (its first day), officer and counter dropped. */
export const sumMonthly = (rows: Iterable<DailyCount>): MonthlyCount[] => {
  const monthly = function* (): Generator<MonthlyCount> {
    for (const { day, officer_id: _o, counter_id: _c, ...rest } of rows) yield { ...rest, month: monthOf(day) };
  };
  return sumBy(monthly(), MONTHLY_KEY);
};
