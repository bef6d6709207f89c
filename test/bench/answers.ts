import { type Answers, type AnswerValue, conditionHolds } from '../../shared/answers.ts';
import type { AnswerSource } from '../../shared/case-facts.ts';
import { sourcesOf } from '../../shared/fact-answers.ts';
import { type Question, type Questionnaire, factRuleOf } from '../../shared/questionnaire.ts';

/** Comments as citizens leave them: short, Vietnamese, sometimes none of the right accents. */
const COMMENTS = [
  'Cán bộ hướng dẫn nhiệt tình, chu đáo.',
  'Thời gian chờ hơi lâu, đề nghị bố trí thêm quầy vào buổi sáng.',
  'Rất hài lòng.',
  'Nơi ngồi chờ chật, mùa hè nóng.',
  'Cần niêm yết rõ hơn mức phí, lệ phí.',
  'Phải đi lại hai lần vì thiếu giấy tờ, mong được hướng dẫn đầy đủ ngay từ đầu.',
  'tot',
  'can bo vui ve',
  'Cảm ơn các anh chị ở bộ phận một cửa.',
  'Đề nghị có thêm chỗ để xe.',
  'Hồ sơ được trả đúng hẹn, cảm ơn.',
  'Máy lấy số thứ tự bị hỏng, phải hỏi nhiều lần.',
];

/** Satisfaction leans positive, as in published SIPAS results; a few respondents are unhappy. */
const MOODS = [1, 2, 3, 4, 4, 5, 5, 5, 5, 4, 4, 3, 5, 4, 5, 2, 5, 4, 5, 5];

const pick = <T>(rng: () => number, items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;
const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));

const valueFor = (q: Question, mood: number, rng: () => number): AnswerValue | undefined => {
  const jitter = rng() < 0.3 ? (rng() < 0.5 ? -1 : 1) : 0;
  switch (q.type) {
    case 'satisfaction5':
      return clamp(mood + jitter, 1, 5);
    case 'satisfaction3':
      return clamp(Math.round((mood + jitter + 1) / 2), 1, 3);
    case 'indicator':
      return clamp(mood + jitter >= 4 ? 2 : mood + jitter >= 3 ? 1 : 0, 0, 2);
    case 'yesno':
      return rng() < 0.3;
    case 'single':
      return pick(rng, q.options).value;
    case 'multi': {
      const max = Math.min(q.maxSelected ?? 3, 3, q.options.length);
      const count = 1 + Math.floor(rng() * max);
      const shuffled = [...q.options].sort(() => rng() - 0.5);
      return shuffled.slice(0, count).map((o) => o.value);
    }
    case 'text': {
      const text = rng() < 0.2 ? `${pick(rng, COMMENTS)} ${pick(rng, COMMENTS)}` : pick(rng, COMMENTS);
      return [...text].slice(0, q.maxLength).join('').trim() || 'ok';
    }
  }
};

export type FakeOptions = {
  status: 'complete' | 'abandoned';
  /** Chance that an optional question (a comment) is answered. */
  optionalRate?: number;
};

/**
 * A plausible set of answers for a questionnaire, built from the questionnaire itself: follows the
 * show-if conditions in order, answers every visible required question (a complete response) or
 * stops part-way (an abandoned one). The result passes checkAnswers for the given status.
 */
export const fakeAnswers = (q: Questionnaire, rng: () => number, options: FakeOptions): Answers => {
  const answers: Answers = {};
  const mood = pick(rng, MOODS);
  const stopAfter = options.status === 'abandoned' ? Math.floor(rng() * q.questions.length) : Number.POSITIVE_INFINITY;
  let answered = 0;
  for (const question of q.questions) {
    if (answered >= stopAfter) break;
    if (question.showIf && !conditionHolds(question.showIf, answers)) continue;
    if (!question.required && rng() >= (options.optionalRate ?? 0.1)) continue;
    const value = valueFor(question, mood, rng);
    if (value === undefined) continue;
    answers[question.id] = value;
    answered++;
  }
  return answers;
};

/**
 * Who gave each fake answer (per-case v2): the indicators facts may give count as given by them, as a
 * kiosk with the case's facts records it; central refuses a response whose sources do not fit.
 */
export const fakeSources = (q: Questionnaire, answers: Answers): Record<string, AnswerSource> | undefined => {
  const system = Object.fromEntries(
    Object.entries(answers).filter(([id]) => q.questions.some((x) => x.id === id && factRuleOf(x))),
  );
  return sourcesOf(q, answers, system);
};
