import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../shared/canonical.ts';

/** The definition, written the obvious way: what canonicalJson must always equal. */
const reference = (value: unknown): string => {
  const sort = (v: unknown): unknown => {
    if (v !== null && typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON === 'function')
      return sort((v as { toJSON: () => unknown }).toJSON());
    if (Array.isArray(v)) return v.map(sort);
    if (v !== null && typeof v === 'object') {
      const obj = v as Record<string, unknown>;
      return Object.fromEntries(
        Object.keys(obj)
          .sort()
          .map((k) => [k, sort(obj[k])]),
      );
    }
    return v;
  };
  return JSON.stringify(sort(value)) ?? 'null';
};

describe('canonicalJson', () => {
  it('equals the sorted-keys definition for any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(canonicalJson(v)).toBe(reference(v));
      }),
      { numRuns: 500 },
    );
  });

  it('is the same whatever the key order', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (obj) => {
        const reversed = Object.fromEntries(Object.entries(obj).reverse());
        expect(canonicalJson(reversed)).toBe(canonicalJson(obj));
      }),
    );
  });

  it('keeps "__proto__" as data, drops undefined members, calls toJSON, and maps nothing to null', () => {
    const hostile = JSON.parse('{"b":1,"__proto__":{"x":1},"a":[2,{"d":null,"c":"é"}]}') as unknown;
    expect(canonicalJson(hostile)).toBe('{"__proto__":{"x":1},"a":[2,{"c":"é","d":null}],"b":1}');
    expect(canonicalJson(hostile)).toBe(reference(hostile));
    expect(canonicalJson({ b: undefined, a: [undefined, 1], at: new Date(0) })).toBe(
      '{"a":[null,1],"at":"1970-01-01T00:00:00.000Z"}',
    );
    expect(canonicalJson(undefined)).toBe('null');
  });
});
