import { z } from 'zod';
import { addressKey } from '../console/auth/login-failures.ts';
import { firstRow } from '../db/rows.ts';
import type { Queryable } from '../db/types.ts';
import type { RateLimiterFactory } from './rate-limit.ts';

/**
 * Rate limits counted in PostgreSQL (migration 10, `rate_limit_counters`), so that a budget holds
 * across every instance of the service on one database: an address that spreads its requests over
 * two instances behind a proxy gets the budget once, not once per instance.
 *
 * One UPSERT per hit, one round trip, no transaction: the row lock PostgreSQL takes for the
 * ON CONFLICT update serialises concurrent hits on one key, so no hit is lost. The window is a fixed
 * one starting at the key's first hit (as @fastify/rate-limit's own store does), timed by the
 * database's clock so instances whose clocks differ still agree.
 */
const COUNT_HIT_SQL = `
  INSERT INTO rate_limit_counters AS c (key, window_ends_at, hits)
  VALUES ($1, now() + make_interval(secs => $2::double precision / 1000), 1)
  ON CONFLICT (key) DO UPDATE SET
    hits = CASE WHEN c.window_ends_at > now() THEN least(c.hits + 1, 2147483647) ELSE 1 END,
    window_ends_at = CASE WHEN c.window_ends_at > now() THEN c.window_ends_at ELSE EXCLUDED.window_ends_at END
  RETURNING hits, ceil(extract(epoch FROM (window_ends_at - now())))::integer AS ttl_seconds`;

const HitRow = z.object({ hits: z.coerce.number().int(), ttl_seconds: z.coerce.number().int() });

/** Counts one hit on `key` in a window of `windowMs`; returns the hits in the window so far and its seconds left. */
export const countHit = async (
  db: Queryable,
  key: string,
  windowMs: number,
): Promise<{ hits: number; ttlSeconds: number }> => {
  const row = firstRow(HitRow, await db.query(COUNT_HIT_SQL, [key, windowMs]));
  if (!row) throw new Error('rate_limit_counters: the upsert returned no row');
  return { hits: row.hits, ttlSeconds: row.ttl_seconds };
};

/** Limiters whose counts live in PostgreSQL (see above); keys are "name:key", an address by addressKey (IPv6 per /64). */
export const sharedLimiters =
  (db: Queryable): RateLimiterFactory =>
  (name, budget, keyOf) =>
  async (req) => {
    const key = `${name}:${keyOf ? keyOf(req) : addressKey(req.ip)}`;
    const { hits, ttlSeconds } = await countHit(db, key, budget.windowMs);
    return { exceeded: hits > budget.max, retryAfterSeconds: Math.max(1, ttlSeconds) };
  };

/** Deletes counters whose window has ended (a later hit would restart them anyway): the table stays small. */
export const pruneRateLimitCounters = async (db: Queryable): Promise<number> =>
  (await db.query('DELETE FROM rate_limit_counters WHERE window_ends_at <= now()')).rowCount;
