import type { CentralDb } from '../../db/types.ts';
import { audit } from '../audit.ts';
import { addressKey, clearPair, pairState, recordFailure } from './login-failures.ts';
import { verifyNothing, verifyPassword } from './password.ts';
import { type AdminUser, findUserByName } from './users.ts';

/**
 * Lockout, per (account, client address): after `threshold` wrong passwords in a row from one
 * address, that address is locked out of that account for `baseSeconds`, and each further wrong
 * password from it (once the lock has run out) doubles it, up to `maxSeconds`. The officer logging in
 * from another address is not affected, so sending wrong passwords to a name is no denial of service;
 * guessing stays bounded by this lock and by the per-address rate limit (ConsoleContext.limitLogin).
 * Counts and locks are in the database (login-failures.ts), so a restart does not reset them and
 * several instances share them; a correct password from a locked address is refused too. Every
 * failure, lock and refusal is in the audit log with its address.
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
    const address = addressKey(ip);
    const pair = await pairState(tx, user.id, address);
    if (pair.lockedUntil && pair.lockedUntil.getTime() > now.getTime()) {
      await audit(tx, {
        username: user.username,
        action: 'login_locked',
        detail: { until: pair.lockedUntil.toISOString(), address },
        ip,
        at: now,
      });
      return { ok: false, reason: 'locked', until: pair.lockedUntil };
    }
    if (!(await verifyPassword(input.password, user.passwordHash))) {
      const failures = pair.failures + 1;
      const seconds = lockSeconds(failures, policy);
      const until = seconds > 0 ? new Date(now.getTime() + seconds * 1000) : null;
      await recordFailure(tx, { userId: user.id, address, failures, lockedUntil: until, now });
      await audit(tx, {
        username: user.username,
        action: 'login_failed',
        detail: { reason: 'wrong_password', failures, address },
        ip,
        at: now,
      });
      if (until) {
        await audit(tx, {
          username: user.username,
          action: 'account_locked',
          detail: { failures, seconds, until: until.toISOString(), address },
          ip,
          at: now,
        });
        return { ok: false, reason: 'locked', until };
      }
      return { ok: false, reason: 'invalid' };
    }
    await clearPair(tx, user.id, address);
    await tx.query('UPDATE admin_users SET last_login_at = $2 WHERE id = $1', [user.id, now]);
    await audit(tx, { username: user.username, action: 'login', ip, at: now });
    return { ok: true, user };
  });
};
