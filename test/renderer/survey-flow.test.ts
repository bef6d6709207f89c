import { describe, expect, it } from 'vitest';
import { checkAnswers } from '../../shared/answers.ts';
import { Questionnaire } from '../../shared/questionnaire.ts';
import {
  canLeave,
  firstQuestionId,
  isOneTap,
  nextQuestionId,
  previousQuestionId,
  progressOf,
  pruneAnswers,
  questionById,
  textAnswer,
  toggleChoice,
  withAnswer,
} from '../../renderer/state/survey-flow.ts';

const text = (vi: string) => ({ vi, en: vi });

/** overall → (problems if overall ≤ 2 → other-detail if "khac" chosen) → visited (yes/no) → office (if yes) → comment. */
const q = Questionnaire.parse({
  id: 'flow',
  version: 1,
  kind: 'custom',
  title: text('Flow'),
  questions: [
    { id: 'overall', type: 'satisfaction5', text: text('Overall') },
    {
      id: 'problems',
      type: 'multi',
      maxSelected: 2,
      showIf: { question: 'overall', op: 'lte', value: 2 },
      text: text('Problems'),
      options: [
        { value: 'cho-lau', label: text('Wait') },
        { value: 'thai-do', label: text('Attitude') },
        { value: 'khac', label: text('Other') },
      ],
    },
    {
      id: 'other-detail',
      type: 'single',
      showIf: { question: 'problems', op: 'in', value: ['khac'] },
      text: text('Which'),
      options: [
        { value: 'a', label: text('A') },
        { value: 'b', label: text('B') },
      ],
    },
    { id: 'visited', type: 'yesno', text: text('Visited before?') },
    {
      id: 'office',
      type: 'indicator',
      showIf: { question: 'visited', op: 'is', value: true },
      text: text('Office'),
      options: [
        { points: 2, label: text('Good') },
        { points: 1, label: text('OK') },
        { points: 0, label: text('Bad') },
      ],
    },
    { id: 'comment', type: 'text', required: false, maxLength: 20, text: text('Comment') },
  ],
});

describe('survey flow', () => {
  it('starts at the first question and walks the visible ones', () => {
    expect(firstQuestionId(q)).toBe('overall');
    let a = withAnswer(q, {}, 'overall', 5);
    expect(nextQuestionId(q, a, 'overall')).toBe('visited');
    a = withAnswer(q, a, 'visited', false);
    expect(nextQuestionId(q, a, 'visited')).toBe('comment');
    expect(nextQuestionId(q, a, 'comment')).toBeNull();
    expect(previousQuestionId(q, a, 'comment')).toBe('visited');
    expect(previousQuestionId(q, a, 'overall')).toBeNull();
  });

  it('shows follow-ups when their condition holds', () => {
    let a = withAnswer(q, {}, 'overall', 2);
    expect(nextQuestionId(q, a, 'overall')).toBe('problems');
    a = withAnswer(q, a, 'problems', ['khac']);
    expect(nextQuestionId(q, a, 'problems')).toBe('other-detail');
    a = withAnswer(q, a, 'visited', true);
    expect(nextQuestionId(q, a, 'visited')).toBe('office');
  });

  it('counts progress over the questions the respondent will see', () => {
    expect(progressOf(q, {}, 'overall')).toEqual({ position: 1, total: 3 });
    const a = withAnswer(q, withAnswer(q, {}, 'overall', 1), 'problems', ['khac']);
    expect(progressOf(q, a, 'problems')).toEqual({ position: 2, total: 5 });
  });

  it('drops answers that a changed answer hides, down the chain', () => {
    let a = withAnswer(q, {}, 'overall', 1);
    a = withAnswer(q, a, 'problems', ['khac', 'thai-do']);
    a = withAnswer(q, a, 'other-detail', 'a');
    a = withAnswer(q, a, 'visited', true);
    a = withAnswer(q, a, 'office', 2);
    expect(Object.keys(a)).toEqual(['overall', 'problems', 'other-detail', 'visited', 'office']);
    a = withAnswer(q, a, 'overall', 4);
    expect(a).toEqual({ overall: 4, visited: true, office: 2 });
    expect(checkAnswers(q, a, 'complete')).toEqual([]);
  });

  it('prunes stale answers it is given, so a stored response never says more than was asked', () => {
    const stale = { overall: 5, problems: ['khac'], 'other-detail': 'b', visited: false, office: 1 };
    const pruned = pruneAnswers(q, stale);
    expect(pruned).toEqual({ overall: 5, visited: false });
    expect(checkAnswers(q, pruned, 'abandoned')).toEqual([]);
  });

  it('clears an answer with undefined', () => {
    const a = withAnswer(q, withAnswer(q, {}, 'comment', 'x'), 'comment', undefined);
    expect(a).toEqual({});
  });

  it('lets the respondent leave only an answered required question', () => {
    const overall = questionById(q, 'overall')!;
    const problems = questionById(q, 'problems')!;
    const comment = questionById(q, 'comment')!;
    expect(canLeave(overall, undefined)).toBe(false);
    expect(canLeave(overall, 3)).toBe(true);
    expect(canLeave(problems, [])).toBe(false);
    expect(canLeave(problems, ['cho-lau'])).toBe(true);
    expect(canLeave(comment, undefined)).toBe(true);
    expect(canLeave(questionById(q, 'visited')!, false)).toBe(true);
  });

  it('knows which questions take one tap', () => {
    expect(q.questions.filter(isOneTap).map((x) => x.id)).toEqual(['overall', 'other-detail', 'visited', 'office']);
  });

  it('toggles multi-choice options in questionnaire order, within the limit', () => {
    const problems = questionById(q, 'problems');
    if (problems?.type !== 'multi') throw new Error('fixture');
    expect(toggleChoice(problems, [], 'khac')).toEqual(['khac']);
    expect(toggleChoice(problems, ['khac'], 'cho-lau')).toEqual(['cho-lau', 'khac']);
    expect(toggleChoice(problems, ['cho-lau', 'khac'], 'thai-do')).toEqual(['cho-lau', 'khac']);
    expect(toggleChoice(problems, ['cho-lau', 'khac'], 'cho-lau')).toEqual(['khac']);
  });

  it('stores a comment trimmed and NFC, and an empty one as no answer', () => {
    expect(textAnswer('  ')).toBeUndefined();
    expect(textAnswer(' Tốt quá ')).toBe('Tốt quá');
    expect(textAnswer('Te\u0302\u0301t')).toBe('Tết');
  });
});
