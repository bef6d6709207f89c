// Indicators from facts (issue 11): the pure rules facts → points, at every boundary, and what the citizen
// is then shown and what the stored sources must say.
import { describe, expect, it } from 'vitest';
import { CaseFacts, FactRule, pointsFromFacts } from '../../shared/case-facts.ts';
import { citizenQuestionnaire, factAnswers, sourceIssues, sourcesOf, usesFacts } from '../../shared/fact-answers.ts';
import { Questionnaire } from '../../shared/questionnaire.ts';
import { defaultQuestionnaire, vi } from './config-fixtures.ts';

const rule = (r: unknown): FactRule => FactRule.parse(r);
const dueVsReturned = rule({ rule: 'returned-vs-due' });
const visits = rule({ rule: 'return-visits' });
/** Due on 10 December 2026 at 17:00 in Vietnam. */
const DUE = '2026-12-10T17:00:00+07:00';
const returned = (at: string, r: FactRule = dueVsReturned) => pointsFromFacts(r, { dueAt: DUE, returnedAt: at });

describe('returned-vs-due (indicator 1), by calendar day in Vietnam', () => {
  it('has the documented defaults: on the due day 1, any lateness 0', () => {
    expect(dueVsReturned).toEqual({
      rule: 'returned-vs-due',
      onDueDay: 1,
      lateDaysForOne: 0,
      askCitizen: 'when-facts-missing',
    });
  });

  it.each([
    ['a day early', '2026-12-09T16:00:00+07:00', 2],
    ['the last minute of the day before', '2026-12-09T23:59:59+07:00', 2],
    ['the first minute of the due day', '2026-12-10T00:00:00+07:00', 1],
    ['on the due day after the hour it was due', '2026-12-10T23:59:59+07:00', 1],
    ['the first minute of the next day', '2026-12-11T00:00:00+07:00', 0],
    ['a week late', '2026-12-17T09:00:00+07:00', 0],
  ])('returned %s → %i', (_, at, points) => {
    expect(returned(at)).toBe(points);
  });

  it('reads the day in Vietnam whatever offset the instants were written with', () => {
    // 16:59:59Z is 23:59:59 in Vietnam on the due day; 17:00Z is already the next day there.
    expect(returned('2026-12-10T16:59:59Z')).toBe(1);
    expect(returned('2026-12-10T17:00:00Z')).toBe(0);
    expect(returned('2026-12-09T16:59:59Z')).toBe(2);
  });

  it('with lateDaysForOne = 2: up to two days late is 1, the third 0', () => {
    const lenient = rule({ rule: 'returned-vs-due', lateDaysForOne: 2 });
    expect(returned('2026-12-11T08:00:00+07:00', lenient)).toBe(1);
    expect(returned('2026-12-12T23:59:59+07:00', lenient)).toBe(1);
    expect(returned('2026-12-13T00:00:00+07:00', lenient)).toBe(0);
    expect(returned('2026-12-09T08:00:00+07:00', lenient)).toBe(2);
  });

  it('with onDueDay = 2: on time is full marks, a day late 0', () => {
    const onTimeFull = rule({ rule: 'returned-vs-due', onDueDay: 2 });
    expect(returned('2026-12-10T20:00:00+07:00', onTimeFull)).toBe(2);
    expect(returned('2026-12-11T08:00:00+07:00', onTimeFull)).toBe(0);
  });

  it('gives nothing without both the due and the returned time', () => {
    expect(pointsFromFacts(dueVsReturned, { dueAt: DUE })).toBeUndefined();
    expect(pointsFromFacts(dueVsReturned, { returnedAt: DUE })).toBeUndefined();
    expect(pointsFromFacts(dueVsReturned, {})).toBeUndefined();
  });
});

describe('return-visits (indicator 3)', () => {
  it.each([
    [0, 2],
    [1, 1],
    [2, 0],
    [9, 0],
  ])('%i returns → %i', (n, points) => {
    expect(pointsFromFacts(visits, { returnVisits: n })).toBe(points);
  });

  it('with oneUpTo = 2: two returns still 1, three 0', () => {
    const r = rule({ rule: 'return-visits', oneUpTo: 2 });
    expect(pointsFromFacts(r, { returnVisits: 2 })).toBe(1);
    expect(pointsFromFacts(r, { returnVisits: 3 })).toBe(0);
  });

  it('gives nothing without the count', () => {
    expect(pointsFromFacts(visits, { online: true })).toBeUndefined();
  });
});

describe('CaseFacts', () => {
  it('accepts instants with an offset and refuses what cannot be a case', () => {
    expect(CaseFacts.safeParse({ receivedAt: '2026-12-01T08:00:00+07:00', dueAt: DUE, returnVisits: 0 }).success).toBe(
      true,
    );
    const refused = (f: unknown) => CaseFacts.safeParse(f).success;
    expect(refused({ returnedAt: '2026-11-30T08:00:00+07:00', receivedAt: '2026-12-01T08:00:00+07:00' })).toBe(false);
    expect(refused({ dueAt: '2026-11-30T08:00:00+07:00', receivedAt: '2026-12-01T08:00:00+07:00' })).toBe(false);
    expect(refused({ returnVisits: -1 })).toBe(false);
    expect(refused({ returnVisits: 1.5 })).toBe(false);
    expect(refused({ dueAt: '10/12/2026' })).toBe(false);
    expect(refused({ officer: 'cb01' })).toBe(false); // strict: an unknown key is an error, not dropped
  });
});

describe('per-case v2 with and without facts', () => {
  const v2 = defaultQuestionnaire('per-case');
  const ids = (q: Questionnaire) => q.questions.map((x) => x.id);

  it('is version 2 and asks the citizen only indicators 3, 4, 7, convenience, overall and a comment', () => {
    expect([v2.id, v2.version, usesFacts(v2)]).toEqual(['per-case', 2, true]);
    expect(ids(citizenQuestionnaire(v2, {}))).toEqual([
      'so-lan-lien-he',
      'so-co-quan-lien-he',
      'thai-do-can-bo',
      'muc-do-thuan-tien',
      'danh-gia-tong-the',
      'comment',
    ]);
    expect(v2.questions.find((x) => x.id === 'danh-gia-tong-the')).toMatchObject({ type: 'satisfaction3' });
  });

  it('takes indicators 1 and 3 from full facts and never asks them', () => {
    const system = factAnswers(v2, { dueAt: DUE, returnedAt: '2026-12-08T09:00:00+07:00', returnVisits: 1 });
    expect(system).toEqual({ 'tong-thoi-gian': 2, 'so-lan-lien-he': 1 });
    const shown = citizenQuestionnaire(v2, system);
    expect(ids(shown)).not.toContain('tong-thoi-gian');
    expect(ids(shown)).not.toContain('so-lan-lien-he');
    expect([shown.id, shown.version]).toEqual(['per-case', 2]);
    expect(Questionnaire.safeParse(shown).success).toBe(true);
  });

  it('records a source for every answer, and the sources must fit', () => {
    const system = { 'tong-thoi-gian': 0 };
    const answers = { ...system, 'so-lan-lien-he': 2, 'danh-gia-tong-the': 3 };
    const sources = sourcesOf(v2, answers, system)!;
    expect(sources).toEqual({
      'tong-thoi-gian': 'system',
      'so-lan-lien-he': 'citizen',
      'danh-gia-tong-the': 'citizen',
    });
    expect(sourceIssues(v2, answers, sources)).toEqual([]);
    const problems = (s: Record<string, 'citizen' | 'system'> | undefined, a: Record<string, number> = answers) =>
      sourceIssues(v2, a, s).map((i) => i.question);
    expect(problems(undefined)).toEqual(['(sources)']);
    expect(problems({ ...sources, 'danh-gia-tong-the': 'system' })).toEqual(['danh-gia-tong-the']);
    expect(problems({ ...sources, 'tong-thoi-gian': 'citizen' })).toEqual(['tong-thoi-gian']);
    expect(problems({ ...sources, 'so-co-quan-lien-he': 'citizen' })).toEqual(['so-co-quan-lien-he']);
    const { 'so-lan-lien-he': _, ...missing } = sources;
    expect(problems(missing)).toEqual(['so-lan-lien-he']);
    // a questionnaire without facts: sources may be left out
    expect(sourceIssues(defaultQuestionnaire('per-case-v1'), { 'tong-thoi-gian': 2 }, undefined)).toEqual([]);
    expect(sourcesOf(defaultQuestionnaire('quick'), { overall: 5 }, {})).toBeUndefined();
  });
});

describe('a questionnaire that takes indicators from facts', () => {
  const indicator = (id: string, more: object = {}) => ({
    id,
    type: 'indicator',
    text: vi(id),
    feeds: { instrument: 'per-case', indicator: 1 },
    options: [
      { points: 2, label: vi('hai') },
      { points: 1, label: vi('một') },
      { points: 0, label: vi('không') },
    ],
    ...more,
  });
  const issues = (questions: unknown[]) => {
    const r = Questionnaire.safeParse({ id: 'thu', version: 1, kind: 'custom', title: vi('Thử'), questions });
    return r.success ? [] : r.error.issues.map((i) => i.message);
  };
  const fromFacts = { fromFacts: { rule: 'returned-vs-due' } };

  it('is refused when a facts-answered question has a condition, or a condition depends on one', () => {
    expect(
      issues([indicator('a'), indicator('b', { ...fromFacts, showIf: { question: 'a', op: 'lte', value: 1 } })]),
    ).toEqual(['a question answered from facts cannot have a condition']);
    expect(
      issues([indicator('a', fromFacts), indicator('b', { showIf: { question: 'a', op: 'lte', value: 1 } })]),
    ).toEqual(['condition refers to "a", which may be answered from facts and not shown']);
  });

  it('is refused when no question is left for the citizen, or a rule is misspelt', () => {
    expect(issues([indicator('a', fromFacts)])).toEqual([
      'at least one question must be for the citizen (every question here comes from facts)',
    ]);
    expect(
      issues([indicator('a', { fromFacts: { rule: 'returned-vs-due', lateDays: 2 } }), indicator('b')]),
    ).toHaveLength(1);
    expect(issues([indicator('a', fromFacts), indicator('b')])).toEqual([]);
  });
});
