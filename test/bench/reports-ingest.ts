/**
 * Batches of 1,000 per-case responses (answers from the embedded questionnaire, spread over a month) for
 * the ingest measures: the HTTP ingest of the reports bench (reports-ingest-http.ts) sends them as its
 * kiosks' templates; measure-report-queue.ts stores them straight through storeBatch.
 */
import { storeBatch } from '../../central/ingest/store-batch.ts';
import type { CentralDb } from '../../central/db/types.ts';
import { uuidv7 } from '../../shared/ids.ts';
import { EMBEDDED_CONFIG_DIR, loadConfigDir } from '../../shared/node/config-loader.ts';
import type { StoredResponse } from '../../shared/response.ts';
import { PROTOCOL_VERSION } from '../../shared/sync.ts';
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

/** Responses submitted at random over `days` days from 1 November 2026, in seq order (not time order). */
export const batchOf = (deviceId: string, firstSeq: number, rng: () => number, days = 29): StoredResponse[] => {
  const q = perCase();
  return Array.from({ length: BATCH }, (_, i) => {
    const at = Date.UTC(2026, 10, 1) + Math.floor(rng() * days * 86_400_000);
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
