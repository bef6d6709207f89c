import type { InvitationStatusUpdate } from '../../shared/invitation.ts';
import type { Queryable } from '../db/types.ts';

/**
 * Applies a kiosk's status update, idempotently (a kiosk repeats a report until acknowledged):
 * - `answered` is final and wins over anything but itself: a citizen who rated the case before the
 *   kiosk heard of its replacement or expiry still rated it;
 * - `delivered` only moves a `waiting` one;
 * - `expired`, `replaced` and `refused` only close an open (waiting or delivered) one, so they never
 *   overwrite `answered`.
 * Only an invitation of the reporting device's unit is touched. `status_at` is central's clock.
 */
const APPLY_SQL = `
  UPDATE bridge_invitations
     SET status = $3, status_at = $4,
         response_id = CASE WHEN $3 = 'answered' THEN $5::uuid ELSE response_id END,
         reason = coalesce($6, reason)
   WHERE id = $1 AND unit_id = $2
     AND CASE $3
           WHEN 'answered' THEN status <> 'answered'
           WHEN 'delivered' THEN status = 'waiting'
           ELSE status IN ('waiting', 'delivered')
         END`;

export type StatusOutcome = { applied: number; unchanged: number; unknown: number };

export const applyStatusUpdates = async (
  tx: Queryable,
  unitId: string,
  updates: readonly InvitationStatusUpdate[],
  now: Date,
): Promise<StatusOutcome> => {
  const outcome: StatusOutcome = { applied: 0, unchanged: 0, unknown: 0 };
  for (const u of updates) {
    const r = await tx.query(APPLY_SQL, [
      u.invitationId,
      unitId,
      u.status,
      now,
      u.responseId ?? null,
      u.reason ?? null,
    ]);
    if (r.rowCount > 0) outcome.applied++;
    else {
      const known = await tx.query('SELECT 1 FROM bridge_invitations WHERE id = $1 AND unit_id = $2', [
        u.invitationId,
        unitId,
      ]);
      if (known.rows.length > 0) outcome.unchanged++;
      else outcome.unknown++;
    }
  }
  return outcome;
};
