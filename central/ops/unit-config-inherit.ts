import { z } from 'zod';
import { Int, firstRow } from '../db/rows.ts';
import type { Queryable } from '../db/types.ts';

const Newest = z.object({ id: Int, unit_id: z.string(), document: z.string() });

/** The (id, version) pairs a published config document carries (its signed payload is PublishedConfig). */
const Payload = z.object({
  bundle: z
    .object({ questionnaires: z.array(z.object({ id: z.string(), version: z.number().int() }).loose()) })
    .loose(),
});
const Envelope = z.object({ payload: z.string() });

const questionnairesOf = (document: string): { id: string; version: number }[] => {
  const envelope = Envelope.parse(JSON.parse(document));
  const payload = Payload.parse(JSON.parse(Buffer.from(envelope.payload, 'base64url').toString('utf8')));
  return payload.bundle.questionnaires.map((q) => ({ id: q.id, version: q.version }));
};

/**
 * Gives a unit just made under a parent the newest configuration of its nearest ancestor that has
 * one. The signed document names no unit (shared/sync.ts PublishedConfig: version, time, bundle,
 * settings), so the very document central signed for the ancestor is valid for the new unit as it is;
 * no key is needed. The questionnaires it carries are recorded for the unit (unit_questionnaires),
 * so that its kiosks' answers validate (central/ingest/validate-responses.ts). Returns the version
 * given, or undefined when no ancestor has a configuration.
 */
export const inheritParentConfig = async (db: Queryable, unitId: string, now: Date): Promise<string | undefined> => {
  const newest = firstRow(
    Newest,
    await db.query(
      `WITH RECURSIVE up AS (
         SELECT parent_id AS id, 1 AS depth FROM units WHERE id = $1 AND parent_id IS NOT NULL
         UNION
         SELECT u.parent_id, up.depth + 1 FROM units u JOIN up ON u.id = up.id
          WHERE u.parent_id IS NOT NULL AND up.depth < 64
       )
       SELECT c.id, c.unit_id, c.document FROM configs c JOIN up ON c.unit_id = up.id
        ORDER BY up.depth, c.id DESC LIMIT 1`,
      [unitId],
    ),
  );
  if (!newest) return undefined;
  const copied = await db.query(
    `INSERT INTO configs (unit_id, version, hash, document, published_at)
     SELECT $1, version, hash, document, $3 FROM configs WHERE id = $2 RETURNING version`,
    [unitId, newest.id, now],
  );
  const qs = questionnairesOf(newest.document);
  await db.query(
    `INSERT INTO unit_questionnaires (unit_id, questionnaire_id, version, first_published_at)
     SELECT $1, t.id, t.version, $4 FROM unnest($2::text[], $3::int[]) AS t (id, version) ON CONFLICT DO NOTHING`,
    [unitId, qs.map((q) => q.id), qs.map((q) => q.version), now],
  );
  return z.object({ version: z.string() }).parse(copied.rows[0]).version;
};
