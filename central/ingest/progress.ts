import { z } from 'zod';
import { Int, firstRow } from '../db/rows.ts';
import type { Queryable } from '../db/types.ts';

/** How many seqs each step of the advance looks at: bounds the work per query whatever the backlog. */
const STEP = 5000;
const Step = z.object({ top: Int.nullable(), n: Int });

/**
 * Advances a device's highest contiguous seq H from its current value: while H+1.. are present
 * (stored or set aside as refused: both are received, see the received_seqs view).
 * Each step reads the next STEP seqs above H in index order and keeps those with no gap before them
 * (seq − row_number = H); the work is proportional to how far H moves, plus one step.
 */
export const advanceContiguous = async (tx: Queryable, deviceId: string, from: number): Promise<number> => {
  let h = from;
  for (;;) {
    const step = firstRow(
      Step,
      await tx.query(
        `SELECT max(seq) FILTER (WHERE seq - rn = $2) AS top, count(*) AS n
           FROM (SELECT seq, row_number() OVER (ORDER BY seq) AS rn
                   FROM (SELECT seq FROM received_seqs WHERE device_id = $1 AND seq > $2 ORDER BY seq LIMIT $3) s) t`,
        [deviceId, h, STEP],
      ),
    );
    if (!step || step.top === null) return h;
    const moved = step.top - h;
    h = step.top;
    // Stop unless the whole step was contiguous (then the run may go on beyond it).
    if (moved < STEP || step.n < STEP) return h;
  }
};
