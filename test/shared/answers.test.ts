import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AnswerValue, Answers } from '../../shared/answers.ts';
import { checkAnswers, conditionHolds, visibleQuestions } from '../../shared/answers.ts';
import type { Question, Questionnaire } from '../../shared/questionnaire.ts';
import { defaultQuestionnaire, makeQuestionnaire, vi } from './config-fixtures.ts';

const quick = defaultQuestionnaire('quick');
const perCase = defaultQuestionnaire('per-case-v1');
const sipas = defaultQuestionnaire('sipas');

const ids = (qs: Question[]) => qs.map((q) => q.id);
const issueIds = (q: Questionnaire, a: Answers, status: 'complete' | 'abandoned' = 'complete') =>
  checkAnswers(q, a, status).map((i) => i.question);

/** A hand-made questionnaire covering every type and a chain of follow-ups. */
const mixed = makeQuestionnaire({
  questions: [
    { id: 'chung', type: 'satisfaction5', text: vi('Nhìn chung') },
    {
      id: 'co-phan-anh',
      type: 'yesno',
      text: vi('Có phản ánh không?'),
      showIf: { question: 'chung', op: 'lte', value: 2 },
    },
    {
      id: 'ly-do',
      type: 'multi',
      maxSelected: 2,
      text: vi('Lý do'),
      showIf: { question: 'co-phan-anh', op: 'is', value: true },
      options: ['cho-lau', 'thai-do', 'khac'].map((value) => ({ value, label: vi(value) })),
    },
    {
      id: 'chi-tiet',
      type: 'text',
      maxLength: 5,
      required: false,
      text: vi('Chi tiết'),
      showIf: { question: 'ly-do', op: 'in', value: ['khac'] },
    },
    {
      id: 'kenh',
      type: 'single',
      required: false,
      text: vi('Kênh'),
      options: ['truc-tiep', 'truc-tuyen'].map((value) => ({ value, label: vi(value) })),
    },
    { id: 'cam-on', type: 'satisfaction3', text: vi('Rất vui'), showIf: { question: 'chung', op: 'gte', value: 4 } },
    { id: 'da-tra-loi', type: 'yesno', required: false, text: vi('x'), showIf: { question: 'kenh', op: 'answered' } },
    { id: 'dung-5', type: 'yesno', required: false, text: vi('y'), showIf: { question: 'chung', op: 'eq', value: 5 } },
  ],
});

describe('conditionHolds', () => {
  it('compares numbers for lte / gte / eq, and nothing else', () => {
    expect(conditionHolds({ question: 'x', op: 'lte', value: 2 }, { x: 2 })).toBe(true);
    expect(conditionHolds({ question: 'x', op: 'lte', value: 2 }, { x: 3 })).toBe(false);
    expect(conditionHolds({ question: 'x', op: 'gte', value: 4 }, { x: 4 })).toBe(true);
    expect(conditionHolds({ question: 'x', op: 'gte', value: 4 }, { x: 3 })).toBe(false);
    expect(conditionHolds({ question: 'x', op: 'eq', value: 5 }, { x: 5 })).toBe(true);
    expect(conditionHolds({ question: 'x', op: 'eq', value: 5 }, { x: 4 })).toBe(false);
    expect(conditionHolds({ question: 'x', op: 'lte', value: 2 }, { x: '1' })).toBe(false);
    expect(conditionHolds({ question: 'x', op: 'lte', value: 2 }, { x: true })).toBe(false);
  });

  it('handles is / in / answered', () => {
    expect(conditionHolds({ question: 'x', op: 'is', value: true }, { x: true })).toBe(true);
    expect(conditionHolds({ question: 'x', op: 'is', value: true }, { x: false })).toBe(false);
    expect(conditionHolds({ question: 'x', op: 'is', value: true }, { x: 1 })).toBe(false);
    expect(conditionHolds({ question: 'x', op: 'in', value: ['a', 'b'] }, { x: 'b' })).toBe(true);
    expect(conditionHolds({ question: 'x', op: 'in', value: ['a', 'b'] }, { x: ['c', 'a'] })).toBe(true);
    expect(conditionHolds({ question: 'x', op: 'in', value: ['a', 'b'] }, { x: ['c'] })).toBe(false);
    expect(conditionHolds({ question: 'x', op: 'answered' }, { x: 0 })).toBe(true);
    expect(conditionHolds({ question: 'x', op: 'answered' }, { y: 1 })).toBe(false);
  });

  it('is false when the question has no answer, whatever the operator', () => {
    expect(conditionHolds({ question: 'x', op: 'lte', value: 5 }, {})).toBe(false);
    expect(conditionHolds({ question: 'x', op: 'is', value: false }, {})).toBe(false);
  });
});

describe('visibleQuestions', () => {
  it('shows the "what went wrong" follow-up only at or below Không hài lòng', () => {
    expect(ids(visibleQuestions(quick, {}))).toEqual(['overall', 'attitude', 'time', 'comment']);
    expect(ids(visibleQuestions(quick, { overall: 3 }))).toEqual(['overall', 'attitude', 'time', 'comment']);
    expect(ids(visibleQuestions(quick, { overall: 2 }))).toEqual([
      'overall',
      'attitude',
      'time',
      'problems',
      'comment',
    ]);
    expect(ids(visibleQuestions(quick, { overall: 1 }))).toContain('problems');
  });

  it('follows chains, and a stale answer on a hidden question does not keep its follow-ups visible', () => {
    expect(ids(visibleQuestions(mixed, { chung: 1, 'co-phan-anh': true, 'ly-do': ['khac'] }))).toEqual([
      'chung',
      'co-phan-anh',
      'ly-do',
      'chi-tiet',
      'kenh',
    ]);
    // The respondent went back and changed "chung" to 5: the whole chain disappears.
    expect(ids(visibleQuestions(mixed, { chung: 5, 'co-phan-anh': true, 'ly-do': ['khac'] }))).toEqual([
      'chung',
      'kenh',
      'cam-on',
      'dung-5',
    ]);
  });

  it('shows the SIPAS feedback criteria only to those who gave feedback', () => {
    const gopY = ['gop-y-de-dang', 'gop-y-tich-cuc', 'gop-y-thong-bao'];
    expect(ids(visibleQuestions(sipas, { 'da-gop-y': false }))).not.toEqual(expect.arrayContaining([gopY[0]]));
    expect(ids(visibleQuestions(sipas, { 'da-gop-y': true }))).toEqual(expect.arrayContaining(gopY));
  });
});

describe('checkAnswers', () => {
  const happy = { overall: 5, attitude: 4, time: 3 };

  it('accepts a complete response, with or without the optional comment', () => {
    expect(checkAnswers(quick, happy, 'complete')).toEqual([]);
    expect(checkAnswers(quick, { ...happy, comment: 'Cán bộ hướng dẫn rất tận tình, chu đáo.' }, 'complete')).toEqual(
      [],
    );
  });

  it('requires the follow-up when it is shown, and refuses it when it is not', () => {
    const unhappy = { overall: 2, attitude: 1, time: 1 };
    expect(checkAnswers(quick, unhappy, 'complete')).toEqual([
      { question: 'problems', message: 'a required question has no answer' },
    ]);
    expect(checkAnswers(quick, { ...unhappy, problems: ['cho-lau', 'thai-do'] }, 'complete')).toEqual([]);
    expect(checkAnswers(quick, { ...happy, problems: ['cho-lau'] }, 'complete')).toEqual([
      { question: 'problems', message: 'answer to a question that was not shown' },
    ]);
  });

  it('refuses answers to unknown questions', () => {
    expect(checkAnswers(quick, { ...happy, 'khong-co': 1 }, 'complete')).toEqual([
      { question: 'khong-co', message: 'no such question in this questionnaire' },
    ]);
  });

  it('requires every required question of a complete response', () => {
    expect(issueIds(quick, { overall: 4 })).toEqual(['attitude', 'time']);
    expect(issueIds(perCase, { 'tong-thoi-gian': 2 })).toHaveLength(8);
  });

  it.each<[string, Answers]>([
    ['5-level above range', { overall: 6 }],
    ['5-level below range', { overall: 0 }],
    ['5-level fraction', { overall: 3.5 }],
    ['5-level NaN', { overall: Number.NaN }],
    ['5-level as text', { overall: '5' }],
    ['3-level above range', { time: 4 }],
    ['3-level as boolean', { time: true }],
    ['multi as a single string', { overall: 1, problems: 'cho-lau' }],
    ['multi empty', { overall: 1, problems: [] }],
    ['multi chosen twice', { overall: 1, problems: ['cho-lau', 'cho-lau'] }],
    ['multi unknown option', { overall: 1, problems: ['khong-co'] }],
    ['text as number', { comment: 5 }],
    ['text blank', { comment: '   ' }],
  ])('refuses a wrong value: %s', (_name, bad) => {
    const key = Object.keys(bad).at(-1)!;
    const issues = checkAnswers(quick, { ...happy, ...bad }, 'abandoned');
    expect(issues.map((i) => i.question)).toEqual([key]);
  });

  it('refuses wrong values for indicators, yes/no, single choice and maxSelected', () => {
    expect(issueIds(perCase, { 'tong-thoi-gian': 3 }, 'abandoned')).toEqual(['tong-thoi-gian']);
    expect(issueIds(perCase, { 'tong-thoi-gian': -1 }, 'abandoned')).toEqual(['tong-thoi-gian']);
    expect(issueIds(perCase, { 'tong-thoi-gian': 0 }, 'abandoned')).toEqual([]);
    expect(issueIds(sipas, { 'da-gop-y': 'co' }, 'abandoned')).toEqual(['da-gop-y']);
    expect(issueIds(mixed, { kenh: 'buu-dien' }, 'abandoned')).toEqual(['kenh']);
    expect(issueIds(mixed, { kenh: ['truc-tiep'] }, 'abandoned')).toEqual(['kenh']);
    const chain = { chung: 1, 'co-phan-anh': true };
    expect(issueIds(mixed, { ...chain, 'ly-do': ['cho-lau', 'thai-do'] }, 'abandoned')).toEqual([]);
    expect(checkAnswers(mixed, { ...chain, 'ly-do': ['cho-lau', 'thai-do', 'khac'] }, 'abandoned')).toEqual([
      { question: 'ly-do', message: 'at most 2 options' },
    ]);
  });

  it('lets an abandoned response stop anywhere, but still checks what it has', () => {
    expect(checkAnswers(quick, {}, 'abandoned')).toEqual([]);
    expect(checkAnswers(quick, { overall: 1 }, 'abandoned')).toEqual([]);
    expect(checkAnswers(perCase, { 'tong-thoi-gian': 2, 'so-lan-lien-he': 0 }, 'abandoned')).toEqual([]);
    expect(issueIds(quick, { overall: 9 }, 'abandoned')).toEqual(['overall']);
    expect(issueIds(quick, { overall: 4, problems: ['cho-lau'] }, 'abandoned')).toEqual(['problems']);
  });

  it('counts text length in characters, a Vietnamese letter with its marks being one', () => {
    // maxLength 5 on "chi-tiet"
    const base = { chung: 1, 'co-phan-anh': true, 'ly-do': ['khac'] };
    const check = (text: string) => issueIds(mixed, { ...base, 'chi-tiet': text }, 'abandoned');
    expect(check('Tuyệt')).toEqual([]); // T-u-y-ệ-t: 5 characters (7 bytes in UTF-8)
    expect(check('Tuyệt!')).toEqual(['chi-tiet']);
    expect(check('Được ạ')).toEqual(['chi-tiet']); // 6 characters
    expect(check('ỗỗỗỗỗ')).toEqual([]);
    // Decomposed input (base letter + combining marks), as some Vietnamese keyboards send it.
    const nfd = 'ệệệệệ'.normalize('NFD');
    expect(nfd.length).toBe(15);
    expect(check(nfd)).toEqual([]);
    // Characters outside the BMP are one character each, not two UTF-16 units.
    expect(check('👍👍👍👍👍')).toEqual([]);
    // The shipped comment allows 500.
    expect(issueIds(quick, { ...happy, comment: 'ệ'.repeat(500) })).toEqual([]);
    expect(issueIds(quick, { ...happy, comment: 'ệ'.repeat(501) })).toEqual(['comment']);
  });

  it('refuses control characters in text but keeps line breaks and tabs', () => {
    for (const bad of ['abc\u0000', 'chuông\u0007', '\u001b[31mđỏ', 'xoá\u007f', 'ngắt\u0085dòng']) {
      expect(checkAnswers(quick, { ...happy, comment: bad }, 'complete')).toEqual([
        { question: 'comment', message: 'control characters are not allowed' },
      ]);
    }
    expect(checkAnswers(quick, { ...happy, comment: 'Dòng một\r\nDòng hai\tcó tab' }, 'complete')).toEqual([]);
  });
});

// ---------------------------------------------------------------- properties

const LETTERS = [...'aăâbcdđeêghiklmnoôơpqrstuưvxyàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵĐƯƠ .,'];

/** Valid answers for a question, drawn from its own options and scale. */
const validValue = (q: Question): fc.Arbitrary<AnswerValue> => {
  switch (q.type) {
    case 'satisfaction5':
      return fc.integer({ min: 1, max: 5 });
    case 'satisfaction3':
      return fc.integer({ min: 1, max: 3 });
    case 'indicator':
      return fc.constantFrom(...q.options.map((o) => o.points));
    case 'yesno':
      return fc.boolean();
    case 'single':
      return fc.constantFrom(...q.options.map((o) => o.value));
    case 'multi':
      return fc.subarray(
        q.options.map((o) => o.value),
        { minLength: 1, maxLength: q.maxSelected ?? q.options.length },
      );
    case 'text':
      return fc
        .tuple(
          fc.array(fc.constantFrom(...LETTERS), { minLength: 1, maxLength: Math.min(q.maxLength, 60) }),
          fc.constantFrom('NFC', 'NFD'),
        )
        .map(([chars, form]) => chars.join('').normalize(form))
        .filter((s) => s.trim().length > 0);
  }
};

/** Anything an untrusted client could send, valid or not. */
const anyValue: fc.Arbitrary<AnswerValue> = fc.oneof(
  fc.integer({ min: -3, max: 9 }),
  fc.double(),
  fc.boolean(),
  fc.string({ maxLength: 30 }),
  fc.array(fc.string({ maxLength: 10 }), { maxLength: 5 }),
);

/** A random answer map: for each question maybe a valid value, maybe garbage, maybe nothing; plus unknown ids. */
const answerMap = (q: Questionnaire): fc.Arbitrary<Answers> =>
  fc
    .tuple(
      fc.tuple(
        ...q.questions.map((question) => fc.option(fc.oneof(validValue(question), anyValue), { nil: undefined })),
      ),
      fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), anyValue, { maxKeys: 2 }),
    )
    .map(([values, extra]) => {
      const a: Answers = { ...extra };
      q.questions.forEach((question, i) => {
        const v = values[i];
        if (v !== undefined) a[question.id] = v;
        else delete a[question.id];
      });
      return a;
    });

/**
 * A respondent who walks through the questionnaire in order: answers every shown required question
 * validly, and each shown optional one when the coin says so.
 */
const completeResponse = (q: Questionnaire): fc.Arbitrary<Answers> =>
  fc.tuple(...q.questions.map((question) => fc.tuple(validValue(question), fc.boolean()))).map((picks) => {
    const a: Answers = {};
    q.questions.forEach((question, i) => {
      const [value, answerOptional] = picks[i]!;
      const shown = visibleQuestions(q, a).some((x) => x.id === question.id);
      if (shown && (question.required || answerOptional)) a[question.id] = value;
    });
    return a;
  });

describe.each([
  ['quick', quick],
  ['per-case', perCase],
  ['sipas', sipas],
  ['hand-made', mixed],
])('properties of checkAnswers on the %s questionnaire', (_name, q) => {
  it('never throws, and only names questions that were answered or are required and shown', () => {
    fc.assert(
      fc.property(answerMap(q), fc.constantFrom('complete' as const, 'abandoned' as const), (answers, status) => {
        const issues = checkAnswers(q, answers, status);
        const visible = new Set(ids(visibleQuestions(q, answers)));
        for (const issue of issues) {
          expect(issue.question in answers || (status === 'complete' && visible.has(issue.question))).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('finds no issue in a response that answers every shown required question validly', () => {
    fc.assert(
      fc.property(completeResponse(q), (answers) => {
        expect(checkAnswers(q, answers, 'complete')).toEqual([]);
        expect(checkAnswers(q, answers, 'abandoned')).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('flags a complete response that drops a shown required answer', () => {
    fc.assert(
      fc.property(completeResponse(q), fc.nat(), (answers, n) => {
        const required = visibleQuestions(q, answers).filter((x) => x.required);
        fc.pre(required.length > 0);
        const dropped = required[n % required.length]!.id;
        const rest = { ...answers };
        delete rest[dropped];
        // Dropping an answer can hide its follow-ups, whose answers are then refused too; the dropped one is always named.
        expect(issueIds(q, rest)).toContain(dropped);
      }),
      { numRuns: 200 },
    );
  });
});
