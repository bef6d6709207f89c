import { z } from 'zod';
import { type SealedBox, SealedBox as SealedBoxSchema } from '../../shared/follow-up.ts';
import { Int, NullableTimestamp, Timestamp, firstRow, parseRows } from '../db/rows.ts';
import type { Queryable } from '../db/types.ts';

export const FollowUpStatus = z.enum(['new', 'contacted', 'resolved', 'unreachable']);
export type FollowUpStatus = z.infer<typeof FollowUpStatus>;
/** A case is closed once resolved or the citizen could not be reached; its retention clock starts then. */
export const CLOSED_STATUSES: readonly FollowUpStatus[] = ['resolved', 'unreachable'];

/** At most this many characters of a note (the column's check says the same). */
export const NOTE_MAX = 2000;

const CaseRow = z.object({
  id: Int,
  device_id: z.string(),
  response_id: z.string(),
  unit_id: z.string(),
  consent_text_version: z.string(),
  consent_locale: z.string(),
  consent_given_at: Timestamp,
  received_at: Timestamp,
  status: FollowUpStatus,
  due_at: Timestamp,
  closed_at: NullableTimestamp,
  erased_at: NullableTimestamp,
  erase_reason: z.enum(['retention', 'withdrawn']).nullable(),
});

/** A follow-up as the console lists it: never the contact (that is opened only by showNumber). */
export type FollowUpCase = {
  id: number;
  deviceId: string;
  responseId: string;
  unitId: string;
  consent: { textVersion: string; locale: string; givenAt: Date };
  receivedAt: Date;
  status: FollowUpStatus;
  dueAt: Date;
  closedAt: Date | null;
  erasedAt: Date | null;
  eraseReason: 'retention' | 'withdrawn' | null;
};

const toCase = (r: z.infer<typeof CaseRow>): FollowUpCase => ({
  id: r.id,
  deviceId: r.device_id,
  responseId: r.response_id,
  unitId: r.unit_id,
  consent: { textVersion: r.consent_text_version, locale: r.consent_locale, givenAt: r.consent_given_at },
  receivedAt: r.received_at,
  status: r.status,
  dueAt: r.due_at,
  closedAt: r.closed_at,
  erasedAt: r.erased_at,
  eraseReason: r.erase_reason,
});

const COLUMNS = `id, device_id, response_id::text AS response_id, unit_id, consent_text_version, consent_locale,
  consent_given_at, received_at, status, due_at, closed_at, erased_at, erase_reason`;

/** Units a list covers: null for every unit (province admin), else these (an officer's unit and those under it). */
export type CaseScope = readonly string[] | null;

export type CaseFilter = {
  status?: FollowUpStatus | 'open' | 'overdue';
  unitId?: string;
  limit?: number;
  now: Date;
};

/** Open ones first by due date (overdue on top), then the closed ones newest first. */
export const listCases = async (db: Queryable, scope: CaseScope, filter: CaseFilter): Promise<FollowUpCase[]> =>
  parseRows(
    CaseRow,
    await db.query(
      `SELECT ${COLUMNS} FROM follow_ups
        WHERE ($1::text[] IS NULL OR unit_id = ANY($1::text[]))
          AND ($2::text IS NULL OR unit_id = $2)
          AND ($3::text IS NULL OR status = $3
               OR ($3 = 'open' AND closed_at IS NULL)
               OR ($3 = 'overdue' AND closed_at IS NULL AND due_at <= $4))
        ORDER BY closed_at IS NOT NULL, CASE WHEN closed_at IS NULL THEN due_at END, closed_at DESC, id
        LIMIT $5`,
      [scope, filter.unitId ?? null, filter.status ?? null, filter.now, Math.min(filter.limit ?? 200, 1000)],
    ),
  ).map(toCase);

/** One follow-up, if `scope` covers its unit (else undefined: an id outside the scope looks like no id). */
export const findCase = async (db: Queryable, scope: CaseScope, id: number): Promise<FollowUpCase | undefined> => {
  const row = firstRow(
    CaseRow,
    await db.query(
      `SELECT ${COLUMNS} FROM follow_ups WHERE id = $1 AND ($2::text[] IS NULL OR unit_id = ANY($2::text[]))`,
      [id, scope],
    ),
  );
  return row && toCase(row);
};

const SealedRow = z.object({ sealed: z.unknown() });

/** The sealed contact of a follow-up (undefined once erased). Locked for the caller's transaction. */
export const sealedContactOf = async (tx: Queryable, id: number): Promise<SealedBox | undefined> => {
  const row = firstRow(SealedRow, await tx.query('SELECT sealed FROM follow_ups WHERE id = $1 FOR UPDATE', [id]));
  const parsed = SealedBoxSchema.safeParse(row?.sealed);
  return parsed.success ? parsed.data : undefined;
};

const NoteRow = z.object({
  id: Int,
  at: Timestamp,
  username: z.string(),
  status_from: FollowUpStatus,
  status_to: FollowUpStatus,
  note: z.string(),
});
export type FollowUpNote = { at: Date; username: string; from: FollowUpStatus; to: FollowUpStatus; note: string };

export const notesOf = async (db: Queryable, id: number): Promise<FollowUpNote[]> =>
  parseRows(
    NoteRow,
    await db.query(
      'SELECT id, at, username, status_from, status_to, note FROM follow_up_notes WHERE follow_up_id = $1 ORDER BY id',
      [id],
    ),
  ).map((n) => ({ at: n.at, username: n.username, from: n.status_from, to: n.status_to, note: n.note }));

/**
 * A status change (or the same status with a note): recorded with who and when. Closing sets
 * closed_at (the retention clock starts); reopening a closed case clears it. Returns the status before.
 */
export const changeStatus = async (
  tx: Queryable,
  c: FollowUpCase,
  change: { to: FollowUpStatus; note: string; username: string; now: Date },
): Promise<void> => {
  const closing = CLOSED_STATUSES.includes(change.to);
  await tx.query(
    `UPDATE follow_ups SET status = $2,
            closed_at = CASE WHEN $3::boolean THEN coalesce(closed_at, $4) ELSE NULL END
      WHERE id = $1`,
    [c.id, change.to, closing, change.now],
  );
  await tx.query(
    `INSERT INTO follow_up_notes (follow_up_id, at, username, status_from, status_to, note) VALUES ($1, $2, $3, $4, $5, $6)`,
    [c.id, change.now, change.username, c.status, change.to, c.erasedAt ? '' : change.note.slice(0, NOTE_MAX)],
  );
};
