import { z } from 'zod';
import { INVITATION_TTL, type Invitation, InvitationRequest } from '../../shared/invitation.ts';
import { uuidv7 } from '../../shared/ids.ts';
import type { CentralDb } from '../db/types.ts';
import { SyncError } from '../errors.ts';
import { UnitId } from '../ops/units.ts';
import { unitProcedures } from './catalog.ts';
import { announceInvitation } from './fan-out.ts';
import { INVITATION_COLUMNS, InvitationRow, toInvitation } from './store.ts';
import { firstRow } from '../db/rows.ts';

/** What the counter API, the console's send page and centralctl ask for: the unit and the request. */
export const CounterInvitationRequest = InvitationRequest.extend({ unitId: UnitId });
export type CounterInvitationRequest = z.infer<typeof CounterInvitationRequest>;

/** Who issued an invitation, as stored: an integration key, a console user, or centralctl. */
export type IssuedBy = `key:${string}` | `user:${string}` | 'cli';

const Existing = z.object({ one: z.unknown() });

/**
 * Checks what only the database knows, cheapest first, before anything is written: the procedure is
 * in the unit's published catalog (422 unknown_procedure naming it), and a device of the unit stands
 * at the counter (422 unknown_counter: also how a counter of another unit is refused).
 */
const checkTarget = async (db: CentralDb, req: CounterInvitationRequest): Promise<void> => {
  const procedures = await unitProcedures(db, req.unitId);
  if (!procedures.some((p) => p.code === req.procedureCode))
    throw new SyncError(
      'unknown_procedure',
      `procedure ${req.procedureCode} is not in the catalog published to unit ${req.unitId}`,
      { field: 'procedureCode' },
    );
  const placed = firstRow(
    Existing,
    await db.query(
      'SELECT 1 AS one FROM devices WHERE unit_id = $1 AND counter_id = $2 AND revoked_at IS NULL LIMIT 1',
      [req.unitId, req.counterId],
    ),
  );
  if (!placed)
    throw new SyncError(
      'unknown_counter',
      `no kiosk of unit ${req.unitId} stands at counter ${req.counterId} (IT places kiosks at counters in the console)`,
      { field: 'counterId' },
    );
};

/**
 * Issues an invitation: checks it (checkTarget), stores it `waiting`, marks the counter's earlier
 * open invitations `replaced` (one transaction, serialised per counter by an advisory lock so two
 * concurrent issues cannot both stay open), and announces it to the instances kiosks stream from.
 * The caller has checked that the issuer may send for the unit.
 */
export const issueInvitation = async (
  db: CentralDb,
  options: { request: CounterInvitationRequest; issuedBy: IssuedBy; now: Date },
): Promise<Invitation> => {
  const { request: req, now } = options;
  await checkTarget(db, req);
  const ttl = req.ttlSeconds ?? INVITATION_TTL.defaultSeconds;
  const id = uuidv7(now.getTime());
  const { invitation, announce } = await db.transaction(async (tx) => {
    // Two int4 keys: a namespace of their own, apart from the jobs' single bigint keys.
    await tx.query(`SELECT pg_advisory_xact_lock(1651664996, hashtext($1))`, [`${req.unitId}/${req.counterId}`]);
    // Only one still open: one whose time already ran out expired (at its expiry, reads say so and the
    // expiry job writes it down), whether or not the job has got to it yet; the next one does not replace it.
    await tx.query(
      `UPDATE bridge_invitations SET status = 'replaced', status_at = $3
        WHERE unit_id = $1 AND counter_id = $2 AND status IN ('waiting', 'delivered') AND expires_at > $3`,
      [req.unitId, req.counterId, now],
    );
    const row = await tx.query(
      `INSERT INTO bridge_invitations (id, unit_id, counter_id, case_number, procedure_code, officer_id, facts,
                                       issued_by, created_at, expires_at, status, status_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9, $10, 'waiting', $9) RETURNING ${INVITATION_COLUMNS}`,
      [
        id,
        req.unitId,
        req.counterId,
        req.caseNumber,
        req.procedureCode,
        req.officerId ?? null,
        req.facts === undefined ? null : JSON.stringify(req.facts),
        options.issuedBy,
        now,
        new Date(now.getTime() + ttl * 1000),
      ],
    );
    const announce = await announceInvitation(db, tx, { id, unitId: req.unitId, counterId: req.counterId });
    const stored = firstRow(InvitationRow, row);
    if (!stored) throw new Error('bridge_invitations: the insert returned no row');
    return { invitation: toInvitation(stored), announce };
  });
  announce();
  return invitation;
};
