import type { Database } from 'better-sqlite3';

export type AuditActor = 'staff' | 'admin' | 'system' | 'kioskctl';
export type AuditEntry = {
  id: number;
  at: string;
  actor: AuditActor;
  action: string;
  details: Record<string, unknown>;
};

/** Procedure switches, PIN failures and admin actions, kept with the data they concern. */
export const audit = (db: Database, actor: AuditActor, action: string, details: Record<string, unknown> = {}): void => {
  db.prepare('INSERT INTO audit_log (at, actor, action, details) VALUES (?, ?, ?, ?)').run(
    new Date().toISOString(),
    actor,
    action,
    JSON.stringify(details),
  );
};

export const recentAudit = (db: Database, limit = 100): AuditEntry[] =>
  (
    db.prepare('SELECT id, at, actor, action, details FROM audit_log ORDER BY id DESC LIMIT ?').all(limit) as {
      id: number;
      at: string;
      actor: AuditActor;
      action: string;
      details: string;
    }[]
  ).map((r) => ({ ...r, details: JSON.parse(r.details) as Record<string, unknown> }));

/** One page of the audit log, newest first, below the id `before` (the admin panel pages back with it). */
export const auditPage = (
  db: Database,
  o: { before?: number; limit: number },
): { entries: AuditEntry[]; nextBefore: number | null; total: number } => {
  const rows = db
    .prepare('SELECT id, at, actor, action, details FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT ?')
    .all(o.before ?? Number.MAX_SAFE_INTEGER, o.limit + 1) as {
    id: number;
    at: string;
    actor: AuditActor;
    action: string;
    details: string;
  }[];
  const total = (db.prepare('SELECT COUNT(*) AS n FROM audit_log').get() as { n: number }).n;
  const page = rows.slice(0, o.limit);
  const entries = page.map((r) => {
    let details: unknown;
    try {
      details = JSON.parse(r.details);
    } catch {
      details = r.details;
    }
    return {
      ...r,
      details:
        details !== null && typeof details === 'object' && !Array.isArray(details)
          ? (details as Record<string, unknown>)
          : { value: details },
    };
  });
  return { entries, nextBefore: rows.length > o.limit ? page.at(-1)!.id : null, total };
};
