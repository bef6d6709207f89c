import { describe, expect, it } from 'vitest';
import { Catalog } from '../../shared/catalog.ts';
import { formatWait, procedureSections } from '../../renderer/screens/staff/procedure-sections.ts';

const catalog = Catalog.parse({
  version: '1',
  fields: [
    { code: 'ho-tich', name: { vi: 'Hộ tịch', en: 'Civil status' }, questionnaire: 'quick' },
    { code: 'chung-thuc', name: { vi: 'Chứng thực', en: 'Certification' }, questionnaire: 'quick' },
  ],
  procedures: [
    { code: '1.001193', field: 'ho-tich', name: { vi: 'Thủ tục đăng ký khai sinh', en: 'Birth registration' } },
    { code: '1.000894', field: 'ho-tich', name: { vi: 'Thủ tục đăng ký kết hôn', en: 'Marriage registration' } },
    {
      code: '2.000908',
      field: 'chung-thuc',
      name: { vi: 'Cấp bản sao từ sổ gốc', en: 'Copies from the master register' },
    },
    { code: '2.000815', field: 'chung-thuc', name: { vi: 'Chứng thực bản sao từ bản chính', en: 'Certified copies' } },
  ],
});

const codes = (s: ReturnType<typeof procedureSections>) =>
  s.map((x) => [x.kind === 'field' ? x.fieldCode : x.kind, x.items.map((p) => p.code)]);

describe('staff procedure list', () => {
  it('puts favourites, then recent, then the rest by field, each procedure once', () => {
    const s = procedureSections(catalog, '', ['2.000815', '1.001193'], ['1.001193']);
    expect(codes(s)).toEqual([
      ['favourites', ['1.001193']],
      ['recent', ['2.000815']],
      ['ho-tich', ['1.000894']],
      ['chung-thuc', ['2.000908']],
    ]);
  });

  it('searches names without diacritics or case, in any language, and codes', () => {
    expect(codes(procedureSections(catalog, 'dang ky KHAI sinh', [], []))).toEqual([['ho-tich', ['1.001193']]]);
    expect(codes(procedureSections(catalog, 'chứng thực', [], []))).toEqual([['chung-thuc', ['2.000815']]]);
    expect(codes(procedureSections(catalog, 'marriage', [], []))).toEqual([['ho-tich', ['1.000894']]]);
    expect(codes(procedureSections(catalog, '2.0009', [], []))).toEqual([['chung-thuc', ['2.000908']]]);
    expect(codes(procedureSections(catalog, 'ban sao', [], ['2.000908']))).toEqual([
      ['favourites', ['2.000908']],
      ['chung-thuc', ['2.000815']],
    ]);
  });

  it('leaves out empty sections and unknown codes', () => {
    expect(procedureSections(catalog, 'khong co', ['1.001193'], [])).toEqual([]);
    expect(codes(procedureSections(catalog, 'ket hon', ['9.999999'], ['9.999999']))).toEqual([
      ['ho-tich', ['1.000894']],
    ]);
  });

  it('formats a lock countdown', () => {
    expect(formatWait(30_000)).toBe('0:30');
    expect(formatWait(61_001)).toBe('1:02');
    expect(formatWait(-5)).toBe('0:00');
  });
});
