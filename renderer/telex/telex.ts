import { type Letter, type Tone, formatLetter, isVowel, parseLetter } from './letters.ts';

/**
 * Telex input for Vietnamese, as a pure function of (text so far, key typed).
 *
 * aa→â, ee→ê, oo→ô, aw→ă, ow→ơ, uw→ư, uow→ươ, dd→đ, a lone w→ư; tone keys s f r x j (sắc, huyền,
 * hỏi, ngã, nặng), z removes the tone. Typing a key twice undoes it ("ass" → "as", "aaa" → "aa").
 * After every key the word's tone is put back on the right vowel, so the order of keys does not
 * matter ("tiesn", "tieens" and "tieesn" all end where they should). The output is NFC.
 *
 * Tone placement ("modern" rules, the default): a vowel with a shape mark takes the tone (ơ in ươ);
 * otherwise one vowel takes it, three take it in the middle, two take it on the second when a final
 * consonant follows, and on the first otherwise, except oa, oe, uy (hoà, khoẻ, thuý). The u of "qu"
 * and the i of "gi" belong to the consonant. "classic" puts oa, oe, uy on the first vowel (hòa).
 */
export type ToneStyle = 'modern' | 'classic';

const TONE_KEYS: Readonly<Record<string, Tone>> = { s: 1, f: 2, r: 3, x: 4, j: 5 };

/** Splits off the trailing word (a run of letters) from the text before it. */
const splitWord = (text: string): { head: string; word: Letter[] } => {
  const chars = [...text];
  const word: Letter[] = [];
  let i = chars.length;
  while (i > 0) {
    const l = parseLetter(chars[i - 1] ?? '');
    if (!l) break;
    word.unshift(l);
    i--;
  }
  return { head: chars.slice(0, i).join(''), word };
};

const lower = (l: Letter): string => l.base.toLowerCase();

/** The last run of vowels: [start, end). */
const lastCluster = (word: Letter[]): [number, number] | null => {
  let end = -1;
  for (let i = word.length - 1; i >= 0; i--) {
    if (isVowel(word[i]!)) {
      end = i + 1;
      break;
    }
  }
  if (end < 0) return null;
  let start = end - 1;
  while (start > 0 && isVowel(word[start - 1]!)) start--;
  return [start, end];
};

/** The cluster without the u of "qu" / the i of "gi" when other vowels follow. */
const effectiveCluster = (word: Letter[]): [number, number] | null => {
  const c = lastCluster(word);
  if (!c) return null;
  const [start, end] = c;
  if (start === 1 && end - start > 1) {
    const first = lower(word[0]!);
    const second = word[1]!;
    if (
      (first === 'q' && lower(second) === 'u' && second.shape === 'none') ||
      (first === 'g' && lower(second) === 'i')
    ) {
      return [start + 1, end];
    }
  }
  return c;
};

const tonePosition = (word: Letter[], style: ToneStyle): number => {
  const c = effectiveCluster(word);
  if (!c) return -1;
  const [start, end] = c;
  for (let i = end - 1; i >= start; i--) if (word[i]!.shape !== 'none') return i;
  const n = end - start;
  if (n === 1) return start;
  if (n >= 3) return start + 1;
  if (end < word.length) return start + 1;
  const pair = lower(word[start]!) + lower(word[start + 1]!);
  return style === 'modern' && (pair === 'oa' || pair === 'oe' || pair === 'uy') ? start + 1 : start;
};

const wordTone = (word: Letter[]): Tone => word.find((l) => l.tone !== 0)?.tone ?? 0;

const withTone = (word: Letter[], tone: Tone, style: ToneStyle): Letter[] => {
  const bare = word.map((l) => ({ ...l, tone: 0 as Tone }));
  if (tone === 0) return bare;
  const at = tonePosition(bare, style);
  if (at < 0) return bare;
  bare[at] = { ...bare[at]!, tone };
  return bare;
};

const replaceAt = (word: Letter[], i: number, l: Letter): Letter[] => word.map((x, j) => (j === i ? l : x));

type Step = { word: Letter[]; tone: Tone };

const toneKey = (word: Letter[], tone: Tone, newTone: Tone, typed: Letter): Step | null => {
  if (!word.some(isVowel)) return null;
  if (tone === newTone) return { word: [...word, typed], tone: 0 };
  return { word, tone: newTone };
};

const dKey = (word: Letter[], tone: Tone, typed: Letter): Step | null => {
  const first = word[0];
  if (!first) return null;
  if (first.base === 'd' || first.base === 'D')
    return { word: replaceAt(word, 0, { ...first, base: first.base === 'd' ? 'đ' : 'Đ' }), tone };
  if (first.base === 'đ' || first.base === 'Đ')
    return { word: [...replaceAt(word, 0, { ...first, base: first.base === 'đ' ? 'd' : 'D' }), typed], tone };
  return null;
};

const circumflexKey = (word: Letter[], tone: Tone, typed: Letter): Step | null => {
  const c = lastCluster(word);
  if (!c) return null;
  for (let i = c[1] - 1; i >= c[0]; i--) {
    const l = word[i]!;
    if (lower(l) !== lower(typed)) continue;
    if (l.shape === 'circumflex') return { word: [...replaceAt(word, i, { ...l, shape: 'none' }), typed], tone };
    return { word: replaceAt(word, i, { ...l, shape: 'circumflex' }), tone };
  }
  return null;
};

const wKey = (word: Letter[], tone: Tone, typed: Letter): Step => {
  const c = effectiveCluster(word);
  const loneU: Letter = { base: typed.base === 'W' ? 'U' : 'u', shape: 'horn', tone: 0 };
  if (!c) return { word: [...word, loneU], tone };
  const [start, end] = c;
  // "uo" (or half-done "ưo", "uơ", "uô") becomes "ươ".
  for (let i = start; i + 1 < end; i++) {
    const u = word[i]!;
    const o = word[i + 1]!;
    if (
      lower(u) === 'u' &&
      lower(o) === 'o' &&
      !(u.shape === 'horn' && o.shape === 'horn') &&
      u.shape !== 'circumflex' &&
      o.shape !== 'breve'
    ) {
      return { word: replaceAt(replaceAt(word, i, { ...u, shape: 'horn' }), i + 1, { ...o, shape: 'horn' }), tone };
    }
  }
  for (let i = end - 1; i >= start; i--) {
    const l = word[i]!;
    const b = lower(l);
    if (b === 'a' && (l.shape === 'none' || l.shape === 'circumflex'))
      return { word: replaceAt(word, i, { ...l, shape: 'breve' }), tone };
    if ((b === 'o' || b === 'u') && (l.shape === 'none' || l.shape === 'circumflex'))
      return { word: replaceAt(word, i, { ...l, shape: 'horn' }), tone };
  }
  const shaped = word.some((l, i) => i >= start && i < end && (l.shape === 'horn' || l.shape === 'breve'));
  if (shaped) {
    const undone = word.map((l, i) =>
      i >= start && i < end && (l.shape === 'horn' || l.shape === 'breve') ? { ...l, shape: 'none' as const } : l,
    );
    return { word: [...undone, typed], tone };
  }
  // A lone w after consonants ("nhw" → "như", "giw" → "giư"); after other vowels it is just a w.
  const last = word[word.length - 1]!;
  const giOnly = end - start === 1 && start === 1 && lower(word[0]!) === 'g' && lower(last) === 'i';
  return { word: [...word, isVowel(last) && !giOnly ? typed : loneU], tone };
};

const step = (word: Letter[], typed: Letter): Step | null => {
  const tone = wordTone(word);
  const key = lower(typed);
  const newTone = TONE_KEYS[key];
  if (newTone !== undefined) return toneKey(word, tone, newTone, typed);
  if (key === 'z') return tone === 0 ? null : { word, tone: 0 };
  if (key === 'd') return dKey(word, tone, typed);
  if (key === 'a' || key === 'e' || key === 'o') return circumflexKey(word, tone, typed);
  if (key === 'w') return wKey(word, tone, typed);
  return null;
};

/** Applies one typed key (a single character) to the text, composing the last word Telex-style. */
export const typeTelex = (text: string, key: string, style: ToneStyle = 'modern'): string => {
  const typed = /^[A-Za-z]$/.test(key) ? parseLetter(key) : null;
  if (!typed) return (text + key).normalize('NFC');
  const { head, word } = splitWord(text.normalize('NFC'));
  const next = step(word, typed) ?? { word: [...word, typed], tone: wordTone(word) };
  return head + withTone(next.word, next.tone, style).map(formatLetter).join('');
};

/** Types a whole key sequence from empty (or from `start`). */
export const composeTelex = (keys: string, start = '', style: ToneStyle = 'modern'): string =>
  [...keys].reduce((text, key) => typeTelex(text, key, style), start);

/** Puts a tone on the last word (the diacritics row); a word without a vowel is left alone. Tone 0 removes it. */
export const setLastWordTone = (text: string, tone: Tone, style: ToneStyle = 'modern'): string => {
  const { head, word } = splitWord(text.normalize('NFC'));
  if (!word.some(isVowel)) return text;
  return head + withTone(word, tone, style).map(formatLetter).join('');
};

/** Deletes the last character (one code point: every Vietnamese letter is one in NFC). */
export const backspace = (text: string): string => [...text.normalize('NFC')].slice(0, -1).join('');

/** Appends a ready-made character (â, ơ, đ … from the diacritics row) and re-places the word's tone. */
export const insertLetter = (text: string, ch: string, style: ToneStyle = 'modern'): string => {
  const { head, word } = splitWord((text + ch).normalize('NFC'));
  return head + withTone(word, wordTone(word), style).map(formatLetter).join('');
};
