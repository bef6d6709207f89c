import type { Catalog, Procedure } from '../../../shared/catalog.ts';
import type { LocalizedText } from '../../../shared/locale.ts';
import { matchesQuery } from '../../../shared/text.ts';

export type ProcedureSection =
  | { kind: 'favourites'; items: Procedure[] }
  | { kind: 'recent'; items: Procedure[] }
  | { kind: 'field'; fieldCode: string; title: LocalizedText; items: Procedure[] };

/** What a search looks in: the code and the name in every language, folded by matchesQuery. */
const haystack = (p: Procedure): string => `${p.code} ${Object.values(p.name).join(' ')}`;

/**
 * The staff panel's result list: favourites, then recently used, then every other match grouped by
 * field in catalog order. Each procedure appears once; empty sections are left out. The query is
 * diacritic- and case-insensitive and matches the code or the name.
 */
export const procedureSections = (
  catalog: Catalog,
  query: string,
  recent: readonly string[],
  favourites: readonly string[],
): ProcedureSection[] => {
  const matching = catalog.procedures.filter((p) => matchesQuery(haystack(p), query));
  const byCode = new Map(matching.map((p) => [p.code, p]));
  const shown = new Set<string>();
  const take = (codes: readonly string[]): Procedure[] => {
    const out: Procedure[] = [];
    for (const code of codes) {
      const p = byCode.get(code);
      if (!p || shown.has(code)) continue;
      shown.add(code);
      out.push(p);
    }
    return out;
  };
  const sections: ProcedureSection[] = [];
  const fav = take(favourites);
  if (fav.length > 0) sections.push({ kind: 'favourites', items: fav });
  const rec = take(recent);
  if (rec.length > 0) sections.push({ kind: 'recent', items: rec });
  for (const field of catalog.fields) {
    const items = take(matching.filter((p) => p.field === field.code).map((p) => p.code));
    if (items.length > 0) sections.push({ kind: 'field', fieldCode: field.code, title: field.name, items });
  }
  return sections;
};

/** "m:ss" for a lock countdown. */
export const formatWait = (ms: number): string => {
  const total = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, '0')}`;
};
