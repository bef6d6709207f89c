/**
 * Vietnamese letters as (base, shape, tone) triples, so the Telex composer can change one part of a
 * letter and put it back together. Works on NFD: a tone or shape is a combining mark after the base.
 */

export type Shape = 'none' | 'circumflex' | 'breve' | 'horn';
/** 0 = no tone (ngang), then sắc, huyền, hỏi, ngã, nặng. */
export type Tone = 0 | 1 | 2 | 3 | 4 | 5;

const TONE_MARKS: readonly string[] = ['', '\u0301', '\u0300', '\u0309', '\u0303', '\u0323'];
const SHAPE_MARKS: Readonly<Record<Shape, string>> = {
  none: '',
  circumflex: '\u0302',
  breve: '\u0306',
  horn: '\u031b',
};

export type Letter = { base: string; shape: Shape; tone: Tone };

const VOWEL_BASES = new Set(['a', 'e', 'i', 'o', 'u', 'y']);

const toneOfMark = (mark: string): Tone | null => {
  const i = TONE_MARKS.indexOf(mark);
  return i > 0 ? (i as Tone) : null;
};

const shapeOfMark = (mark: string): Shape | null => {
  for (const [shape, m] of Object.entries(SHAPE_MARKS) as [Shape, string][]) {
    if (m !== '' && m === mark) return shape;
  }
  return null;
};

/** Splits one NFC character into base letter, shape and tone; null when it is not a Latin letter we know. */
export const parseLetter = (ch: string): Letter | null => {
  if (ch === 'đ' || ch === 'Đ') return { base: ch, shape: 'none', tone: 0 };
  const nfd = ch.normalize('NFD');
  const base = nfd[0];
  if (base === undefined || !/[A-Za-z]/.test(base)) return null;
  let shape: Shape = 'none';
  let tone: Tone = 0;
  for (const mark of nfd.slice(1)) {
    const t = toneOfMark(mark);
    if (t !== null) {
      tone = t;
      continue;
    }
    const s = shapeOfMark(mark);
    if (s === null) return null;
    shape = s;
  }
  return { base, shape, tone };
};

export const formatLetter = (l: Letter): string =>
  (l.base + SHAPE_MARKS[l.shape] + TONE_MARKS[l.tone]).normalize('NFC');

export const isVowel = (l: Letter): boolean => VOWEL_BASES.has(l.base.toLowerCase());

export const isLetterChar = (ch: string): boolean => parseLetter(ch) !== null;

export const toneMark = (tone: Tone): string => TONE_MARKS[tone] ?? '';
