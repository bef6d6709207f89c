import { z } from 'zod';
import { canonicalJson } from '../../shared/canonical.ts';
import { sha256Hex } from '../../shared/node/signing.ts';
import type { StoredResponse } from '../../shared/response.ts';
import type { BatchAck, BatchEnvelope } from '../../shared/sync.ts';
import { SyncError } from '../errors.ts';
import { Int, NullableTimestamp, firstRow, parseRows } from '../db/rows.ts';
import type { CentralDb, Queryable } from '../db/types.ts';
import { advanceContiguous } from './progress.ts';

export type BatchVia = 'http' | 'file';
type Conflict = BatchAck['conflicts'][number];

/** "Same content" is the SHA-256 of the response's canonical JSON (sorted keys). */
export const responseHash = (r: StoredResponse): string => sha256Hex(canonicalJson(r));

const Locked = z.object({ highest_contiguous_seq: Int, revoked_at: NullableTimestamp });
const Existing = z.object({ response_id: z.string(), seq: Int, content_hash: z.string() });
const Seq = z.object({ seq: Int });

/**
 * Step 6-7 of "What central does": ONE transaction per batch. The device's progress row is locked
 * first, so batches of one device apply one at a time (on PostgreSQL, other devices' batches run in
 * parallel). Rows go in with one set-based INSERT … ON CONFLICT DO NOTHING; whatever did not go in is
 * then classified as a duplicate (same id, same hash) or a conflict (same id, other content; or a
 * new id on a seq another id holds), and conflicts are kept aside. The caller answers only after
 * this resolves, i.e. after COMMIT.
 */
export const storeBatch = (
  db: CentralDb,
  envelope: BatchEnvelope,
  via: BatchVia,
  now: Date,
  /** Runs in the same transaction once the batch is in (the console's audit row): it fails, nothing is stored. */
  alsoInTransaction?: (tx: Queryable, ack: BatchAck) => Promise<void>,
): Promise<BatchAck> =>
  db.transaction(async (tx) => {
    const deviceId = envelope.deviceId;
    const locked = firstRow(
      Locked,
      await tx.query(
        `SELECT p.highest_contiguous_seq, d.revoked_at FROM device_progress p JOIN devices d ON d.id = p.device_id WHERE p.device_id = $1 FOR UPDATE OF p`,
        [deviceId],
      ),
    );
    if (!locked) throw new SyncError('unknown_device', `device ${deviceId} is not enrolled here`);
    // A revocation committed while this batch was being verified still wins.
    if (locked.revoked_at)
      throw new SyncError('device_revoked', `device ${deviceId} was revoked on ${locked.revoked_at.toISOString()}`);

    const items = envelope.responses.map((r) => ({ id: r.id, seq: r.seq, hash: responseHash(r), body: r }));
    // The rows travel as ONE json parameter: serialising 1,000 JSON texts as a text[] literal
    // (node-postgres escapes each element) cost more CPU than the rest of the insert.
    const insertedSeqs = new Set(
      parseRows(
        Seq,
        await tx.query(
          `INSERT INTO responses (device_id, response_id, seq, content_hash, body, received_at, batch_id)
           SELECT $1, t.id, t.seq, t.hash, t.body, $2, $3
             FROM json_to_recordset($4::json) AS t (id uuid, seq int, hash text, body jsonb)
           ON CONFLICT DO NOTHING
           RETURNING seq`,
          [deviceId, now, envelope.batchId, JSON.stringify(items)],
        ),
      ).map((r) => r.seq),
    );

    const rest = items.filter((i) => !insertedSeqs.has(i.seq));
    let duplicates = 0;
    const conflicts: (Conflict & { hash: string; body: string })[] = [];
    if (rest.length > 0) {
      const existing = new Map(
        parseRows(
          Existing,
          await tx.query(
            `SELECT response_id::text AS response_id, seq, content_hash FROM responses WHERE device_id = $1 AND response_id = ANY($2::uuid[])`,
            [deviceId, rest.map((i) => i.id)],
          ),
        ).map((r) => [r.response_id, r]),
      );
      for (const item of rest) {
        const held = existing.get(item.id);
        if (held && held.content_hash === item.hash) duplicates++;
        else
          conflicts.push({
            id: item.id,
            seq: item.seq,
            reason: held ? 'different_content' : 'seq_taken',
            hash: item.hash,
            body: JSON.stringify(item.body),
          });
      }
    }
    if (conflicts.length > 0) {
      await tx.query(
        `INSERT INTO conflicts (device_id, response_id, seq, reason, content_hash, body, batch_id, first_received_at, last_received_at)
         SELECT $1, t.id, t.seq, t.reason, t.hash, t.body::jsonb, $2, $3, $3
           FROM unnest($4::uuid[], $5::int[], $6::text[], $7::text[], $8::text[]) AS t (id, seq, reason, hash, body)
         ON CONFLICT (device_id, response_id, seq, content_hash) DO UPDATE SET last_received_at = excluded.last_received_at, times = conflicts.times + 1`,
        [
          deviceId,
          envelope.batchId,
          now,
          conflicts.map((c) => c.id),
          conflicts.map((c) => c.seq),
          conflicts.map((c) => c.reason),
          conflicts.map((c) => c.hash),
          conflicts.map((c) => c.body),
        ],
      );
    }

    const highestContiguousSeq =
      insertedSeqs.size > 0
        ? await advanceContiguous(tx, deviceId, locked.highest_contiguous_seq)
        : locked.highest_contiguous_seq;
    await tx.query(
      `UPDATE device_progress SET highest_contiguous_seq = $2, responses = responses + $3, duplicates = duplicates + $4, conflicts = conflicts + $5,
              batches = batches + 1, last_batch_at = $6 WHERE device_id = $1`,
      [deviceId, highestContiguousSeq, insertedSeqs.size, duplicates, conflicts.length, now],
    );
    await tx.query(
      `INSERT INTO batches (batch_id, device_id, seq_from, seq_to, via, received, inserted, duplicates, conflicts, received_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        envelope.batchId,
        deviceId,
        envelope.seqFrom,
        envelope.seqTo,
        via,
        items.length,
        insertedSeqs.size,
        duplicates,
        conflicts.length,
        now,
      ],
    );
    const ack: BatchAck = {
      batchId: envelope.batchId,
      deviceId,
      received: items.length,
      inserted: insertedSeqs.size,
      duplicates,
      conflicts: conflicts.map(({ id, seq, reason }) => ({ id, seq, reason })),
      highestContiguousSeq,
    };
    await alsoInTransaction?.(tx, ack);
    return ack;
  });
