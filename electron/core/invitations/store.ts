import type { Database, Statement } from 'better-sqlite3';
import { CaseFacts } from '../../../shared/case-facts.ts';
import type { Invitation, InvitationStatus, InvitationStatusUpdate } from '../../../shared/invitation.ts';
import type { InvitationSource } from './sink.ts';

/** The statuses a kiosk keeps; `waiting` is central's own. */
export type LocalStatus = Exclude<InvitationStatus, 'waiting'>;

/** One row of `invitations` (migration 7). */
export type InvitationRow = {
  id: string;
  source: InvitationSource;
  counter_id: string;
  case_number: string;
  procedure_code: string;
  officer_id: string | null;
  facts: string | null;
  issued_at: string;
  expires_at: string;
  received_at: string;
  expires_local_ms: number;
  status: LocalStatus;
  status_at: string;
  response_id: string | null;
  reason: string | null;
  reported: number;
};

export type NewRow = {
  invitation: Invitation;
  source: InvitationSource;
  receivedMs: number;
  deadlineMs: number;
  status: LocalStatus;
  reason: string | null;
};

export const factsOf = (row: InvitationRow): CaseFacts | undefined => {
  if (row.facts === null) return undefined;
  const parsed = CaseFacts.safeParse(JSON.parse(row.facts));
  return parsed.success ? parsed.data : undefined;
};

/** Only central hears back from the kiosk; a LAN PC or kioskctl asks `statusOf` instead. */
const REPORTED_SQL = "CASE WHEN source = 'central' THEN 0 ELSE 1 END";

/**
 * The statements of the invitations table, prepared once per connection. Every status change sets
 * `reported` back to 0 for central's rows, so the sync loop reports the status as it stands now.
 */
export const invitationStore = (db: Database) => {
  const byId = db.prepare('SELECT * FROM invitations WHERE id = ?') as Statement<[string], InvitationRow>;
  const insert = db.prepare(`
    INSERT INTO invitations (id, source, counter_id, case_number, procedure_code, officer_id, facts, issued_at,
      expires_at, received_at, expires_local_ms, status, status_at, reason, reported)
    VALUES (@id, @source, @counterId, @caseNumber, @procedureCode, @officerId, @facts, @issuedAt, @expiresAt,
      @receivedAt, @deadlineMs, @status, @receivedAt, @reason, CASE WHEN @source = 'central' THEN 0 ELSE 1 END)`);
  const delivered = db.prepare(
    "SELECT * FROM invitations WHERE status = 'delivered' ORDER BY received_at DESC, id DESC LIMIT 1",
  ) as Statement<[], InvitationRow>;
  const expireDue = db.prepare(`
    UPDATE invitations SET status = 'expired', status_at = ?, reported = ${REPORTED_SQL}
    WHERE status = 'delivered' AND expires_local_ms <= ?`) as Statement<[string, number]>;
  const replaceDelivered = db.prepare(`
    UPDATE invitations SET status = 'replaced', status_at = ?, reason = ?, reported = ${REPORTED_SQL}
    WHERE status = 'delivered'`) as Statement<[string, string]>;
  const answer = db.prepare(`
    UPDATE invitations SET status = 'answered', status_at = ?, response_id = ?, reported = ${REPORTED_SQL}
    WHERE id = ? AND status = 'delivered' AND expires_local_ms > ?`) as Statement<[string, string, string, number]>;
  const unreported = db.prepare(
    'SELECT * FROM invitations WHERE reported = 0 ORDER BY status_at, id LIMIT ?',
  ) as Statement<[number], InvitationRow>;
  const markReported = db.prepare(
    'UPDATE invitations SET reported = 1 WHERE id = ? AND status = ? AND status_at = ?',
  ) as Statement<[string, string, string]>;
  const recent = db.prepare('SELECT * FROM invitations ORDER BY received_at DESC, id DESC LIMIT ?') as Statement<
    [number],
    InvitationRow
  >;

  return {
    byId: (id: string): InvitationRow | undefined => byId.get(id),
    insert: (r: NewRow): void => {
      const i = r.invitation;
      insert.run({
        id: i.id,
        source: r.source,
        counterId: i.counterId,
        caseNumber: i.caseNumber,
        procedureCode: i.procedureCode,
        officerId: i.officerId,
        facts: i.facts === undefined ? null : JSON.stringify(i.facts),
        issuedAt: i.issuedAt,
        expiresAt: i.expiresAt,
        receivedAt: new Date(r.receivedMs).toISOString(),
        deadlineMs: r.deadlineMs,
        status: r.status,
        reason: r.reason,
      });
    },
    delivered: (): InvitationRow | undefined => delivered.get(),
    /** Marks every delivered invitation whose local deadline is at or before `nowMs` expired; how many. */
    expireDue: (nowMs: number): number => expireDue.run(new Date(nowMs).toISOString(), nowMs).changes,
    replaceDelivered: (nowMs: number, reason: string): number =>
      replaceDelivered.run(new Date(nowMs).toISOString(), reason).changes,
    /** Links a response to a still-current invitation; false when it expired, was replaced or answered. */
    answer: (invitationId: string, responseId: string, nowMs: number): boolean =>
      answer.run(new Date(nowMs).toISOString(), responseId, invitationId, nowMs).changes === 1,
    unreported: (limit: number): InvitationRow[] => unreported.all(limit),
    /** Only if the row still stands as reported: a change in between is reported next time. */
    markReported: (u: InvitationStatusUpdate): boolean =>
      markReported.run(u.invitationId, u.status, u.at).changes === 1,
    recent: (limit: number): InvitationRow[] => recent.all(limit),
  };
};
export type InvitationStore = ReturnType<typeof invitationStore>;

/** A row as the status update central hears. */
export const statusUpdateOf = (row: InvitationRow): InvitationStatusUpdate => ({
  invitationId: row.id,
  status: row.status,
  at: row.status_at,
  ...(row.response_id === null ? {} : { responseId: row.response_id }),
  ...(row.reason === null ? {} : { reason: row.reason.slice(0, 200) }),
});
