import { expect, test } from 'vitest';
import { copyBoolean, copyNumber, copyText } from '../../central/db/copy-text.ts';

test('copyText escapes what would end a column or a row, and the backslash itself; NULL is \\N', () => {
  expect(copyText('Cán bộ nhiệt tình')).toBe('Cán bộ nhiệt tình');
  expect(copyText('a\tb\nc\rd\\e')).toBe('a\\tb\\nc\\rd\\\\e');
  // A value that reads "\N" is text, not NULL: its backslash is doubled.
  expect(copyText('\\N')).toBe('\\\\N');
  expect(copyText(null)).toBe('\\N');
  expect(copyText('')).toBe('');
});

test('copyNumber writes finite numbers as JavaScript does and refuses the rest', () => {
  expect(copyNumber(0.7222222222222222)).toBe('0.7222222222222222');
  expect(copyNumber(2)).toBe('2');
  expect(copyNumber(1e-7)).toBe('1e-7');
  expect(copyNumber(null)).toBe('\\N');
  expect(() => copyNumber(Number.NaN)).toThrow(/not a finite number/);
  expect(() => copyNumber(Number.POSITIVE_INFINITY)).toThrow(/not a finite number/);
  expect(copyBoolean(true)).toBe('t');
  expect(copyBoolean(false)).toBe('f');
});
