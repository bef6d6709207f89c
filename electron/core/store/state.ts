import type { Database } from 'better-sqlite3';
import type { z } from 'zod';

/** Small JSON values the kiosk keeps for itself (device id, assignment, lockouts), validated on read. */
export const readState = <T extends z.ZodType>(db: Database, key: string, schema: T): z.infer<T> | undefined => {
  const row = db.prepare('SELECT value FROM state WHERE key = ?').get(key) as { value: string } | undefined;
  if (!row) return undefined;
  const parsed = schema.safeParse(JSON.parse(row.value));
  return parsed.success ? parsed.data : undefined;
};

export const writeState = (db: Database, key: string, value: unknown): void => {
  db.prepare('INSERT INTO state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(
    key,
    JSON.stringify(value),
  );
};
