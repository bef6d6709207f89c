import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fitEdit, lengthOf } from '../../renderer/keyboard/layout.ts';
import { backspace, composeTelex, insertLetter, setLastWordTone, typeTelex } from '../../renderer/telex/telex.ts';

const nfc = (s: string) => s.normalize('NFC');

describe('Telex composer', () => {
  it('types "Cán bộ hướng dẫn rất tận tình" exactly, in NFC', () => {
    const out = composeTelex('Cans booj huwowngs daanx raats taajn tinhf');
    expect(out).toBe(nfc('Cán bộ hướng dẫn rất tận tình'));
    expect(out).toBe(out.normalize('NFC'));
  });

  it.each([
    ['aa', 'â'],
    ['aw', 'ă'],
    ['ee', 'ê'],
    ['oo', 'ô'],
    ['ow', 'ơ'],
    ['uw', 'ư'],
    ['dd', 'đ'],
    ['DD', 'Đ'],
    ['Dd', 'Đ'],
    ['w', 'ư'],
    ['W', 'Ư'],
    ['nhw', 'như'],
    ['uow', 'ươ'],
  ])('shape keys: %s → %s', (keys, want) => {
    expect(composeTelex(keys)).toBe(nfc(want));
  });

  it.each([
    ['as', 'á'],
    ['af', 'à'],
    ['ar', 'ả'],
    ['ax', 'ã'],
    ['aj', 'ạ'],
    ['asz', 'a'],
    ['ass', 'as'],
    ['aaa', 'aa'],
    ['aww', 'aw'],
    ['ddd', 'dd'],
    ['z', 'z'],
    ['s', 's'],
    ['bs', 'bs'],
  ])('tones and undo: %s → %s', (keys, want) => {
    expect(composeTelex(keys)).toBe(nfc(want));
  });

  it.each([
    ['Vieejt Nam', 'Việt Nam'],
    ['DDoongf Thaps', 'Đồng Tháp'],
    ['nguwowif', 'người'],
    ['dduwowngf', 'đường'],
    ['thuwowngf', 'thường'],
    ['hoawcj', 'hoặc'],
    ['muwa', 'mưa'],
    ['luwar', 'lửa'],
    ['cuwus', 'cứu'],
    ['gir', 'gỉ'],
    ['giaf', 'già'],
    ['giwx', 'giữ'],
    ['quys', 'quý'],
    ['quaf', 'quà'],
    ['quyeets', 'quyết'],
    ['khuyeenx', 'khuyễn'],
    ['ngoaif', 'ngoài'],
    ['toans', 'toán'],
    ['hoangf', 'hoàng'],
    ['mias', 'mía'],
    ['muas', 'múa'],
    ['tuis', 'túi'],
    ['khoer', 'khoẻ'],
    ['hoaf', 'hoà'],
    ['thuyr', 'thuỷ'],
    ['yeeu', 'yêu'],
    ['thoiwf', 'thời'],
    ['hieeur', 'hiểu'],
    ['ddaay', 'đây'],
  ])('words: %s → %s', (keys, want) => {
    expect(composeTelex(keys)).toBe(nfc(want));
  });

  it('re-places the tone whatever the key order', () => {
    expect(composeTelex('tiesn')).toBe(nfc('tién'));
    expect(composeTelex('tieesn')).toBe(nfc('tiến'));
    expect(composeTelex('tiense')).toBe(nfc('tiến'));
    expect(composeTelex('hoafn')).toBe(nfc('hoàn'));
    expect(composeTelex('muonso')).toBe(nfc('muốn'));
  });

  it('places oa, oe, uy on the first vowel in the classic style', () => {
    expect(composeTelex('hoaf', '', 'classic')).toBe(nfc('hòa'));
    expect(composeTelex('thuys', '', 'classic')).toBe(nfc('thúy'));
    expect(composeTelex('hoafn', '', 'classic')).toBe(nfc('hoàn'));
  });

  it('keeps case and leaves digits and punctuation alone', () => {
    expect(composeTelex('Xin chaof, 123!')).toBe(nfc('Xin chào, 123!'));
    expect(composeTelex('VIEEJT')).toBe(nfc('VIỆT'));
  });

  it('only touches the last word', () => {
    expect(typeTelex(nfc('tốt qua'), 's')).toBe(nfc('tốt quá'));
    expect(typeTelex(nfc('tốt '), 's')).toBe(nfc('tốt s'));
  });

  it('sets a tone from the diacritics row, and inserts shaped letters', () => {
    expect(setLastWordTone('ban toan', 1)).toBe(nfc('ban toán'));
    expect(setLastWordTone(nfc('toán'), 0)).toBe('toan');
    expect(setLastWordTone('ngh', 2)).toBe('ngh');
    expect(insertLetter(nfc('tá'), 'ơ')).toBe(nfc('taớ'));
    expect(insertLetter('t', 'ê')).toBe(nfc('tê'));
  });

  it('backspace deletes one letter', () => {
    expect(backspace(nfc('Việt'))).toBe(nfc('Việ'));
    expect(backspace('')).toBe('');
  });
});

describe('Telex composer properties', () => {
  it('always yields NFC and never loses the text before the last word', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom(...'aAdDeEoOuUwWsfrxjzqgin ,.1'.split('')), maxLength: 40 }),
        (keys) => {
          const out = composeTelex(keys);
          expect(out).toBe(out.normalize('NFC'));
          const lastSpace = keys.lastIndexOf(' ');
          if (lastSpace >= 0) expect(out.startsWith(composeTelex(keys.slice(0, lastSpace + 1)))).toBe(true);
        },
      ),
    );
  });

  it('appends anything that is not a letter', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 10 }), fc.constantFrom(' ', '1', ',', '?', '-', 'ơ'), (text, key) => {
        expect(typeTelex(text.normalize('NFC'), key)).toBe((text + key).normalize('NFC'));
      }),
    );
  });
});

describe('keyboard length limit', () => {
  it('counts code points and refuses an edit that grows past the limit', () => {
    expect(lengthOf('Việt')).toBe(4);
    expect(fitEdit('abc', 'abcd', 3)).toBe('abc');
    expect(fitEdit('aa', 'â', 2)).toBe('â');
    expect(fitEdit('abc', 'ab', 3)).toBe('ab');
    expect(fitEdit('abc', 'abcd', undefined)).toBe('abcd');
  });
});
