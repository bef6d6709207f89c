import { z } from 'zod';
import type { Questionnaire } from '../../shared/questionnaire.ts';
import { StoredResponse } from '../../shared/response.ts';
import { Int, parseRows } from '../db/rows.ts';
import type { Queryable } from '../db/types.ts';
import { embeddedQuestionnaires, keyOf, parseCached } from '../ingest/validate-responses.ts';
import { lockDrain } from './drain-lock.ts';
import { type QuestionnaireCatalog, rebuildBaseTablesInSql } from './rebuild-sql.ts';
import { refreshRollups } from './rollups.ts';
import type { AggregateInput } from './write-aggregates.ts';

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

export type RebuildOptions = { onProgress?: (p: RebuildProgress) => void };

const Published = z.object({
  unit_id: z.string().nullable(),
  id: z.string(),
  version: Int,
  hash: z.string(),
  body: z.unknown(),
});

/** The questionnaires central knows, for questionnaireFinder and the SQL rebuild (rebuild-sql.ts). */
export const questionnaireCatalog = async (tx: Queryable): Promise<QuestionnaireCatalog> => {
  const rows = parseRows(
    Published,
    await tx.query(
      `SELECT u.unit_id, q.id, q.version, q.hash, q.body
         FROM questionnaires q LEFT JOIN unit_questionnaires u ON u.questionnaire_id = q.id AND u.version = q.version`,
    ),
  );
  const perUnit = new Map<string, { unitId: string; q: Questionnaire }>();
  const anywhere = new Map<string, { q: Questionnaire }>();
  for (const row of rows) {
    const q = parseCached(row.hash, row.body);
    if (!q) continue;
    const key = keyOf(row.id, row.version);
    anywhere.set(key, { q });
    if (row.unit_id !== null) perUnit.set(`${row.unit_id}\u0000${key}`, { unitId: row.unit_id, q });
  }
  return {
    perUnit: [...perUnit.values()],
    embedded: [...embeddedQuestionnaires().values()].map((q) => ({ q })),
    anywhere: [...anywhere.values()],
  };
};

/**
 * Finds a response's questionnaire as the ingest did: a version published to its unit, else an
 * embedded default (every unit's kiosks answer those until a configuration arrives). Responses stored
 * before central checked them (schema 6) may name a version published only to another unit: any
 * published copy of that (id, version) is used then, since a published version never changes.
 */
export const questionnaireFinder = async (tx: Queryable) => {
  const catalog = await questionnaireCatalog(tx);
  const byKey = (entries: QuestionnaireCatalog['anywhere']) =>
    new Map(entries.map(({ q }) => [keyOf(q.id, q.version), q]));
  const perUnit = new Map(catalog.perUnit.map(({ unitId, q }) => [`${unitId}\u0000${keyOf(q.id, q.version)}`, q]));
  const embedded = byKey(catalog.embedded);
  const anywhere = byKey(catalog.anywhere);
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

/** Stored rows (responses joined to their device's unit) as writeAggregates' inputs (the reference writer), counting what was odd. */
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

export type RebuildTarget = {
  /** Also recompute migration 8's roll-ups (false only for migration 7's `after`, before they exist). */
  rollups: boolean;
};

/**
 * Empties report_facts, report_daily and report_monthly (and the roll-ups) and fills them again from
 * `responses`, counting in SQL (rebuild-sql.ts; the property tests prove it writes what the drain's
 * aggregate.ts writes). Runs in the caller's transaction: migration 7's `after`, or `centralctl
 * rebuild-reports`. It takes the drain's lock (no drain runs meanwhile), then locks the queue and the
 * report tables against writes (reads go on, seeing the old figures until COMMIT), then empties the
 * queue: every batch committed before that is in `responses` as read here; a batch being stored
 * meanwhile waits at its queue row and queues itself after this commits, so it is drained later,
 * never counted twice nor lost.
 */
export const rebuildReports = async (
  tx: Queryable,
  options: RebuildOptions & Partial<RebuildTarget> = {},
): Promise<RebuildSummary> => {
  const rollups = options.rollups ?? true;
  const tables = ['report_pending', 'report_facts', 'report_daily', 'report_monthly'];
  if (rollups) tables.push('report_monthly_unit', 'report_monthly_tree');
  await lockDrain(tx);
  await tx.query(`LOCK TABLE ${tables.join(', ')} IN EXCLUSIVE MODE`);
  for (const t of tables) await tx.query(`DELETE FROM ${t}`);
  // For this transaction only. The planner cannot estimate the readability test on jsonb bodies and
  // guesses one row: it would loop over every response for every device, sort millions of rows on
  // eleven text columns and compile the statement (JIT) for seconds. Hash joins and hash aggregates
  // with room in memory instead.
  await tx.query(`SET LOCAL work_mem = '1GB'`);
  await tx.query('SET LOCAL enable_nestloop = off');
  await tx.query('SET LOCAL enable_sort = off');
  await tx.query('SET LOCAL jit = off');
  await tx.query('SET LOCAL max_parallel_workers_per_gather = 0');
  const total = await countOf(tx, 'SELECT count(*)::int AS n FROM responses');
  options.onProgress?.({ done: 0, total });
  await rebuildBaseTablesInSql(tx, await questionnaireCatalog(tx));
  if (rollups) await refreshRollups(tx);
  for (const setting of [
    'enable_nestloop',
    'enable_sort',
    'jit',
    'work_mem',
    'maintenance_work_mem',
    'max_parallel_workers_per_gather',
  ])
    await tx.query(`RESET ${setting}`);
  const facts = await countOf(tx, 'SELECT count(*)::int AS n FROM report_facts');
  options.onProgress?.({ done: total, total });
  return {
    responses: total,
    facts,
    unknownQuestionnaire: await countOf(tx, `SELECT count(*)::int AS n FROM report_facts WHERE kind = 'custom'`),
    unreadable: total - facts,
    dailyRows: await countOf(tx, 'SELECT count(*)::int AS n FROM report_daily'),
    monthlyRows: await countOf(tx, 'SELECT count(*)::int AS n FROM report_monthly'),
  };
};

/** Migration 7's `after` step (the contract in central/db/migrations.ts): its own three tables, no report. */
export const rebuildReportTables = async (tx: Queryable): Promise<void> => {
  await rebuildReports(tx, { rollups: false });
};
