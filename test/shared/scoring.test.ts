import { describe, expect, it } from 'vitest';
import type { Answers } from '../../shared/answers.ts';
import { csatReport, DEFAULT_PER_CASE_GRADES, isSatisfied, perCaseScore, sipasReport } from '../../shared/scoring.ts';
import { defaultQuestionnaire, makeQuestionnaire, vi } from './config-fixtures.ts';

const perCase = defaultQuestionnaire('per-case-v1');
const quick = defaultQuestionnaire('quick');
const sipas = defaultQuestionnaire('sipas');

/** The nine indicator question ids of the shipped per-case questionnaire, in indicator order 1..9. */
const INDICATOR_IDS = [
  'tong-thoi-gian',
  'thoi-gian-tung-co-quan',
  'so-lan-lien-he',
  'so-co-quan-lien-he',
  'tiep-nhan-tai-mot-cua',
  'cong-khai-tthc',
  'thai-do-can-bo',
  'tiep-thu-giai-trinh',
  'dich-vu-cong-truc-tuyen',
];

const fromPoints = (points: number[]): Answers => Object.fromEntries(points.map((p, i) => [INDICATOR_IDS[i]!, p]));

describe('perCaseScore on the shipped nine-indicator evaluation', () => {
  it('feeds indicators 1..9 in order', () => {
    const feeds = perCase.questions.flatMap((q) =>
      q.feeds?.instrument === 'per-case' ? [[q.id, q.feeds.indicator] as const] : [],
    );
    expect(feeds).toEqual(INDICATOR_IDS.map((id, i) => [id, i + 1]));
  });

  // Totals worked out by hand; bands: >=16 Xuất sắc, >=12 Tốt, >=9 Khá, >=6 Trung bình, else Yếu.
  const table: [string, number[], number, string][] = [
    ['all 2', [2, 2, 2, 2, 2, 2, 2, 2, 2], 18, 'Xuất sắc'],
    ['16 (seven 2s, two 1s)', [2, 2, 2, 2, 2, 2, 2, 1, 1], 16, 'Xuất sắc'],
    ['15 (six 2s, three 1s)', [2, 2, 2, 2, 2, 2, 1, 1, 1], 15, 'Tốt'],
    ['12 (4*2 + 4*1 + 0)', [2, 2, 2, 2, 1, 1, 1, 1, 0], 12, 'Tốt'],
    ['11 (3*2 + 5*1 + 0)', [2, 2, 2, 1, 1, 1, 1, 1, 0], 11, 'Khá'],
    ['9 (all 1)', [1, 1, 1, 1, 1, 1, 1, 1, 1], 9, 'Khá'],
    ['8 (eight 1s, one 0)', [1, 1, 1, 1, 1, 1, 1, 1, 0], 8, 'Trung bình'],
    ['6 (three 2s, six 0s)', [2, 2, 2, 0, 0, 0, 0, 0, 0], 6, 'Trung bình'],
    ['5 (2+2+1)', [2, 2, 1, 0, 0, 0, 0, 0, 0], 5, 'Yếu'],
    ['all 0', [0, 0, 0, 0, 0, 0, 0, 0, 0], 0, 'Yếu'],
  ];
  it.each(table)('%s', (_name, points, total, grade) => {
    const s = perCaseScore(perCase, fromPoints(points));
    expect(s).toMatchObject({ total, max: 18, answered: 9, indicators: 9 });
    expect(s.grade?.vi).toBe(grade);
  });

  it('an optional comment does not change the score', () => {
    const s = perCaseScore(perCase, { ...fromPoints([2, 2, 2, 2, 2, 2, 2, 2, 2]), comment: 'Cán bộ rất nhiệt tình.' });
    expect(s.total).toBe(18);
    expect(s.grade?.en).toBe('Excellent');
  });

  it('an incomplete evaluation has a partial total but no grade', () => {
    const eight = fromPoints([2, 2, 2, 2, 2, 2, 2, 2]);
    expect(perCaseScore(perCase, eight)).toEqual({ total: 16, max: 18, answered: 8, indicators: 9, grade: null });
    expect(perCaseScore(perCase, {})).toEqual({ total: 0, max: 18, answered: 0, indicators: 9, grade: null });
  });

  it('ships the same bands as the documented default', () => {
    expect(perCase.grading?.map((b) => [b.min, b.label.vi])).toEqual(
      DEFAULT_PER_CASE_GRADES.map((b) => [b.min, b.label.vi]),
    );
  });
});

describe('perCaseScore on hand-made questionnaires', () => {
  const indicator = (id: string, n: number) => ({
    id,
    type: 'indicator',
    text: vi(`Chỉ số ${n}`),
    feeds: { instrument: 'per-case', indicator: n },
    options: [2, 1, 0].map((points) => ({ points, label: vi(`${points} điểm`) })),
  });

  it("uses a questionnaire's own bands", () => {
    const q = makeQuestionnaire({
      kind: 'per-case',
      questions: [indicator('a', 1), indicator('b', 2)],
      grading: [
        { min: 3, label: vi('Đạt') },
        { min: 0, label: vi('Chưa đạt') },
      ],
    });
    expect(perCaseScore(q, { a: 2, b: 1 })).toEqual({
      total: 3,
      max: 4,
      answered: 2,
      indicators: 2,
      grade: { vi: 'Đạt' },
    });
    expect(perCaseScore(q, { a: 1, b: 1 }).grade).toEqual({ vi: 'Chưa đạt' });
  });

  it('falls back to the default bands when a questionnaire has none', () => {
    const q = makeQuestionnaire({ questions: [indicator('a', 1)] });
    // 2 points out of 2 is still graded on the 18-point default bands: 2 < 6, so Yếu.
    expect(perCaseScore(q, { a: 2 }).grade?.vi).toBe('Yếu');
  });

  it('ignores indicator questions that do not feed the per-case instrument, and grades nothing without indicators', () => {
    const q = makeQuestionnaire({
      questions: [
        { ...indicator('a', 1), feeds: undefined },
        { id: 'overall', type: 'satisfaction5', text: vi('Chung') },
      ],
    });
    expect(perCaseScore(q, { a: 2, overall: 5 })).toEqual({
      total: 0,
      max: 0,
      answered: 0,
      indicators: 0,
      grade: null,
    });
  });
});

describe('sipasReport', () => {
  const crit = (id: string, element: string, type = 'satisfaction5') => ({
    id,
    type,
    text: vi(id),
    required: false,
    feeds: { instrument: 'sipas', element, criterion: id },
  });
  const q = makeQuestionnaire({
    kind: 'sipas',
    elements: [
      { id: 'a', name: vi('Yếu tố A') },
      { id: 'b', name: vi('Yếu tố B') },
      { id: 'c', name: vi('Yếu tố C (không có tiêu chí)') },
    ],
    questions: [
      crit('a1', 'a'),
      crit('a2', 'a', 'satisfaction3'),
      crit('b1', 'b'),
      crit('b2', 'b'),
      { id: 'overall', type: 'satisfaction5', text: vi('Chung') },
    ],
  });
  const responses: Answers[] = [
    { a1: 5, a2: 3, b1: 2, overall: 5 },
    { a1: 4, a2: 1, b1: 4 },
    { a1: 3, a2: 2 },
    { a1: 1, b1: 5, overall: 1 },
  ];

  it('computes criterion shares, element means and the overall mean by hand', () => {
    const r = sipasReport(q, responses);
    // a1 (5-level, satisfied at >= 4): 5,4,3,1 -> 2 of 4 = 0.5
    // a2 (3-level, satisfied at >= 2): 3,1,2   -> 2 of 3
    // b1 (5-level): 2,4,5                      -> 2 of 3
    // b2: never answered                       -> 0 valid, share null
    expect(r.criteria).toEqual([
      { element: 'a', criterion: 'a1', question: 'a1', result: { satisfied: 2, valid: 4, share: 0.5 } },
      { element: 'a', criterion: 'a2', question: 'a2', result: { satisfied: 2, valid: 3, share: 2 / 3 } },
      { element: 'b', criterion: 'b1', question: 'b1', result: { satisfied: 2, valid: 3, share: 2 / 3 } },
      { element: 'b', criterion: 'b2', question: 'b2', result: { satisfied: 0, valid: 0, share: null } },
    ]);
    // a = mean(1/2, 2/3) = 7/12; b = mean(2/3) = 2/3 (b2 has no valid answers and is left out); c has no data.
    expect(r.elements).toHaveLength(3);
    expect(r.elements[0]).toEqual({ element: 'a', share: expect.closeTo(7 / 12, 12), criteria: 2 });
    expect(r.elements[1]).toEqual({ element: 'b', share: expect.closeTo(2 / 3, 12), criteria: 2 });
    expect(r.elements[2]).toEqual({ element: 'c', share: null, criteria: 0 });
    // overall = mean(7/12, 8/12) = 15/24 = 0.625 (c excluded)
    expect(r.overall).toBeCloseTo(0.625, 12);
  });

  it('has no overall without responses', () => {
    const r = sipasReport(q, []);
    expect(r.overall).toBeNull();
    expect(r.elements.every((e) => e.share === null)).toBe(true);
  });

  it('on the shipped SIPAS questionnaire, leaves out the feedback element when nobody gave feedback', () => {
    const answerAll = (v: number): Answers => {
      const a: Answers = { 'da-gop-y': false, overall: v };
      for (const question of sipas.questions)
        if (question.feeds?.instrument === 'sipas' && question.feeds.element !== 'gop-y') a[question.id] = v;
      return a;
    };
    const r = sipasReport(sipas, [answerAll(5), answerAll(2)]);
    expect(r.elements.map((e) => e.element)).toEqual(['tiep-can', 'thu-tuc', 'cong-chuc', 'ket-qua', 'gop-y']);
    // Every answered criterion: one 5 (satisfied) and one 2 (not) -> 1/2.
    for (const e of r.elements.slice(0, 4)) expect(e.share).toBe(0.5);
    expect(r.elements[4]).toEqual({ element: 'gop-y', share: null, criteria: 3 });
    expect(r.overall).toBe(0.5);
  });
});

describe('csatReport', () => {
  it('computes share, mean and distribution on the shipped quick questionnaire', () => {
    const overall = [5, 4, 4, 3, 2, 1, 5];
    const responses: Answers[] = [...overall.map((v) => ({ overall: v, attitude: 3 })), { attitude: 5 }];
    const r = csatReport(quick, responses);
    // satisfied (>= 4): 5,4,4,5 -> 4 of 7 valid; mean = 24/7; the response without "overall" is not valid.
    expect(r).toEqual({
      satisfied: 4,
      valid: 7,
      share: 4 / 7,
      meanScore: 24 / 7,
      scaleMax: 5,
      distribution: { 1: 1, 2: 1, 3: 1, 4: 2, 5: 2 },
    });
  });

  it('works on a three-level overall question', () => {
    const q = makeQuestionnaire({
      questions: [{ id: 'chung', type: 'satisfaction3', text: vi('Chung'), feeds: { instrument: 'csat' } }],
    });
    // satisfied (>= 2 on 3 levels): 3,2 -> 2 of 4; mean (3+2+1+1)/4 = 1.75
    expect(csatReport(q, [{ chung: 3 }, { chung: 2 }, { chung: 1 }, { chung: 1 }])).toEqual({
      satisfied: 2,
      valid: 4,
      share: 0.5,
      meanScore: 1.75,
      scaleMax: 3,
      distribution: { 1: 2, 2: 1, 3: 1 },
    });
  });

  it('is empty for a questionnaire without an overall question, or without responses', () => {
    const empty = { satisfied: 0, valid: 0, share: null, meanScore: null, scaleMax: null, distribution: {} };
    expect(csatReport(perCase, [{ 'tong-thoi-gian': 2 }])).toEqual(empty);
    expect(csatReport(quick, [])).toEqual({ ...empty, scaleMax: 5 });
  });

  it('the shipped SIPAS questionnaire has its overall question feeding CSAT', () => {
    expect(csatReport(sipas, [{ overall: 4 }, { overall: 3 }])).toMatchObject({
      satisfied: 1,
      valid: 2,
      share: 0.5,
      meanScore: 3.5,
    });
  });
});

describe('isSatisfied', () => {
  it('draws the line at Hài lòng', () => {
    expect([1, 2, 3, 4, 5].map((v) => isSatisfied('satisfaction5', v))).toEqual([false, false, false, true, true]);
    expect([1, 2, 3].map((v) => isSatisfied('satisfaction3', v))).toEqual([false, true, true]);
    expect(isSatisfied('satisfaction5', undefined)).toBeNull();
    expect(isSatisfied('indicator', 2)).toBeNull();
  });
});
