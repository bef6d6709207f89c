import { expect, test } from 'vitest';
import { z } from 'zod';
import { Int } from '../../central/db/rows.ts';
import { BatchAck } from '../../shared/sync.ts';
import {
  type FakeDevice,
  contentHash,
  enrolled,
  envelopeOf,
  kbatchBytes,
  makeResponse,
  makeResponses,
  postBatch,
} from '../support/central.ts';
import { forEachBackend, sharedCentral } from './backends.ts';
import { tableCounts } from './expect.ts';

const Row = z.object({ response_id: z.string(), seq: Int, content_hash: z.string(), body: z.unknown() });

forEachBackend('POST /v1/batches: ingest', (backend) => {
  const central = sharedCentral(backend);

  const send = async (
    device: FakeDevice,
    responses = makeResponses(device, 1, 5),
    headers: Record<string, string> = {},
  ): Promise<BatchAck> => {
    const res = await postBatch(central(), kbatchBytes(device, envelopeOf(device, responses)), headers);
    expect(res.status, await res.clone().text()).toBe(200);
    return BatchAck.parse(await res.json());
  };
  const stored = async (device: FakeDevice) =>
    z
      .array(Row)
      .parse(
        (
          await central().db.query(
            'SELECT response_id::text AS response_id, seq, content_hash, body FROM responses WHERE device_id = $1 ORDER BY seq',
            [device.id],
          )
        ).rows,
      );

  test('a new batch is inserted, acknowledged after commit, and stored exactly as sent', async () => {
    const device = await enrolled(central());
    const responses = makeResponses(device, 1, 5);
    const ack = await send(device, responses);
    expect(ack).toMatchObject({
      deviceId: device.id,
      received: 5,
      inserted: 5,
      duplicates: 0,
      conflicts: [],
      highestContiguousSeq: 5,
    });
    const rows = await stored(device);
    expect(rows.map((r) => r.body)).toEqual(responses);
    expect(rows.map((r) => r.content_hash)).toEqual(responses.map(contentHash));
  });

  test('the same batch again yields only duplicates and stores nothing new', async () => {
    const device = await enrolled(central());
    const bytes = kbatchBytes(device, envelopeOf(device, makeResponses(device, 1, 20)));
    expect((await postBatch(central(), bytes)).status).toBe(200);
    const before = await stored(device);
    const replay = BatchAck.parse(await (await postBatch(central(), bytes)).json());
    expect(replay).toMatchObject({
      received: 20,
      inserted: 0,
      duplicates: 20,
      conflicts: [],
      highestContiguousSeq: 20,
    });
    expect(await stored(device)).toEqual(before);
  });

  test('the same responses in a new batch (a USB copy of an online batch) are duplicates; the file route is recorded', async () => {
    const device = await enrolled(central());
    const responses = makeResponses(device, 1, 10);
    await send(device, responses);
    const viaFile = await send(device, responses, { 'x-kbatch-source': 'file' });
    expect(viaFile).toMatchObject({ inserted: 0, duplicates: 10 });
    const via = (
      await central().db.query('SELECT via FROM batches WHERE device_id = $1 ORDER BY id', [device.id])
    ).rows.map((r) => r['via']);
    expect(via).toEqual(['http', 'file']);
  });

  test('a response edited under the same id is a conflict: kept aside, the original untouched', async () => {
    const device = await enrolled(central());
    const responses = makeResponses(device, 1, 3);
    await send(device, responses);
    const edited = { ...responses[1]!, answers: { q1: 1 } };
    const ack = await send(device, [responses[0]!, edited, responses[2]!]);
    expect(ack).toMatchObject({
      inserted: 0,
      duplicates: 2,
      conflicts: [{ id: edited.id, seq: 2, reason: 'different_content' }],
      highestContiguousSeq: 3,
    });
    expect((await stored(device)).map((r) => r.body)).toEqual(responses);
    const conflict = (
      await central().db.query('SELECT reason, body, times FROM conflicts WHERE device_id = $1', [device.id])
    ).rows;
    expect(conflict).toEqual([{ reason: 'different_content', body: edited, times: 1 }]);
    // Sent again, the same conflict is reported again but kept once.
    expect((await send(device, [responses[0]!, edited, responses[2]!])).conflicts).toHaveLength(1);
    expect((await central().db.query('SELECT times FROM conflicts WHERE device_id = $1', [device.id])).rows).toEqual([
      { times: 2 },
    ]);
  });

  test('a new id on a seq another id holds is a conflict (seq_taken)', async () => {
    const device = await enrolled(central());
    const responses = makeResponses(device, 1, 3);
    await send(device, responses);
    const intruder = makeResponse(device, 2, { answers: { q1: 2 } });
    const ack = await send(device, [responses[0]!, intruder, responses[2]!]);
    expect(ack.conflicts).toEqual([{ id: intruder.id, seq: 2, reason: 'seq_taken' }]);
    expect((await stored(device)).map((r) => r.response_id)).toEqual(responses.map((r) => r.id));
  });

  test('the same id twice in one batch: the second copy is a conflict', async () => {
    const device = await enrolled(central());
    const [a] = makeResponses(device, 1, 1);
    const twin = { ...a!, seq: 2 };
    const ack = await send(device, [a!, twin]);
    expect(ack).toMatchObject({
      inserted: 1,
      duplicates: 0,
      conflicts: [{ id: a!.id, seq: 2, reason: 'different_content' }],
      highestContiguousSeq: 1,
    });
  });

  test('a batch mixing new, duplicate and conflicting responses is counted exactly', async () => {
    const device = await enrolled(central());
    const first = makeResponses(device, 1, 4);
    await send(device, first);
    const next = [first[0]!, { ...first[1]!, durationMs: 1 }, first[2]!, first[3]!, ...makeResponses(device, 5, 8)];
    const ack = await send(device, next);
    expect(ack).toMatchObject({ received: 8, inserted: 4, duplicates: 3, highestContiguousSeq: 8 });
    expect(ack.conflicts.map((c) => c.seq)).toEqual([2]);
  });

  test('highestContiguousSeq follows out-of-order batches and gaps', async () => {
    const device = await enrolled(central());
    const all = makeResponses(device, 1, 25);
    const part = (from: number, to: number) => all.slice(from - 1, to);
    expect((await send(device, part(6, 10))).highestContiguousSeq).toBe(0);
    expect((await send(device, part(1, 3))).highestContiguousSeq).toBe(3);
    expect((await send(device, part(16, 20))).highestContiguousSeq).toBe(3);
    expect((await send(device, part(4, 5))).highestContiguousSeq).toBe(10);
    expect((await send(device, part(21, 25))).highestContiguousSeq).toBe(10);
    expect((await send(device, part(11, 15))).highestContiguousSeq).toBe(25);
    // A duplicate-only batch reports the same value.
    expect((await send(device, part(1, 3))).highestContiguousSeq).toBe(25);
  });

  test('highestContiguousSeq jumps across a long run held beyond a gap (more than one step of the advance)', async () => {
    const device = await enrolled(central());
    const all = makeResponses(device, 1, 6001);
    for (let from = 2; from <= 6001; from += 1000)
      expect((await send(device, all.slice(from - 1, Math.min(from + 999, 6001)))).highestContiguousSeq).toBe(0);
    expect((await send(device, all.slice(0, 1))).highestContiguousSeq).toBe(6001);
  }, 60_000);

  test('the same batch sent concurrently is stored once', async () => {
    const device = await enrolled(central());
    const bytes = kbatchBytes(device, envelopeOf(device, makeResponses(device, 1, 200)));
    const acks = await Promise.all(
      Array.from({ length: 5 }, async () => BatchAck.parse(await (await postBatch(central(), bytes)).json())),
    );
    expect(acks.reduce((n, a) => n + a.inserted, 0)).toBe(200);
    expect(acks.reduce((n, a) => n + a.duplicates, 0)).toBe(800);
    expect(acks.every((a) => a.highestContiguousSeq === 200)).toBe(true);
    expect(await stored(device)).toHaveLength(200);
  });

  test('many devices at once: every response stored once, each device gap-free', async () => {
    const devices = await Promise.all(Array.from({ length: 8 }, () => enrolled(central())));
    const before = await tableCounts(central().db);
    await Promise.all(
      devices.map(async (d) => {
        const all = makeResponses(d, 1, 300);
        for (let i = 0; i < 300; i += 100) await send(d, all.slice(i, i + 100));
      }),
    );
    expect((await tableCounts(central().db)).responses - before.responses).toBe(8 * 300);
    const progress = (
      await central().db.query(
        'SELECT highest_contiguous_seq AS h FROM device_progress WHERE device_id = ANY($1::text[])',
        [devices.map((d) => d.id)],
      )
    ).rows;
    expect(progress.map((r) => r['h'])).toEqual(Array(8).fill(300));
  });
});
