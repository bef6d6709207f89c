/**
 * Folds text for search the way report_facts.comment_folded is written: lower case, Vietnamese diacritics
 * stripped, đ → d. A local copy because shared/reports/fold.ts (the aggregates work's) is not in this
 * branch yet; once it is, this file should re-export it so both sides can only fold alike.
 */
export const foldForSearch = (text: string): string =>
  text
    .toLowerCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .normalize('NFC');

/** A LIKE pattern that matches `text` anywhere, with LIKE's own wildcards in it taken literally. */
export const containsPattern = (text: string): string => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
