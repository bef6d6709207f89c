/**
 * Folds text for search without diacritics: "Thái độ phục vụ ĐÃ tốt" and "thai do phuc vu da tot" fold
 * to the same string. Stored folded once per comment (report_facts.comment_folded) and applied to the
 * search words, so a plain substring match finds a comment however it was typed.
 *
 * - Any Unicode form works: text is decomposed (NFD) first, so a precomposed "ệ" and e + two combining
 *   marks (as some Vietnamese keyboards send it) fold alike.
 * - Every combining mark is dropped: the Vietnamese tone marks and the vowel marks (ă, â, ê, ô, ơ, ư).
 * - đ/Đ become d. So do ð/Ð (U+00F0/U+00D0): legacy TCVN3/VNI converters put the Icelandic eth where
 *   Đ belongs, and it looks the same on screen.
 * - Lower case, and the result is NFC so it compares equal to other folded text.
 */
export const foldText = (text: string): string =>
  text
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[đð]/g, 'd')
    .normalize('NFC');
