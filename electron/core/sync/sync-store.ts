import type { Database } from 'better-sqlite3';
import type { BatchAck } from '../../../shared/sync.ts';

/**
 * The kiosk's sync ledger (migration 4). Acknowledged sequence ranges are kept merged, so "what is
 * still to send" is a range computation, never a scan of the responses table. Nothing here deletes
 * or changes a response.
 */

export type SeqRange = { from: number; to: number };

export const ackedRanges = (db: Database): SeqRange[] =>
  (db.prepare('SELECT seq_from AS "from", seq_to AS "to" FROM sync_acked ORDER BY seq_from').all() as SeqRange[]).map(
    (r) => ({ from: r.from, to: r.to }),
  );

/** Highest H such that every seq 1..H is acknowledged (0 when none). */
export const ackedThrough = (db: Database): number => {
  const row = db.prepare('SELECT seq_to FROM sync_acked WHERE seq_from = 1').get() as { seq_to: number } | undefined;
  return row?.seq_to ?? 0;
};

export const lastSeq = (db: Database): number =>
  (db.prepare('SELECT IFNULL(MAX(seq), 0) AS s FROM responses').get() as { s: number }).s;

/** Responses stored but not yet acknowledged. */
export const queueDepth = (db: Database): number => {
  const last = lastSeq(db);
  const acked = db
    .prepare('SELECT IFNULL(SUM(MIN(seq_to, ?) - seq_from + 1), 0) AS n FROM sync_acked WHERE seq_from <= ?')
    .get(last, last) as { n: number };
  return Math.max(0, last - acked.n);
};

/**
 * The next unacknowledged run of the sequence, starting at or after `from`: its first seq and the
 * last seq before the next acknowledged range (or the last stored seq). Undefined when all is acked.
 */
export const nextUnackedRun = (db: Database, from = 1): SeqRange | undefined => {
  const last = lastSeq(db);
  let start = Math.max(1, from);
  const covering = db.prepare(
    'SELECT seq_to FROM sync_acked WHERE seq_from <= ? AND seq_to >= ? ORDER BY seq_from DESC LIMIT 1',
  );
  const nextRange = db.prepare('SELECT seq_from FROM sync_acked WHERE seq_from > ? ORDER BY seq_from LIMIT 1');
  for (;;) {
    const cover = covering.get(start, start) as { seq_to: number } | undefined;
    if (!cover) break;
    start = cover.seq_to + 1;
  }
  if (start > last) return undefined;
  const next = nextRange.get(start) as { seq_from: number } | undefined;
  return { from: start, to: Math.min(last, next ? next.seq_from - 1 : last) };
};

/** Adds [from, to] to the acknowledged ranges, merging with overlapping or adjacent ones. Call inside a transaction. */
export const addAckedRange = (db: Database, range: SeqRange, at: string): void => {
  if (range.to < range.from || range.to < 1) return;
  const from = Math.max(1, range.from);
  const touching = db
    .prepare('SELECT seq_from, seq_to FROM sync_acked WHERE seq_from <= ? AND seq_to >= ?')
    .all(range.to + 1, from - 1) as {
    seq_from: number;
    seq_to: number;
  }[];
  const lo = Math.min(from, ...touching.map((r) => r.seq_from));
  const hi = Math.max(range.to, ...touching.map((r) => r.seq_to));
  if (touching.length === 1 && touching[0]!.seq_from === lo && touching[0]!.seq_to === hi) return;
  db.prepare('DELETE FROM sync_acked WHERE seq_from <= ? AND seq_to >= ?').run(range.to + 1, from - 1);
  db.prepare('INSERT INTO sync_acked (seq_from, seq_to, acked_at) VALUES (?, ?, ?)').run(lo, hi, at);
};

/**
 * Central's gap-free prefix went BACKWARDS (below the last one it reported) and below what it had
 * acknowledged to this kiosk: central lost answers it had acknowledged (its database was restored
 * from an older backup, or it ran on storage that lost recent commits). Every acknowledgement above
 * `highest` is forgotten, so the send phase resends from highest + 1; central stores what it lost and
 * counts what it still holds as duplicates, which costs bandwidth and nothing else.
 *
 * Only a step backwards counts: a central that deletes nothing never answers lower than before. A
 * prefix that merely stays below an acknowledged seq (a hole central keeps for its own reasons, e.g.
 * a conflicting response) is not a loss, and resending into it on every pass would never end.
 * (A heartbeat reply that crossed a USB upload's ack can look like a step back: the one resend it
 * causes is harmless.)
 * Returns how many seqs are no longer acknowledged (0: nothing was lost). Call inside a transaction.
 */
const forgetAcksAbove = (db: Database, highest: number): number => {
  const previous = (
    db.prepare('SELECT central_contiguous_seq AS h FROM sync_status WHERE id = 1').get() as
      { h: number | null } | undefined
  )?.h;
  if (previous === null || previous === undefined || highest >= previous) return 0;
  if (highest >= ackedThrough(db)) return 0;
  const floor = Math.max(0, highest);
  const dropped = db
    .prepare('SELECT IFNULL(SUM(seq_to - MAX(seq_from, ?) + 1), 0) AS n FROM sync_acked WHERE seq_to > ?')
    .get(floor + 1, floor) as { n: number };
  db.prepare('DELETE FROM sync_acked WHERE seq_from > ?').run(floor);
  db.prepare('UPDATE sync_acked SET seq_to = ? WHERE seq_to > ?').run(floor, floor);
  return dropped.n;
};

/** The log line when central turns out to have lost acknowledged answers (forgetAcksAbove). */
export const lostMessage = (highest: number, lost: number): string =>
  `central now holds only seq 1..${highest} without a gap, but had acknowledged ${lost} more (its database restored from an older backup?): sending them again`;

/**
 * Records central's answer to a batch, in one transaction: the batch's range (duplicates and
 * conflicts included: resending cannot change them), central's gap-free prefix, the conflicts and a
 * log line. Only ever called with an ack in hand. Returns how many acknowledged seqs central has
 * lost (see forgetAcksAbove): those are sent again.
 */
export const recordAck = (db: Database, ack: BatchAck, range: SeqRange, via: 'online' | 'upload', at: string): number =>
  db
    .transaction(() => {
      // Before this batch's own range is added: the batch was just stored, only what lies below it was lost.
      const lost = forgetAcksAbove(db, ack.highestContiguousSeq);
      addAckedRange(db, range, at);
      if (ack.highestContiguousSeq >= 1)
        addAckedRange(db, { from: 1, to: Math.min(ack.highestContiguousSeq, lastSeq(db)) }, at);
      const conflict = db.prepare(
        'INSERT OR IGNORE INTO sync_conflicts (response_id, seq, reason, batch_id, reported_at) VALUES (?, ?, ?, ?, ?)',
      );
      for (const c of ack.conflicts) conflict.run(c.id, c.seq, c.reason, ack.batchId, at);
      db.prepare(
        `INSERT OR IGNORE INTO sync_batches (batch_id, seq_from, seq_to, via, acked_at, received, inserted, duplicates, conflicts, highest_contiguous_seq)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        ack.batchId,
        range.from,
        range.to,
        via,
        at,
        ack.received,
        ack.inserted,
        ack.duplicates,
        ack.conflicts.length,
        ack.highestContiguousSeq,
      );
      db.prepare(
        `UPDATE sync_status SET central_contiguous_seq = CASE WHEN ? > 0 THEN ? ELSE MAX(IFNULL(central_contiguous_seq, 0), ?) END WHERE id = 1`,
      ).run(lost, ack.highestContiguousSeq, ack.highestContiguousSeq);
      return lost;
    })
    .immediate();

/**
 * Central says it holds every seq 1..H (heartbeat reply): those need not be sent again; and when H is
 * below what central had acknowledged, what it lost is sent again (forgetAcksAbove). Returns how
 * many acknowledged seqs central has lost.
 */
export const recordCentralContiguous = (db: Database, highest: number, at: string): number =>
  db
    .transaction(() => {
      const lost = forgetAcksAbove(db, highest);
      const last = lastSeq(db);
      // Never acknowledge beyond what this kiosk has stored: a central that claims more is wrong (or
      // the kiosk's database was restored from an old backup), and IT must see that, not a silent skip.
      if (highest >= 1) addAckedRange(db, { from: 1, to: Math.min(highest, last) }, at);
      db.prepare('UPDATE sync_status SET central_contiguous_seq = ? WHERE id = 1').run(highest);
      return lost;
    })
    .immediate();

export type ConflictRecord = { responseId: string; seq: number; reason: string; batchId: string; reportedAt: string };

export const listConflicts = (db: Database): ConflictRecord[] =>
  db
    .prepare(
      'SELECT response_id AS responseId, seq, reason, batch_id AS batchId, reported_at AS reportedAt FROM sync_conflicts ORDER BY seq, reported_at',
    )
    .all() as ConflictRecord[];

export type StoredSyncError = { code: string; message: string; status: number | null; at: string };

export type SyncStatusRow = {
  attempts: number;
  lastAttemptAt: string | null;
  lastSuccessAt: string | null;
  lastError: StoredSyncError | null;
  nextAttemptAt: string | null;
  lastHeartbeatAt: string | null;
  clockDriftMs: number | null;
  centralContiguousSeq: number | null;
};

type RawStatus = {
  attempts: number;
  last_attempt_at: string | null;
  last_success_at: string | null;
  last_error_code: string | null;
  last_error_message: string | null;
  last_error_status: number | null;
  last_error_at: string | null;
  next_attempt_at: string | null;
  last_heartbeat_at: string | null;
  clock_drift_ms: number | null;
  central_contiguous_seq: number | null;
};

export const readSyncStatus = (db: Database): SyncStatusRow => {
  const r = db.prepare('SELECT * FROM sync_status WHERE id = 1').get() as RawStatus | undefined;
  if (!r) {
    return {
      attempts: 0,
      lastAttemptAt: null,
      lastSuccessAt: null,
      lastError: null,
      nextAttemptAt: null,
      lastHeartbeatAt: null,
      clockDriftMs: null,
      centralContiguousSeq: null,
    };
  }
  return {
    attempts: r.attempts,
    lastAttemptAt: r.last_attempt_at,
    lastSuccessAt: r.last_success_at,
    lastError: r.last_error_code
      ? {
          code: r.last_error_code,
          message: r.last_error_message ?? '',
          status: r.last_error_status,
          at: r.last_error_at ?? '',
        }
      : null,
    nextAttemptAt: r.next_attempt_at,
    lastHeartbeatAt: r.last_heartbeat_at,
    clockDriftMs: r.clock_drift_ms,
    centralContiguousSeq: r.central_contiguous_seq,
  };
};

/**
 * A successful pass clears the last error: the status describes the present, the log keeps the
 * history. `nextAttemptAt` undefined leaves the stored schedule alone (a kioskctl pass must not
 * overwrite the running kiosk's).
 */
export const recordAttemptSuccess = (db: Database, at: string, nextAttemptAt?: string | null): void => {
  db.prepare(
    `UPDATE sync_status SET attempts = 0, last_attempt_at = @at, last_success_at = @at,
       next_attempt_at = CASE WHEN @keep THEN next_attempt_at ELSE @next END,
       last_error_code = NULL, last_error_message = NULL, last_error_status = NULL, last_error_at = NULL WHERE id = 1`,
  ).run({ at, keep: nextAttemptAt === undefined ? 1 : 0, next: nextAttemptAt ?? null });
};

/** A failed attempt: the error is kept until the next success, so IT sees it even after a restart. */
export const recordAttemptFailure = (
  db: Database,
  error: StoredSyncError,
  attempts: number,
  nextAttemptAt?: string | null,
): void => {
  db.prepare(
    `UPDATE sync_status SET attempts = @attempts, last_attempt_at = @at, last_error_code = @code, last_error_message = @message,
       last_error_status = @status, last_error_at = @at, next_attempt_at = CASE WHEN @keep THEN next_attempt_at ELSE @next END WHERE id = 1`,
  ).run({
    attempts,
    at: error.at,
    code: error.code,
    message: error.message.slice(0, 1000),
    status: error.status,
    keep: nextAttemptAt === undefined ? 1 : 0,
    next: nextAttemptAt ?? null,
  });
};

export const clearLastError = (db: Database): void => {
  db.prepare(
    'UPDATE sync_status SET last_error_code = NULL, last_error_message = NULL, last_error_status = NULL, last_error_at = NULL WHERE id = 1',
  ).run();
};

export const recordHeartbeat = (db: Database, at: string, clockDriftMs: number): void => {
  db.prepare('UPDATE sync_status SET last_heartbeat_at = ?, clock_drift_ms = ? WHERE id = 1').run(
    at,
    Math.round(clockDriftMs),
  );
};

export type ExportRecord = {
  file: string;
  batchId: string;
  seqFrom: number;
  seqTo: number;
  bytes: number;
  sha256: string;
  createdAt: string;
};

export const recordExport = (db: Database, e: ExportRecord): void => {
  db.prepare(
    'INSERT INTO sync_exports (file, batch_id, seq_from, seq_to, bytes, sha256, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
  ).run(e.file, e.batchId, e.seqFrom, e.seqTo, e.bytes, e.sha256, e.createdAt);
};

export const listExports = (db: Database): ExportRecord[] =>
  db
    .prepare(
      'SELECT file, batch_id AS batchId, seq_from AS seqFrom, seq_to AS seqTo, bytes, sha256, created_at AS createdAt FROM sync_exports ORDER BY id',
    )
    .all() as ExportRecord[];
