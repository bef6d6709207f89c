import type { Invitation } from '../../../shared/invitation.ts';

/**
 * When an invitation stops waiting, on THIS kiosk's clock (issue 11).
 *
 * The issuer's `issuedAt` and `expiresAt` are on its own clock, which may be far from the kiosk's.
 * The lifetime (expiresAt − issuedAt) does not depend on either clock, so the kiosk counts it from its
 * own receipt: a kiosk two hours off still shows a ten-minute invitation for ten minutes. That alone
 * would give an invitation re-sent after a reconnect its whole lifetime again; so where the offset of
 * the issuer's clock is known (central's, measured by every heartbeat; zero for invitations made on
 * this kiosk by the LAN bridge or kioskctl), the issuer's own deadline translated to the kiosk's clock
 * bounds it too, and an invitation is never shown after it expired where it was issued.
 *
 * @param offsetMs kiosk clock minus issuer clock, or null when unknown.
 */
export const localDeadline = (invitation: Invitation, receivedMs: number, offsetMs: number | null): number => {
  const expiresMs = Date.parse(invitation.expiresAt);
  const byLifetime = receivedMs + (expiresMs - Date.parse(invitation.issuedAt));
  return offsetMs === null ? byLifetime : Math.min(byLifetime, expiresMs + offsetMs);
};
