/**
 * Reports section, on PostgreSQL: a province's responses seeded the fast way at schema 6, migration 7
 * building the report tables as it would on an existing database, then a quarter's per-case summary
 * for the whole province grouped by procedure and by unit, read from the aggregates (runReport) and by
 * a plain GROUP BY over the raw responses, in the same run; and ingest through the full path (signed,
 * gzip'd batches POSTed by simulated kiosks to a running central) with the reports on vs switched off
 * (reports-ingest-http.ts).
 *
 *   BENCH_REPORT_ROWS   responses seeded (default 1,000,000; the README figure is 10,000,000)
 *   BENCH_REPORT_RUNS   timed runs of each aggregate query (30); the raw GROUP BY runs 3 times
 *   BENCH_REPORT_KIOSKS kiosks sending at once in each ingest phase (10)
 *   BENCH_REPORT_INGEST batches of 1,000 per kiosk per ingest phase (2; four phases, off/on/on/off)
 */
import { migrateCentral } from '../../central/db/migrate.ts';
import { openPostgres } from '../../central/db/postgres.ts';
import type { CentralDb } from '../../central/db/types.ts';
import { runReport } from '../../central/reports/run-report.ts';
import { ReportQuery, type Grouping } from '../../shared/reports/query.ts';
import { postgresAvailability, startPostgres } from '../support/postgres.ts';
import { httpIngestRates } from './reports-ingest-http.ts';
import { DEFAULT_SEED_SHAPE, PROVINCE, seedResponses } from './reports-seed.ts';
import { percentile, summarize } from './stats.ts';
import type { BenchContext, Check, Row, Section, SectionResult } from './types.ts';

const envInt = (name: string, fallback: number): number => {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? Math.floor(v) : fallback;
};

const QUARTER = { from: '2026-04-01', to: '2026-06-30' };

const timed = async (runs: number, warmup: number, fn: () => Promise<unknown>): Promise<number[]> => {
  for (let i = 0; i < warmup; i++) await fn();
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    ms.push(performance.now() - t0);
  }
  return ms;
};

const p95 = (ms: readonly number[]): number =>
  percentile(
    [...ms].sort((a, b) => a - b),
    95,
  );

/** The same figures with no aggregates: every answer of every complete, unflagged per-case response of the quarter. */
const rawGroupBy = (db: CentralDb, by: 'unit' | 'procedure') =>
  db.query(
    `SELECT ${by === 'unit' ? 'd.unit_id' : `r.body->>'procedureCode'`} AS g, a.key AS question, a.value, count(*) AS n
       FROM responses r
       JOIN devices d ON d.id = r.device_id
       CROSS JOIN LATERAL jsonb_each_text(r.body->'answers') a
      WHERE r.body->>'questionnaireId' = 'per-case'
        AND r.body->>'status' = 'complete'
        AND NOT (r.body->'flags'->>'rapidRepeat')::boolean AND NOT (r.body->'flags'->>'clockSuspect')::boolean
        AND ((r.body->>'submittedAt')::timestamptz AT TIME ZONE 'UTC' + interval '7 hours')::date BETWEEN $1::date AND $2::date
      GROUP BY 1, 2, 3`,
    [QUARTER.from, QUARTER.to],
  );

const summary = (db: CentralDb, by: Grouping) =>
  runReport(db, ReportQuery.parse({ report: 'per-case', ...QUARTER, unit: PROVINCE, withSubunits: true, by: [by] }), {
    viewer: null,
    now: new Date(),
  });

const REPORT_TABLES = [
  'report_facts',
  'report_daily',
  'report_monthly',
  'report_monthly_unit',
  'report_monthly_tree',
] as const;

/** Rows in each report table (exact counts: this runs once, after the build). */
const countTables = async (db: CentralDb): Promise<Record<string, number>> => {
  const out: Record<string, number> = {};
  for (const t of REPORT_TABLES) out[t] = Number((await db.query(`SELECT count(*) AS n FROM ${t}`)).rows[0]?.['n']);
  return out;
};

const run = async (ctx: BenchContext): Promise<SectionResult> => {
  const rows = envInt('BENCH_REPORT_ROWS', 1_000_000);
  const runs = envInt('BENCH_REPORT_RUNS', 30);
  const ingestKiosks = envInt('BENCH_REPORT_KIOSKS', 10);
  const ingestBatches = envInt('BENCH_REPORT_INGEST', 2);
  const params = { rows, runs, ingestKiosks, ingestBatches, ...DEFAULT_SEED_SHAPE };
  const available = postgresAvailability();
  if (!available.ok) return { rows: [], checks: [], params, notes: [`reports section skipped: ${available.reason}`] };

  ctx.progress('starting a throwaway PostgreSQL cluster');
  const pg = await startPostgres();
  let db: CentralDb | undefined;
  try {
    const databaseUrl = await pg.createDatabase('bench_reports');
    db = await openPostgres(databaseUrl);
    await migrateCentral(db, 6);
    const seedStart = performance.now();
    await seedResponses(db, rows, DEFAULT_SEED_SHAPE, (done) => ctx.progress(`seeded ${done} of ${rows} responses`));
    const seedSeconds = (performance.now() - seedStart) / 1000;
    ctx.progress(`seeded ${rows} responses in ${seedSeconds.toFixed(0)} s`);
    ctx.progress('migration 7: building the report tables from the stored responses');
    const migrateStart = performance.now();
    await migrateCentral(db, 7);
    const migrateSeconds = (performance.now() - migrateStart) / 1000;
    ctx.progress(`migration 7 done in ${migrateSeconds.toFixed(0)} s`);
    // The province arranges its tree at schema 7, then upgrades: migration 8 sums the roll-ups.
    await db.query(`UPDATE units SET parent_id = $1, kind = 'commune' WHERE id <> $1`, [PROVINCE]);
    await db.query(`UPDATE units SET kind = 'province' WHERE id = $1`, [PROVINCE]);
    ctx.progress('migration 8: the roll-ups per unit and per ancestor');
    const rollupStart = performance.now();
    await migrateCentral(db);
    const rollupSeconds = (performance.now() - rollupStart) / 1000;
    ctx.progress(`migration 8 done in ${rollupSeconds.toFixed(0)} s`);
    await db.query('VACUUM ANALYZE');
    const tableRows = await countTables(db);
    ctx.progress(`rows: ${JSON.stringify(tableRows)}`);

    ctx.progress('timing the quarter summaries from the aggregates');
    const byProcedure = await timed(runs, 3, () => summary(db!, 'procedure'));
    const byUnit = await timed(runs, 3, () => summary(db!, 'unit'));
    // Said as soon as known: a long run stopped later still leaves these figures in its log.
    ctx.progress(
      `aggregates p95: by procedure ${p95(byProcedure).toFixed(0)} ms, by unit ${p95(byUnit).toFixed(0)} ms`,
    );
    ctx.progress('timing the same figures by a plain GROUP BY over the raw responses (slow)');
    const rawProcedure = await timed(3, 0, () => rawGroupBy(db!, 'procedure'));
    ctx.progress(`raw GROUP BY by procedure p95 ${p95(rawProcedure).toFixed(0)} ms`);
    const rawUnit = await timed(3, 0, () => rawGroupBy(db!, 'unit'));
    ctx.progress(`raw GROUP BY by unit p95 ${p95(rawUnit).toFixed(0)} ms`);
    ctx.progress('ingest over HTTP into a running central, reports on and switched off');
    const ingestIn = (order: 'spread' | 'in-order') =>
      httpIngestRates({
        databaseUrl,
        workDir: ctx.workDir,
        kiosks: ingestKiosks,
        batchesPerKiosk: ingestBatches,
        perBatch: 1000,
        order,
        progress: ctx.progress,
      });
    const ingest = await ingestIn('spread');
    const inOrder = await ingestIn('in-order');

    const out: Row[] = [
      summarize(
        `reports ${compact(rows)}: quarter per-case summary, whole province, by procedure (aggregates)`,
        byProcedure,
      ),
      summarize(`reports ${compact(rows)}: same, by unit (aggregates)`, byUnit),
      summarize(`reports ${compact(rows)}: plain GROUP BY over raw responses, by procedure`, rawProcedure),
      summarize(`reports ${compact(rows)}: plain GROUP BY over raw responses, by unit`, rawUnit),
      summarize(`ingest over HTTP: batch of 1000 round trip, ${ingestKiosks} kiosks, reports on`, ingest.onMs),
      summarize(`ingest over HTTP: batch of 1000 round trip, ${ingestKiosks} kiosks, reports off`, ingest.offMs),
    ];
    const checks: Check[] = [
      { name: 'report by procedure p95', value: p95(byProcedure), unit: 'ms', target: { op: '<=', limit: 300 } },
      { name: 'report by unit p95', value: p95(byUnit), unit: 'ms', target: { op: '<=', limit: 300 } },
      {
        name: 'raw GROUP BY / aggregates, by procedure (p95 over p95)',
        value: p95(rawProcedure) / p95(byProcedure),
        unit: 'x',
        target: { op: '>=', limit: 20 },
      },
      {
        name: 'raw GROUP BY / aggregates, by unit (p95 over p95)',
        value: p95(rawUnit) / p95(byUnit),
        unit: 'x',
        target: { op: '>=', limit: 20 },
      },
      {
        name: 'ingest over HTTP, stored and counted with reports on / stored with reports off',
        value: ingest.ratio,
        unit: 'x',
        target: { op: '>=', limit: 0.8 },
      },
      { name: 'ingest over HTTP, ack rate reports on / off (acks only)', value: ingest.ackRatio, unit: 'x' },
      {
        name: "the same with each kiosk's batches in time order",
        value: inOrder.ratio,
        unit: 'x',
        target: { op: '>=', limit: 0.8 },
      },
      { name: "ack rate with each kiosk's batches in time order", value: inOrder.ackRatio, unit: 'x' },
      { name: 'seed (generate_series)', value: seedSeconds, unit: 's' },
      { name: 'migration 7 on the seeded responses (counting in SQL)', value: migrateSeconds, unit: 's' },
      { name: 'migration 8: roll-ups from report_monthly', value: rollupSeconds, unit: 's' },
      ...Object.entries(tableRows).map(([table, n]): Check => ({ name: `${table} rows`, value: n, unit: 'rows' })),
    ];
    return {
      rows: out,
      checks,
      params,
      notes: [
        'PostgreSQL with its default memory settings (shared_buffers 128 MB, work_mem 4 MB), fsync off.',
        `Ingest: ${ingest.note}`,
        `Ingest: ${inOrder.note}`,
      ],
    };
  } finally {
    await db?.close();
    await pg.stop();
  }
};

const compact = (n: number): string =>
  n >= 1_000_000 ? `${n / 1_000_000}M` : n >= 1000 ? `${Math.round(n / 1000)}k` : String(n);

export const reportsSection: Section = {
  name: 'reports',
  description:
    'report summaries from the aggregates vs a plain GROUP BY, ingest with the report queue and job vs without (PostgreSQL)',
  run,
};
