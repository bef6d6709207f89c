import { describe, expect, it } from 'vitest';
import {
  bandFor,
  gradedTotal,
  competitionRanks,
  completionPercent,
  indicatorFigures,
  meanOf,
  perCaseTotal,
  quartersTouched,
  reportedQuestionKeys,
  questionSource,
  roundForDisplay,
  satisfiedShare,
  scaleMean,
  sipasElementIndex,
  sipasOverallIndex,
  unitIndicatorFigure,
  versionOfReportedKey,
  type VersionedQuestion,
} from '../../shared/reports/formulas.ts';
import { DEFAULT_REPORT_SETTINGS } from '../../shared/reports/settings.ts';
import { DEFAULT_PER_CASE_GRADES } from '../../shared/scoring.ts';

describe('roundForDisplay: half away from zero on the decimal value', () => {
  const table: [number, number, number][] = [
    [1.25, 1, 1.3],
    [2.45, 1, 2.5], // 2.45 is 2.4500000000000001776 in binary: still 2.5
    [0.05, 1, 0.1],
    [1.35, 1, 1.4],
    [1.24, 1, 1.2],
    [-1.25, 1, -1.3], // symmetric
    [-2.45, 1, -2.5],
    [-0.04, 1, 0], // no "-0"
    [1.005, 2, 1.01], // 1.00499999999999989 in binary
    [0.1 + 0.2, 1, 0.3], // float noise dropped
    [15.95, 1, 16],
    [15.94, 1, 15.9],
    [11.95, 1, 12],
    [2.5, 0, 3],
    [-2.5, 0, -3],
    [66.666666666, 1, 66.7],
    [7, 1, 7],
    [0, 2, 0],
    [1e-9, 1, 0],
  ];
  it.each(table)('%s at %s decimals → %s', (x, d, expected) => {
    expect(roundForDisplay(x, d)).toBe(expected);
  });
});

describe('counts, shares and means', () => {
  it('completion = complete / (complete + abandoned) × 100, null without responses', () => {
    expect(completionPercent(3, 1)).toBe(75); // 3 / 4
    expect(completionPercent(0, 0)).toBeNull();
    expect(completionPercent(0, 2)).toBe(0);
  });

  it('indicator figures of an empty group', () => {
    expect(indicatorFigures({})).toEqual({
      counts: { 0: 0, 1: 0, 2: 0 },
      shares: { 0: null, 1: null, 2: null },
      valid: 0,
      mean: null,
    });
  });

  it('indicator figures of one response', () => {
    expect(indicatorFigures({ '1': 1 })).toEqual({
      counts: { 0: 0, 1: 1, 2: 0 },
      shares: { 0: 0, 1: 100, 2: 0 },
      valid: 1,
      mean: 1,
    });
  });

  it('indicator figures of three: 0, 2, 2', () => {
    // valid 3; shares 1/3 = 33.33…%, 0%, 2/3 = 66.66…%; mean (0 + 2 + 2) / 3 = 1.333…
    const f = indicatorFigures({ '0': 1, '2': 2 });
    expect(f.counts).toEqual({ 0: 1, 1: 0, 2: 2 });
    expect(f.shares[0]).toBeCloseTo(100 / 3, 12);
    expect(f.shares[2]).toBeCloseTo(200 / 3, 12);
    expect(f.mean).toBeCloseTo(4 / 3, 12);
    // shown at one decimal: 33.3 + 0 + 66.7 = 100 here, but never forced to add up
    expect(roundForDisplay(f.shares[0]!, 1)).toBe(33.3);
    expect(roundForDisplay(f.shares[2]!, 1)).toBe(66.7);
  });

  it('shares of three equal thirds are not forced to 100', () => {
    const f = indicatorFigures({ '0': 1, '1': 1, '2': 1 });
    // 33.3 + 33.3 + 33.3 = 99.9 shown: honest, as the reference asks
    expect([0, 1, 2].map((k) => roundForDisplay(f.shares[k as 0 | 1 | 2]!, 1))).toEqual([33.3, 33.3, 33.3]);
  });

  it('scale mean from counts', () => {
    // (5×2 + 4×1 + 1×1) / 4 = 15 / 4 = 3.75
    expect(scaleMean({ '5': 2, '4': 1, '1': 1 })).toBe(3.75);
    expect(scaleMean({})).toBeNull();
    expect(scaleMean({ 'cho-lau': 3 })).toBeNull();
  });

  it('satisfied share with satisfiedFrom', () => {
    // five levels, from 4: (4: 2) + (5: 1) = 3 of 2+1+1+2 = 6 → 50%
    expect(satisfiedShare({ '1': 1, '3': 2, '4': 2, '5': 1 }, 4)).toBe(50);
    // the same counts with from 3: 5 of 6
    expect(satisfiedShare({ '1': 1, '3': 2, '4': 2, '5': 1 }, 3)).toBeCloseTo((5 / 6) * 100, 12);
    // three levels, from 2: 2 + 3 = 2 of 3
    expect(satisfiedShare({ '1': 1, '2': 1, '3': 1 }, 2)).toBeCloseTo((2 / 3) * 100, 12);
    expect(satisfiedShare({}, 4)).toBeNull();
  });

  it('meanOf skips nulls', () => {
    expect(meanOf([1, null, 3])).toBe(2);
    expect(meanOf([null])).toBeNull();
    expect(meanOf([])).toBeNull();
  });
});

describe('per-case total and band (default bands: min 16 Xuất sắc, 12 Tốt, 9 Khá, 6 Trung bình, 0 Yếu)', () => {
  it('total is the sum of indicator means, null when no indicator has data', () => {
    // 2 + 1.5 + 1 = 4.5; an indicator without data adds nothing
    expect(perCaseTotal([2, 1.5, null, 1])).toBe(4.5);
    expect(perCaseTotal([null, null])).toBeNull();
    expect(perCaseTotal([])).toBeNull();
  });

  const band = (total: number | null, decimals = 1): string | null =>
    bandFor(total, DEFAULT_PER_CASE_GRADES, decimals)?.label.vi ?? null;

  // Each threshold, just below it (shown one step lower) and just above it, at one decimal.
  const table: [number, string][] = [
    [18, 'Xuất sắc'],
    [16, 'Xuất sắc'],
    [16.04, 'Xuất sắc'],
    [15.95, 'Xuất sắc'], // shown 16.0
    [15.94, 'Tốt'], // shown 15.9
    [15.5, 'Tốt'], // "> 15" in the source meant whole totals, i.e. 16 or more
    [15, 'Tốt'],
    [12.01, 'Tốt'],
    [12, 'Tốt'],
    [11.95, 'Tốt'], // shown 12.0
    [11.94, 'Khá'], // shown 11.9
    [9.1, 'Khá'],
    [9, 'Khá'],
    [8.95, 'Khá'],
    [8.9, 'Trung bình'],
    [6.1, 'Trung bình'],
    [6, 'Trung bình'],
    [5.95, 'Trung bình'],
    [5.94, 'Yếu'],
    [0, 'Yếu'],
  ];
  it.each(table)('%s → %s', (total, expected) => {
    expect(band(total)).toBe(expected);
  });

  it('with zero decimals the shown whole number decides (15.5 shows as 16)', () => {
    expect(band(15.5, 0)).toBe('Xuất sắc');
    expect(band(15.49, 0)).toBe('Tốt');
  });

  it('no total, no band; a total under every min, no band', () => {
    expect(band(null)).toBeNull();
    expect(bandFor(3, [{ min: 5, label: { vi: 'Đạt' } }], 1)).toBeNull();
  });

  it('a total out of fewer than 18 points is graded on 18 (scaled), or not at all (none); 18 as it is', () => {
    expect(gradedTotal(6, 8, 'scaled')).toBe(13.5); // 6 × 18 / 8
    expect(gradedTotal(6, 8, 'none')).toBeNull();
    expect(gradedTotal(15.5, 18, 'none')).toBe(15.5);
    expect(gradedTotal(null, 8, 'scaled')).toBeNull();
    expect(gradedTotal(0, 0, 'scaled')).toBeNull();
    // band boundaries after scaling, one decimal: 7.1 of 8 → 15.975 shows 16.0 (Xuất sắc); 7.07 → 15.9075 → 15.9 (Tốt)
    expect(band(gradedTotal(7.1, 8, 'scaled'))).toBe('Xuất sắc');
    expect(band(gradedTotal(7.07, 8, 'scaled'))).toBe('Tốt');
    expect(band(gradedTotal(4, 8, 'scaled'))).toBe('Khá'); // 9.0
    expect(DEFAULT_REPORT_SETTINGS.partialTotals).toBe('scaled');
  });

  it('settings carry the same default bands', () => {
    expect(DEFAULT_REPORT_SETTINGS.perCaseBands).toEqual(DEFAULT_PER_CASE_GRADES);
  });
});

describe('competition ranking', () => {
  it('1, 2, 2, 4 with ties on equal totals', () => {
    expect(competitionRanks([17, 15, 15, 12], 1, 'rounded')).toEqual([1, 2, 2, 4]);
    expect(competitionRanks([12, 15, 17, 15], 1, 'exact')).toEqual([4, 2, 1, 2]);
  });

  it('rounded: 15.04 and 14.96 both show 15.0 and tie; exact: they do not', () => {
    expect(competitionRanks([16, 15.04, 14.96, 12], 1, 'rounded')).toEqual([1, 2, 2, 4]);
    expect(competitionRanks([16, 15.04, 14.96, 12], 1, 'exact')).toEqual([1, 2, 3, 4]);
  });

  it('groups without data are unranked and push nobody down', () => {
    expect(competitionRanks([null, 10, 12, null], 1, 'rounded')).toEqual([undefined, 2, 1, undefined]);
    expect(competitionRanks([], 1, 'rounded')).toEqual([]);
    expect(competitionRanks([9], 1, 'exact')).toEqual([1]);
  });
});

describe('SIPAS indices', () => {
  it('element = mean of its questions with answers; overall = mean of elements with data', () => {
    // element A: questions 50% and 100% → 75; element B: one question without answers and one at 80 → 80;
    // element C: no answers at all → null, left out; overall = (75 + 80) / 2 = 77.5
    const a = sipasElementIndex([satisfiedShare({ '4': 1, '2': 1 }, 4), satisfiedShare({ '5': 3 }, 4)]);
    const b = sipasElementIndex([satisfiedShare({}, 4), satisfiedShare({ '5': 4, '1': 1 }, 4)]);
    const c = sipasElementIndex([satisfiedShare({}, 4)]);
    expect([a, b, c]).toEqual([75, 80, null]);
    expect(sipasOverallIndex([a, b, c])).toBe(77.5);
    expect(sipasOverallIndex([null, null])).toBeNull();
  });
});

describe('version rule', () => {
  const scale = (id: string, vi: string): VersionedQuestion['question'] => ({
    id,
    type: 'satisfaction5',
    text: { vi },
  });
  it('same definition in every version: one id; changed text: split as id@v<version>', () => {
    const questions: VersionedQuestion[] = [
      { questionnaire: 'quick', version: 1, question: scale('overall', 'Hài lòng chung?') },
      { questionnaire: 'quick', version: 2, question: scale('overall', 'Hài lòng chung?') },
      { questionnaire: 'quick', version: 1, question: scale('time', 'Thời gian chờ?') },
      { questionnaire: 'quick', version: 2, question: scale('time', 'Thời gian chờ có hợp lý không?') },
      { questionnaire: 'quick', version: 2, question: scale('new', 'Mới') },
    ];
    const { keyOf, split } = reportedQuestionKeys(questions);
    expect(keyOf.get(questionSource('quick', 1, 'overall'))).toBe('overall');
    expect(keyOf.get(questionSource('quick', 2, 'overall'))).toBe('overall');
    expect(keyOf.get(questionSource('quick', 1, 'time'))).toBe('time@v1');
    expect(keyOf.get(questionSource('quick', 2, 'time'))).toBe('time@v2');
    expect(keyOf.get(questionSource('quick', 2, 'new'))).toBe('new');
    expect(split).toEqual(['time']);
  });

  it('a changed type, option or feed splits; an English-only change does not', () => {
    const multi = (values: string[], en: string): VersionedQuestion['question'] => ({
      id: 'problems',
      type: 'multi',
      text: { vi: 'Vấn đề', en },
      options: values.map((value) => ({ value })),
    });
    const en = reportedQuestionKeys([
      { questionnaire: 'q', version: 1, question: multi(['a', 'b'], 'Problems') },
      { questionnaire: 'q', version: 2, question: multi(['a', 'b'], 'Issues') },
    ]);
    expect(en.split).toEqual([]);
    const options = reportedQuestionKeys([
      { questionnaire: 'q', version: 1, question: multi(['a', 'b'], 'Problems') },
      { questionnaire: 'q', version: 2, question: multi(['a', 'c'], 'Problems') },
    ]);
    expect(options.split).toEqual(['problems']);
    const type = reportedQuestionKeys([
      { questionnaire: 'q', version: 1, question: scale('x', 'X') },
      { questionnaire: 'q', version: 2, question: { id: 'x', type: 'satisfaction3', text: { vi: 'X' } } },
    ]);
    expect(type.split).toEqual(['x']);
  });

  it('an answer taken from the case facts in one version and asked of the citizen in another splits', () => {
    const time = (fromFacts?: unknown): VersionedQuestion['question'] => ({
      id: 'tong-thoi-gian',
      type: 'indicator',
      text: { vi: 'Tổng thời gian giải quyết' },
      options: [{ points: 2 }, { points: 1 }, { points: 0 }],
      feeds: { instrument: 'per-case', indicator: 1 },
      ...(fromFacts === undefined ? {} : { fromFacts }),
    });
    const rule = { rule: 'returned-vs-due', onDueDay: 1, lateDaysForOne: 0, askCitizen: 'never' };
    const { keyOf, split } = reportedQuestionKeys([
      { questionnaire: 'per-case', version: 1, question: time() },
      { questionnaire: 'per-case', version: 2, question: time(rule) },
    ]);
    expect(split).toEqual(['tong-thoi-gian']);
    expect(keyOf.get(questionSource('per-case', 1, 'tong-thoi-gian'))).toBe('tong-thoi-gian@v1');
    expect(keyOf.get(questionSource('per-case', 2, 'tong-thoi-gian'))).toBe('tong-thoi-gian@v2');
    // the same rule in both versions: one key
    expect(
      reportedQuestionKeys([
        { questionnaire: 'per-case', version: 2, question: time(rule) },
        { questionnaire: 'per-case', version: 3, question: time(rule) },
      ]).split,
    ).toEqual([]);
  });

  it("a reported key's version: from id@v<n> and questionnaire/id@v<n>, none for a shared id", () => {
    expect(versionOfReportedKey('so-lan-lien-he@v2')).toBe(2);
    expect(versionOfReportedKey('a/overall@v12')).toBe(12);
    expect(versionOfReportedKey('so-lan-lien-he')).toBeNull();
  });

  it('two questionnaires colliding on id and version get the questionnaire in the key', () => {
    const { keyOf } = reportedQuestionKeys([
      { questionnaire: 'a', version: 1, question: scale('overall', 'A') },
      { questionnaire: 'b', version: 1, question: scale('overall', 'B') },
    ]);
    expect(keyOf.get(questionSource('a', 1, 'overall'))).toBe('a/overall@v1');
    expect(keyOf.get(questionSource('b', 1, 'overall'))).toBe('b/overall@v1');
  });
});

describe('unit-level indicators', () => {
  it('quarters a period touches', () => {
    expect(quartersTouched('2026-03-15', '2026-04-02')).toEqual([
      { year: 2026, quarter: 1 },
      { year: 2026, quarter: 2 },
    ]);
    expect(quartersTouched('2025-12-01', '2026-01-31')).toEqual([
      { year: 2025, quarter: 4 },
      { year: 2026, quarter: 1 },
    ]);
    expect(quartersTouched('2026-07-01', '2026-09-30')).toEqual([{ year: 2026, quarter: 3 }]);
  });

  const q1 = { year: 2026, quarter: 1 };
  const q2 = { year: 2026, quarter: 2 };
  it('verified points win over self-assessed; the mean over quarters with an entry', () => {
    // Q1 verified 2 (self 1 ignored), Q2 verified 1 → (2 + 1) / 2 = 1.5, verified
    expect(
      unitIndicatorFigure(
        [
          { ...q1, selfPoints: 1, verifiedPoints: 2 },
          { ...q2, selfPoints: 2, verifiedPoints: 1 },
        ],
        [q1, q2],
      ),
    ).toEqual({ mean: 1.5, source: 'unit-verified', quartersUsed: [q1, q2], quartersMissing: [] });
  });

  it('a self-assessed quarter makes the source self-assessed; a quarter without entry is left out', () => {
    // Q1 self 1 only, Q2 none → mean 1 over one quarter
    expect(unitIndicatorFigure([{ ...q1, selfPoints: 1, verifiedPoints: null }], [q1, q2])).toEqual({
      mean: 1,
      source: 'unit-self',
      quartersUsed: [q1],
      quartersMissing: [q2],
    });
  });

  it('no entry in the period: null (the cases stand)', () => {
    expect(unitIndicatorFigure([{ ...q1, selfPoints: 2, verifiedPoints: 2 }], [q2])).toBeNull();
    expect(unitIndicatorFigure([], [q1])).toBeNull();
  });
});
