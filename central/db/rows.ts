import { z } from 'zod';
import type { DbResult } from './types.ts';

/**
 * Rows are a boundary too: each driver has its own ideas (node-postgres returns int8 as a string,
 * PGlite as a number), so every row read is parsed with a schema.
 */
export const parseRows = <S extends z.ZodType>(schema: S, result: DbResult): z.infer<S>[] =>
  result.rows.map((r) => schema.parse(r));

export const firstRow = <S extends z.ZodType>(schema: S, result: DbResult): z.infer<S> | undefined => {
  const row = result.rows[0];
  return row === undefined ? undefined : schema.parse(row);
};

/** int4/int8/numeric from either driver. */
export const Int = z.coerce.number().int();
export const Timestamp = z.coerce.date();
export const NullableTimestamp = z.coerce.date().nullable();
