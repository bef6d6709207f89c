import { z } from 'zod';
import { Int, NullableTimestamp, Timestamp, firstRow, parseRows } from '../../db/rows.ts';
import type { Queryable } from '../../db/types.ts';

/**
 * Wrong passwords counted per (account, client address), in the database (migration 5) so that
 * every instance of the service sees the same counts. A lock set here shuts out that address from
 * that account only: whoever floods an account's name locks themselves out, not its officer.
 */

/** The address a count is kept for (shared with the kiosk's LAN bridge, which counts failed tokens the same way). */
export { addressKey } from '../../../shared/node/address-key.ts';

const PairRow = z.object({ failures: Int, locked_until: NullableTimestamp });
export type PairState = { failures: number; lockedUntil: Date | null };

/** This pair's count and lock, its row locked until the transaction ends (parallel guesses all count). */
export const pairState = async (tx: Queryable, userId: number, address: string): Promise<PairState> => {
  const row = firstRow(
    PairRow,
    await tx.query(
      'SELECT failures, locked_until FROM admin_login_failures WHERE user_id = $1 AND address = $2 FOR UPDATE',
      [userId, address],
    ),
  );
  return { failures: row?.failures ?? 0, lockedUntil: row?.locked_until ?? null };
};

export const recordFailure = async (
  tx: Queryable,
  f: { userId: number; address: string; failures: number; lockedUntil: Date | null; now: Date },
): Promise<void> => {
  await tx.query(
    `INSERT INTO admin_login_failures (user_id, address, failures, first_failed_at, last_failed_at, locked_until)
     VALUES ($1, $2, $3, $4, $4, $5)
     ON CONFLICT (user_id, address) DO UPDATE SET failures = excluded.failures, last_failed_at = excluded.last_failed_at,
       locked_until = excluded.locked_until`,
    [f.userId, f.address, f.failures, f.now, f.lockedUntil],
  );
};

/** A correct password from this address: its count starts again. Other addresses' counts stay. */
export const clearPair = async (tx: Queryable, userId: number, address: string): Promise<void> => {
  await tx.query('DELETE FROM admin_login_failures WHERE user_id = $1 AND address = $2', [userId, address]);
};

/** An admin's unlock, or a password reset: every address's count and lock for this account. Returns the addresses. */
export const clearAccount = async (tx: Queryable, userId: number): Promise<string[]> =>
  parseRows(
    z.object({ address: z.string() }),
    await tx.query('DELETE FROM admin_login_failures WHERE user_id = $1 RETURNING address', [userId]),
  ).map((r) => r.address);

const FailureRow = z.object({
  user_id: Int,
  address: z.string(),
  failures: Int,
  first_failed_at: Timestamp,
  last_failed_at: Timestamp,
  locked_until: NullableTimestamp,
});
export type LoginFailures = {
  address: string;
  failures: number;
  firstFailedAt: Date;
  lastFailedAt: Date;
  lockedUntil: Date | null;
};

/** Per account: the addresses that sent wrong passwords in the last `days`, newest first (at most `perUser` each). */
export const recentFailures = async (
  db: Queryable,
  now: Date,
  options: { days?: number; perUser?: number } = {},
): Promise<Map<number, LoginFailures[]>> => {
  const since = new Date(now.getTime() - (options.days ?? 30) * 86_400_000);
  const rows = parseRows(
    FailureRow,
    await db.query(
      `SELECT user_id, address, failures, first_failed_at, last_failed_at, locked_until FROM (
         SELECT *, row_number() OVER (PARTITION BY user_id ORDER BY last_failed_at DESC) AS n
           FROM admin_login_failures WHERE last_failed_at >= $1 OR locked_until > $2) f
        WHERE n <= $3 ORDER BY user_id, last_failed_at DESC`,
      [since, now, options.perUser ?? 10],
    ),
  );
  const byUser = new Map<number, LoginFailures[]>();
  for (const r of rows) {
    const list = byUser.get(r.user_id) ?? [];
    list.push({
      address: r.address,
      failures: r.failures,
      firstFailedAt: r.first_failed_at,
      lastFailedAt: r.last_failed_at,
      lockedUntil: r.locked_until,
    });
    byUser.set(r.user_id, list);
  }
  return byUser;
};
