import type { Invitation, InvitationStatus } from '../../../shared/invitation.ts';

/** Where an invitation came from: central's open connection, a paired counter PC on the LAN, or kioskctl. */
export type InvitationSource = 'central' | 'lan' | 'cli';

export type ReceiveRefusal = {
  ok: false;
  /** unknown_procedure: not in this kiosk's configuration; expired: its time ran out before it arrived. */
  code: 'unknown_procedure' | 'expired' | 'invalid';
  message: string;
};
/** `duplicate`: this id was received before (delivery is at least once); it is not shown again. */
export type ReceiveResult = { ok: true; status: InvitationStatus; duplicate: boolean } | ReceiveRefusal;

/**
 * The kiosk core's one entry for invitations (issue 11). Both ways in (central's stream, the LAN
 * bridge) and kioskctl hand it the same `Invitation`; the core stores it, makes it the current
 * assignment, expires or replaces it, and records the answer.
 */
export interface InvitationSink {
  receive(invitation: Invitation, source: InvitationSource): ReceiveResult;
  /** Where an invitation this kiosk received stands now (the officer's display asks). */
  statusOf(invitationId: string): InvitationStatus | undefined;
}
