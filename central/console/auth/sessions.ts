import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { sha256Hex } from '../../../shared/node/signing.ts';
import { Int, Timestamp, firstRow } from '../../db/rows.ts';
import type { Queryable } from '../../db/types.ts';
import { AdminRole } from './users.ts';

/**
 * Server-side sessions. The cookie holds a random token; the database holds only its SHA-256, the
 * account, a per-session CSRF token, and two limits: an absolute expiry and an idle timeout.
 */
export type SessionPolicy = { absoluteMs: number; idleMs: number };

export type Session = {
  tokenHash: string;
  csrfToken: string;
  userId: number;
  username: string;
  displayName: string;
  role: AdminRole;
  unitId: string | null;
  passwordIsInitial: boolean;
  expiresAt: Date;
};

/** Last-seen is written at most this often: most page views then cost no write. */
const TOUCH_EVERY_MS = 60_000;

export const newToken = (): string => randomBytes(32).toString('base64url');

export const createSession = async (
  db: Queryable,
  userId: number,
  now: Date,
  policy: SessionPolicy,
): Promise<{ token: string; csrfToken: string; expiresAt: Date }> => {
  const token = newToken();
  const csrfToken = newToken();
  const expiresAt = new Date(now.getTime() + policy.absoluteMs);
  await db.query(
    'INSERT INTO admin_sessions (token_hash, user_id, csrf_token, created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $4, $4, $5)',
    [sha256Hex(token), userId, csrfToken, now, expiresAt],
  );
  // Sessions of this account that ran out are of no use to anyone.
  await db.query('DELETE FROM admin_sessions WHERE user_id = $1 AND expires_at <= $2', [userId, now]);
  return { token, csrfToken, expiresAt };
};

const Row = z.object({
  token_hash: z.string(),
  csrf_token: z.string(),
  user_id: Int,
  username: z.string(),
  display_name: z.string(),
  role: AdminRole,
  unit_id: z.string().nullable(),
  password_is_initial: z.boolean(),
  expires_at: Timestamp,
  last_seen_at: Timestamp,
});

/** The live session for a cookie token, or undefined (unknown, expired, idle too long, or its account disabled). */
export const findSession = async (
  db: Queryable,
  token: string,
  now: Date,
  policy: SessionPolicy,
): Promise<Session | undefined> => {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return undefined;
  const row = firstRow(
    Row,
    await db.query(
      `SELECT s.token_hash, s.csrf_token, s.user_id, u.username, u.display_name, u.role, u.unit_id, u.password_is_initial, s.expires_at, s.last_seen_at
         FROM admin_sessions s JOIN admin_users u ON u.id = s.user_id
        WHERE s.token_hash = $1 AND u.disabled_at IS NULL`,
      [sha256Hex(token)],
    ),
  );
  if (!row) return undefined;
  if (row.expires_at.getTime() <= now.getTime() || row.last_seen_at.getTime() + policy.idleMs <= now.getTime()) {
    await db.query('DELETE FROM admin_sessions WHERE token_hash = $1', [row.token_hash]);
    return undefined;
  }
  if (now.getTime() - row.last_seen_at.getTime() >= TOUCH_EVERY_MS) {
    await db.query('UPDATE admin_sessions SET last_seen_at = $2 WHERE token_hash = $1', [row.token_hash, now]);
  }
  return {
    tokenHash: row.token_hash,
    csrfToken: row.csrf_token,
    userId: row.user_id,
    username: row.username,
    displayName: row.display_name,
    role: row.role,
    unitId: row.unit_id,
    passwordIsInitial: row.password_is_initial,
    expiresAt: row.expires_at,
  };
};

export const endSession = async (db: Queryable, tokenHash: string): Promise<void> => {
  await db.query('DELETE FROM admin_sessions WHERE token_hash = $1', [tokenHash]);
};

/** Ends every session of an account (password changed or reset, account disabled), except `keep`. */
export const endSessionsOf = async (db: Queryable, userId: number, keep?: string): Promise<void> => {
  await db.query('DELETE FROM admin_sessions WHERE user_id = $1 AND ($2::text IS NULL OR token_hash <> $2)', [
    userId,
    keep ?? null,
  ]);
};
