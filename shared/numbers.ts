import { z } from 'zod';

/**
 * Bounds for numbers that cross a boundary. Every integer a client sends has an explicit range that
 * fits where central keeps it: PostgreSQL `integer` columns (seq, versions, counts) hold at most
 * 2^31 − 1, and a value beyond that must be a 400 naming the field, never a failed INSERT (a 500).
 */
export const MAX_INT32 = 2_147_483_647;

/** A whole number in [min, 2^31 − 1]: what fits a PostgreSQL `integer` column. */
export const Int32 = (min = 0) => z.number().int().min(min).max(MAX_INT32);

/** A whole number in [min, 2^53 − 1]: a count or size kept in JSON (or `bigint`), exact in a double. */
export const SafeInt = (min = 0) => z.number().int().min(min).max(Number.MAX_SAFE_INTEGER);
