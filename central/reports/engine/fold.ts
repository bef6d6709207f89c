/** A LIKE pattern that matches `text` anywhere, with LIKE's own wildcards in it taken literally. */
export const containsPattern = (text: string): string => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
