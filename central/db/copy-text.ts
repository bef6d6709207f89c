/**
 * Values in COPY's text format (Queryable.copyIn): a row is its columns separated by tabs and ended by
 * a newline, NULL is \N, booleans t/f. The caller joins the columns: a row of known columns written out
 * as one template is far cheaper than a generic join, and this runs for every column of every response.
 */

const NEEDS_ESCAPE = /[\\\t\n\r]/;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/**
 * A text value in COPY's text format, with a backslash, tab, newline or carriage return escaped so that
 * it cannot end a column or a row; NULL as \N. Strings must be storable text (shared/text.ts: no NUL, no
 * lone surrogate), as every value the ingest keeps already is. Most values need no escape, and are
 * returned as they are.
 */
export const copyText = (v: string | null): string => {
  if (v === null) return '\\N';
  return NEEDS_ESCAPE.test(v) ? v.replace(/[\\\t\n\r]/g, (c) => ESCAPES[c]!) : v;
};

/** A number in COPY's text format (NULL as \N); never Infinity or NaN, which a float column would take. */
export const copyNumber = (v: number | null): string => {
  if (v === null) return '\\N';
  if (!Number.isFinite(v)) throw new Error(`COPY text: ${v} is not a finite number`);
  return String(v);
};

export const copyBoolean = (v: boolean): string => (v ? 't' : 'f');
