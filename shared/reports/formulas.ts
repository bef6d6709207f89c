import type { GradeBand, Question } from '../questionnaire.ts';
import type { Band, IndicatorSource } from './result.ts';
import type { ReportSettings } from './settings.ts';

/**
 * Every figure a report shows, each as ONE pure function, so that the console, the exports and
 * `centralctl report` can only ever agree. docs/reports.md states each in words, with its rounding and
 * boundaries; test/shared/report-formulas.test.ts checks each against tables worked out by hand.
 * Shares are percentages (0-100). Nothing here rounds except `roundForDisplay`: figures keep full
 * precision until they are shown.
 */

/** Counts of one question's answers, by the answer as text ('0', '1', '2', 'true', an option value). */
export type Counts = Readonly<Record<string, number>>;

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

/** Mean of the values that are not null; null when there are none. */
export const meanOf = (xs: readonly (number | null)[]): number | null => {
  const present = xs.filter((x): x is number => x !== null);
  return present.length === 0 ? null : sum(present) / present.length;
};

/**
 * Rounds for display, half away from zero on the DECIMAL value the reader would write down: 1.25 → 1.3,
 * 2.45 → 2.5, 0.05 → 0.1, -1.25 → -1.3 at one decimal. Binary floating point stores 2.45 as
 * 2.4500000000000001776 and 1.005 as 1.00499999999999989: Math.round and toFixed would round those by
 * their binary value; here the number is first read back as its 15-significant-digit decimal (which also
 * drops float noise such as 0.1 + 0.2 = 0.30000000000000004), and that decimal is rounded.
 */
export const roundForDisplay = (x: number, decimals: number): number => {
  if (!Number.isFinite(x)) return x;
  const magnitude = Math.abs(x);
  if (magnitude >= 1e15) return x;
  const decimal = Number(magnitude.toPrecision(15));
  if (decimal < 1e-6) return 0; // below any shown precision (at most 4 decimals); avoids exponent notation
  const [whole = '0', fraction = ''] = String(decimal).split('.');
  if (fraction.length <= decimals) return x < 0 ? -decimal : decimal;
  const scaled = Number(whole + fraction.slice(0, decimals)) + (fraction[decimals]! >= '5' ? 1 : 0);
  const rounded = scaled / 10 ** decimals;
  return x < 0 && rounded !== 0 ? -rounded : rounded;
};

/** Share of `part` in `whole` as a percentage; null when `whole` is 0 (no data is not 0%). */
export const percentOf = (part: number, whole: number): number | null => (whole === 0 ? null : (part / whole) * 100);

/** Completion rate: complete / (complete + abandoned) × 100; null when there were no responses. */
export const completionPercent = (complete: number, abandoned: number): number | null =>
  percentOf(complete, complete + abandoned);

/** Answers counted in `counts` (the sum of the counts). */
export const validOf = (counts: Counts): number => sum(Object.values(counts));

/**
 * Mean of a numeric scale from its counts: Σ value × count / Σ count over keys that are integers
 * ('1'..'5', '0'..'2'); null without any. A key that is not an integer (never written for scales) is ignored.
 */
export const scaleMean = (counts: Counts): number | null => {
  let total = 0;
  let valid = 0;
  for (const [value, n] of Object.entries(counts)) {
    if (!/^-?\d+$/.test(value)) continue;
    total += Number(value) * n;
    valid += n;
  }
  return valid === 0 ? null : total / valid;
};

export type IndicatorFigures = {
  counts: { 0: number; 1: number; 2: number };
  shares: { 0: number | null; 1: number | null; 2: number | null };
  valid: number;
  mean: number | null;
};

/**
 * One per-case indicator in one group: the count at 0, 1 and 2 points, each count's share of the valid
 * answers (three honest shares; never forced to add up to 100 after rounding), and the mean points
 * Σ points / valid (0..2). Empty group: zero counts, null shares and mean.
 */
export const indicatorFigures = (counts: Counts): IndicatorFigures => {
  const c = { 0: counts['0'] ?? 0, 1: counts['1'] ?? 0, 2: counts['2'] ?? 0 };
  const valid = c[0] + c[1] + c[2];
  return {
    counts: c,
    shares: { 0: percentOf(c[0], valid), 1: percentOf(c[1], valid), 2: percentOf(c[2], valid) },
    valid,
    mean: valid === 0 ? null : (c[1] + 2 * c[2]) / valid,
  };
};

/**
 * A group's per-case total: the sum of its indicators' means (at most 2 × indicators, 18 for the nine).
 * An indicator without data adds nothing; null when no indicator has data. Because it is a sum of means,
 * the total is usually not a whole number (15.5, 11.95).
 */
export const perCaseTotal = (means: readonly (number | null)[]): number | null => {
  const present = means.filter((m): m is number => m !== null);
  return present.length === 0 ? null : sum(present);
};

/**
 * The band of a per-case total: the first band, highest first, whose `min` the total ROUNDED to
 * `decimals` reaches. Rounding first means what the reader sees decides the band: with the default bands
 * (min 16, 12, 9, 6, 0) and one decimal, 15.94 shows as 15.9 and is Tốt, 15.95 shows as 16.0 and is Xuất
 * sắc; 15.5 is Tốt (the source's "> 15 Xuất sắc" was written for whole-number totals of one case, where
 * it means 16 or more). null for no total, or when no band's min is reached.
 */
export const bandFor = (total: number | null, bands: readonly GradeBand[], decimals: number): Band | null => {
  if (total === null) return null;
  const shown = roundForDisplay(total, decimals);
  const band = bands.find((b) => shown >= b.min);
  return band ? { label: band.label, min: band.min } : null;
};

/** The scale the grade bands are written for: nine indicators of at most 2 points. */
export const PER_CASE_FULL_SCALE = 18;

/**
 * The total the bands grade, for a total out of `max` (2 points per indicator counted). The bands are
 * written for 18 points; a total over fewer indicators (per-case version 2 asks four, so 8 points, and a
 * unit's entries may add others) is, with `partialTotals` 'scaled', graded on the same scale: total × 18 /
 * max (6 of 8 is graded as 13.5); with 'none' it gets no grade. null for no total or no indicator.
 */
export const gradedTotal = (total: number | null, max: number, partialTotals: 'scaled' | 'none'): number | null => {
  if (total === null || max <= 0) return null;
  if (max === PER_CASE_FULL_SCALE) return total;
  return partialTotals === 'scaled' ? (total * PER_CASE_FULL_SCALE) / max : null;
};

/**
 * Competition ranking ("1, 2, 2, 4") by total, highest first. With `tiesOn` 'rounded' two totals tie when
 * they are equal at the shown precision (`decimals`); with 'exact' only when exactly equal. A group
 * without a total (no data) gets no rank (undefined) and does not push others down.
 */
export const competitionRanks = (
  totals: readonly (number | null)[],
  decimals: number,
  tiesOn: ReportSettings['rankTiesOn'],
): (number | undefined)[] => {
  const compared = totals.map((t) => (t === null ? null : tiesOn === 'rounded' ? roundForDisplay(t, decimals) : t));
  return compared.map((t) =>
    t === null ? undefined : 1 + compared.filter((other) => other !== null && other > t).length,
  );
};

/** Lowest answer counted as satisfied on a scale type; null for types that are not satisfaction scales. */
export const satisfiedThreshold = (
  type: Question['type'],
  satisfiedFrom: ReportSettings['satisfiedFrom'],
): number | null =>
  type === 'satisfaction5'
    ? satisfiedFrom.satisfaction5
    : type === 'satisfaction3'
      ? satisfiedFrom.satisfaction3
      : null;

/**
 * Satisfied share of one satisfaction question: answers at or above `from` (settings.satisfiedFrom:
 * 4 = Hài lòng on the five-level scale, 2 = Hài lòng on the three-level one) among valid answers, percent;
 * null without answers.
 */
export const satisfiedShare = (counts: Counts, from: number): number | null => {
  let satisfied = 0;
  let valid = 0;
  for (const [value, n] of Object.entries(counts)) {
    if (!/^-?\d+$/.test(value)) continue;
    valid += n;
    if (Number(value) >= from) satisfied += n;
  }
  return percentOf(satisfied, valid);
};

/**
 * SIPAS, the documented default (the national formula of Quyết định 1001/QĐ-BNV is not published):
 * - a question's index is its satisfied share (`satisfiedShare`);
 * - an element's index is the mean of its questions' indices, over the questions with answers;
 * - the overall index is the mean of the element indices, over elements with data.
 * Unweighted means: a question with few answers weighs as much as one with many, as in the published method's
 * per-criterion reading.
 */
export const sipasElementIndex = (questionIndices: readonly (number | null)[]): number | null =>
  meanOf(questionIndices);

/** The overall SIPAS index: mean of the element indices with data (see `sipasElementIndex`). */
export const sipasOverallIndex = (elementIndices: readonly (number | null)[]): number | null => meanOf(elementIndices);

/** What decides whether two versions' answers to a question may be added up. */
export type QuestionDefinition = Pick<Question, 'id' | 'type' | 'feeds' | 'text'> & {
  options?: readonly ({ value: string } | { points: number })[];
  /** The rule that takes the answer from the case's facts (per-case version 2), if any. */
  fromFacts?: unknown;
};

/**
 * The parts of a question that must be equal in every version for its answers to be reported together.
 * Where the answer comes from is one of them: per-case version 1 asks the citizen how long the case took,
 * version 2 takes it from the case's received, due and returned times (`fromFacts`), so the two are
 * different measures under the same words and are reported apart.
 */
export const questionSignature = (q: QuestionDefinition): string =>
  JSON.stringify({
    type: q.type,
    options: (q.options ?? []).map((o) => ('value' in o ? o.value : o.points)),
    feeds: q.feeds ?? null,
    vi: q.text.vi,
    fromFacts: q.fromFacts ?? null,
  });

export type VersionedQuestion = { questionnaire: string; version: number; question: QuestionDefinition };

/**
 * The version rule: a question is reported under its id when its definition (type, options' values or
 * points, feeds, Vietnamese text) is the same in every questionnaire version in the selection; otherwise
 * each version's answers are reported apart as `id@v<version>` (and, should two questionnaires with
 * different ids also collide on that, as `questionnaire/id@v<version>`). Returns the reported key of each
 * `questionnaire@version/questionId` and the question ids that were split.
 */
export const reportedQuestionKeys = (
  questions: readonly VersionedQuestion[],
): { keyOf: Map<string, string>; split: string[] } => {
  const byId = new Map<string, VersionedQuestion[]>();
  for (const vq of questions) byId.set(vq.question.id, [...(byId.get(vq.question.id) ?? []), vq]);
  const keyOf = new Map<string, string>();
  const split: string[] = [];
  for (const [id, all] of byId) {
    const same = new Set(all.map((vq) => questionSignature(vq.question))).size === 1;
    if (!same) split.push(id);
    const versionsSeen = new Map<number, Set<string>>();
    for (const vq of all)
      versionsSeen.set(vq.version, (versionsSeen.get(vq.version) ?? new Set()).add(vq.questionnaire));
    for (const vq of all) {
      const source = questionSource(vq.questionnaire, vq.version, id);
      if (same) keyOf.set(source, id);
      else if ((versionsSeen.get(vq.version)?.size ?? 0) > 1)
        keyOf.set(source, `${vq.questionnaire}/${id}@v${vq.version}`);
      else keyOf.set(source, `${id}@v${vq.version}`);
    }
  }
  return { keyOf, split: split.sort() };
};

/** The questionnaire version a reported key was split for (`so-lan-lien-he@v2` → 2); null for a key shared by every version. */
export const versionOfReportedKey = (key: string): number | null => {
  const m = /@v(\d+)$/.exec(key);
  return m ? Number(m[1]) : null;
};

/** The lookup key of `reportedQuestionKeys`. */
export const questionSource = (questionnaire: string, version: number, questionId: string): string =>
  `${questionnaire}@${version}/${questionId}`;

/** A calendar quarter. */
export type Quarter = { year: number; quarter: number };

/** The quarters an inclusive day range touches (2026-03-15..2026-04-02 → 2026 Q1 and Q2). */
export const quartersTouched = (from: string, to: string): Quarter[] => {
  const at = (day: string): Quarter => ({
    year: Number(day.slice(0, 4)),
    quarter: Math.floor((Number(day.slice(5, 7)) - 1) / 3) + 1,
  });
  const out: Quarter[] = [];
  const end = at(to);
  for (let q = at(from); q.year < end.year || (q.year === end.year && q.quarter <= end.quarter);) {
    out.push(q);
    q = q.quarter === 4 ? { year: q.year + 1, quarter: 1 } : { year: q.year, quarter: q.quarter + 1 };
  }
  return out;
};

/** One unit's entry for one indicator and quarter (unit_indicator_scores). */
export type UnitIndicatorEntry = Quarter & { selfPoints: number | null; verifiedPoints: number | null };

export type UnitIndicatorFigure = {
  mean: number;
  source: Exclude<IndicatorSource, 'cases'>;
  /** Quarters the period touches that had an entry, and those that had none. */
  quartersUsed: Quarter[];
  quartersMissing: Quarter[];
};

/**
 * A unit-level indicator (settings.unitLevelIndicators) of one unit over a period: for each quarter the
 * period touches, the verified points, else the self-assessed points; the figure is the mean over the
 * quarters that had an entry. Source 'unit-verified' when every quarter used was verified, else 'unit-self'
 * (the weaker claim is the one reported). null when no touched quarter has an entry: then the cases'
 * answers stand.
 */
export const unitIndicatorFigure = (
  entries: readonly UnitIndicatorEntry[],
  quarters: readonly Quarter[],
): UnitIndicatorFigure | null => {
  const used: { q: Quarter; points: number; verified: boolean }[] = [];
  const missing: Quarter[] = [];
  for (const q of quarters) {
    const e = entries.find((x) => x.year === q.year && x.quarter === q.quarter);
    const points = e?.verifiedPoints ?? e?.selfPoints ?? null;
    if (points === null || points === undefined) missing.push(q);
    else used.push({ q, points, verified: e?.verifiedPoints !== null && e?.verifiedPoints !== undefined });
  }
  if (used.length === 0) return null;
  return {
    mean: sum(used.map((u) => u.points)) / used.length,
    source: used.every((u) => u.verified) ? 'unit-verified' : 'unit-self',
    quartersUsed: used.map((u) => u.q),
    quartersMissing: missing,
  };
};
