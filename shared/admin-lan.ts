import { z } from 'zod';
import { AdminSession } from './admin.ts';

/**
 * The admin panel's "Ghép nối máy tính quầy" section (issue 11, LAN bridge): turn the bridge on or
 * off, show a new one-time pairing code, list the paired counter PCs and revoke one. Spread into
 * `kioskApi` in shared/api.ts beside adminApi.
 */

const Iso = z.iso.datetime();

export const LanClientView = z.object({
  id: z.string(),
  label: z.string(),
  pairedAt: Iso,
  lastSeenAt: Iso.nullable(),
  revokedAt: Iso.nullable(),
});
export type LanClientView = z.infer<typeof LanClientView>;

export const AdminLanStatus = z.object({
  enabled: z.boolean(),
  host: z.string(),
  port: z.number().int(),
  /** "host:port" while the kiosk listens; null when off or when it could not listen. */
  listening: z.string().nullable(),
  /** Why it does not listen although enabled (port taken, address not this PC's). */
  error: z.string().nullable(),
  /** The page counter PCs open: http://<this PC's LAN address>:<port>/ for each address it listens on. */
  pageUrls: z.array(z.string()),
  /** The open pairing code's expiry and tries left; the code itself is shown only when made. */
  openCode: z.object({ expiresAt: Iso, attemptsLeft: z.number().int().min(0) }).nullable(),
  clients: z.array(LanClientView),
});
export type AdminLanStatus = z.infer<typeof AdminLanStatus>;

const session = { session: AdminSession };

export const adminLanApi = {
  adminLanStatus: { input: z.object(session).strict(), output: AdminLanStatus },
  /** Turns listening on the LAN on or off (the setting lanBridgeEnabled); audited. */
  adminLanSetEnabled: {
    input: z.object({ ...session, enabled: z.boolean() }).strict(),
    output: AdminLanStatus,
  },
  /** A new one-time code (8 digits, 10 minutes, single use); any open one ends. */
  adminLanNewCode: {
    input: z.object(session).strict(),
    output: z.object({ code: z.string().regex(/^\d{8}$/), expiresAt: Iso }),
  },
  adminLanRevoke: {
    input: z.object({ ...session, clientId: z.string().min(1).max(64) }).strict(),
    output: LanClientView,
  },
} as const;
