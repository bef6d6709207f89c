import { z } from 'zod';
import { canonicalJson } from '../../shared/canonical.ts';
import { sha256Hex } from '../../shared/node/signing.ts';
import type { StoredResponse } from '../../shared/response.ts';
import type { BatchAck, BatchEnvelope } from '../../shared/sync.ts';
import { SyncError } from '../errors.ts';
import { Int, NullableTimestamp, firstRow, parseRows } from '../db/rows.ts';
import type { CentralDb, Queryable } from '../db/types.ts';
import { type ContactsOutcome, storeContacts } from '../follow-ups/store-contacts.ts';
import { advanceContiguous } from './progress.ts';
import { type HeldBatch, type HeldReportRows, reportRowsHeldFor } from '../reports/held-rows.ts';
import { heldBatchOf, queuedJsonOf, reportRowsOf } from '../reports/queue-rows.ts';
import { type KnownQuestionnaires, type Refusal, keyOf, knownQuestionnaires, refusalOf } from './validate-responses.ts';

export type BatchVia = 'http' | 'file';
type Conflict = BatchAck['conflicts'][number];

/** "Same content" is the SHA-256 of the response's canonical JSON (sorted keys). */
export const responseHash = (r: StoredResponse): string => sha256Hex(canonicalJson(r));

const Locked = z.object({
  highest_contiguous_seq: Int,
  revoked_at: NullableTimestamp,
  unit_id: z.string(),
  refused: Int,
});
const Existing = z.object({ response_id: z.string(), seq: Int, content_hash: z.string() });
const Seq = z.object({ seq: Int });

type Item = { id: string; seq: number; hash: string; body: StoredResponse; refusal: Refusal | undefined };
type Held = z.infer<typeof Existing>;

/** Rows of one table (responses or refused_responses) holding any of these items' ids or seqs. */
const heldIn = async (
  tx: Queryable,
  table: 'responses' | 'refused_responses',
  deviceId: string,
  items: Item[],
): Promise<Held[]> =>
  items.length === 0
    ? []
    : parseRows(
        Existing,
        await tx.query(
          `SELECT response_id::text AS response_id, seq, content_hash FROM ${table}
            WHERE device_id = $1 AND (response_id = ANY($2::uuid[]) OR seq = ANY($3::int[]))`,
          [deviceId, items.map((i) => i.id), items.map((i) => i.seq)],
        ),
      );

/** Items that clash with none of the rows held elsewhere (same id or same seq). */
const notHeld = (items: Item[], held: Held[]): Item[] => {
  const ids = new Set(held.map((h) => h.response_id));
  const seqs = new Set(held.map((h) => h.seq));
  return items.filter((i) => !ids.has(i.id) && !seqs.has(i.seq));
};

const insertResponses = async (tx: Queryable, deviceId: string, batchId: string, now: Date, items: Item[]) =>
  items.length === 0
    ? new Set<number>()
    : new Set(
        parseRows(
          Seq,
          await tx.query(
            `INSERT INTO responses (device_id, response_id, seq, content_hash, body, received_at, batch_id)
             SELECT $1, t.id, t.seq, t.hash, t.body, $2, $3
               FROM json_to_recordset($4::json) AS t (id uuid, seq int, hash text, body jsonb)
             ON CONFLICT DO NOTHING
             RETURNING seq`,
            // The rows travel as ONE json parameter: serialising 1,000 JSON texts as a text[] literal
            // (node-postgres escapes each element) cost more CPU than the rest of the insert.
            [deviceId, now, batchId, JSON.stringify(items.map(({ id, seq, hash, body }) => ({ id, seq, hash, body })))],
          ),
        ).map((r) => r.seq),
      );

const setAside = async (tx: Queryable, deviceId: string, batchId: string, now: Date, items: Item[]) =>
  items.length === 0
    ? new Set<number>()
    : new Set(
        parseRows(
          Seq,
          await tx.query(
            `INSERT INTO refused_responses (device_id, response_id, seq, reason, detail, content_hash, body, received_at, batch_id)
             SELECT $1, t.id, t.seq, t.reason, t.detail, t.hash, t.body, $2, $3
               FROM json_to_recordset($4::json) AS t (id uuid, seq int, reason text, detail text, hash text, body jsonb)
             ON CONFLICT DO NOTHING
             RETURNING seq`,
            [
              deviceId,
              now,
              batchId,
              JSON.stringify(items.map(({ id, seq, hash, body, refusal }) => ({ id, seq, hash, body, ...refusal }))),
            ],
          ),
        ).map((r) => r.seq),
      );

type KeptConflict = Conflict & { hash: string; body: string };
/** What became of the items that went into neither table. */
type Unstored = { duplicates: number; refusedAgain: number; conflicts: KeptConflict[] };

/**
 * Classifies the items that went in nowhere against what the device already has under their ids:
 * the same content is a duplicate (of a stored response) or refused again (of one set aside); other
 * content under the id is a conflict, and so is a new id on a seq another id holds.
 */
const classifyUnstored = async (tx: Queryable, deviceId: string, rest: Item[]): Promise<Unstored> => {
  const unstored: Unstored = { duplicates: 0, refusedAgain: 0, conflicts: [] };
  if (rest.length === 0) return unstored;
  const ids = rest.map((i) => i.id);
  const existing = new Map(
    parseRows(
      Existing.extend({ aside: z.boolean() }),
      await tx.query(
        `SELECT response_id::text AS response_id, seq, content_hash, false AS aside FROM responses WHERE device_id = $1 AND response_id = ANY($2::uuid[])
         UNION ALL
         SELECT response_id::text AS response_id, seq, content_hash, true AS aside FROM refused_responses WHERE device_id = $1 AND response_id = ANY($2::uuid[])`,
        [deviceId, ids],
      ),
    ).map((r) => [r.response_id, r]),
  );
  for (const item of rest) {
    const held = existing.get(item.id);
    if (held && held.content_hash === item.hash) {
      if (held.aside) unstored.refusedAgain++;
      else unstored.duplicates++;
    } else
      unstored.conflicts.push({
        id: item.id,
        seq: item.seq,
        reason: held ? 'different_content' : 'seq_taken',
        hash: item.hash,
        body: JSON.stringify(item.body),
      });
  }
  return unstored;
};

/** Keeps conflicts aside; one seen again only has its last_received_at and times bumped. */
const keepConflicts = async (
  tx: Queryable,
  deviceId: string,
  batchId: string,
  now: Date,
  conflicts: KeptConflict[],
): Promise<void> => {
  if (conflicts.length === 0) return;
  await tx.query(
    `INSERT INTO conflicts (device_id, response_id, seq, reason, content_hash, body, batch_id, first_received_at, last_received_at)
     SELECT $1, t.id, t.seq, t.reason, t.hash, t.body::jsonb, $2, $3, $3
       FROM unnest($4::uuid[], $5::int[], $6::text[], $7::text[], $8::text[]) AS t (id, seq, reason, hash, body)
     ON CONFLICT (device_id, response_id, seq, content_hash) DO UPDATE SET last_received_at = excluded.last_received_at, times = conflicts.times + 1`,
    [
      deviceId,
      batchId,
      now,
      conflicts.map((c) => c.id),
      conflicts.map((c) => c.seq),
      conflicts.map((c) => c.reason),
      conflicts.map((c) => c.hash),
      conflicts.map((c) => c.body),
    ],
  );
};

export type StoreBatchOptions = {
  /**
   * Queue the responses this batch inserted for the report tables, in this transaction (default true;
   * central/reports/drain.ts adds them). Off only for a measurement of the ingest without reports (the
   * bench): reports then miss those responses until `centralctl rebuild-reports`.
   */
  reportAggregates?: boolean;
};

/**
 * ONE queue row for the responses this transaction inserted (by seq: unique within a valid envelope),
 * none when it inserted nothing, with their report rows counted here, where they are at hand parsed
 * with their questionnaires (central/reports/queue-rows.ts). Committed with them, so an acked batch is
 * always queued or counted. The rows go into the queue row, or, where this process holds report rows
 * and has room, are returned to be held once the batch has committed (the queue row then has only the
 * seqs, which is enough for any process to count the batch from `responses`).
 */
const queueForReports = async (
  tx: Queryable,
  place: { deviceId: string; unitId: string },
  inserted: readonly Item[],
  known: KnownQuestionnaires,
  now: Date,
  held: HeldReportRows | undefined,
): Promise<{ queueId: number; batch: HeldBatch } | undefined> => {
  if (inserted.length === 0) return undefined;
  const rows = reportRowsOf(
    inserted.map((i) => ({
      response: i.body,
      place: { deviceId: place.deviceId, responseId: i.id, unitId: place.unitId },
      questionnaire: known.get(keyOf(i.body.questionnaireId, i.body.questionnaireVersion)),
    })),
  );
  const seqs = inserted.map((i) => i.seq).sort((a, b) => a - b);
  if (held?.hasRoom(inserted.length)) {
    const queued = await tx.query(
      'INSERT INTO report_pending (device_id, seqs, queued_at) VALUES ($1, $2::int[], $3) RETURNING id',
      [place.deviceId, seqs, now],
    );
    return { queueId: firstRow(QueueId, queued)!.id, batch: heldBatchOf(rows, place.deviceId, seqs) };
  }
  const json = queuedJsonOf(rows);
  await tx.query(
    'INSERT INTO report_pending (device_id, seqs, queued_at, facts, counts) VALUES ($1, $2::int[], $3, $4::json, $5::json)',
    [place.deviceId, seqs, now, json.facts, json.counts],
  );
  return undefined;
};

const QueueId = z.object({ id: z.coerce.number().int() });

/** How one batch went, for the device's progress row, the batches log and the ack. */
type Outcome = { received: number; inserted: number; refused: number; unstored: Unstored; contacts: ContactsOutcome };

/**
 * Progress and ack bookkeeping once the responses are placed: advances the contiguous seq (only if
 * something new went in), adds the counts to device_progress, logs the batch, and builds the ack.
 */
const recordBatch = async (
  tx: Queryable,
  envelope: BatchEnvelope,
  via: BatchVia,
  now: Date,
  previousContiguousSeq: number,
  { received, inserted, refused, unstored: { duplicates, refusedAgain, conflicts }, contacts }: Outcome,
): Promise<BatchAck> => {
  const deviceId = envelope.deviceId;
  const highestContiguousSeq =
    inserted + refused > 0 ? await advanceContiguous(tx, deviceId, previousContiguousSeq) : previousContiguousSeq;
  await tx.query(
    `UPDATE device_progress SET highest_contiguous_seq = $2, responses = responses + $3, duplicates = duplicates + $4, conflicts = conflicts + $5,
            refused = refused + $7, batches = batches + 1, last_batch_at = $6 WHERE device_id = $1`,
    [deviceId, highestContiguousSeq, inserted, duplicates, conflicts.length, now, refused],
  );
  await tx.query(
    `INSERT INTO batches (batch_id, device_id, seq_from, seq_to, via, received, inserted, duplicates, conflicts, received_at, refused)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [
      envelope.batchId,
      deviceId,
      envelope.seqFrom,
      envelope.seqTo,
      via,
      received,
      inserted,
      duplicates,
      conflicts.length,
      now,
      refused + refusedAgain,
    ],
  );
  // Only batches that carried contacts touch the columns (this device's row is locked: its newest row is this one).
  if (contacts.stored + contacts.dropped > 0)
    await tx.query(
      `UPDATE batches SET contacts = $3, contacts_dropped = $4
        WHERE id = (SELECT max(id) FROM batches WHERE device_id = $1 AND batch_id = $2)`,
      [deviceId, envelope.batchId, contacts.stored, contacts.dropped],
    );
  return {
    batchId: envelope.batchId,
    deviceId,
    received,
    inserted,
    duplicates,
    conflicts: conflicts.map(({ id, seq, reason }) => ({ id, seq, reason })),
    highestContiguousSeq,
    refused: refused + refusedAgain,
  };
};

/**
 * Step 6-7 of "What central does": ONE transaction per batch. The device's progress row is locked
 * first, so batches of one device apply one at a time (on PostgreSQL, other devices' batches run in
 * parallel). Each response is first checked against the questionnaire versions its unit was given
 * (validate-responses.ts): valid ones go into responses, refused ones into refused_responses, each
 * with one set-based INSERT … ON CONFLICT DO NOTHING, never on an id or seq the other table holds.
 * Whatever went in nowhere is then classified as a duplicate (same id, same hash) or a conflict
 * (same id, other content; or a new id on a seq another id holds), and conflicts are kept aside.
 * A refused response's seq counts as received (received_seqs), so the sequence stays gap-free.
 * The responses inserted (and only those) are queued for the report tables in the same transaction
 * (report_pending, drained by central/reports/drain.ts, and by every report before it reads), so a
 * report asked for after the ack includes the batch. The batch's follow-up contacts are stored with
 * their responses (central/follow-ups/store-contacts.ts).
 * The caller answers only after this resolves, i.e. after COMMIT.
 */
export const storeBatch = async (
  db: CentralDb,
  envelope: BatchEnvelope,
  via: BatchVia,
  now: Date,
  /** Runs in the same transaction once the batch is in (the console's audit row): it fails, nothing is stored. */
  alsoInTransaction?: (tx: Queryable, ack: BatchAck) => Promise<void>,
  { reportAggregates = true }: StoreBatchOptions = {},
): Promise<BatchAck> => {
  // Held by this process for its drains where the server holds rows for this database (held-rows.ts).
  const heldReportRows = reportRowsHeldFor(db);
  let toHold: { queueId: number; batch: HeldBatch } | undefined;
  const ack = await db.transaction(async (tx) => {
    const deviceId = envelope.deviceId;
    const locked = firstRow(
      Locked,
      await tx.query(
        `SELECT p.highest_contiguous_seq, p.refused, d.revoked_at, d.unit_id FROM device_progress p JOIN devices d ON d.id = p.device_id WHERE p.device_id = $1 FOR UPDATE OF p`,
        [deviceId],
      ),
    );
    if (!locked) throw new SyncError('unknown_device', `device ${deviceId} is not enrolled here`);
    // A revocation committed while this batch was being verified still wins.
    if (locked.revoked_at)
      throw new SyncError('device_revoked', `device ${deviceId} was revoked on ${locked.revoked_at.toISOString()}`);

    const known = await knownQuestionnaires(tx, locked.unit_id, envelope.responses);
    const items: Item[] = envelope.responses.map((r) => ({
      id: r.id,
      seq: r.seq,
      hash: responseHash(r),
      body: r,
      refusal: refusalOf(r, known),
    }));
    // The same id twice in one batch: only its first copy may go in (the rest are classified below).
    const seen = new Set<string>();
    const firsts = items.filter((i) => !seen.has(i.id) && seen.add(i.id));
    const valid = firsts.filter((i) => !i.refusal);
    const refused = firsts.filter((i) => i.refusal);
    // Identity before validity: nothing goes into one table on an id or seq the other holds.
    const aside = locked.refused > 0 ? await heldIn(tx, 'refused_responses', deviceId, valid) : [];
    const stored = await heldIn(tx, 'responses', deviceId, refused);
    const candidates = notHeld(valid, aside);
    const insertedSeqs = await insertResponses(tx, deviceId, envelope.batchId, now, candidates);
    if (reportAggregates)
      toHold = await queueForReports(
        tx,
        { deviceId, unitId: locked.unit_id },
        candidates.filter((i) => insertedSeqs.has(i.seq)),
        known,
        now,
        heldReportRows,
      );
    const refusedSeqs = await setAside(tx, deviceId, envelope.batchId, now, notHeld(refused, stored));

    const rest = items.filter((i) => !insertedSeqs.has(i.seq) && !refusedSeqs.has(i.seq));
    const unstored = await classifyUnstored(tx, deviceId, rest);
    await keepConflicts(tx, deviceId, envelope.batchId, now, unstored.conflicts);
    // Follow-up contacts ride on their responses: kept only where the response is stored as sent.
    const contacts = await storeContacts(
      tx,
      { deviceId, unitId: locked.unit_id, now },
      envelope.contacts ?? [],
      new Map(firsts.map((i) => [i.id, i.hash])),
    );
    const ack = await recordBatch(tx, envelope, via, now, locked.highest_contiguous_seq, {
      received: items.length,
      inserted: insertedSeqs.size,
      refused: refusedSeqs.size,
      unstored,
      contacts,
    });
    await alsoInTransaction?.(tx, ack);
    return ack;
  });
  // Only now that the queue row is committed: held rows of a batch rolled back would never be drained.
  if (toHold) heldReportRows?.hold(toHold.queueId, toHold.batch);
  return ack;
};
