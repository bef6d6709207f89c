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
