import { z } from 'zod';
import { Int, Timestamp, parseRows } from '../db/rows.ts';
import type { Queryable } from '../db/types.ts';

const ConflictRow = z.object({
  response_id: z.string(),
  seq: Int,
  reason: z.enum(['different_content', 'seq_taken']),
  times: Int,
  first_received_at: Timestamp,
  last_received_at: Timestamp,
});
export type ConflictView = z.infer<typeof ConflictRow>;

/** A device's conflicts (kept aside, never overwriting what was stored), by seq. */
export const listConflicts = async (db: Queryable, deviceId: string, limit = 200): Promise<ConflictView[]> =>
  parseRows(
    ConflictRow,
    await db.query(
      'SELECT response_id::text AS response_id, seq, reason, times, first_received_at, last_received_at FROM conflicts WHERE device_id = $1 ORDER BY seq, id LIMIT $2',
      [deviceId, limit],
    ),
  );

const BatchRow = z.object({
  batch_id: z.string(),
  seq_from: Int,
  seq_to: Int,
  via: z.enum(['http', 'file']),
  received: Int,
  inserted: Int,
  duplicates: Int,
  conflicts: Int,
  received_at: Timestamp,
});
export type BatchView = z.infer<typeof BatchRow>;

/** The batches that arrived for a device, newest first (each arrival, replays and USB copies included). */
export const recentBatches = async (db: Queryable, deviceId: string, limit = 30): Promise<BatchView[]> =>
  parseRows(
    BatchRow,
    await db.query(
      'SELECT batch_id::text AS batch_id, seq_from, seq_to, via, received, inserted, duplicates, conflicts, received_at FROM batches WHERE device_id = $1 ORDER BY id DESC LIMIT $2',
      [deviceId, limit],
    ),
  );
