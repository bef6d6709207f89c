import { describe, expect, it } from 'vitest';
import { Questionnaire } from '../../shared/questionnaire.ts';
import type { DefaultQuestionnaireId } from './config-fixtures.ts';
import { readDefaultQuestionnaireJson, vi } from './config-fixtures.ts';

const base = { id: 'thu-nghiem', version: 1, kind: 'custom', title: vi('Phiếu thử nghiệm') };
const s5 = (id: string, extra: object = {}) => ({ id, type: 'satisfaction5', text: vi(id), ...extra });
const yesno = (id: string, extra: object = {}) => ({ id, type: 'yesno', text: vi(id), ...extra });
const single = (id: string, extra: object = {}) => ({
  id,
  type: 'single',
  text: vi(id),
  options: [
    { value: 'mot', label: vi('Một') },
    { value: 'hai', label: vi('Hai') },
  ],
  ...extra,
});

/** Issues as [path, message] pairs, or [] when the questionnaire is accepted. */
const issues = (input: object): [string, string][] => {
  const r = Questionnaire.safeParse({ ...base, ...input });
  return r.success ? [] : r.error.issues.map((i) => [i.path.join('.'), i.message]);
};

describe('the shipped questionnaires', () => {
  it.each<[DefaultQuestionnaireId, string, number]>([
    ['quick', 'quick', 1],
    ['per-case', 'per-case', 2],
    ['per-case-v1', 'per-case', 1],
    ['sipas', 'sipas', 1],
  ])('%s is accepted and has kind %s, version %d', (file, kind, version) => {
    const r = Questionnaire.safeParse(readDefaultQuestionnaireJson(file));
    expect(r.success ? [] : r.error.issues).toEqual([]);
    expect(r.data).toMatchObject({ id: kind === 'per-case' ? 'per-case' : file, version, kind });
  });

  it('give every text, option and band in Vietnamese and English', () => {
    for (const id of ['quick', 'per-case', 'per-case-v1', 'sipas'] as const) {
      const q = Questionnaire.parse(readDefaultQuestionnaireJson(id));
      const texts = [
        q.title,
        ...(q.intro ? [q.intro] : []),
        ...(q.elements ?? []).map((e) => e.name),
        ...(q.grading ?? []).map((b) => b.label),
        ...q.questions.flatMap((x) => [
          x.text,
          ...(x.help ? [x.help] : []),
          ...('options' in x ? x.options.map((o) => o.label) : []),
        ]),
      ];
      for (const t of texts) expect(Object.keys(t).sort()).toEqual(['en', 'vi']);
    }
  });

  it('per-case version 1 (retired) has nine 2/1/0 indicators and the default grade bands of docs/survey-instruments.md', () => {
    const q = Questionnaire.parse(readDefaultQuestionnaireJson('per-case-v1'));
    const indicators = q.questions.filter((x) => x.type === 'indicator');
    expect(indicators).toHaveLength(9);
    for (const x of indicators) expect(x.type === 'indicator' && x.options.map((o) => o.points)).toEqual([2, 1, 0]);
    expect(q.grading?.map((b) => [b.min, b.label.vi])).toEqual([
      [16, 'Xuất sắc'],
      [12, 'Tốt'],
      [9, 'Khá'],
      [6, 'Trung bình'],
      [0, 'Yếu'],
    ]);
    expect(q.questions.at(-1)).toMatchObject({ id: 'comment', type: 'text', required: false, maxLength: 500 });
  });

  it('sipas has the five elements with at least two criteria each, and an overall question feeding CSAT', () => {
    const q = Questionnaire.parse(readDefaultQuestionnaireJson('sipas'));
    expect(q.elements?.map((e) => e.id)).toEqual(['tiep-can', 'thu-tuc', 'cong-chuc', 'ket-qua', 'gop-y']);
    for (const e of q.elements ?? []) {
      const criteria = q.questions.filter((x) => x.feeds?.instrument === 'sipas' && x.feeds.element === e.id);
      expect(criteria.length).toBeGreaterThanOrEqual(2);
      for (const c of criteria) expect(c.type).toBe('satisfaction5');
    }
    expect(q.questions.filter((x) => x.feeds?.instrument === 'csat').map((x) => x.type)).toEqual(['satisfaction5']);
  });
});

describe('Questionnaire schema refuses', () => {
  it('a misspelt key, naming it, rather than dropping it (a dropped "showIf" would show a follow-up to everyone)', () => {
    const found = issues({ questions: [s5('a'), s5('b', { showif: { question: 'a', op: 'lte', value: 2 } })] });
    expect(found.length).toBe(1);
    expect(found[0]?.[0]).toBe('questions.1');
    expect(found[0]?.[1]).toMatch(/showif/);
  });

  it('duplicate question ids', () => {
    expect(issues({ questions: [s5('a'), s5('b'), s5('a')] })).toEqual([
      ['questions.2.id', 'duplicate question id "a"'],
    ]);
  });

  it('a condition that refers to a later, an unknown or its own question', () => {
    const later = issues({ questions: [s5('a', { showIf: { question: 'b', op: 'lte', value: 2 } }), s5('b')] });
    expect(later).toEqual([
      ['questions.0.showIf.question', 'condition refers to "b", which is not an earlier question'],
    ]);
    expect(
      issues({ questions: [s5('a'), s5('b', { showIf: { question: 'khong-co', op: 'answered' } })] })[0]?.[0],
    ).toBe('questions.1.showIf.question');
    expect(issues({ questions: [s5('a', { showIf: { question: 'a', op: 'answered' } })] })[0]?.[0]).toBe(
      'questions.0.showIf.question',
    );
  });

  it('a condition that does not fit the type of its question', () => {
    const path = 'questions.1.showIf';
    expect(issues({ questions: [s5('a'), s5('b', { showIf: { question: 'a', op: 'is', value: true } })] })).toEqual([
      [path, 'condition "is" does not fit question "a" of type satisfaction5'],
    ]);
    expect(
      issues({ questions: [yesno('a'), s5('b', { showIf: { question: 'a', op: 'lte', value: 2 } })] })[0]?.[0],
    ).toBe(path);
    expect(
      issues({ questions: [single('a'), s5('b', { showIf: { question: 'a', op: 'in', value: ['ba'] } })] })[0]?.[0],
    ).toBe(path);
    expect(
      issues({ questions: [s5('a'), s5('b', { showIf: { question: 'a', op: 'in', value: ['mot'] } })] })[0]?.[0],
    ).toBe(path);
  });

  it('a SIPAS criterion whose element is not listed', () => {
    const feeds = { instrument: 'sipas', element: 'thu-tuc', criterion: 'niem-yet' };
    const expected = [['questions.0.feeds.element', 'SIPAS element is not listed in "elements"']];
    expect(issues({ questions: [s5('a', { feeds })] })).toEqual(expected);
    expect(
      issues({ elements: [{ id: 'tiep-can', name: vi('Tiếp cận dịch vụ') }], questions: [s5('a', { feeds })] }),
    ).toEqual(expected);
  });

  it('grade bands out of order, or repeated', () => {
    const band = (min: number) => ({ min, label: vi(`từ ${min}`) });
    expect(issues({ grading: [band(12), band(16), band(0)], questions: [s5('a')] })).toEqual([
      ['grading.1.min', 'grade bands must be listed highest first'],
    ]);
    expect(issues({ grading: [band(9), band(9)], questions: [s5('a')] })[0]?.[0]).toBe('grading.1.min');
  });

  it('ids that are not slugs, texts without Vietnamese, unknown types and wrong option counts', () => {
    expect(issues({ questions: [s5('Hai Long')] })[0]?.[0]).toBe('questions.0.id');
    expect(issues({ questions: [{ id: 'a', type: 'satisfaction5', text: { en: 'Overall' } }] })).toEqual([
      ['questions.0.text', 'a Vietnamese ("vi") text is required'],
    ]);
    expect(issues({ questions: [{ id: 'a', type: 'stars', text: vi('a') }] })[0]?.[0]).toBe('questions.0.type');
    expect(
      issues({
        questions: [{ id: 'a', type: 'indicator', text: vi('a'), options: [{ points: 2, label: vi('x') }] }],
      })[0]?.[0],
    ).toBe('questions.0.options');
    expect(issues({ questions: [] })[0]?.[0]).toBe('questions');
  });
});

describe('Questionnaire schema accepts', () => {
  it('well-formed conditions of every kind, and fills in defaults', () => {
    const r = Questionnaire.safeParse({
      ...base,
      questions: [
        s5('a'),
        yesno('b', { showIf: { question: 'a', op: 'gte', value: 4 } }),
        single('c', { showIf: { question: 'b', op: 'is', value: false } }),
        { id: 'd', type: 'text', required: false, text: vi('d'), showIf: { question: 'c', op: 'in', value: ['hai'] } },
        s5('e', { showIf: { question: 'd', op: 'answered' } }),
      ],
    });
    expect(r.success ? [] : r.error.issues).toEqual([]);
    expect(r.data?.questions[0]?.required).toBe(true);
    expect(r.data?.questions[3]).toMatchObject({ required: false, maxLength: 500 });
  });
});
