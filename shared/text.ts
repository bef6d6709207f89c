/**
 * Folding for search: "dang ky khai sinh" must find "Đăng ký khai sinh".
 * NFD splits the base letter from its tone and shape marks; đ/Đ has no decomposition so it is mapped by hand.
 */
export const foldVietnamese = (s: string): string =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();

/** True when every word of the query occurs (folded) in the haystack. */
export const matchesQuery = (haystack: string, query: string): boolean => {
  const h = foldVietnamese(haystack);
  return foldVietnamese(query)
    .split(' ')
    .filter((w) => w.length > 0)
    .every((w) => h.includes(w));
};

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Text a database can store: no U+0000 (PostgreSQL's text and jsonb refuse it) and no lone UTF-16
 * surrogate (not Unicode at all; jsonb refuses its escape, UTF-8 cannot encode it). JSON carries
 * both without complaint, so they are refused where text enters: the kiosk's answer checks and the
 * wire schemas (a 400 naming the field, not a failed insert).
 */
export const isStorableText = (s: string): boolean => !s.includes('\u0000') && !LONE_SURROGATE.test(s);
