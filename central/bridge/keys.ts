import { randomBytes, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { sha256Hex } from '../../shared/node/signing.ts';
import { NullableTimestamp, Timestamp, firstRow, parseRows } from '../db/rows.ts';
import type { Queryable } from '../db/types.ts';
import { SyncError } from '../errors.ts';

/**
 * Integration keys (issue 11): what a one-stop system sends the counter API with. The secret is
 * "kb_" and 32 random bytes in base64url, shown once; only its SHA-256 is stored, so a leaked database
 * gives no usable key. A key is scoped to units (each covering the units under it) and revocable.
 */
export const INTEGRATION_KEY_PREFIX = 'kb_';
const KEY_SHAPE = /^kb_[A-Za-z0-9_-]{43}$/;

export const KeyLabel = z.string().trim().min(1, 'a label is needed').max(100);

export type IntegrationKey = {
  id: string;
  label: string;
  unitIds: string[];
  createdBy: string;
  createdAt: Date;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
};

const KeyRow = z.object({
  id: z.string(),
  label: z.string(),
  unit_ids: z.array(z.string()),
  created_by: z.string(),
  created_at: Timestamp,
  revoked_at: NullableTimestamp,
  last_used_at: NullableTimestamp,
});
const toKey = (r: z.infer<typeof KeyRow>): IntegrationKey => ({
  id: r.id,
  label: r.label,
  unitIds: r.unit_ids,
  createdBy: r.created_by,
  createdAt: r.created_at,
  revokedAt: r.revoked_at,
  lastUsedAt: r.last_used_at,
});
const KEY_COLUMNS = 'id, label, unit_ids, created_by, created_at, revoked_at, last_used_at';

/** Creates a key for these units (which must exist); the secret is returned here and never again. */
export const createIntegrationKey = async (
  db: Queryable,
  options: { label: string; unitIds: readonly string[]; createdBy: string; now: Date },
): Promise<{ key: IntegrationKey; secret: string }> => {
  const unitIds = [...new Set(options.unitIds)];
  if (unitIds.length === 0) throw new Error('an integration key needs at least one unit');
  const known = await db.query('SELECT id FROM units WHERE id = ANY($1::text[])', [unitIds]);
  const missing = unitIds.filter((u) => !known.rows.some((r) => r['id'] === u));
  if (missing.length > 0) throw new Error(`no such unit: ${missing.join(', ')}`);
  const secret = `${INTEGRATION_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  const row = firstRow(
    KeyRow,
    await db.query(
      `INSERT INTO integration_keys (id, label, key_hash, unit_ids, created_by, created_at)
       VALUES ($1, $2, $3, $4::text[], $5, $6) RETURNING ${KEY_COLUMNS}`,
      [randomUUID(), KeyLabel.parse(options.label), sha256Hex(secret), unitIds, options.createdBy, options.now],
    ),
  );
  if (!row) throw new Error('integration_keys: the insert returned no row');
  return { key: toKey(row), secret };
};

export const listIntegrationKeys = async (db: Queryable): Promise<IntegrationKey[]> =>
  parseRows(KeyRow, await db.query(`SELECT ${KEY_COLUMNS} FROM integration_keys ORDER BY created_at DESC, id`)).map(
    toKey,
  );

/** Revokes a key (at once: the next call with it is refused). False when there is no such key or it was revoked. */
export const revokeIntegrationKey = async (db: Queryable, id: string, now: Date): Promise<boolean> => {
  if (!z.uuid().safeParse(id).success) return false;
  const r = await db.query('UPDATE integration_keys SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL', [
    id,
    now,
  ]);
  return r.rowCount > 0;
};

export type VerifiedKey = { id: string; unitIds: string[] };

const VerifyRow = z.object({ id: z.string(), unit_ids: z.array(z.string()), revoked_at: NullableTimestamp });

/**
 * The key an `Authorization: Bearer …` header names, or 401: missing, malformed, unknown (one indexed
 * lookup of the hash: cheap, and no timing leak since only the hash is compared) or revoked.
 */
export const verifyIntegrationKey = async (db: Queryable, authorization: string | undefined): Promise<VerifiedKey> => {
  const secret = authorization?.startsWith('Bearer ') ? authorization.slice(7).trim() : undefined;
  if (!secret)
    throw new SyncError('unknown_key', 'send the integration key as "Authorization: Bearer kb_…" (see the console)');
  if (!KEY_SHAPE.test(secret))
    throw new SyncError(
      'unknown_key',
      'the Authorization header does not hold an integration key ("kb_" and 43 characters)',
    );
  const row = firstRow(
    VerifyRow,
    await db.query('SELECT id, unit_ids, revoked_at FROM integration_keys WHERE key_hash = $1', [sha256Hex(secret)]),
  );
  if (!row) throw new SyncError('unknown_key', 'this integration key is not known here; ask the province IT for one');
  if (row.revoked_at)
    throw new SyncError(
      'key_revoked',
      `this integration key was revoked on ${row.revoked_at.toISOString()}; ask the province IT for a new one`,
    );
  return { id: row.id, unitIds: row.unit_ids };
};

/** Records that a key was used, at most once a minute per key (a busy key does not write on every call). */
export const touchIntegrationKey = async (db: Queryable, id: string, now: Date): Promise<void> => {
  await db.query(
    `UPDATE integration_keys SET last_used_at = $2
      WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $2::timestamptz - interval '1 minute')`,
    [id, now],
  );
};

/** Whether `unitId` is one of `scope` or lies under one of them (any depth). */
export const unitInScope = async (db: Queryable, unitId: string, scope: readonly string[]): Promise<boolean> => {
  const r = await db.query(
    `WITH RECURSIVE up AS (
       SELECT id, parent_id, 0 AS depth FROM units WHERE id = $1
       UNION ALL
       SELECT u.id, u.parent_id, up.depth + 1 FROM units u JOIN up ON u.id = up.parent_id WHERE up.depth < 32
     ) SELECT 1 FROM up WHERE id = ANY($2::text[]) LIMIT 1`,
    [unitId, [...scope]],
  );
  return r.rows.length > 0;
};
