/**
 * Text from a browser (file names, header values, form fields) on its way into the database.
 * PostgreSQL refuses NUL in text and jsonb and lone surrogates in jsonb; control and format
 * characters (bidi overrides, zero-width) would make a log or a table say something else than it
 * holds. Such a character is replaced by U+FFFD, so the value is still recognisable and always storable.
 */
const UNSAFE = /[\p{Cc}\p{Cf}\p{Cs}]/gu;

export const hasUnsafeChars = (s: string): boolean => new RegExp(UNSAFE.source, 'u').test(s);

/** NFC, unsafe characters replaced, at most `max` code points (never half a surrogate pair). */
export const cleanText = (s: string, max = 255): string => {
  const cleaned = s.replace(UNSAFE, '\uFFFD').normalize('NFC');
  const chars = Array.from(cleaned);
  return chars.length > max ? chars.slice(0, max).join('') : cleaned;
};

/** Every string in a JSON-like value (keys too) cleaned; other values as they are. */
export const cleanDeep = (v: unknown, max = 2000): unknown => {
  if (typeof v === 'string') return cleanText(v, max);
  if (Array.isArray(v)) return v.map((x) => cleanDeep(x, max));
  if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype)
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [cleanText(k, 200), cleanDeep(x, max)]));
  return v;
};

/** An uploaded file's name as shown and recorded: cleaned, "(no name)" when there is none. */
export const cleanFileName = (raw: string | undefined): string => cleanText(raw ?? '', 255) || '(no name)';
