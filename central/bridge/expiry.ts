import type { PeriodicJob } from '../jobs/periodic.ts';

/**
 * Writes down what has expired: an open invitation past its time becomes `expired` at its expiry
 * (reports count expired invitations from the table; reads compute it already, central/bridge/store.ts).
 * Once a minute, on one instance at a time ("brdx" in ASCII).
 */
export const invitationExpiryJob: PeriodicJob = {
  name: 'invitation expiry',
  lockKey: 0x62726478,
  everyMs: 60_000,
  run: async (tx) => {
    await tx.query(
      `UPDATE bridge_invitations SET status = 'expired', status_at = expires_at
        WHERE status IN ('waiting', 'delivered') AND expires_at <= now()`,
    );
  },
};
