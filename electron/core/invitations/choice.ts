import type { Assignment, CurrentInvitation, KioskState } from '../../../shared/api.ts';
import type { AssignmentChoice } from '../assignment.ts';
import { type InvitationRow, factsOf } from './store.ts';

/** The assignment an invitation makes while it waits: its case, procedure, officer, counter and facts. */
export const invitationChoice = (row: InvitationRow): AssignmentChoice => {
  const facts = factsOf(row);
  return {
    procedureCode: row.procedure_code,
    caseNumber: row.case_number,
    officerId: row.officer_id,
    counterId: row.counter_id,
    setAt: row.received_at,
    ...(facts ? { facts } : {}),
    invitationId: row.id,
  };
};

/**
 * What the attract screen shows of the current invitation, or null when the assignment in force is not
 * it (its procedure left the configuration, so the kiosk fell back to another: nothing to invite to).
 */
export const shownInvitation = (row: InvitationRow | undefined, assignment: Assignment): CurrentInvitation | null =>
  row && assignment.invitationId === row.id
    ? {
        id: row.id,
        caseNumber: row.case_number,
        procedureName: assignment.procedureName,
        officerId: row.officer_id,
        expiresAtMs: row.expires_local_ms,
      }
    : null;

/** Where the invitation received last stands, for the officer's display. */
export const lastInvitationOf = (row: InvitationRow | undefined): KioskState['lastInvitation'] =>
  row ? { id: row.id, caseNumber: row.case_number, status: row.status, at: row.status_at } : null;
