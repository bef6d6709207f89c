import type { Database } from 'better-sqlite3';

/**
 * Which paired PC sent which invitation, so that only that PC reads the invitation's status: another
 * paired PC that learnt an id (over a shoulder, from a log) gets the same 404 as for an id that never
 * existed, and an invitation from central or kioskctl is nobody's on the LAN. Kept in the kiosk's
 * database (migration 9) beside the invitation, so it survives a restart as the invitation does.
 */
export type InvitationSenders = {
  /** Called once the kiosk has stored the invitation (the row refers to it). */
  record: (invitationId: string, clientId: string) => void;
  /** The client that sent it, or undefined when no paired PC did. */
  senderOf: (invitationId: string) => string | undefined;
};

export const invitationSenders = (db: Database): InvitationSenders => {
  const insert = db.prepare('INSERT OR IGNORE INTO lan_invitation_senders (invitation_id, client_id) VALUES (?, ?)');
  const select = db.prepare<[string], { client_id: string }>(
    'SELECT client_id FROM lan_invitation_senders WHERE invitation_id = ?',
  );
  return {
    record: (invitationId, clientId) => void insert.run(invitationId, clientId),
    senderOf: (invitationId) => select.get(invitationId)?.client_id,
  };
};
