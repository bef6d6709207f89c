/**
 * The sync bench's baselines without the protocol: the same responses written into PostgreSQL by
 * central's own insert path (storeBatch: one transaction per batch, duplicate and conflict
 * classification, gap-free progress) without HTTP, gzip, signatures or JSON parsing; and by a plain
 * multi-row INSERT of the same columns, as any loader would.
 */
import { type CentralDb, DEFAULT_UNIT, ensureUnit, responseHash, storeBatch } from '../../central/index.ts';
import { enrolDevice } from '../../central/ops/enrol.ts';
import { createEnrolmentCode } from '../../central/ops/enrolment-codes.ts';
import { uuidv7 } from '../../shared/ids.ts';
import { newKeyPair } from '../../shared/node/signing.ts';
import type { StoredResponse } from '../../shared/response.ts';
import { PROTOCOL_VERSION } from '../../shared/sync.ts';

/** Registers the device in a fresh central database, as enrolment would (rows reference it). */
export const registerDevice = async (db: CentralDb, deviceId: string): Promise<void> => {
  await ensureUnit(db, DEFAULT_UNIT);
  const { code } = await createEnrolmentCode(db, { unitId: DEFAULT_UNIT.id });
  await enrolDevice(
    db,
    { protocol: PROTOCOL_VERSION, code, deviceId, publicKey: newKeyPair().publicKey, appVersion: 'bench' },
    newKeyPair().publicKey,
    new Date(),
  );
};

export const chunk = <T>(items: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

/** storeBatch per chunk, one after another; milliseconds per batch. */
export const viaStoreBatch = async (
  db: CentralDb,
  deviceId: string,
  batches: StoredResponse[][],
): Promise<number[]> => {
  const ms: number[] = [];
  for (const responses of batches) {
    const t0 = performance.now();
    const ack = await storeBatch(
      db,
      {
        protocol: PROTOCOL_VERSION,
        deviceId,
        batchId: uuidv7(),
        seqFrom: responses[0]!.seq,
        seqTo: responses.at(-1)!.seq,
        createdAt: new Date().toISOString(),
        responses,
      },
      'http',
      new Date(),
    );
    ms.push(performance.now() - t0);
    if (ack.inserted !== responses.length)
      throw new Error(`storeBatch inserted ${ack.inserted} of ${responses.length}`);
  }
  return ms;
};

/** One INSERT … SELECT unnest(…) per chunk (its own transaction), the hash and JSON made as central makes them. */
export const viaPlainInsert = async (
  db: CentralDb,
  deviceId: string,
  batches: StoredResponse[][],
): Promise<number[]> => {
  const ms: number[] = [];
  for (const responses of batches) {
    const t0 = performance.now();
    const r = await db.query(
      `INSERT INTO responses (device_id, response_id, seq, content_hash, body, received_at, batch_id)
       SELECT $1, t.id, t.seq, t.hash, t.body::jsonb, $2, $3 FROM unnest($4::uuid[], $5::int[], $6::text[], $7::text[]) AS t (id, seq, hash, body)`,
      [
        deviceId,
        new Date(),
        uuidv7(),
        responses.map((x) => x.id),
        responses.map((x) => x.seq),
        responses.map(responseHash),
        responses.map((x) => JSON.stringify(x)),
      ],
    );
    ms.push(performance.now() - t0);
    if (r.rowCount !== responses.length) throw new Error(`INSERT wrote ${r.rowCount} of ${responses.length}`);
  }
  return ms;
};
