/**
 * JSON with object keys sorted at every level: the same value always gives the same bytes, so
 * hashes of configuration and of responses compare content, not key order.
 */
export const canonicalJson = (value: unknown): string => JSON.stringify(sortKeys(value)) ?? 'null';

// Plain loops rather than map/fromEntries: central hashes every response it receives with this, and
// the loops halve the cost (test/shared/canonical.test.ts holds it to the same output).
const sortKeys = (value: unknown): unknown => {
  if (value === null || typeof value !== 'object') return value;
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function')
    return sortKeys((value as { toJSON: () => unknown }).toJSON());
  if (Array.isArray(value)) {
    const out: unknown[] = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) out[i] = sortKeys(value[i]);
    return out;
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).sort();
  // No prototype, so even a "__proto__" key is stored as data, not as the object's prototype.
  const out = Object.create(null) as Record<string, unknown>;
  for (const k of keys) out[k] = sortKeys(obj[k]);
  return out;
};
