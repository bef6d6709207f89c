/**
 * Which paired PC sent which invitation, so that only that PC reads the invitation's status: another
 * paired PC that learnt an id (over a shoulder, from a log) gets the same 404 as for an id that never
 * existed, and an invitation from central or kioskctl is nobody's on the LAN.
 *
 * Kept in memory by the bridge (a move to another port or address keeps it), without a schema change:
 * after the kiosk restarts, invitations sent before are nobody's, and their sender's status poll gets
 * 404 (refused, never shown to another PC). Bounded: past `max`, the oldest is forgotten first.
 */

/** Far more invitations than a kiosk's counters send while one can still be waiting (an hour at most). */
export const SENDERS_KEPT = 2000;

export type InvitationSenders = {
  record: (invitationId: string, clientId: string) => void;
  /** The client that sent it, or undefined when no paired PC did (or it was forgotten). */
  senderOf: (invitationId: string) => string | undefined;
  size: () => number;
};

export const invitationSenders = (max = SENDERS_KEPT): InvitationSenders => {
  const byInvitation = new Map<string, string>();
  return {
    record: (invitationId, clientId) => {
      byInvitation.set(invitationId, clientId);
      // A Map iterates in insertion order: the first key is the oldest.
      while (byInvitation.size > max) byInvitation.delete(byInvitation.keys().next().value!);
    },
    senderOf: (invitationId) => byInvitation.get(invitationId),
    size: () => byInvitation.size,
  };
};
