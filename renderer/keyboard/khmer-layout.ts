/**
 * The Khmer on-screen keyboard (issue 15): letters in the order of the Khmer alphabet as it is taught,
 * not a typewriter layout, so someone who has never typed Khmer finds a letter where they expect it.
 * Text is stored in Unicode's logical order (consonant, then coeng + subscript, then vowel and signs):
 * the order people write in, so each key simply appends its character.
 */
export const KHMER_CONSONANT_ROWS = [
  ['ក', 'ខ', 'គ', 'ឃ', 'ង', 'ច', 'ឆ', 'ជ', 'ឈ', 'ញ', 'ដ'],
  ['ឋ', 'ឌ', 'ឍ', 'ណ', 'ត', 'ថ', 'ទ', 'ធ', 'ន', 'ប', 'ផ'],
  ['ព', 'ភ', 'ម', 'យ', 'រ', 'ល', 'វ', 'ស', 'ហ', 'ឡ', 'អ'],
] as const;

/** Dependent vowels and the two signs written like vowels (nikahit ំ, reahmuk ះ). */
export const KHMER_VOWEL_ROWS = [
  ['ា', 'ិ', 'ី', 'ឹ', 'ឺ', 'ុ', 'ូ', 'ួ', 'ើ'],
  ['ឿ', 'ៀ', 'េ', 'ែ', 'ៃ', 'ោ', 'ៅ', 'ំ', 'ះ'],
] as const;

/** Coeng (្: the next consonant goes below) and the diacritics. */
export const KHMER_SIGNS = ['្', '់', '៉', '៊', '័', '៍', '៌'] as const;

/** Independent vowels. */
export const KHMER_INDEPENDENT_VOWELS = ['ឥ', 'ឦ', 'ឧ', 'ឪ', 'ឫ', 'ឬ', 'ឭ', 'ឮ', 'ឯ', 'ឱ', 'ឳ'] as const;

export const KHMER_DIGITS = ['០', '១', '២', '៣', '៤', '៥', '៦', '៧', '៨', '៩'] as const;

/** Khan (។) ends a sentence; the others as in Latin text. */
export const KHMER_PUNCTUATION = ['។', '៖', '?', '!'] as const;

/** A mark that attaches to the letter before it, shown on its key on a dotted circle as dictionaries do. */
export const isCombining = (ch: string): boolean => /\p{M}/u.test(ch);

export const keyFace = (ch: string): string => (isCombining(ch) ? `\u25cc${ch}` : ch);
