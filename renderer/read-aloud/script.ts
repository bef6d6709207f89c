import { DEFAULT_LOCALE, type LocalizedText } from '../../shared/locale.ts';
import type { Question } from '../../shared/questionnaire.ts';

/** One thing to say: the exact text shown and the language it is really in. */
export type Spoken = { locale: string; text: string };

/** What read-aloud says for a question: the question (and its help), then each answer in screen order. */
export type QuestionScript = { question: Spoken[]; answers: Spoken[] };

/**
 * The answer words the UI itself supplies (scale labels, yes/no), in one UI language. The renderer
 * takes them from i18next, the build script from the same JSON files, so both say the same text.
 */
export type AnswerWords = {
  locale: string;
  scale5: readonly [string, string, string, string, string];
  scale3: readonly [string, string, string];
  yes: string;
  no: string;
};

/**
 * The text a LocalizedText shows in `locale`, with the language it is in: pickText falls back to
 * Vietnamese where a translation is missing, and that fallback must be read (and keyed) as Vietnamese.
 */
export const spokenText = (text: LocalizedText, locale: string): Spoken => {
  const own = text[locale];
  if (own !== undefined) return { locale, text: own };
  const vi = text[DEFAULT_LOCALE];
  if (vi !== undefined) return { locale: DEFAULT_LOCALE, text: vi };
  const [first] = Object.entries(text);
  return first ? { locale: first[0], text: first[1] } : { locale, text: '' };
};

const words = (w: AnswerWords, texts: readonly string[]): Spoken[] => texts.map((text) => ({ locale: w.locale, text }));

/** The answers of a question in the order the screen shows them (worst first on scales, as ScaleQuestion). */
const answerTexts = (q: Question, locale: string, w: AnswerWords): Spoken[] => {
  switch (q.type) {
    case 'satisfaction5':
      return words(w, w.scale5);
    case 'satisfaction3':
      return words(w, w.scale3);
    case 'yesno':
      return words(w, [w.yes, w.no]);
    case 'indicator':
    case 'single':
    case 'multi':
      return q.options.map((o) => spokenText(o.label, locale));
    case 'text':
      return [];
  }
};

export const questionScript = (q: Question, locale: string, w: AnswerWords): QuestionScript => ({
  question: [spokenText(q.text, locale), ...(q.help ? [spokenText(q.help, locale)] : [])],
  answers: answerTexts(q, locale, w),
});
