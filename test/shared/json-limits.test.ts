import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { JsonLimitScanner, type JsonLimits, checkJsonLimits } from '../../shared/json-limits.ts';

type Measured = { depth: number; elements: number; longestString: number };

/** The reference: the same three measures taken by walking the parsed value. */
const measure = (v: unknown): Measured => {
  const bytes = (s: string) => Buffer.byteLength(JSON.stringify(s)) - 2;
  if (typeof v === 'string') return { depth: 0, elements: 1, longestString: bytes(v) };
  if (v === null || typeof v !== 'object') return { depth: 0, elements: 1, longestString: 0 };
  const entries = Array.isArray(v) ? v.map((x) => [null, x] as const) : Object.entries(v);
  const out: Measured = { depth: 1, elements: 1, longestString: 0 };
  for (const [key, child] of entries) {
    const m = measure(child);
    out.depth = Math.max(out.depth, m.depth + 1);
    out.elements += m.elements + (key === null ? 0 : 1);
    out.longestString = Math.max(out.longestString, m.longestString, key === null ? 0 : bytes(key));
  }
  return out;
};

const limitsOf = (m: Measured): JsonLimits => ({
  maxDepth: m.depth,
  maxElements: m.elements,
  maxStringBytes: m.longestString,
});
const utf8 = (s: string) => new TextEncoder().encode(s);
const json = fc.jsonValue({ maxDepth: 6 }).map((v) => JSON.parse(JSON.stringify(v)) as unknown);

describe('JsonLimitScanner', () => {
  test('property: a text exactly at its own depth, element and string counts passes; one under each is refused', () => {
    fc.assert(
      fc.property(json, fc.boolean(), (value, pretty) => {
        const bytes = utf8(JSON.stringify(value, null, pretty ? 2 : undefined));
        const m = measure(value);
        expect(checkJsonLimits(bytes, limitsOf(m))).toBeNull();
        if (m.depth > 0) expect(checkJsonLimits(bytes, { ...limitsOf(m), maxDepth: m.depth - 1 })?.limit).toBe('depth');
        expect(checkJsonLimits(bytes, { ...limitsOf(m), maxElements: m.elements - 1 })?.limit).toBe('elements');
        if (m.longestString > 0)
          expect(checkJsonLimits(bytes, { ...limitsOf(m), maxStringBytes: m.longestString - 1 })?.limit).toBe('string');
      }),
      { numRuns: 400, seed: 20261204 },
    );
  });

  test('property: fed in arbitrary chunks it finds the same breach at the same offset', () => {
    fc.assert(
      fc.property(json, fc.array(fc.nat(), { maxLength: 8 }), fc.nat(3), (value, cuts, tighten) => {
        const bytes = utf8(JSON.stringify(value));
        const m = measure(value);
        const limits = { ...limitsOf(m), maxElements: Math.max(0, m.elements - tighten) };
        const whole = checkJsonLimits(bytes, limits);
        const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        const scanner = new JsonLimitScanner(limits);
        let found = null;
        let from = 0;
        for (const to of [...at, bytes.length]) {
          found = scanner.feed(bytes.subarray(from, to)) ?? found;
          from = to;
        }
        expect(found).toEqual(whole);
      }),
      { numRuns: 300, seed: 20261205 },
    );
  });

  test('escaped quotes and backslashes do not end a string; structure inside strings is not counted', () => {
    const text = utf8(JSON.stringify({ a: 'x\\"[[[[{{{{,:"\\', b: ['"]"'] }));
    expect(checkJsonLimits(text, { maxDepth: 2, maxElements: 6, maxStringBytes: 40 })).toBeNull();
    expect(checkJsonLimits(text, { maxDepth: 1, maxElements: 6, maxStringBytes: 40 })?.limit).toBe('depth');
  });

  test('a nesting bomb is refused at the first byte past the limit, whatever follows', () => {
    const bomb = utf8('['.repeat(1_000_000));
    const breach = checkJsonLimits(bomb, { maxDepth: 8, maxElements: 1e6, maxStringBytes: 100 });
    expect(breach).toMatchObject({ limit: 'depth', offset: 8 });
    expect(breach?.message).toMatch(/deeper than 8/);
  });

  test('multi-byte UTF-8 counts by bytes', () => {
    const text = utf8(JSON.stringify('Cán bộ'));
    expect(checkJsonLimits(text, { maxDepth: 0, maxElements: 1, maxStringBytes: 9 })).toBeNull();
    expect(checkJsonLimits(text, { maxDepth: 0, maxElements: 1, maxStringBytes: 8 })?.limit).toBe('string');
  });
});
