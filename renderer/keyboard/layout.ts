import type { Tone } from '../telex/letters.ts';

/** Key rows of the on-screen keyboards. Letters are QWERTY, the layout Telex typists know. */
export const DIGITS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '0'] as const;
export const LETTER_ROWS = [
  ['q', 'w', 'e', 'r', 't', 'y', 'u', 'i', 'o', 'p'],
  ['a', 's', 'd', 'f', 'g', 'h', 'j', 'k', 'l'],
  ['z', 'x', 'c', 'v', 'b', 'n', 'm'],
] as const;

/** Shaped letters of the diacritics row, typed as they are. */
export const SHAPED_LETTERS = ['ă', 'â', 'ê', 'ô', 'ơ', 'ư', 'đ'] as const;

export type ToneKey = {
  tone: Tone;
  mark: string;
  label:
    | 'keyboard.toneSac'
    | 'keyboard.toneHuyen'
    | 'keyboard.toneHoi'
    | 'keyboard.toneNga'
    | 'keyboard.toneNang'
    | 'keyboard.toneNone';
};

/** Tone buttons of the diacritics row, each shown on an "a"; they put the tone on the last word. */
export const TONE_KEYS: readonly ToneKey[] = [
  { tone: 1, mark: 'á', label: 'keyboard.toneSac' },
  { tone: 2, mark: 'à', label: 'keyboard.toneHuyen' },
  { tone: 3, mark: 'ả', label: 'keyboard.toneHoi' },
  { tone: 4, mark: 'ã', label: 'keyboard.toneNga' },
  { tone: 5, mark: 'ạ', label: 'keyboard.toneNang' },
  { tone: 0, mark: 'a', label: 'keyboard.toneNone' },
];

/** The bottom row of the url keyboard: central URLs, enrolment codes, folder paths (Linux and Windows). */
export const PATH_KEYS = [':', '/', '.', '-', '_', '\\'] as const;

/** Punctuation on the bottom row of the text keyboard. */
export const PUNCTUATION = [',', '.', '?', '!'] as const;

/** Code points, the unit a question's maxLength counts. */
export const lengthOf = (s: string): number => [...s].length;

/** The edit if it fits within `max` (an edit that does not grow the text always fits). */
export const fitEdit = (before: string, after: string, max: number | undefined): string =>
  max === undefined || lengthOf(after) <= max || lengthOf(after) <= lengthOf(before) ? after : before;
