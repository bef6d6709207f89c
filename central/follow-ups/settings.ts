import { z } from 'zod';
import type { PublishedContactKey } from '../../shared/follow-up.ts';
import { Int, firstRow } from '../db/rows.ts';
import type { Queryable } from '../db/types.ts';

const Day = z.iso.date();

/** What the province decides (console, province admin): the due time and how long a closed case's contact is kept. */
export const FollowUpSettings = z
  .object({
    /** Working days (Mon-Fri, minus holidays) the office has to call back and close the case. */
    dueWorkingDays: z.number().int().min(1).max(60),
    /** Public holidays (YYYY-MM-DD) that are not working days. */
    holidays: z.array(Day).max(200),
    /** Days after closing at which the contact (and the notes' text) is erased. */
    retentionDays: z.number().int().min(0).max(3650),
  })
  .strict();
export type FollowUpSettings = z.infer<typeof FollowUpSettings>;

export const DEFAULT_FOLLOW_UP_SETTINGS: FollowUpSettings = { dueWorkingDays: 5, holidays: [], retentionDays: 30 };

const Row = z.object({
  due_working_days: Int,
  holidays: z.array(z.union([z.string(), z.date()])),
  retention_days: Int,
  contact_key_id: z.string().nullable(),
  contact_public_key: z.string().nullable(),
});

// PGlite gives a date[] as Date objects at UTC midnight, node-postgres as strings.
const dayText = (d: string | Date): string => (typeof d === 'string' ? d : d.toISOString().slice(0, 10));

const readRow = async (db: Queryable) =>
  firstRow(
    Row,
    await db.query(
      `SELECT due_working_days, array(SELECT to_char(h, 'YYYY-MM-DD') FROM unnest(holidays) h ORDER BY h) AS holidays,
              retention_days, contact_key_id, contact_public_key FROM follow_up_settings`,
    ),
  );

export const followUpSettings = async (db: Queryable): Promise<FollowUpSettings> => {
  const row = await readRow(db);
  return row
    ? { dueWorkingDays: row.due_working_days, holidays: row.holidays.map(dayText), retentionDays: row.retention_days }
    : DEFAULT_FOLLOW_UP_SETTINGS;
};

export const saveFollowUpSettings = async (db: Queryable, settings: FollowUpSettings): Promise<void> => {
  const s = FollowUpSettings.parse(settings);
  await db.query('UPDATE follow_up_settings SET due_working_days = $1, holidays = $2::date[], retention_days = $3', [
    s.dueWorkingDays,
    [...new Set(s.holidays)].sort(),
    s.retentionDays,
  ]);
};

/** The contact key every configuration publishes (publishConfig reads it in its own transaction). */
export const publishedContactKey = async (db: Queryable): Promise<PublishedContactKey | undefined> => {
  const row = await readRow(db);
  return row?.contact_key_id && row.contact_public_key
    ? { keyId: row.contact_key_id, publicKey: row.contact_public_key }
    : undefined;
};

/** Records the key this instance opens contacts with; returns the key it replaced, if another. */
export const recordContactKey = async (
  db: Queryable,
  key: PublishedContactKey,
): Promise<PublishedContactKey | undefined> => {
  const before = await publishedContactKey(db);
  if (before?.keyId === key.keyId) return undefined;
  await db.query('UPDATE follow_up_settings SET contact_key_id = $1, contact_public_key = $2', [
    key.keyId,
    key.publicKey,
  ]);
  return before;
};
