import { randomBytes } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import { z } from 'zod';
import type { Result } from '../../shared/api.ts';
import { audit } from './store/audit.ts';
import { type PinRole, getPinHash } from './store/settings.ts';
import { readState, writeState } from './store/state.ts';
import { verifyPin } from './store/pin-hash.ts';

/**
 * PIN checks with lockout. Failures are counted in the database, so restarting the kiosk does not
 * reset a lockout. FREE_ATTEMPTS wrong PINs in a row lock the panel for BASE_LOCK_MS; each further
 * wrong PIN doubles the lock, up to MAX_LOCK_MS. Every wrong PIN goes to the audit log.
 */
export const FREE_ATTEMPTS = 3;
export const BASE_LOCK_MS = 30_000;
export const MAX_LOCK_MS = 15 * 60_000;

const Lockout = z.object({ failures: z.number().int().min(0), lockedUntil: z.number() });

export const lockDuration = (failures: number): number =>
  failures < FREE_ATTEMPTS ? 0 : Math.min(MAX_LOCK_MS, BASE_LOCK_MS * 2 ** (failures - FREE_ATTEMPTS));

export type Session = { role: PinRole; expiresAt: number };

export const createStaffAuth = (db: Database, now: () => number) => {
  const sessions = new Map<string, Session>();
  const key = (role: PinRole) => `lockout:${role}`;

  const unlock = (role: PinRole, pin: string, sessionMs: number): Result<{ session: string; expiresAt: string }> => {
    const lock = readState(db, key(role), Lockout) ?? { failures: 0, lockedUntil: 0 };
    const t = now();
    if (lock.lockedUntil > t) {
      audit(db, role, 'pin_refused_locked', {});
      return {
        ok: false,
        error: {
          code: 'locked',
          message: 'too many wrong PINs; try again later',
          retryAfterMs: Math.ceil(lock.lockedUntil - t),
        },
      };
    }
    const stored = getPinHash(db, role);
    if (stored && verifyPin(pin, stored)) {
      writeState(db, key(role), { failures: 0, lockedUntil: 0 });
      const token = randomBytes(24).toString('base64url');
      const expiresAt = t + sessionMs;
      sessions.set(token, { role, expiresAt });
      audit(db, role, 'unlock', {});
      return { ok: true, value: { session: token, expiresAt: new Date(expiresAt).toISOString() } };
    }
    const failures = lock.failures + 1;
    const lockedForMs = lockDuration(failures);
    writeState(db, key(role), { failures, lockedUntil: t + lockedForMs });
    audit(db, role, 'pin_failed', { failures, lockedForMs });
    return {
      ok: false,
      error: {
        code: 'bad_pin',
        message: 'wrong PIN',
        attemptsLeft: Math.max(0, FREE_ATTEMPTS - failures),
        lockedForMs,
      },
    };
  };

  /** A live session of the role, extended on use (the panel closes itself when left idle). */
  const check = (token: string, role: PinRole, sessionMs: number): boolean => {
    const s = sessions.get(token);
    // A session of the other role is refused but left alone: a staff token sent to an admin method
    // must not end the staff panel's session.
    if (!s || s.role !== role) return false;
    if (s.expiresAt <= now()) {
      sessions.delete(token);
      return false;
    }
    s.expiresAt = now() + sessionMs;
    return true;
  };

  const lock = (token: string): void => {
    sessions.delete(token);
  };

  /** A PIN just changed: the failures counted against the old one no longer apply. */
  const resetLockout = (role: PinRole): void => writeState(db, key(role), { failures: 0, lockedUntil: 0 });

  return { unlock, check, lock, resetLockout };
};
export type StaffAuth = ReturnType<typeof createStaffAuth>;
