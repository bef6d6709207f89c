import type { CentralDb } from '../../db/types.ts';
import { audit } from '../audit.ts';
import { verifyNothing, verifyPassword } from './password.ts';
import { type AdminUser, findUserByName } from './users.ts';

/**
 * Lockout: after `threshold` wrong passwords in a row the account is locked for `baseSeconds`, and
 * each further wrong password (once the lock has run out) doubles it, up to `maxSeconds`. The count
 * and the lock are stored on the account, so a restart does not reset them; a correct password
 * during a lock is refused too. Every failure, lock and refusal is in the audit log.
 */
export type LockoutPolicy = { threshold: number; baseSeconds: number; maxSeconds: number };
export const DEFAULT_LOCKOUT: LockoutPolicy = { threshold: 5, baseSeconds: 30, maxSeconds: 3600 };

export const lockSeconds = (failures: number, policy: LockoutPolicy): number =>
  failures < policy.threshold
    ? 0
    : Math.min(policy.maxSeconds, policy.baseSeconds * 2 ** Math.min(30, failures - policy.threshold));

export type LoginOutcome =
  { ok: true; user: AdminUser } | { ok: false; reason: 'invalid' } | { ok: false; reason: 'locked'; until: Date };

export const attemptLogin = async (
  db: CentralDb,
  input: { username: string; password: string; now: Date; ip: string | null; policy: LockoutPolicy },
): Promise<LoginOutcome> => {
  const { now, ip, policy } = input;
  const name = input.username.trim().toLowerCase().slice(0, 64);
  // The account row is locked for the whole check, so parallel guesses are all counted.
  return db.transaction(async (tx) => {
    const user = await findUserByName(tx, name, { forUpdate: true });
    if (!user || user.disabledAt) {
      await verifyNothing(input.password);
      await audit(tx, {
        username: name || null,
        action: 'login_failed',
        detail: { reason: user ? 'disabled' : 'unknown_user' },
        ip,
        at: now,
      });
      return { ok: false, reason: 'invalid' };
    }
    if (user.lockedUntil && user.lockedUntil.getTime() > now.getTime()) {
      await audit(tx, {
        username: user.username,
        action: 'login_locked',
        detail: { until: user.lockedUntil.toISOString() },
        ip,
        at: now,
      });
      return { ok: false, reason: 'locked', until: user.lockedUntil };
    }
    if (!(await verifyPassword(input.password, user.passwordHash))) {
      const failures = user.failedLogins + 1;
      const seconds = lockSeconds(failures, policy);
      const until = seconds > 0 ? new Date(now.getTime() + seconds * 1000) : null;
      await tx.query('UPDATE admin_users SET failed_logins = $2, locked_until = $3 WHERE id = $1', [
        user.id,
        failures,
        until,
      ]);
      await audit(tx, {
        username: user.username,
        action: 'login_failed',
        detail: { reason: 'wrong_password', failures },
        ip,
        at: now,
      });
      if (until) {
        await audit(tx, {
          username: user.username,
          action: 'account_locked',
          detail: { failures, seconds, until: until.toISOString() },
          ip,
          at: now,
        });
        return { ok: false, reason: 'locked', until };
      }
      return { ok: false, reason: 'invalid' };
    }
    await tx.query('UPDATE admin_users SET failed_logins = 0, locked_until = NULL, last_login_at = $2 WHERE id = $1', [
      user.id,
      now,
    ]);
    await audit(tx, { username: user.username, action: 'login', ip, at: now });
    return { ok: true, user };
  });
};
