import { z } from 'zod';
import { canonicalJson } from '../../shared/canonical.ts';
import type { ConfigBundle } from '../../shared/catalog.ts';
import { type KeyPairB64, makeSigned, privateKeyFrom, sha256Hex } from '../../shared/node/signing.ts';
import type { PublicSettings } from '../../shared/settings.ts';
import type { PublishedConfig } from '../../shared/sync.ts';
import { Int, Timestamp, firstRow, parseRows } from '../db/rows.ts';
import type { CentralDb, Queryable } from '../db/types.ts';
import { UnknownUnitError } from './enrolment-codes.ts';
import { publishedContactKey } from '../follow-ups/settings.ts';
import { getUnit } from './units.ts';
import { clipManifest } from '../clips/store.ts';

/** A configuration as loadConfigDir gives it (shared/node/config-loader.ts). */
export type ConfigToPublish = { bundle: ConfigBundle; version: string; hash: string };

export class ConfigRefusedError extends Error {
  constructor(readonly problems: string[]) {
    super(`configuration refused:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigRefusedError';
  }
}

export const questionnaireHash = (q: unknown): string => sha256Hex(canonicalJson(q));

const LatestRow = z.object({ version: z.string(), document: z.string(), published_at: Timestamp });
const QRow = z.object({ id: z.string(), version: Int, hash: z.string() });

export type LatestConfig = { version: string; document: string; publishedAt: Date };

export const latestConfig = async (db: Queryable, unitId: string): Promise<LatestConfig | undefined> => {
  const row = firstRow(
    LatestRow,
    await db.query('SELECT version, document, published_at FROM configs WHERE unit_id = $1 ORDER BY id DESC LIMIT 1', [
      unitId,
    ]),
  );
  return row && { version: row.version, document: row.document, publishedAt: row.published_at };
};

export type PublishOutcome = { status: 'published' | 'unchanged'; version: string; unitId: string };

/**
 * Publishes a validated configuration to a unit's kiosks, signed by the central key. Refuses a
 * questionnaire whose content changed while its (id, version) stayed: answers already recorded under
 * that version must keep meaning what they meant (every version ever published is kept). Publishing
 * the version the unit already has is a no-op.
 */
export const publishConfig = async (
  db: CentralDb,
  options: {
    unitId: string;
    config: ConfigToPublish;
    settings?: Partial<PublicSettings>;
    centralKey: KeyPairB64;
    now?: Date;
  },
): Promise<PublishOutcome> => {
  const now = options.now ?? new Date();
  const { bundle, hash } = options.config;
  // Settings travel in the same signed document, so they are part of its version (and ETag).
  const withSettings = options.settings
    ? `${options.config.version}.s${sha256Hex(canonicalJson(options.settings)).slice(0, 8)}`
    : options.config.version;
  return db.transaction(async (tx) => {
    if (!(await getUnit(tx, options.unitId))) throw new UnknownUnitError(options.unitId);
    // Central's contact key rides in the same signed document: a kiosk seals contacts only to a key
    // central signed for it (none recorded yet: the kiosk offers no follow-up). So does its version:
    // a kiosk fetches a configuration only when the version differs from the one it runs, and one
    // running the embedded bundle central also publishes would otherwise never receive the key.
    // A configuration published before the key existed is thereby republished with it (a new version).
    const contactKey = await publishedContactKey(tx);
    const withKey = contactKey ? `${withSettings}.k${contactKey.keyId.slice(0, 6)}` : withSettings;
    // The read-aloud clips in force ride along too (issue 15), and so name a version of their own:
    // clips added since the last publication go out with the next one, even of the same bundle.
    const readAloud = await clipManifest(tx);
    const version = readAloud ? `${withKey}.r${sha256Hex(canonicalJson(readAloud)).slice(0, 6)}` : withKey;
    await tx.query('LOCK TABLE questionnaires IN EXCLUSIVE MODE');
    const hashes = bundle.questionnaires.map((q) => ({ q, hash: questionnaireHash(q) }));
    const held = parseRows(
      QRow,
      await tx.query('SELECT id, version, hash FROM questionnaires WHERE id = ANY($1::text[])', [
        bundle.questionnaires.map((q) => q.id),
      ]),
    );
    const problems = hashes.flatMap(({ q, hash: h }) => {
      const prior = held.find((r) => r.id === q.id && r.version === q.version);
      return prior && prior.hash !== h
        ? [
            `questionnaire "${q.id}" version ${q.version} changed without a new version number (already published with other content); raise its "version"`,
          ]
        : [];
    });
    if (problems.length > 0) throw new ConfigRefusedError(problems);

    const current = await latestConfig(tx, options.unitId);
    if (current?.version === version) return { status: 'unchanged', version, unitId: options.unitId };

    for (const { q, hash: h } of hashes) {
      await tx.query(
        'INSERT INTO questionnaires (id, version, hash, body, first_published_at) VALUES ($1, $2, $3, $4::jsonb, $5) ON CONFLICT (id, version) DO NOTHING',
        [q.id, q.version, h, JSON.stringify(q), now],
      );
    }
    // What the unit's kiosks may answer from now on (responses naming anything else are set aside).
    await tx.query(
      `INSERT INTO unit_questionnaires (unit_id, questionnaire_id, version, first_published_at)
       SELECT $1, t.id, t.version, $4 FROM unnest($2::text[], $3::int[]) AS t (id, version) ON CONFLICT DO NOTHING`,
      [options.unitId, bundle.questionnaires.map((q) => q.id), bundle.questionnaires.map((q) => q.version), now],
    );
    const published: PublishedConfig = {
      version,
      publishedAt: now.toISOString(),
      bundle,
      ...(options.settings ? { settings: options.settings } : {}),
      ...(contactKey ? { contactKey } : {}),
      ...(readAloud ? { readAloud } : {}),
    };
    const document = JSON.stringify(
      makeSigned('kconfig', 'central', published, privateKeyFrom(options.centralKey.privateKey)),
    );
    await tx.query('INSERT INTO configs (unit_id, version, hash, document, published_at) VALUES ($1, $2, $3, $4, $5)', [
      options.unitId,
      version,
      hash,
      document,
      now,
    ]);
    return { status: 'published', version, unitId: options.unitId };
  });
};
