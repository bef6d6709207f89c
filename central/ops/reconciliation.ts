import { z } from 'zod';
import { Heartbeat } from '../../shared/sync.ts';
import { Int, NullableTimestamp, Timestamp, firstRow, parseRows } from '../db/rows.ts';
import type { Queryable } from '../db/types.ts';

/**
 * Reconciliation of one device: which of its sequence numbers central holds, as ranges, and which it
 * does not, as gaps. A kiosk numbers every response 1, 2, 3, … without holes, so anything not held
 * between 1 and the highest seq held is missing, and so is anything above it up to the last seq the
 * kiosk reported in a heartbeat. Computed from the responses table itself (gaps-and-islands), not
 * from counters, so what the console shows is what is stored. A response set aside as refused
 * (refused_responses) was received too: its seq is held, not missing (the received_seqs view).
 */

/** A run of consecutive seqs central holds. */
export type HeldRange = { from: number; to: number; count: number; firstReceivedAt: Date; lastReceivedAt: Date };

/** A run of seqs central does not hold, below the highest it holds. */
export type Gap = {
  from: number;
  to: number;
  count: number;
  /** When central first held a seq above the gap: since then the gap is known. */
  knownSince: Date;
  /** The kiosk's submit times of the responses just before and just after (the gap's responses were made between them). */
  recordedAfter: string | null;
  recordedBefore: string | null;
};

/** Seqs above the highest held that the kiosk says it has (from its last heartbeat). */
export type Tail = { from: number; to: number; count: number; reportedAt: Date };

export type Reconciliation = {
  deviceId: string;
  held: number;
  highestContiguousSeq: number;
  highestSeq: number;
  /** The kiosk's own last seq per its last heartbeat, if any. */
  kioskLastSeq: number | null;
  kioskAckedSeq: number | null;
  ranges: HeldRange[];
  gaps: Gap[];
  /** Ranges beyond `limit` (not listed); the gap list is complete up to the last listed range. */
  moreRanges: number;
  tail: Tail | null;
  /** Every missing seq: the gaps (listed or not) plus the tail. */
  missing: number;
};

const IslandRow = z.object({
  from_seq: Int,
  to_seq: Int,
  n: Int,
  first_at: Timestamp,
  last_at: Timestamp,
  known_since: Timestamp,
  total: Int,
  first_submitted: z.string().nullable(),
  last_submitted: z.string().nullable(),
});

const ISLANDS = `
  WITH t AS (SELECT seq, received_at, seq - row_number() OVER (ORDER BY seq) AS grp FROM received_seqs WHERE device_id = $1),
       islands AS (SELECT min(seq) AS from_seq, max(seq) AS to_seq, count(*) AS n, min(received_at) AS first_at, max(received_at) AS last_at FROM t GROUP BY grp),
       ranked AS (SELECT *, min(first_at) OVER (ORDER BY from_seq DESC ROWS UNBOUNDED PRECEDING) AS known_since, count(*) OVER () AS total FROM islands)
  SELECT r.from_seq, r.to_seq, r.n, r.first_at, r.last_at, r.known_since, r.total,
         a.body->>'submittedAt' AS first_submitted, b.body->>'submittedAt' AS last_submitted
    FROM ranked r
    JOIN received_seqs a ON a.device_id = $1 AND a.seq = r.from_seq
    JOIN received_seqs b ON b.device_id = $1 AND b.seq = r.to_seq
   WHERE r.from_seq > $2
   ORDER BY r.from_seq LIMIT $3`;

const DeviceRow = z.object({
  highest_contiguous_seq: Int.nullable(),
  last_heartbeat: z.unknown(),
  last_heartbeat_at: NullableTimestamp,
});

/** Islands of held seqs in order, from the one starting after `afterSeq`, at most `limit`. */
const islands = async (db: Queryable, deviceId: string, afterSeq: number, limit: number) =>
  parseRows(IslandRow, await db.query(ISLANDS, [deviceId, afterSeq, limit]));

export const reconcile = async (
  db: Queryable,
  deviceId: string,
  options: { limit?: number } = {},
): Promise<Reconciliation | undefined> => {
  const limit = options.limit ?? 500;
  const device = firstRow(
    DeviceRow,
    await db.query(
      `SELECT p.highest_contiguous_seq, d.last_heartbeat, d.last_heartbeat_at FROM devices d LEFT JOIN device_progress p ON p.device_id = d.id WHERE d.id = $1`,
      [deviceId],
    ),
  );
  if (!device) return undefined;
  const rows = await islands(db, deviceId, 0, limit);
  const totals = firstRow(
    z.object({ n: Int, top: Int }),
    await db.query('SELECT count(*) AS n, coalesce(max(seq), 0) AS top FROM received_seqs WHERE device_id = $1', [
      deviceId,
    ]),
  );
  const held = totals?.n ?? 0;
  const highestSeq = totals?.top ?? 0;
  const ranges: HeldRange[] = rows.map((r) => ({
    from: r.from_seq,
    to: r.to_seq,
    count: r.n,
    firstReceivedAt: r.first_at,
    lastReceivedAt: r.last_at,
  }));
  const gaps: Gap[] = [];
  rows.forEach((r, i) => {
    const before = i === 0 ? null : rows[i - 1]!;
    const from = before ? before.to_seq + 1 : 1;
    if (r.from_seq > from) {
      gaps.push({
        from,
        to: r.from_seq - 1,
        count: r.from_seq - from,
        knownSince: r.known_since,
        recordedAfter: before?.last_submitted ?? null,
        recordedBefore: r.first_submitted,
      });
    }
  });
  const hb = Heartbeat.safeParse(device.last_heartbeat);
  const kioskLastSeq = hb.success ? hb.data.lastSeq : null;
  const tail =
    kioskLastSeq !== null && kioskLastSeq > highestSeq && device.last_heartbeat_at
      ? {
          from: highestSeq + 1,
          to: kioskLastSeq,
          count: kioskLastSeq - highestSeq,
          reportedAt: device.last_heartbeat_at,
        }
      : null;
  return {
    deviceId,
    held,
    highestContiguousSeq: device.highest_contiguous_seq ?? 0,
    highestSeq,
    kioskLastSeq,
    kioskAckedSeq: hb.success ? hb.data.lastAckedSeq : null,
    ranges,
    gaps,
    moreRanges: Math.max(0, (rows[0]?.total ?? 0) - rows.length),
    tail,
    missing: highestSeq - held + (tail?.count ?? 0),
  };
};

/**
 * Every missing seq range of a device, streamed a page of islands at a time (for the console's
 * plain-text download): gaps below the highest held seq, then the tail the kiosk reported.
 */
export const eachMissingRange = async (
  db: Queryable,
  deviceId: string,
  write: (from: number, to: number) => Promise<void> | void,
): Promise<number> => {
  let after = 0;
  let expected = 1;
  let total = 0;
  for (;;) {
    const page = await islands(db, deviceId, after, 2000);
    if (page.length === 0) break;
    for (const r of page) {
      if (r.from_seq > expected) {
        await write(expected, r.from_seq - 1);
        total += r.from_seq - expected;
      }
      expected = r.to_seq + 1;
      after = r.from_seq;
    }
  }
  const device = firstRow(
    z.object({ last_heartbeat: z.unknown() }),
    await db.query('SELECT last_heartbeat FROM devices WHERE id = $1', [deviceId]),
  );
  const hb = Heartbeat.safeParse(device?.last_heartbeat);
  if (hb.success && hb.data.lastSeq >= expected) {
    await write(expected, hb.data.lastSeq);
    total += hb.data.lastSeq - expected + 1;
  }
  return total;
};
