/**
 * Ingest with and without the report aggregates, as production runs them: two fresh devices in one
 * commune of the seeded database, batches of 1,000 per-case responses (answers from the embedded
 * questionnaire, spread over a month) through storeBatch. "On" queues each batch (report_pending) while
 * the server's report job (central/reports/drain-timer.ts) drains concurrently, competing for the same
 * CPUs, and its time includes draining what is left at the end: the rate counted is of responses stored
 * AND in the report tables. "Off" stores without queueing. Phases off, on, on, off (half the batches
 * each), so that both sides see the same table growth and drift.
 */
import { storeBatch } from '../../central/ingest/store-batch.ts';
import { drainReportQueueFully } from '../../central/reports/drain.ts';
import { startDrainTimer } from '../../central/reports/drain-timer.ts';
import type { CentralDb } from '../../central/db/types.ts';
import { uuidv7 } from '../../shared/ids.ts';
import { EMBEDDED_CONFIG_DIR, loadConfigDir } from '../../shared/node/config-loader.ts';
import type { StoredResponse } from '../../shared/response.ts';
import { PROTOCOL_VERSION } from '../../shared/sync.ts';
import { prng } from '../support/prng.ts';
import { fakeAnswers, fakeSources } from './answers.ts';
import { communeId } from './reports-seed.ts';

const BATCH = 1000;

const perCase = () => {
  const loaded = loadConfigDir(EMBEDDED_CONFIG_DIR);
  if (!loaded.ok) throw new Error('the embedded configuration does not load');
  const q = loaded.config.bundle.questionnaires.find((x) => x.id === 'per-case');
  if (!q) throw new Error('no embedded per-case questionnaire');
  return q;
};

export const batchOf = (deviceId: string, firstSeq: number, rng: () => number): StoredResponse[] => {
  const q = perCase();
  return Array.from({ length: BATCH }, (_, i) => {
    const at = Date.UTC(2026, 10, 1) + Math.floor(rng() * 29 * 86_400_000);
    const answers = fakeAnswers(q, rng, { status: 'complete' });
    const sources = fakeSources(q, answers);
    return {
      id: uuidv7(),
      deviceId,
      seq: firstSeq + i,
      questionnaireId: q.id,
      questionnaireVersion: q.version,
      procedureCode: '1.001193',
      fieldCode: 'ho-tich',
      caseNumber: `HS-${firstSeq + i}`,
      officerId: `cb-${i % 5}`,
      counterId: `quay-${1 + (i % 4)}`,
      locale: 'vi',
      status: 'complete',
      startedAt: new Date(at - 60_000).toISOString(),
      submittedAt: new Date(at).toISOString(),
      durationMs: 60_000,
      answers,
      flags: { rapidRepeat: false, clockSuspect: false },
      ...(sources ? { sources } : {}),
    } satisfies StoredResponse;
  });
};

export const addDevice = async (db: CentralDb, id: string, unitId = communeId(0)): Promise<void> => {
  await db.query(
    `INSERT INTO devices (id, unit_id, public_key, app_version, enrolled_at) VALUES ($1, $2, 'bench', 'bench', now())`,
    [id, unitId],
  );
  await db.query('INSERT INTO device_progress (device_id) VALUES ($1)', [id]);
};

export const store = async (db: CentralDb, responses: StoredResponse[], reportAggregates: boolean): Promise<number> => {
  const t0 = performance.now();
  const ack = await storeBatch(
    db,
    {
      protocol: PROTOCOL_VERSION,
      deviceId: responses[0]!.deviceId,
      batchId: uuidv7(),
      seqFrom: responses[0]!.seq,
      seqTo: responses.at(-1)!.seq,
      createdAt: new Date().toISOString(),
      responses,
    },
    'http',
    new Date(),
    undefined,
    { reportAggregates },
  );
  if (ack.inserted !== responses.length) throw new Error(`storeBatch inserted ${ack.inserted} of ${responses.length}`);
  return performance.now() - t0;
};

/** One side's phase: its batches in a row; with aggregates, the report job runs meanwhile and drains the rest after. */
type Phase = { storeMs: number[]; wallMs: number; drainMs: number };

const phase = async (
  db: CentralDb,
  device: string,
  firstSeq: number,
  batches: number,
  reportAggregates: boolean,
  rng: () => number,
): Promise<Phase> => {
  const storeMs: number[] = [];
  // The server's job, ticking every 200 ms rather than its 1 s so that it really runs during a phase of a
  // few batches (each drain then merges fewer batches: if anything this costs the "on" side).
  const job = reportAggregates ? startDrainTimer(db, { busyMs: 200, log: (m) => console.error(m) }) : undefined;
  const t0 = performance.now();
  for (let b = 0; b < batches; b++)
    storeMs.push(await store(db, batchOf(device, firstSeq + b * BATCH, rng), reportAggregates));
  await job?.stop();
  const t1 = performance.now();
  if (reportAggregates) await drainReportQueueFully(db);
  const t2 = performance.now();
  return { storeMs, wallMs: t2 - t0, drainMs: t2 - t1 };
};

export type IngestRates = {
  onMs: number[];
  offMs: number[];
  /** Responses stored and counted per second, with the job / stored per second without. */
  ratio: number;
  /** Acks per second only (the job's work not counted unless it slowed the stores), with / without. */
  ackRatio: number;
  note: string;
};

export const ingestRates = async (
  db: CentralDb,
  batches: number,
  progress: (message: string) => void,
): Promise<IngestRates> => {
  await addDevice(db, 'bench-ingest-on');
  await addDevice(db, 'bench-ingest-off');
  const rng = prng(7);
  const half = Math.max(1, Math.ceil(batches / 2));
  const on: Phase[] = [];
  const off: Phase[] = [];
  for (const [i, aggregate] of [false, true, true, false].entries()) {
    const firstSeq = 1 + (i < 2 ? 0 : half * BATCH);
    const p = await phase(db, aggregate ? 'bench-ingest-on' : 'bench-ingest-off', firstSeq, half, aggregate, rng);
    (aggregate ? on : off).push(p);
    progress(`ingest phase ${i + 1} of 4 (${aggregate ? 'with the report queue and job' : 'without reports'})`);
  }
  const sum = (xs: number[]) => xs.reduce((a, x) => a + x, 0);
  const n = 2 * half * BATCH;
  const rateOn = n / (sum(on.map((p) => p.wallMs)) / 1000);
  const rateOff = n / (sum(off.map((p) => p.wallMs)) / 1000);
  const onMs = on.flatMap((p) => p.storeMs);
  const offMs = off.flatMap((p) => p.storeMs);
  const drainMs = sum(on.map((p) => p.drainMs));
  return {
    onMs,
    offMs,
    ratio: rateOn / rateOff,
    ackRatio: sum(offMs) / sum(onMs),
    note:
      `${Math.round(rateOn)} responses/s stored and counted with the report queue and its job running, ` +
      `${Math.round(rateOff)} stored without reports (batches of ${BATCH}, phases off/on/on/off; ` +
      `${Math.round(drainMs)} ms of draining left after the stores, counted in the first figure)`,
  };
};
