import { z } from 'zod';
import { Invitation, type InvitationStatus } from '../../shared/invitation.ts';
import { Timestamp, firstRow, parseRows } from '../db/rows.ts';
import type { Queryable } from '../db/types.ts';

/** Reading bridge_invitations (migration 11): the Invitation a kiosk gets, and where it stands. */

export const InvitationRow = z.object({
  id: z.string(),
  unit_id: z.string(),
  counter_id: z.string(),
  case_number: z.string(),
  procedure_code: z.string(),
  officer_id: z.string().nullable(),
  facts: z.unknown(),
  issued_by: z.string(),
  created_at: Timestamp,
  expires_at: Timestamp,
  status: z.string(),
  status_at: Timestamp,
  response_id: z.string().nullable(),
  reason: z.string().nullable(),
});
export type InvitationRow = z.infer<typeof InvitationRow>;

export const INVITATION_COLUMNS =
  'id, unit_id, counter_id, case_number, procedure_code, officer_id, facts, issued_by, created_at, expires_at, status, status_at, response_id, reason';

/** An invitation as central holds it: the kiosk's Invitation plus where it stands now. */
export type InvitationRecord = {
  invitation: Invitation;
  unitId: string;
  issuedBy: string;
  status: InvitationStatus;
  statusAt: string;
  responseId: string | null;
  reason: string | null;
};

export const toInvitation = (r: InvitationRow): Invitation =>
  Invitation.parse({
    id: r.id,
    counterId: r.counter_id,
    caseNumber: r.case_number,
    procedureCode: r.procedure_code,
    officerId: r.officer_id,
    ...(r.facts === null || r.facts === undefined ? {} : { facts: r.facts }),
    issuedAt: r.created_at.toISOString(),
    expiresAt: r.expires_at.toISOString(),
  });

/**
 * The status as the officer sees it: a waiting or delivered invitation past its expiry is `expired`
 * even before the expiry job writes it down (central/bridge/expiry.ts).
 */
export const toRecord = (r: InvitationRow, now: Date): InvitationRecord => {
  const lapsed = (r.status === 'waiting' || r.status === 'delivered') && r.expires_at <= now;
  return {
    invitation: toInvitation(r),
    unitId: r.unit_id,
    issuedBy: r.issued_by,
    status: (lapsed ? 'expired' : r.status) as InvitationStatus,
    statusAt: (lapsed ? r.expires_at : r.status_at).toISOString(),
    responseId: r.response_id,
    reason: r.reason,
  };
};

export const findInvitation = async (db: Queryable, id: string, now: Date): Promise<InvitationRecord | undefined> => {
  if (!z.uuid().safeParse(id).success) return undefined;
  const row = firstRow(
    InvitationRow,
    await db.query(`SELECT ${INVITATION_COLUMNS} FROM bridge_invitations WHERE id = $1`, [id]),
  );
  return row && toRecord(row, now);
};

/** The invitation this device should show (if any): its counter's open one, not yet expired. */
export const openInvitationsForDevice = async (db: Queryable, deviceId: string, now: Date): Promise<Invitation[]> =>
  parseRows(
    InvitationRow,
    await db.query(
      `SELECT ${INVITATION_COLUMNS.replace(/(\w+)/g, 'i.$1')} FROM bridge_invitations i
         JOIN devices d ON d.unit_id = i.unit_id AND d.counter_id = i.counter_id
        WHERE d.id = $1 AND d.revoked_at IS NULL
          AND i.status IN ('waiting', 'delivered') AND i.expires_at > $2
        ORDER BY i.created_at`,
      [deviceId, now],
    ),
  ).map(toInvitation);

/** An open invitation by id (for fan-out), or undefined once answered, replaced or expired. */
export const openInvitation = async (db: Queryable, id: string, now: Date): Promise<Invitation | undefined> => {
  const row = firstRow(
    InvitationRow,
    await db.query(
      `SELECT ${INVITATION_COLUMNS} FROM bridge_invitations
        WHERE id = $1 AND status IN ('waiting', 'delivered') AND expires_at > $2`,
      [id, now],
    ),
  );
  return row && toInvitation(row);
};

/** A counter's recent invitations, newest first (the officer's display). */
export const recentInvitations = async (
  db: Queryable,
  unitId: string,
  counterId: string,
  now: Date,
  limit = 20,
): Promise<InvitationRecord[]> =>
  parseRows(
    InvitationRow,
    await db.query(
      `SELECT ${INVITATION_COLUMNS} FROM bridge_invitations WHERE unit_id = $1 AND counter_id = $2
        ORDER BY created_at DESC, id DESC LIMIT $3`,
      [unitId, counterId, limit],
    ),
  ).map((r) => toRecord(r, now));

/** The counters devices of this unit stand at (where an invitation can go). */
export const countersOfUnit = async (db: Queryable, unitId: string): Promise<string[]> =>
  parseRows(
    z.object({ counter_id: z.string() }),
    await db.query(
      `SELECT DISTINCT counter_id FROM devices WHERE unit_id = $1 AND counter_id IS NOT NULL AND revoked_at IS NULL ORDER BY 1`,
      [unitId],
    ),
  ).map((r) => r.counter_id);
