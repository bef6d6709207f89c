import { z } from 'zod';
import type { LocalizedText } from '../../shared/locale.ts';
import { Int, parseRows } from '../db/rows.ts';
import type { CentralDb, Queryable } from '../db/types.ts';
import { lockDrain } from './drain-lock.ts';
import { notDrainedNote } from './engine/notes.ts';
import { questionnaireCatalog } from './rebuild.ts';
import {
  HELD_ELSEWHERE_GRACE_MS,
  type HeldBatch,
  type HeldReportRows,
  heldReportRows,
  reportRowsHeldFor,
} from './held-rows.ts';
import { addQueuedRows } from './queue-rows.ts';
import { type QuestionnaireCatalog, addDailyDeltas, countRepeatCasesOfDrain, drainCountsInSql } from './rebuild-sql.ts';

/**
 * Responses one drain transaction takes at most (whole batches: it stops before the batch that would
 * go over, but always takes at least one). What a drain costs is mostly its distinct count rows, and
 * those grow far slower than its responses (the same days, officers and answers recur), so under a
 * heavy ingest a bigger drain is cheaper per response: 50,000 made the drain's report_daily upsert a
 * third of what it was at 20,000 on the bench. It still holds its locks (other drains and rebuilds
 * only: batches and reports do not wait for it) for about a second.
 */
export const DRAIN_MAX_RESPONSES = 50_000;

export type DrainOptions = {
  maxResponses?: number;
  /**
   * The report rows this process holds (held-rows.ts; by default those held for the database drained,
   * where it is the server's): the batches it holds are added from memory. A batch queued without its
   * rows and not held here is counted from `responses`.
   */
  held?: HeldReportRows;
  /**
   * The server's report job: leave a batch queued without its rows in the last HELD_ELSEWHERE_GRACE_MS,
   * and not held here, to the process that holds it (a report takes every batch).
   */
  leaveRowsHeldElsewhere?: boolean;
};
export type DrainResult = { batches: number; responses: number };

const Taken = z.object({ device_id: z.string(), seqs: z.array(Int) });
const Left = z.object({ n: Int });

/**
 * Takes the oldest queued batches, up to maxResponses responses (by running total in queue order), off
 * the queue: their ids, devices and seqs into the temporary table report_drain_taken (dropped at
 * COMMIT), their rows deleted from the queue once counted (deleteTaken). Only this transaction sees them
 * gone until it commits. Returns how many it took.
 */
const takeQueued = async (tx: Queryable, maxResponses: number, leaveHeldElsewhere: HeldReportRows | undefined) => {
  await tx.query('DROP TABLE IF EXISTS report_drain_taken');
  const onlyOurs = leaveHeldElsewhere
    ? `WHERE facts IS NOT NULL OR id = ANY($2::bigint[]) OR queued_at < now() - interval '${HELD_ELSEWHERE_GRACE_MS} milliseconds'`
    : '';
  await tx.query(
    `CREATE TEMP TABLE report_drain_taken ON COMMIT DROP AS
     SELECT id, device_id, seqs FROM (
       SELECT id, device_id, seqs, sum(cardinality(seqs)) OVER (ORDER BY id) - cardinality(seqs) AS before
         FROM (SELECT id, device_id, seqs FROM report_pending ${onlyOurs} ORDER BY id LIMIT $1 FOR UPDATE) oldest
     ) t WHERE before < $1`,
    leaveHeldElsewhere ? [maxResponses, leaveHeldElsewhere.ids()] : [maxResponses],
  );
  // Counted apart: what CREATE TABLE AS reports as its row count differs between the drivers.
  return parseRows(Left, await tx.query('SELECT count(*)::int AS n FROM report_drain_taken'))[0]?.n ?? 0;
};

const deleteTaken = (tx: Queryable) =>
  tx.query('DELETE FROM report_pending WHERE id IN (SELECT id FROM report_drain_taken)');

/**
 * Batches queued with only their seqs and not held here (queued before migration 14, or held by a
 * process that has since stopped): counted from `responses` by the SQL the rebuild uses
 * (rebuild-sql.ts). Returns how many responses were found.
 */
const drainSeqsOnly = async (
  tx: Queryable,
  catalog: () => Promise<QuestionnaireCatalog>,
  heldIds: readonly number[],
): Promise<number> => {
  const seqsOnly = parseRows(
    Taken,
    await tx.query(
      `SELECT d.device_id, d.seqs FROM report_drain_taken d JOIN report_pending p ON p.id = d.id
        WHERE p.facts IS NULL AND NOT (d.id = ANY($1::bigint[]))`,
      [heldIds],
    ),
  );
  if (seqsOnly.length === 0) return 0;
  const found = await drainCountsInSql(tx, await catalog(), seqsOnly);
  await tx.query(
    `INSERT INTO report_drain_cases SELECT DISTINCT unit_id, case_number FROM report_src
      WHERE case_number IS NOT NULL AND complete AND NOT flagged`,
  );
  return found;
};

const TakenRow = Taken.extend({ id: z.coerce.number().int() });

const sameSeqs = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** The taken batches whose rows this process holds (for that very row: same device, same seqs). */
const heldTaken = async (tx: Queryable, held: HeldReportRows | undefined) => {
  if (!held || held.responses() === 0) return { ids: [], batches: [] };
  const ids: number[] = [];
  const batches: HeldBatch[] = [];
  for (const { id, device_id, seqs } of parseRows(
    TakenRow,
    await tx.query('SELECT id, device_id, seqs FROM report_drain_taken'),
  )) {
    const batch = held.get(id);
    if (!batch || batch.deviceId !== device_id || !sameSeqs(batch.seqs, seqs)) continue;
    ids.push(id);
    batches.push(batch);
  }
  return { ids, batches };
};

/** A drain, and the held batches it added (to forget once it has committed). */
const drainTaking = async (tx: Queryable, options: DrainOptions): Promise<DrainResult & { heldIds: number[] }> => {
  await lockDrain(tx);
  const batches = await takeQueued(
    tx,
    options.maxResponses ?? DRAIN_MAX_RESPONSES,
    options.leaveRowsHeldElsewhere ? (options.held ?? heldReportRows(0)) : undefined,
  );
  if (batches === 0) return { batches: 0, responses: 0, heldIds: [] };
  const mine = await heldTaken(tx, options.held);
  // A drain's count rows (several per response before they merge) summed in memory, not on disk.
  await tx.query(`SET LOCAL work_mem = '64MB'`);
  const counted = await addQueuedRows(
    tx,
    'report_drain_taken d JOIN report_pending p ON p.id = d.id',
    'report_drain_queued_daily',
    mine.batches,
  );
  await addDailyDeltas(tx, 'report_drain_queued_daily');
  // The catalogue only where responses are read again: batches queued before migration 14, repeats.
  let held: Promise<QuestionnaireCatalog> | undefined;
  const catalog = () => (held ??= questionnaireCatalog(tx));
  const fromResponses = await drainSeqsOnly(tx, catalog, mine.ids);
  await countRepeatCasesOfDrain(tx, catalog);
  await deleteTaken(tx);
  await tx.query('RESET work_mem');
  return { batches, responses: counted + fromResponses, heldIds: mine.ids };
};

/** One drain in the caller's transaction (see drainReportQueue). */
export const drainInTransaction = async (tx: Queryable, options: DrainOptions = {}): Promise<DrainResult> => {
  const { batches, responses } = await drainTaking(tx, options);
  return { batches, responses };
};

const isCentralDb = (db: Queryable): db is CentralDb => 'transaction' in db;

/**
 * Adds the oldest queued batches (report_pending, written by storeBatch in each batch's transaction) to
 * report_facts, report_daily and report_monthly, in ONE transaction that also deletes their queue rows:
 * a failure rolls both back, so a batch is never lost nor counted twice. A transaction-scoped advisory
 * lock makes drains (and the rebuild) run one at a time across processes and instances; a second
 * drainer waits, then finds the queue without the rows the first one took. Given a transaction (not
 * the database), it runs in it and the lock is held until that transaction ends.
 */
export const drainReportQueue = async (db: Queryable, options: DrainOptions = {}): Promise<DrainResult> => {
  // In a caller's transaction: held rows it used are forgotten when they go stale (held-rows.ts).
  if (!isCentralDb(db)) return drainInTransaction(db, options);
  const held = options.held ?? reportRowsHeldFor(db);
  const { batches, responses, heldIds } = await db.transaction(async (tx) => {
    // Its own transaction's commit need not wait for the disk: a drain lost in a crash of PostgreSQL loses
    // its deletion of the queue rows with it, so its batches are drained again (from `responses`: the rows
    // held for them were forgotten). A caller's transaction (above) keeps the caller's setting.
    await tx.query('SET LOCAL synchronous_commit = off');
    return drainTaking(tx, { ...options, held });
  });
  held?.forget(heldIds);
  return { batches, responses };
};

const Highest = z.object({ id: z.coerce.number().nullable() });

/**
 * Drains until no batch queued before the call is left: what a report does before it reads, so it
 * includes every batch acked before it was asked for (a drain already running is waited for, then the
 * rest is drained). Batches queued after the call may be taken too but are not waited for, so a steady
 * ingest cannot keep a report waiting.
 */
export const drainReportQueueFully = async (db: Queryable, options: DrainOptions = {}): Promise<DrainResult> => {
  const highest = parseRows(Highest, await db.query('SELECT max(id) AS id FROM report_pending'))[0]?.id ?? null;
  const total = { batches: 0, responses: 0 };
  if (highest === null) return total;
  for (;;) {
    const step = await drainReportQueue(db, options);
    total.batches += step.batches;
    total.responses += step.responses;
    const left = await db.query('SELECT 1 FROM report_pending WHERE id <= $1 LIMIT 1', [highest]);
    if (step.batches === 0 || left.rows.length === 0) return total;
  }
};

/**
 * drainReportQueueFully for a report: a drain that fails (its batches stay queued; the server's job logs
 * why and retries) does not stop the report, which then says how many batches its figures lack.
 */
export const drainBeforeReport = async (db: Queryable): Promise<LocalizedText | undefined> => {
  try {
    await drainReportQueueFully(db);
    return undefined;
  } catch {
    const left = parseRows(Left, await db.query('SELECT count(*)::int AS n FROM report_pending'))[0]?.n ?? 0;
    return notDrainedNote(left);
  }
};
