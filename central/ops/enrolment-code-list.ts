import { z } from 'zod';
import { NullableTimestamp, Timestamp, parseRows } from '../db/rows.ts';
import type { Queryable } from '../db/types.ts';

/** An issued code as the console lists it: only its SHA-256 is stored, so never the code itself. */
export type CodeListing = {
  unitId: string;
  createdAt: Date;
  expiresAt: Date;
  usedBy: string | null;
  usedAt: Date | null;
  state: 'active' | 'used' | 'expired';
};

const Row = z.object({
  unit_id: z.string(),
  created_at: Timestamp,
  expires_at: Timestamp,
  used_by: z.string().nullable(),
  used_at: NullableTimestamp,
});

export const listEnrolmentCodes = async (
  db: Queryable,
  now: Date,
  options: { unitId?: string | null; limit?: number } = {},
): Promise<CodeListing[]> =>
  parseRows(
    Row,
    await db.query(
      'SELECT unit_id, created_at, expires_at, used_by, used_at FROM enrolment_codes WHERE ($1::text IS NULL OR unit_id = $1) ORDER BY created_at DESC LIMIT $2',
      [options.unitId ?? null, options.limit ?? 100],
    ),
  ).map((r) => ({
    unitId: r.unit_id,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    usedBy: r.used_by,
    usedAt: r.used_at,
    state: r.used_by !== null ? 'used' : r.expires_at.getTime() <= now.getTime() ? 'expired' : 'active',
  }));
