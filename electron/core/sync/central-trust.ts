import type { Database } from 'better-sqlite3';
import { sha256Hex } from '../../../shared/node/signing.ts';
import { demoPinRoles } from '../store/demo-pins.ts';
import { getSetting } from '../store/settings.ts';

/**
 * What the kiosk trusts of a central service, beyond the one-time code: the central key IT pinned at
 * install, plain http only to this PC (or a LAN IT allowed), and no enrolment or sync while the
 * published demo PINs still open the panels.
 */

/** SHA-256 (hex) of a central public key (raw Ed25519, base64url): what IT compares and pins. */
export const centralKeyFingerprint = (publicKeyB64url: string): string =>
  sha256Hex(Buffer.from(publicKeyB64url, 'base64url'));

/**
 * A fingerprint as IT types or pastes it (hex, any case, with colons or spaces), or central's public
 * key itself (43 characters of base64url, as central prints at start): the fingerprint, or null.
 */
export const parseCentralKeyPin = (input: string): string | null => {
  const text = input.trim();
  if (/^[A-Za-z0-9_-]{43}$/.test(text) && Buffer.from(text, 'base64url').length === 32)
    return centralKeyFingerprint(text);
  const hex = text.replace(/[\s:]/g, '').toLowerCase();
  return /^[0-9a-f]{64}$/.test(hex) ? hex : null;
};

const isLoopback = (hostname: string): boolean => {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
};

/** Why enrolling with this URL is refused by the transport rule, or null. */
export const plainHttpRefusal = (url: URL, allowPlainHttpLan: boolean): string | null => {
  if (url.protocol !== 'http:' || isLoopback(url.hostname) || allowPlainHttpLan) return null;
  return (
    `${url.origin} is plain http to another machine: anyone on the network could read or change what the kiosk ` +
    'sends. Use https://, or, on a closed office LAN only, allow it with: kioskctl config set allowPlainHttpLan true'
  );
};

export type TrustRefusal = { code: 'demo_pins' | 'central_key_mismatch'; message: string };

export const demoPinsRefusal = (db: Database, doing: string): TrustRefusal | null => {
  const roles = demoPinRoles(db);
  if (roles.length === 0) return null;
  const which = roles.map((r) => `${r} PIN`).join(' and ');
  return {
    code: 'demo_pins',
    message:
      `the ${which} ${roles.length > 1 ? 'are' : 'is'} still the published demo default: change ${roles.length > 1 ? 'them' : 'it'} ` +
      `first (admin panel, PINs tab, or kioskctl config set ${roles[0]}Pin NEW), then ${doing}`,
  };
};

/** Why a central key is refused by the pin IT set, or null (no pin, or it matches). */
export const centralKeyRefusal = (db: Database, centralPublicKey: string): TrustRefusal | null => {
  const pinned = getSetting(db, 'centralKeyFingerprint');
  if (pinned === null) return null;
  const actual = centralKeyFingerprint(centralPublicKey);
  if (actual === pinned) return null;
  return {
    code: 'central_key_mismatch',
    message:
      `central's key (fingerprint ${actual}) is not the one pinned on this kiosk (${pinned}): ` +
      "this may not be your central service. Check the address, or the pinned fingerprint with central's operator",
  };
};

/**
 * Why an enrolled kiosk must not sync now, or null. Checked by the sync engine before each pass, so
 * the admin panel, kioskctl sync and the background loop all hold alike.
 */
export const syncHold = (db: Database, enrolled: { centralPublicKey: string }): TrustRefusal | null =>
  demoPinsRefusal(db, 'sync resumes') ?? centralKeyRefusal(db, enrolled.centralPublicKey);
