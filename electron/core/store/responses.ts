import type { Database, Statement } from 'better-sqlite3';
import type { Answers } from '../../../shared/answers.ts';
import type { AnswerSource } from '../../../shared/case-facts.ts';
import type { SealedContact } from '../../../shared/follow-up.ts';
import type { ResponseFlags, StoredResponse } from '../../../shared/response.ts';

/** A response before the store gives it its sequence number. */
export type NewResponse = Omit<StoredResponse, 'seq' | 'deviceId'>;

type Row = {
  seq: number;
  id: string;
  questionnaire_id: string;
  questionnaire_version: number;
  procedure_code: string;
  field_code: string;
  case_number: string | null;
  officer_id: string | null;
  counter_id: string | null;
  locale: string;
  status: 'complete' | 'abandoned';
  started_at: string;
  submitted_at: string;
  duration_ms: number;
  answers: string;
  flags: number;
  sources: string | null;
};

const RAPID = 1;
const CLOCK = 2;
const REPEAT_CASE = 4;
const flagsToInt = (f: ResponseFlags): number =>
  (f.rapidRepeat ? RAPID : 0) | (f.clockSuspect ? CLOCK : 0) | (f.repeatCase ? REPEAT_CASE : 0);
/** repeatCase appears only when set, so responses without it read (and hash at central) as before. */
const intToFlags = (n: number): ResponseFlags => ({
  rapidRepeat: (n & RAPID) !== 0,
  clockSuspect: (n & CLOCK) !== 0,
  ...((n & REPEAT_CASE) !== 0 ? { repeatCase: true } : {}),
});

const fromRow = (deviceId: string, r: Row): StoredResponse => ({
  id: r.id,
  deviceId,
  seq: r.seq,
  questionnaireId: r.questionnaire_id,
  questionnaireVersion: r.questionnaire_version,
  procedureCode: r.procedure_code,
  fieldCode: r.field_code,
  caseNumber: r.case_number,
  officerId: r.officer_id,
  counterId: r.counter_id,
  locale: r.locale,
  status: r.status,
  startedAt: r.started_at,
  submittedAt: r.submitted_at,
  durationMs: r.duration_ms,
  answers: JSON.parse(r.answers) as Answers,
  flags: intToFlags(r.flags),
  ...(r.sources === null ? {} : { sources: JSON.parse(r.sources) as Record<string, AnswerSource> }),
});

export type InsertOutcome = { seq: number; inserted: boolean };

/**
 * The response writer. Statements are prepared once: a submit is one short IMMEDIATE transaction
 * (lookup by id, max(seq)+1, insert) and one WAL fsync at commit. A follow-up contact (already
 * sealed: the writer never sees the number) goes into the same transaction, so a response is never
 * stored without the contact the citizen gave, nor a contact without its response.
 */
export const responseWriter = (db: Database) => {
  const byId = db.prepare('SELECT seq FROM responses WHERE id = ?') as Statement<[string], { seq: number }>;
  const insert = db.prepare(`
    INSERT INTO responses (seq, id, questionnaire_id, questionnaire_version, procedure_code, field_code, case_number,
      officer_id, counter_id, locale, status, started_at, submitted_at, duration_ms, answers, flags, sources)
    VALUES ((SELECT IFNULL(MAX(seq), 0) + 1 FROM responses), @id, @questionnaireId, @questionnaireVersion, @procedureCode,
      @fieldCode, @caseNumber, @officerId, @counterId, @locale, @status, @startedAt, @submittedAt, @durationMs, @answers, @flags, @sources)
    RETURNING seq`) as Statement<[Record<string, unknown>], { seq: number }>;
  const insertContact = db.prepare('INSERT INTO follow_up_contacts (response_id, body) VALUES (?, ?)') as Statement<
    [string, string]
  >;

  /**
   * Idempotent by response id: the same id again returns the sequence it already has. `alsoInTx` runs
   * after the insert, inside the same transaction (the counter-bridge invitation the response answers).
   */
  const write = db.transaction(
    (
      r: NewResponse,
      contact: SealedContact | undefined,
      alsoInTx: ((id: string) => void) | undefined,
    ): InsertOutcome => {
      const existing = byId.get(r.id);
      if (existing) return { seq: existing.seq, inserted: false };
      const row = insert.get({
        ...r,
        answers: JSON.stringify(r.answers),
        flags: flagsToInt(r.flags),
        sources: r.sources === undefined ? null : JSON.stringify(r.sources),
      });
      if (!row) throw new Error('insert returned no sequence');
      if (contact) {
        if (contact.responseId !== r.id) throw new Error('a contact must name the response it is stored with');
        insertContact.run(r.id, JSON.stringify(contact));
      }
      alsoInTx?.(r.id);
      return { seq: row.seq, inserted: true };
    },
  );
  return (r: NewResponse, contact?: SealedContact, alsoInTx?: (id: string) => void): InsertOutcome =>
    write.immediate(r, contact, alsoInTx);
};

/** Sealed contacts of the responses with seq in [from, to], by response id (for the sync batch). */
export const contactsInRange = (db: Database, from: number, to: number): Map<string, string> =>
  new Map(
    (
      db
        .prepare(
          `SELECT c.response_id AS id, c.body FROM follow_up_contacts c JOIN responses r ON r.id = c.response_id
           WHERE r.seq BETWEEN ? AND ?`,
        )
        .all(from, to) as { id: string; body: string }[]
    ).map((row) => [row.id, row.body]),
  );

export const listResponses = (
  db: Database,
  deviceId: string,
  options: { sinceSeq?: number; limit?: number } = {},
): StoredResponse[] =>
  (
    db
      .prepare('SELECT * FROM responses WHERE seq > ? ORDER BY seq LIMIT ?')
      .all(options.sinceSeq ?? 0, options.limit ?? -1) as Row[]
  ).map((r) => fromRow(deviceId, r));

export type ResponseCounts = { complete: number; abandoned: number; total: number; lastSeq: number };

export const responseCounts = (db: Database): ResponseCounts => {
  const rows = db.prepare('SELECT status, COUNT(*) AS n FROM responses GROUP BY status').all() as {
    status: string;
    n: number;
  }[];
  const complete = rows.find((r) => r.status === 'complete')?.n ?? 0;
  const abandoned = rows.find((r) => r.status === 'abandoned')?.n ?? 0;
  const last = db.prepare('SELECT IFNULL(MAX(seq), 0) AS s FROM responses').get() as { s: number };
  return { complete, abandoned, total: complete + abandoned, lastSeq: last.s };
};

/** Sequence numbers missing between 1 and the highest stored one, as ranges. Empty when gap-free. */
export const sequenceGaps = (db: Database): { from: number; to: number }[] =>
  db
    .prepare(
      `SELECT seq + 1 AS from_seq, next - 1 AS to_seq FROM (
         SELECT seq, LEAD(seq) OVER (ORDER BY seq) AS next FROM (SELECT 0 AS seq UNION ALL SELECT seq FROM responses)
       ) WHERE next IS NOT NULL AND next > seq + 1`,
    )
    .all()
    .map((r) => {
      const row = r as { from_seq: number; to_seq: number };
      return { from: row.from_seq, to: row.to_seq };
    });

/** Submitted-at of the newest completed response, for the rapid-repeat flag. */
export const lastCompletedAt = (db: Database): string | null => {
  const row = db
    .prepare("SELECT submitted_at FROM responses WHERE status = 'complete' ORDER BY seq DESC LIMIT 1")
    .get() as { submitted_at: string } | undefined;
  return row?.submitted_at ?? null;
};

export type StoredOutcome = { id: string; seq: number; status: 'complete' | 'abandoned'; flags: ResponseFlags };

/** What a response id was stored as, for a retry that arrives after the kiosk forgot its draft (a restart). */
export const storedOutcome = (db: Database): ((id: string) => StoredOutcome | undefined) => {
  const byId = db.prepare('SELECT seq, status, flags FROM responses WHERE id = ?') as Statement<
    [string],
    { seq: number; status: 'complete' | 'abandoned'; flags: number }
  >;
  return (id) => {
    const row = byId.get(id);
    return row && { id, seq: row.seq, status: row.status, flags: intToFlags(row.flags) };
  };
};

/**
 * Whether this kiosk already holds a complete evaluation of a case number (one evaluation per case,
 * issue 11). Abandoned ones do not count: the citizen may come back and finish.
 */
export const caseEvaluated = (db: Database): ((caseNumber: string) => boolean) => {
  const find = db.prepare(
    "SELECT 1 AS found FROM responses WHERE case_number = ? AND status = 'complete' LIMIT 1",
  ) as Statement<[string], { found: number }>;
  return (caseNumber) => find.get(caseNumber) !== undefined;
};
