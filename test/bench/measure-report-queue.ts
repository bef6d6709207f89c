/**
 * A quick measurement (not part of `npm run bench`): the ingest through storeBatch with the report queue
 * vs without reports, on PostgreSQL and PGlite, and what draining the queue costs, in bulk and batch by
 * batch (the latter is about what the old in-transaction aggregation cost).
 *   npx tsx test/bench/measure-report-queue.ts [batches=20]
 */
import { migrateCentral } from '../../central/db/migrate.ts';
import { openPglite } from '../../central/db/pglite.ts';
import { openPostgres } from '../../central/db/postgres.ts';
import type { CentralDb } from '../../central/db/types.ts';
import { ensureUnit } from '../../central/ops/units.ts';
import { drainReportQueueFully } from '../../central/reports/drain.ts';
import { prng } from '../support/prng.ts';
import { postgresAvailability, startPostgres } from '../support/postgres.ts';
import { addDevice, batchOf, store } from './reports-ingest.ts';

const BATCH = 1000;
const sum = (xs: number[]) => xs.reduce((a, x) => a + x, 0);

const measure = async (db: CentralDb, batches: number) => {
  await migrateCentral(db);
  await ensureUnit(db, { id: 'xa-001', name: 'Xã đo' });
  for (const id of ['m-off', 'm-queue', 'm-each']) await addDevice(db, id, 'xa-001');
  const rng = prng(11);
  const off: number[] = [];
  const queued: number[] = [];
  const each: number[] = [];
  for (let b = 0; b < batches; b++) {
    const seq = 1 + b * BATCH;
    const first = b % 2 === 0;
    if (first) queued.push(await store(db, batchOf('m-queue', seq, rng), true));
    off.push(await store(db, batchOf('m-off', seq, rng), false));
    if (!first) queued.push(await store(db, batchOf('m-queue', seq, rng), true));
  }
  const t0 = performance.now();
  const drained = await drainReportQueueFully(db);
  const bulkDrainMs = performance.now() - t0;
  // Store and drain one batch at a time: no merging across batches.
  for (let b = 0; b < batches; b++) {
    const ms = await store(db, batchOf('m-each', 1 + b * BATCH, rng), true);
    const t = performance.now();
    await drainReportQueueFully(db);
    each.push(ms + performance.now() - t);
  }
  const rate = (ms: number) => Math.round((batches * BATCH) / (ms / 1000));
  return {
    offRate: rate(sum(off)),
    queueAckRate: rate(sum(queued)),
    ackRatio: sum(off) / sum(queued),
    bulkDrainMs: Math.round(bulkDrainMs),
    drained,
    fullRatio: sum(off) / (sum(queued) + bulkDrainMs),
    eachRatio: sum(off) / sum(each),
  };
};

const batches = Number(process.argv[2] ?? 20);
const pglite = await openPglite();
try {
  console.log('PGlite', await measure(pglite, batches));
} finally {
  await pglite.close();
}
if (postgresAvailability().ok) {
  const pg = await startPostgres();
  const db = await openPostgres(await pg.createDatabase('measure'));
  try {
    console.log('PostgreSQL', await measure(db, batches));
  } finally {
    await db.close();
    await pg.stop();
  }
}
