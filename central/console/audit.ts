import { z } from 'zod';
import { Int, Timestamp, parseRows } from '../db/rows.ts';
import type { Queryable } from '../db/types.ts';
import { cleanDeep, cleanText } from './clean-text.ts';

/** What the console records: every login attempt and every change an operator makes. */
export const AuditAction = z.enum([
  'login',
  'login_failed',
  'login_locked',
  'account_locked',
  'logout',
  'user_created',
  'user_disabled',
  'user_enabled',
  'user_unlocked',
  'password_changed',
  'password_reset',
  'enrolment_code_issued',
  'device_revoked',
  'device_unrevoked',
  'batch_uploaded',
  'batch_refused',
  'config_draft_created',
  'config_published',
  'unit_created',
  'unit_changed',
  'unit_indicator_set',
  'report_settings_saved',
  'report_export',
  'follow_up_number_shown',
  'follow_up_status_changed',
  'follow_up_erased',
  'follow_up_settings_saved',
  'integration_key_created',
  'integration_key_revoked',
  'invitation_sent',
  'device_counter_set',
]);
export type AuditAction = z.infer<typeof AuditAction>;

export type AuditEntry = {
  username: string | null;
  action: AuditAction;
  detail?: Record<string, unknown>;
  ip?: string | null;
  at: Date;
};

/**
 * One audit row. Give it the transaction of the change it records (`tx`), so that both are committed
 * or neither is. Every string is cleaned first (clean-text.ts): a name typed or uploaded by a user can
 * never make the insert fail after the change it records was committed.
 */
export const audit = async (db: Queryable, e: AuditEntry): Promise<void> => {
  await db.query('INSERT INTO admin_audit (at, username, action, detail, ip) VALUES ($1, $2, $3, $4::jsonb, $5)', [
    e.at,
    e.username === null ? null : cleanText(e.username, 64),
    e.action,
    JSON.stringify(cleanDeep(e.detail ?? {})),
    e.ip == null ? null : cleanText(e.ip, 100),
  ]);
};

const Row = z.object({
  id: Int,
  at: Timestamp,
  username: z.string().nullable(),
  action: z.string(),
  detail: z.record(z.string(), z.unknown()),
  ip: z.string().nullable(),
});
export type AuditRow = z.infer<typeof Row>;

/** Newest first, keyset-paged by id. */
export const listAudit = async (
  db: Queryable,
  options: { limit?: number; beforeId?: number; action?: string } = {},
): Promise<AuditRow[]> =>
  parseRows(
    Row,
    await db.query(
      `SELECT id, at, username, action, detail, ip FROM admin_audit
        WHERE ($1::bigint IS NULL OR id < $1) AND ($2::text IS NULL OR action = $2)
        ORDER BY id DESC LIMIT $3`,
      [options.beforeId ?? null, options.action ?? null, Math.min(options.limit ?? 100, 500)],
    ),
  );
