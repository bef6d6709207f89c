import { z } from 'zod';
import type { Procedure } from '../../shared/catalog.ts';
import { PublishedConfig, Signed } from '../../shared/sync.ts';
import { firstRow } from '../db/rows.ts';
import type { Queryable } from '../db/types.ts';
import { latestConfig } from '../ops/configs.ts';

/**
 * The procedures of a unit's published catalog: an invitation may only name one of them (the kiosk
 * could not show another). Cached per unit and configuration version, so a burst of invitations
 * costs one small query each, not a parse of the whole signed document.
 */
const cache = new Map<string, { version: string; procedures: Procedure[] }>();
const CACHE_UNITS = 500;

const VersionRow = z.object({ version: z.string() });

const proceduresOf = (document: string): Procedure[] => {
  const signed = Signed.parse(JSON.parse(document));
  const payload = JSON.parse(Buffer.from(signed.payload, 'base64url').toString('utf8')) as unknown;
  return PublishedConfig.parse(payload).bundle.catalog.procedures;
};

export const unitProcedures = async (db: Queryable, unitId: string): Promise<Procedure[]> => {
  const current = firstRow(
    VersionRow,
    await db.query('SELECT version FROM configs WHERE unit_id = $1 ORDER BY id DESC LIMIT 1', [unitId]),
  );
  if (!current) return [];
  const hit = cache.get(unitId);
  if (hit?.version === current.version) return hit.procedures;
  const latest = await latestConfig(db, unitId);
  if (!latest) return [];
  const procedures = proceduresOf(latest.document);
  if (cache.size >= CACHE_UNITS) cache.clear();
  cache.set(unitId, { version: latest.version, procedures });
  return procedures;
};
