import type { Database } from 'better-sqlite3';

export type AuditActor = 'staff' | 'admin' | 'system' | 'kioskctl';
export type AuditEntry = { id: number; at: string; actor: AuditActor; action: string; details: Record<string, unknown> };

/** Procedure switches, PIN failures and admin actions, kept with the data they concern. */
export const audit = (db: Database, actor: AuditActor, action: string, details: Record<string, unknown> = {}): void => {
  db.prepare('INSERT INTO audit_log (at, actor, action, details) VALUES (?, ?, ?, ?)').run(new Date().toISOString(), actor, action, JSON.stringify(details));
};

export const recentAudit = (db: Database, limit = 100): AuditEntry[] =>
  (db.prepare('SELECT id, at, actor, action, details FROM audit_log ORDER BY id DESC LIMIT ?').all(limit) as {
    id: number;
    at: string;
    actor: AuditActor;
    action: string;
    details: string;
  }[]).map((r) => ({ ...r, details: JSON.parse(r.details) as Record<string, unknown> }));
