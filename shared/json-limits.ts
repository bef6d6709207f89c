/**
 * Limits on a JSON text checked BEFORE `JSON.parse` builds anything.
 *
 * Why a scanner: `JSON.parse` (ECMA-262) has no depth, element or string limits; it builds the whole
 * value first, so 20 MB of `[[[[…` becomes millions of nested arrays (over a gigabyte, seconds of
 * work) before any schema can look at it. RFC 8259 §9 lets a parser limit nesting depth, text size
 * and string length. This scanner keeps only counters (O(1) memory), takes one pass over the bytes,
 * can be fed a stream chunk by chunk (so a gunzip can stop at the first byte past a limit), and
 * stops there. It does not validate JSON: `JSON.parse` runs afterwards and refuses anything
 * malformed. For valid JSON its counts are exact, which is all a limit needs.
 *
 * Bytes, not characters: it reads UTF-8, where every byte of a multi-byte character is ≥ 0x80, so
 * the structural characters it looks for can never be part of one.
 */
export type JsonLimits = {
  /** Deepest nesting of arrays and objects (`[]` is depth 1). */
  maxDepth: number;
  /** Values, keys included, in the whole text. */
  maxElements: number;
  /** Bytes of one string as written (escapes count as written). */
  maxStringBytes: number;
};

export type JsonLimitBreach = { limit: 'depth' | 'elements' | 'string'; offset: number; message: string };

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const isSpace = (b: number): boolean => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
const isOpen = (b: number): boolean => b === 0x5b || b === 0x7b;
const isClose = (b: number): boolean => b === 0x5d || b === 0x7d;

const tooLong = (max: number): string => `a string is longer than ${max} bytes`;

/** Feed it chunks of one JSON text in order; the first breach is returned and then sticks. */
export class JsonLimitScanner {
  private offset = 0;
  private depth = 0;
  private elements = 0;
  private inString = false;
  private escaped = false;
  private stringBytes = 0;
  /** At the start, or after `[ { , :`: the next significant byte begins a value (or a key). */
  private atValue = true;
  private breach: JsonLimitBreach | null = null;

  constructor(private readonly limits: JsonLimits) {}

  feed(chunk: Uint8Array): JsonLimitBreach | null {
    if (this.breach) return this.breach;
    const { maxDepth, maxElements, maxStringBytes } = this.limits;
    let slash = -2;
    for (let i = 0; i < chunk.length; i++) {
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else {
          // Jump to the next quote or backslash (native searches; the backslash position is kept
          // until passed, so each byte is searched once): long strings cost next to nothing.
          if (slash !== chunk.length && slash < i) slash = chunk.indexOf(BACKSLASH, i);
          if (slash === -1) slash = chunk.length;
          const quote = chunk.indexOf(QUOTE, i);
          const end = Math.min(quote === -1 ? chunk.length : quote, slash);
          const before = this.stringBytes;
          this.stringBytes += end - i;
          if (this.stringBytes > maxStringBytes)
            return this.stop('string', i + maxStringBytes - before, tooLong(maxStringBytes));
          i = end;
          if (i === chunk.length) break;
          if (chunk[i] === QUOTE) {
            this.inString = false;
            continue;
          }
          this.escaped = true;
        }
        if (++this.stringBytes > maxStringBytes) return this.stop('string', i, tooLong(maxStringBytes));
        continue;
      }
      const b = chunk[i]!;
      if (isSpace(b)) continue;
      if (isClose(b)) {
        this.depth--;
        this.atValue = false;
        continue;
      }
      if (b === COMMA || b === COLON) {
        this.atValue = true;
        continue;
      }
      if (this.atValue) {
        this.atValue = false;
        if (++this.elements > maxElements)
          return this.stop('elements', i, `more than ${maxElements} values (keys included)`);
      }
      if (b === QUOTE) {
        this.inString = true;
        this.stringBytes = 0;
      } else if (isOpen(b)) {
        if (++this.depth > maxDepth) return this.stop('depth', i, `nested deeper than ${maxDepth} levels`);
        this.atValue = true;
      }
    }
    this.offset += chunk.length;
    return null;
  }

  private stop(limit: JsonLimitBreach['limit'], i: number, message: string): JsonLimitBreach {
    this.breach = { limit, offset: this.offset + i, message };
    return this.breach;
  }
}

/** One-shot check of a whole text. */
export const checkJsonLimits = (bytes: Uint8Array, limits: JsonLimits): JsonLimitBreach | null =>
  new JsonLimitScanner(limits).feed(bytes);
