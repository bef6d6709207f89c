import { z } from 'zod';
import type { ConfigBundle } from '../../shared/catalog.ts';
import { EMBEDDED_CONFIG_DIR, loadConfigDir } from '../../shared/node/config-loader.ts';
import { type KeyPairB64, openSigned, publicKeyFrom } from '../../shared/node/signing.ts';
import type { PublicSettings } from '../../shared/settings.ts';
import { PublishedConfig, Signed } from '../../shared/sync.ts';
import { Timestamp, parseRows } from '../db/rows.ts';
import type { CentralDb, Queryable } from '../db/types.ts';
import type { ConfigDraft } from './config-drafts.ts';
import { ConfigRefusedError, type PublishOutcome, latestConfig, publishConfig } from './configs.ts';

const Latest = z.object({ unit_id: z.string(), version: z.string(), published_at: Timestamp });

/** The configuration version each unit's kiosks are asked to run (the newest publication per unit). */
export const latestVersions = async (db: Queryable): Promise<Map<string, { version: string; publishedAt: Date }>> =>
  new Map(
    parseRows(
      Latest,
      await db.query(
        'SELECT DISTINCT ON (unit_id) unit_id, version, published_at FROM configs ORDER BY unit_id, id DESC',
      ),
    ).map((r) => [r.unit_id, { version: r.version, publishedAt: r.published_at }]),
  );

/** Publications of a unit, newest first. */
export const publicationHistory = async (
  db: Queryable,
  unitId: string | null,
  limit = 50,
): Promise<{ unitId: string; version: string; publishedAt: Date }[]> =>
  parseRows(
    Latest,
    await db.query(
      'SELECT unit_id, version, published_at FROM configs WHERE ($1::text IS NULL OR unit_id = $1) ORDER BY id DESC LIMIT $2',
      [unitId, limit],
    ),
  ).map((r) => ({ unitId: r.unit_id, version: r.version, publishedAt: r.published_at }));

/** What a unit runs now, decoded from its signed document; undefined when nothing is published. */
export const currentPublished = async (
  db: Queryable,
  unitId: string,
  centralKey: KeyPairB64,
): Promise<PublishedConfig | undefined> => {
  const latest = await latestConfig(db, unitId);
  if (!latest) return undefined;
  const doc = Signed.parse(JSON.parse(latest.document));
  const opened = openSigned(doc, publicKeyFrom(centralKey.publicKey));
  if (!opened.ok) throw new Error(`the stored configuration of unit "${unitId}" does not verify: ${opened.message}`);
  return PublishedConfig.parse(opened.value);
};

/** The bundle a draft starts from: the unit's current configuration, else the embedded one. */
export const baseBundle = async (
  db: Queryable,
  unitId: string | null,
  centralKey: KeyPairB64,
): Promise<ConfigBundle> => {
  const current = unitId ? await currentPublished(db, unitId, centralKey) : undefined;
  if (current) return current.bundle;
  const embedded = loadConfigDir(EMBEDDED_CONFIG_DIR);
  if (!embedded.ok) throw new Error('the embedded configuration does not load');
  return embedded.config.bundle;
};

export type UnitPublishResult = { unitId: string } & (
  { ok: true; outcome: PublishOutcome } | { ok: false; problems: string[] }
);

/**
 * Publishes a draft's bundle to each unit, each in its own transaction, keeping the unit's own
 * public settings (they travel in the same signed document, and differ per unit).
 */
export const publishDraft = async (
  db: CentralDb,
  draft: ConfigDraft,
  unitIds: readonly string[],
  centralKey: KeyPairB64,
  now: Date,
): Promise<UnitPublishResult[]> => {
  const results: UnitPublishResult[] = [];
  for (const unitId of unitIds) {
    const settings: Partial<PublicSettings> | undefined = (await currentPublished(db, unitId, centralKey))?.settings;
    try {
      const outcome = await publishConfig(db, {
        unitId,
        config: { bundle: draft.bundle, version: draft.version, hash: draft.hash },
        settings,
        centralKey,
        now,
      });
      results.push({ unitId, ok: true, outcome });
    } catch (e) {
      if (e instanceof ConfigRefusedError) results.push({ unitId, ok: false, problems: e.problems });
      else throw e;
    }
  }
  return results;
};
