import { z } from 'zod';
import type { Questionnaire } from '../../shared/questionnaire.ts';
import { StoredResponse } from '../../shared/response.ts';
import { Int, parseRows } from '../db/rows.ts';
import type { Queryable } from '../db/types.ts';
import { embeddedQuestionnaires, keyOf, parseCached } from '../ingest/validate-responses.ts';
import { lockDrain } from './drain-lock.ts';
import { type AggregateInput, writeAggregates } from './write-aggregates.ts';

/** Responses read and written per round trip: big enough to amortise the statements, small enough for memory. */
export const REBUILD_CHUNK = 5_000;

export type RebuildProgress = { done: number; total: number };

export type RebuildSummary = {
  /** Responses read from `responses`. */
  responses: number;
  /** Fact rows written (= responses minus unreadable). */
  facts: number;
  /** Responses whose questionnaire version was found nowhere: counted under kind 'custom', status only. */
  unknownQuestionnaire: number;
  /** Bodies that are not a StoredResponse (none should exist; skipped, never guessed at). */
  unreadable: number;
  /** Rows in report_daily and report_monthly afterwards. */
  dailyRows: number;
  monthlyRows: number;
};

export type RebuildOptions = { onProgress?: (p: RebuildProgress) => void; chunkSize?: number };

const Published = z.object({
  unit_id: z.string().nullable(),
  id: z.string(),
  version: Int,
  hash: z.string(),
  body: z.unknown(),
});

/**
 * Finds a response's questionnaire as the ingest did: a version published to its unit, else an
 * embedded default (every unit's kiosks answer those until a configuration arrives). Responses stored
 * before central checked them (schema 6) may name a version published only to another unit: any
 * published copy of that (id, version) is used then, since a published version never changes.
 */
export const questionnaireFinder = async (tx: Queryable) => {
  const rows = parseRows(
    Published,
    await tx.query(
      `SELECT u.unit_id, q.id, q.version, q.hash, q.body
         FROM questionnaires q LEFT JOIN unit_questionnaires u ON u.questionnaire_id = q.id AND u.version = q.version`,
    ),
  );
  const perUnit = new Map<string, Questionnaire>();
  const anywhere = new Map<string, Questionnaire>();
  for (const row of rows) {
    const q = parseCached(row.hash, row.body);
    if (!q) continue;
    const key = keyOf(row.id, row.version);
    anywhere.set(key, q);
    if (row.unit_id !== null) perUnit.set(`${row.unit_id}\u0000${key}`, q);
  }
  const embedded = embeddedQuestionnaires();
  return (unitId: string, id: string, version: number): Questionnaire | undefined => {
    const key = keyOf(id, version);
    return perUnit.get(`${unitId}\u0000${key}`) ?? embedded.get(key) ?? anywhere.get(key);
  };
};

export const StoredRow = z.object({
  device_id: z.string(),
  response_id: z.string(),
  unit_id: z.string(),
  body: z.unknown(),
});
type StoredRow = z.infer<typeof StoredRow>;
export type QuestionnaireFinder = Awaited<ReturnType<typeof questionnaireFinder>>;

/** Stored rows (responses joined to their device's unit) as writeAggregates' inputs, counting what was odd. */
export const aggregateInputs = (
  rows: readonly StoredRow[],
  find: QuestionnaireFinder,
  tally: { unknownQuestionnaire: number; unreadable: number },
): AggregateInput[] => {
  const inputs: AggregateInput[] = [];
  for (const row of rows) {
    const parsed = StoredResponse.safeParse(typeof row.body === 'string' ? JSON.parse(row.body) : row.body);
    if (!parsed.success) {
      tally.unreadable++;
      continue;
    }
    const r = parsed.data;
    const questionnaire = find(row.unit_id, r.questionnaireId, r.questionnaireVersion);
    if (!questionnaire) tally.unknownQuestionnaire++;
    inputs.push({
      response: r,
      place: { deviceId: row.device_id, responseId: row.response_id, unitId: row.unit_id },
      questionnaire,
    });
  }
  return inputs;
};
const Count = z.object({ n: Int });

const countOf = async (tx: Queryable, sql: string): Promise<number> => parseRows(Count, await tx.query(sql))[0]?.n ?? 0;

/** One chunk of responses after the keyset position (device_id, response_id), in that order. */
const readChunk = async (tx: Queryable, after: { device: string; response: string } | undefined, size: number) =>
  parseRows(
    StoredRow,
    await tx.query(
      `SELECT r.device_id, r.response_id::text AS response_id, d.unit_id, r.body
         FROM responses r JOIN devices d ON d.id = r.device_id
        ${after ? 'WHERE (r.device_id, r.response_id) > ($2, $3::uuid)' : ''}
        ORDER BY r.device_id, r.response_id LIMIT $1`,
      after ? [size, after.device, after.response] : [size],
    ),
  );

/**
 * Empties report_facts, report_daily and report_monthly and fills them again from `responses`, in
 * chunks (keyset on the primary key), with the drain's own code (write-aggregates.ts), so the result
 * is what the drain would have written. Runs in the caller's transaction: migration 7's `after`,
 * or `centralctl rebuild-reports`. It takes the drain's lock (no drain runs meanwhile), then locks
 * the queue and the report tables against writes (reads go on, seeing the old figures until COMMIT),
 * then empties the queue: every batch committed before that is in `responses` as read here; a batch
 * being stored meanwhile waits at its queue row and queues itself after this commits, so it is drained
 * later, never counted twice nor lost.
 */
export const rebuildReports = async (tx: Queryable, options: RebuildOptions = {}): Promise<RebuildSummary> => {
  const size = options.chunkSize ?? REBUILD_CHUNK;
  await lockDrain(tx);
  await tx.query('LOCK TABLE report_pending, report_facts, report_daily, report_monthly IN EXCLUSIVE MODE');
  await tx.query('DELETE FROM report_pending');
  await tx.query('DELETE FROM report_facts');
  await tx.query('DELETE FROM report_daily');
  await tx.query('DELETE FROM report_monthly');
  const find = await questionnaireFinder(tx);
  const total = await countOf(tx, 'SELECT count(*)::int AS n FROM responses');
  const summary = { responses: 0, facts: 0, unknownQuestionnaire: 0, unreadable: 0 };
  options.onProgress?.({ done: 0, total });
  let after: { device: string; response: string } | undefined;
  for (;;) {
    const rows = await readChunk(tx, after, size);
    if (rows.length === 0) break;
    const inputs = aggregateInputs(rows, find, summary);
    summary.facts += (await writeAggregates(tx, inputs)).facts;
    summary.responses += rows.length;
    const last = rows.at(-1)!;
    after = { device: last.device_id, response: last.response_id };
    options.onProgress?.({ done: summary.responses, total });
  }
  return {
    ...summary,
    dailyRows: await countOf(tx, 'SELECT count(*)::int AS n FROM report_daily'),
    monthlyRows: await countOf(tx, 'SELECT count(*)::int AS n FROM report_monthly'),
  };
};

/** Migration 7's `after` step (the contract in central/db/migrations.ts): rebuildReports without a report. */
export const rebuildReportTables = async (tx: Queryable): Promise<void> => {
  await rebuildReports(tx);
};
