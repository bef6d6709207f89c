/**
 * Ingest with and without the report aggregates: two fresh devices in one commune of the seeded
 * database, batches of 1,000 per-case responses (answers from the embedded questionnaire, spread over
 * a month) through storeBatch, the two sides alternating batch by batch so that both see the same
 * noise and the same table sizes.
 */
import { storeBatch } from '../../central/ingest/store-batch.ts';
import type { CentralDb } from '../../central/db/types.ts';
import { uuidv7 } from '../../shared/ids.ts';
import { EMBEDDED_CONFIG_DIR, loadConfigDir } from '../../shared/node/config-loader.ts';
import type { StoredResponse } from '../../shared/response.ts';
import { PROTOCOL_VERSION } from '../../shared/sync.ts';
import { prng } from '../support/prng.ts';
import { fakeAnswers } from './answers.ts';
import { communeId } from './reports-seed.ts';

const BATCH = 1000;

const perCase = () => {
  const loaded = loadConfigDir(EMBEDDED_CONFIG_DIR);
  if (!loaded.ok) throw new Error('the embedded configuration does not load');
  const q = loaded.config.bundle.questionnaires.find((x) => x.id === 'per-case');
  if (!q) throw new Error('no embedded per-case questionnaire');
  return q;
};

const batchOf = (deviceId: string, firstSeq: number, rng: () => number): StoredResponse[] => {
  const q = perCase();
  return Array.from({ length: BATCH }, (_, i) => {
    const at = Date.UTC(2026, 10, 1) + Math.floor(rng() * 29 * 86_400_000);
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
      answers: fakeAnswers(q, rng, { status: 'complete' }),
      flags: { rapidRepeat: false, clockSuspect: false },
    } satisfies StoredResponse;
  });
};

const addDevice = async (db: CentralDb, id: string): Promise<void> => {
  await db.query(
    `INSERT INTO devices (id, unit_id, public_key, app_version, enrolled_at) VALUES ($1, $2, 'bench', 'bench', now())`,
    [id, communeId(0)],
  );
  await db.query('INSERT INTO device_progress (device_id) VALUES ($1)', [id]);
};

const store = async (db: CentralDb, responses: StoredResponse[], reportAggregates: boolean): Promise<number> => {
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

export type IngestRates = { onMs: number[]; offMs: number[]; ratio: number; note: string };

export const ingestRates = async (
  db: CentralDb,
  batches: number,
  progress: (message: string) => void,
): Promise<IngestRates> => {
  await addDevice(db, 'bench-ingest-on');
  await addDevice(db, 'bench-ingest-off');
  const rng = prng(7);
  const onMs: number[] = [];
  const offMs: number[] = [];
  for (let b = 0; b < batches; b++) {
    const seq = 1 + b * BATCH;
    // Alternate which side goes first, so neither always runs on a warmer cache.
    const first = b % 2 === 0;
    const on = batchOf('bench-ingest-on', seq, rng);
    const off = batchOf('bench-ingest-off', seq, rng);
    if (first) onMs.push(await store(db, on, true));
    offMs.push(await store(db, off, false));
    if (!first) onMs.push(await store(db, on, true));
    progress(`ingest batch ${b + 1} of ${batches}`);
  }
  const total = (xs: number[]) => xs.reduce((a, x) => a + x, 0);
  const rateOn = (batches * BATCH) / (total(onMs) / 1000);
  const rateOff = (batches * BATCH) / (total(offMs) / 1000);
  return {
    onMs,
    offMs,
    ratio: rateOn / rateOff,
    note: `${Math.round(rateOn)} responses/s with the aggregates, ${Math.round(rateOff)} without (batches of ${BATCH}, alternating)`,
  };
};
