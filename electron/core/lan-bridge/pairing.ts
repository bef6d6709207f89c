import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import { uuidv7 } from '../../../shared/ids.ts';
import { LAN_PAIRING, LAN_TOKEN_PREFIX, LanToken } from '../../../shared/lan-bridge.ts';
import { PinHash, hashPin, verifyPin } from '../store/pin-hash.ts';

/**
 * Pairing counter PCs with the kiosk's LAN bridge (kiosk migration 8). IT shows a one-time code on
 * the admin panel (or `kioskctl lan-pair`); the PC sends it once and gets its own token. The code is
 * scrypt-hashed like a PIN: a copy of the database taken while it is open does not give it away in
 * a second (8 digits under SHA-256 would). The token is 32 random bytes, so its SHA-256 is enough,
 * and lets a request find its client with one indexed lookup.
 */

export type LanClient = {
  id: string;
  label: string;
  pairedAt: string;
  lastSeenAt: string | null;
  revokedAt: string | null;
};

type ClientRow = {
  id: string;
  label: string;
  paired_at: string;
  last_seen_at: string | null;
  revoked_at: string | null;
};
type CodeRow = { id: number; code_hash: string; expires_at: string; wrong_attempts: number };

const clientOf = (r: ClientRow): LanClient => ({
  id: r.id,
  label: r.label,
  pairedAt: r.paired_at,
  lastSeenAt: r.last_seen_at,
  revokedAt: r.revoked_at,
});

const iso = (ms: number) => new Date(ms).toISOString();
export const tokenHash = (token: string): string => createHash('sha256').update(token).digest('hex');

/** The code still open (not used, voided or replaced) and not yet expired, if any. */
const openCode = (db: Database, now: number): CodeRow | undefined => {
  const row = db
    .prepare(
      'SELECT id, code_hash, expires_at, wrong_attempts FROM lan_pairing_codes WHERE ended_at IS NULL ORDER BY id DESC LIMIT 1',
    )
    .get() as CodeRow | undefined;
  return row && Date.parse(row.expires_at) > now ? row : undefined;
};

export type PairingCodeState = { expiresAt: string; attemptsLeft: number };

/** What the admin panel shows of the open code: never the code itself after it was first shown. */
export const pairingCodeState = (db: Database, now: number): PairingCodeState | null => {
  const row = openCode(db, now);
  return row ? { expiresAt: row.expires_at, attemptsLeft: LAN_PAIRING.maxWrongAttempts - row.wrong_attempts } : null;
};

/** A new one-time code; any code still open ends ('replaced'), so at most one is ever valid. */
export const issuePairingCode = (db: Database, now: number): { code: string; expiresAt: string } => {
  const code = String(randomInt(0, 10 ** LAN_PAIRING.codeDigits)).padStart(LAN_PAIRING.codeDigits, '0');
  const expiresAt = iso(now + LAN_PAIRING.codeTtlSeconds * 1000);
  const stored = JSON.stringify(hashPin(code));
  db.transaction(() => {
    db.prepare("UPDATE lan_pairing_codes SET ended_at = ?, ended_reason = 'replaced' WHERE ended_at IS NULL").run(
      iso(now),
    );
    db.prepare('INSERT INTO lan_pairing_codes (code_hash, created_at, expires_at) VALUES (?, ?, ?)').run(
      stored,
      iso(now),
      expiresAt,
    );
  }).immediate();
  return { code, expiresAt };
};

export type RedeemResult =
  | { ok: true; client: LanClient; token: string }
  | { ok: false; reason: 'no_code' }
  | { ok: false; reason: 'wrong_code'; attemptsLeft: number };

/**
 * Exchanges the open code for a new client and its token, in one IMMEDIATE transaction: two PCs
 * sending the right code at once cannot both pair. A wrong code counts against the code; the
 * `maxWrongAttempts`-th voids it, so guessing 10^8 codes is out of reach.
 */
export const redeemPairingCode = (db: Database, code: string, label: string, now: number): RedeemResult =>
  db
    .transaction((): RedeemResult => {
      const row = openCode(db, now);
      if (!row) return { ok: false, reason: 'no_code' };
      const stored = PinHash.safeParse(JSON.parse(row.code_hash));
      if (!stored.success || !verifyPin(code, stored.data)) {
        const wrong = row.wrong_attempts + 1;
        const voided = wrong >= LAN_PAIRING.maxWrongAttempts;
        db.prepare('UPDATE lan_pairing_codes SET wrong_attempts = ?, ended_at = ?, ended_reason = ? WHERE id = ?').run(
          wrong,
          voided ? iso(now) : null,
          voided ? 'voided' : null,
          row.id,
        );
        return { ok: false, reason: 'wrong_code', attemptsLeft: LAN_PAIRING.maxWrongAttempts - wrong };
      }
      const token = `${LAN_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
      const client: LanClient = { id: uuidv7(now), label, pairedAt: iso(now), lastSeenAt: null, revokedAt: null };
      db.prepare('INSERT INTO lan_clients (id, label, token_hash, paired_at) VALUES (?, ?, ?, ?)').run(
        client.id,
        client.label,
        tokenHash(token),
        client.pairedAt,
      );
      db.prepare("UPDATE lan_pairing_codes SET ended_at = ?, ended_reason = 'used', client_id = ? WHERE id = ?").run(
        client.pairedAt,
        client.id,
        row.id,
      );
      return { ok: true, client, token };
    })
    .immediate();

/** The paired, unrevoked client a token belongs to; a malformed token is refused before any lookup. */
export const clientForToken = (db: Database, token: string): LanClient | undefined => {
  if (!LanToken.safeParse(token).success) return undefined;
  const hash = tokenHash(token);
  const row = db
    .prepare(
      'SELECT id, label, paired_at, last_seen_at, revoked_at, token_hash FROM lan_clients WHERE token_hash = ? AND revoked_at IS NULL',
    )
    .get(hash) as (ClientRow & { token_hash: string }) | undefined;
  // The index found it by equality already; compared again in constant time all the same.
  if (!row || !timingSafeEqual(Buffer.from(row.token_hash), Buffer.from(hash))) return undefined;
  return clientOf(row);
};

export const listClients = (db: Database): LanClient[] =>
  (
    db
      .prepare('SELECT id, label, paired_at, last_seen_at, revoked_at FROM lan_clients ORDER BY paired_at DESC')
      .all() as ClientRow[]
  ).map(clientOf);

/**
 * Revokes a client: its token stops working at once. Undefined when no such client exists; `changed`
 * is false when it was revoked already (its first revocation time stays).
 */
export const revokeClient = (db: Database, id: string, now: number): (LanClient & { changed: boolean }) | undefined => {
  const changed =
    db.prepare('UPDATE lan_clients SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(iso(now), id)
      .changes === 1;
  const row = db
    .prepare('SELECT id, label, paired_at, last_seen_at, revoked_at FROM lan_clients WHERE id = ?')
    .get(id) as ClientRow | undefined;
  return row ? { ...clientOf(row), changed } : undefined;
};

export const touchClient = (db: Database, id: string, now: number): void => {
  db.prepare('UPDATE lan_clients SET last_seen_at = ? WHERE id = ?').run(iso(now), id);
};
