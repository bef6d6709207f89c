import { z } from 'zod';
import type { Catalog } from '../../../shared/catalog.ts';
import { EMBEDDED_CONFIG_DIR, loadConfigDir } from '../../../shared/node/config-loader.ts';
import type { Grouping } from '../../../shared/reports/query.ts';
import type { GroupKey } from '../../../shared/reports/result.ts';
import { PublishedConfig, Signed } from '../../../shared/sync.ts';
import { parseRows } from '../../db/rows.ts';
import type { Queryable } from '../../db/types.ts';

/** Display names of the ids a report's groups are keyed by. */
export type Labels = { units: Map<string, string>; fields: Map<string, string>; procedures: Map<string, string> };

const UnitRow = z.object({ id: z.string(), name: z.string() });
const ConfigRow = z.object({ document: z.string() });

let embeddedCatalog: Catalog | undefined;
const embedded = (): Catalog => {
  if (!embeddedCatalog) {
    const loaded = loadConfigDir(EMBEDDED_CONFIG_DIR);
    if (!loaded.ok) throw new Error('the embedded configuration does not load');
    embeddedCatalog = loaded.config.bundle.catalog;
  }
  return embeddedCatalog;
};

/**
 * The catalog inside a stored configuration document. The document was signed by central itself and is
 * read from central's own database, so only its payload is decoded here (no key is needed to read a name).
 */
const catalogOf = (document: string): Catalog | undefined => {
  try {
    const doc = Signed.parse(JSON.parse(document));
    const published = PublishedConfig.safeParse(JSON.parse(Buffer.from(doc.payload, 'base64url').toString('utf8')));
    return published.success ? published.data.bundle.catalog : undefined;
  } catch {
    return undefined;
  }
};

/** The names of these units, from the units table. */
export const loadUnitNames = async (db: Queryable, units: readonly string[]): Promise<Map<string, string>> =>
  new Map(
    parseRows(UnitRow, await db.query('SELECT id, name FROM units WHERE id = ANY($1::text[])', [units])).map((u) => [
      u.id,
      u.name,
    ]),
  );

/**
 * Unit names as loaded by loadUnitNames; field and procedure names (Vietnamese) from the newest configuration
 * published to the report's units, then the embedded catalog for codes it does not name.
 */
export const loadLabels = async (
  db: Queryable,
  units: readonly string[],
  unitNames: ReadonlyMap<string, string>,
): Promise<Labels> => {
  const configs = parseRows(
    ConfigRow,
    await db.query(
      `SELECT document FROM (SELECT DISTINCT ON (unit_id) id, document FROM configs WHERE unit_id = ANY($1::text[])
         ORDER BY unit_id, id DESC) c ORDER BY id DESC LIMIT 8`,
      [units],
    ),
  );
  const catalogs = [...configs.map((c) => catalogOf(c.document)).filter((c) => c !== undefined), embedded()];
  const fields = new Map<string, string>();
  const procedures = new Map<string, string>();
  for (const c of catalogs) {
    for (const f of c.fields) if (!fields.has(f.code)) fields.set(f.code, f.name['vi'] ?? f.code);
    for (const p of c.procedures) if (!procedures.has(p.code)) procedures.set(p.code, p.name['vi'] ?? p.code);
  }
  return { units: new Map(unitNames), fields, procedures };
};

/** The names of one group's key. */
export const labelsOf = (key: GroupKey, labels: Labels): Partial<Record<Grouping, string>> => {
  const out: Partial<Record<Grouping, string>> = {};
  for (const [g, id] of Object.entries(key) as [Grouping, string][]) {
    const name =
      g === 'unit'
        ? labels.units.get(id)
        : g === 'field'
          ? labels.fields.get(id)
          : g === 'procedure'
            ? labels.procedures.get(id)
            : g === 'version'
              ? `v${id}`
              : id === ''
                ? '(không có)'
                : id;
    out[g] = name ?? id;
  }
  return out;
};
