import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UuidV7, uuidv7, uuidv7Time } from '../../shared/ids.ts';
import { foldVietnamese, matchesQuery } from '../../shared/text.ts';

describe('foldVietnamese', () => {
  it('drops tone and shape marks, maps đ/Đ and lower-cases', () => {
    expect(foldVietnamese('Thủ tục đăng ký khai sinh')).toBe('thu tuc dang ky khai sinh');
    expect(foldVietnamese('ĐĂNG KÝ KẾT HÔN')).toBe('dang ky ket hon');
    expect(foldVietnamese('Chứng thực')).toBe('chung thuc');
    expect(foldVietnamese('ằẳẵắặ ầẩẫấậ ừửữứự ờởỡớợ ềểễếệ ỳỷỹýỵ')).toBe('aaaaa aaaaa uuuuu ooooo eeeee yyyyy');
    expect(foldVietnamese('Ơ Ư Ô Â Ê Ă Đ')).toBe('o u o a e a d');
  });

  it('gives the same result for composed and decomposed input', () => {
    const s = 'Lao động - Thương binh và Xã hội';
    expect(foldVietnamese(s.normalize('NFD'))).toBe(foldVietnamese(s.normalize('NFC')));
    expect(foldVietnamese(s)).toBe('lao dong - thuong binh va xa hoi');
  });

  it('collapses and trims whitespace', () => {
    expect(foldVietnamese('  Hộ \t tịch\n ')).toBe('ho tich');
  });

  it('leaves plain ASCII lower-case text as it is', () => {
    fc.assert(fc.property(fc.stringMatching(/^[a-z0-9]+( [a-z0-9]+)*$/), (s) => foldVietnamese(s) === s));
  });
});

describe('matchesQuery', () => {
  const khaiSinh = 'Thủ tục đăng ký khai sinh';

  it('finds Vietnamese text from unaccented, upper-case or partial queries', () => {
    expect(matchesQuery(khaiSinh, 'dang ky khai sinh')).toBe(true);
    expect(matchesQuery(khaiSinh, 'ĐĂNG KÝ')).toBe(true);
    expect(matchesQuery(khaiSinh, 'khai sinh dang ky')).toBe(true); // word order does not matter
    expect(matchesQuery(khaiSinh, 'khai si')).toBe(true); // still typing
    expect(matchesQuery('Chứng thực', 'chung thuc')).toBe(true);
    expect(matchesQuery('Chứng thực bản sao từ bản chính', 'CHỨNG THỰC bản sao')).toBe(true);
    expect(matchesQuery('2.000908 Cấp bản sao từ sổ gốc', '2.000908')).toBe(true);
  });

  it('does not match when a word is missing', () => {
    expect(matchesQuery(khaiSinh, 'ket hon')).toBe(false);
    expect(matchesQuery(khaiSinh, 'dang ky ket hon')).toBe(false);
    expect(matchesQuery('Hộ tịch', 'chung thuc')).toBe(false);
    expect(matchesQuery('Chứng thực', 'chung thuc di chuc')).toBe(false);
  });

  it('matches everything on an empty query', () => {
    expect(matchesQuery(khaiSinh, '')).toBe(true);
    expect(matchesQuery(khaiSinh, '   ')).toBe(true);
  });
});

describe('uuidv7', () => {
  it('has the RFC 9562 layout: version 7 and variant 10', () => {
    for (let i = 0; i < 50; i++) {
      const id = uuidv7();
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(UuidV7.safeParse(id).success).toBe(true);
      const bytes = id.replace(/-/g, '');
      expect(parseInt(bytes[12]!, 16)).toBe(7);
      expect(parseInt(bytes[16]!, 16) >> 2).toBe(0b10);
    }
  });

  it('encodes its time and gives it back', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 48 - 1 }), (ms) => uuidv7Time(uuidv7(ms)) === ms));
    expect(uuidv7Time(uuidv7(0))).toBe(0);
    expect(uuidv7(0).startsWith('00000000-0000-7')).toBe(true);
    const now = Date.now();
    expect(uuidv7Time(uuidv7(now))).toBe(now);
    // The first 48 bits are the milliseconds in big-endian hex: 1_700_000_000_000 = 0x018bcfe56800.
    const id = uuidv7(1_700_000_000_000);
    expect(id.slice(0, 8) + id.slice(9, 13)).toBe('018bcfe56800');
  });

  it('sorts by time as text', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 48 - 2 }), fc.integer({ min: 1, max: 10_000_000 }), (t, dt) => {
        const later = Math.min(t + dt, 2 ** 48 - 1);
        return uuidv7(t) < uuidv7(later);
      }),
    );
  });

  it('is random within the same millisecond', () => {
    const ids = new Set(Array.from({ length: 2000 }, () => uuidv7(1_750_000_000_000)));
    expect(ids.size).toBe(2000);
  });

  it('uses the current time by default', () => {
    const before = Date.now();
    const t = uuidv7Time(uuidv7());
    expect(t).toBeGreaterThanOrEqual(before);
    expect(t).toBeLessThanOrEqual(Date.now());
  });
});
