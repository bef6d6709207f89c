import type { Database } from 'better-sqlite3';

export const recordUse = (db: Database, code: string): void => {
  db.prepare(
    `INSERT INTO procedure_usage (code, last_used_at, use_count) VALUES (?, ?, 1)
     ON CONFLICT (code) DO UPDATE SET last_used_at = excluded.last_used_at, use_count = use_count + 1`,
  ).run(code, new Date().toISOString());
};

export const recentProcedures = (db: Database, limit = 8): string[] =>
  (
    db
      .prepare('SELECT code FROM procedure_usage WHERE last_used_at IS NOT NULL ORDER BY last_used_at DESC LIMIT ?')
      .all(limit) as { code: string }[]
  ).map((r) => r.code);

export const favouriteProcedures = (db: Database): string[] =>
  (db.prepare('SELECT code FROM procedure_usage WHERE favourite = 1 ORDER BY code').all() as { code: string }[]).map(
    (r) => r.code,
  );

export const toggleFavourite = (db: Database, code: string): void => {
  db.prepare(
    `INSERT INTO procedure_usage (code, favourite) VALUES (?, 1)
     ON CONFLICT (code) DO UPDATE SET favourite = 1 - favourite`,
  ).run(code);
};
