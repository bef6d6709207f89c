import { randomBytes } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import { BatchBuildError, createBatchBuilder } from '../../electron/core/sync/batch-builder.ts';
import { ensureDeviceKey } from '../../electron/core/sync/device-key.ts';
import { addAckedRange, nextUnackedRun } from '../../electron/core/sync/sync-store.ts';
import { listResponses } from '../../electron/core/store/responses.ts';
import { decodeSignedDocument, openSigned, privateKeyFrom, publicKeyFrom } from '../../shared/node/signing.ts';
import { BatchEnvelope, LIMITS } from '../../shared/sync.ts';
import { type TestKiosk, insertBacklog, openTestKiosk } from './support/kiosk.ts';

const kiosks: TestKiosk[] = [];
afterEach(() => kiosks.splice(0).forEach((k) => k.close()));

const setup = (backlog: number, options: { commentBytes?: number; randomComments?: boolean } = {}) => {
  const kiosk = openTestKiosk();
  kiosks.push(kiosk);
  if (options.randomComments) {
    insertBacklog(kiosk.core, backlog, { commentBytes: 1 });
    // Incompressible comments: the byte bound, not the count, decides.
    const update = kiosk.db.prepare("UPDATE responses SET answers = json_set(answers, '$.comment', ?) WHERE seq = ?");
    kiosk.db.transaction(() => {
      for (let s = 1; s <= backlog; s++)
        update.run(
          randomBytes(options.commentBytes ?? 1400)
            .toString('base64')
            .slice(0, options.commentBytes ?? 1400),
          s,
        );
    })();
  } else {
    insertBacklog(kiosk.core, backlog, { commentBytes: options.commentBytes });
  }
  const key = ensureDeviceKey(kiosk.dataDir, kiosk.deviceId);
  return { kiosk, key, privateKey: privateKeyFrom(key.privateKey) };
};

/** Opens a built body the way central does: gunzip, verify, parse, validate. */
const open = (body: Buffer, publicKey: string): BatchEnvelope => {
  const decoded = decodeSignedDocument(body);
  if (!decoded.ok) throw new Error(decoded.message);
  const opened = openSigned(decoded.doc, publicKeyFrom(publicKey));
  if (!opened.ok) throw new Error(opened.message);
  return BatchEnvelope.parse(opened.value);
};

describe('batch builder', () => {
  it('bounds batches by count, contiguous from the lowest seq, signed and valid', async () => {
    const { kiosk, key, privateKey } = setup(2_345);
    const builder = createBatchBuilder({ db: kiosk.db, deviceId: kiosk.deviceId, privateKey });
    expect(builder.limits.maxCount).toBe(LIMITS.maxResponsesPerBatch);
    const ranges: [number, number][] = [];
    for (let from = 1; from <= 2_345;) {
      const b = await builder.build(from, 2_345);
      const env = open(b.body, key.publicKey);
      expect(env.seqFrom).toBe(from);
      expect(env.responses.map((r) => r.seq)).toEqual(Array.from({ length: b.count }, (_, i) => from + i));
      expect(env.responses.map((r) => r.id)).toEqual(b.ids);
      expect(env.batchId).toBe(b.batchId);
      ranges.push([b.seqFrom, b.seqTo]);
      from = b.seqTo + 1;
    }
    expect(ranges).toEqual([
      [1, 1000],
      [1001, 2000],
      [2001, 2345],
    ]);
  });

  it('takes a lower configured count and never more than the protocol allows', async () => {
    const { kiosk, privateKey } = setup(50);
    expect(
      (
        await createBatchBuilder({ db: kiosk.db, deviceId: kiosk.deviceId, privateKey, limits: { maxCount: 7 } }).build(
          1,
          50,
        )
      ).count,
    ).toBe(7);
    expect(
      createBatchBuilder({ db: kiosk.db, deviceId: kiosk.deviceId, privateKey, limits: { maxCount: 5_000 } }).limits
        .maxCount,
    ).toBe(LIMITS.maxResponsesPerBatch);
  });

  it('stops at the end of the run it is given (the next acknowledged range)', async () => {
    const { kiosk, privateKey } = setup(100);
    kiosk.db.transaction(() => addAckedRange(kiosk.db, { from: 40, to: 60 }, new Date().toISOString()))();
    const builder = createBatchBuilder({ db: kiosk.db, deviceId: kiosk.deviceId, privateKey });
    const first = nextUnackedRun(kiosk.db)!;
    expect(first).toEqual({ from: 1, to: 39 });
    const b = await builder.build(first.from, first.to);
    expect([b.seqFrom, b.seqTo]).toEqual([1, 39]);
    expect(nextUnackedRun(kiosk.db, 40)).toEqual({ from: 61, to: 100 });
  });

  it("bounds batches by gzip'd bytes: every body within the limit, the run covered without gaps", async () => {
    const { kiosk, key, privateKey } = setup(400, { randomComments: true, commentBytes: 1_400 });
    const maxCompressedBytes = 96 * 1024;
    const builder = createBatchBuilder({
      db: kiosk.db,
      deviceId: kiosk.deviceId,
      privateKey,
      limits: { maxCompressedBytes },
    });
    let next = 1;
    const counts: number[] = [];
    while (next <= 400) {
      const b = await builder.build(next, 400);
      expect(b.body.length).toBeLessThanOrEqual(maxCompressedBytes);
      expect(open(b.body, key.publicKey).seqFrom).toBe(next);
      counts.push(b.count);
      next = b.seqTo + 1;
    }
    expect(counts.length).toBeGreaterThan(3);
    expect(counts.every((c) => c < LIMITS.maxResponsesPerBatch)).toBe(true);
    // Once the ratio is learnt, batches fill most of the budget rather than a worst-case fraction.
    expect(Math.max(...counts.slice(1))).toBeGreaterThan(40);
  });

  it('splits and re-encodes a batch the estimate let grow over the limit', async () => {
    const { kiosk, key, privateKey } = setup(300, { randomComments: true, commentBytes: 1_400 });
    const maxCompressedBytes = 64 * 1024;
    // A wildly optimistic starting ratio: the first encoding is over the limit and must be split.
    const builder = createBatchBuilder({
      db: kiosk.db,
      deviceId: kiosk.deviceId,
      privateKey,
      limits: { maxCompressedBytes },
      initialRatio: 0.05,
    });
    const b = await builder.build(1, 300);
    expect(b.count).toBeLessThan(300);
    expect(b.body.length).toBeLessThanOrEqual(maxCompressedBytes);
    expect(b.seqFrom).toBe(1);
    expect(open(b.body, key.publicKey).responses).toHaveLength(b.count);
  });

  it('refuses a single response larger than a batch may be, naming its seq', async () => {
    const { kiosk, privateKey } = setup(3, { randomComments: true, commentBytes: 1_900 });
    const builder = createBatchBuilder({
      db: kiosk.db,
      deviceId: kiosk.deviceId,
      privateKey,
      limits: { maxCompressedBytes: 1_024 },
    });
    await expect(builder.build(1, 3)).rejects.toMatchObject({ code: 'response_too_large', seq: 1 });
    await expect(builder.build(1, 3)).rejects.toBeInstanceOf(BatchBuildError);
  });

  it('reports a stored row central would refuse, by seq and field, before signing', async () => {
    const { kiosk, privateKey } = setup(5);
    kiosk.db.prepare("UPDATE responses SET locale = 'xx-not-a-locale' WHERE seq = 4").run();
    const builder = createBatchBuilder({ db: kiosk.db, deviceId: kiosk.deviceId, privateKey });
    await expect(builder.build(1, 5)).rejects.toMatchObject({
      code: 'response_invalid',
      seq: 4,
      field: 'responses.3.locale',
    });
  });

  it('reads the backlog in pages: building a batch reads only the rows it sends', async () => {
    const { kiosk, privateKey } = setup(20_000);
    const pages: number[] = [];
    const builder = createBatchBuilder({
      db: kiosk.db,
      deviceId: kiosk.deviceId,
      privateKey,
      pageSize: 128,
      onPage: (n) => pages.push(n),
    });
    let next = 1;
    let batches = 0;
    while (next <= 20_000) {
      pages.length = 0;
      const b = await builder.build(next, 20_000);
      // Never more rows than the batch holds, in pages of at most 128.
      expect(pages.reduce((s, n) => s + n, 0)).toBe(b.count);
      expect(Math.max(...pages)).toBeLessThanOrEqual(128);
      next = b.seqTo + 1;
      batches++;
    }
    expect(batches).toBe(20);
  });

  it('keeps memory bounded while building through a large backlog', async () => {
    const rows = 30_000;
    const { kiosk, privateKey } = setup(rows);
    const builder = createBatchBuilder({ db: kiosk.db, deviceId: kiosk.deviceId, privateKey });
    // The whole backlog as objects would be far more than a batch: measure against that.
    const sampleBytes = JSON.stringify(listResponses(kiosk.db, kiosk.deviceId, { limit: 1_000 })).length;
    // Measure what stays reachable (after a full GC) while batches are built one after another.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    gc();
    const used = () => process.memoryUsage().heapUsed + process.memoryUsage().external;
    const before = used();
    let peak = 0;
    let held: unknown = null;
    for (let next = 1; next <= rows;) {
      const b = await builder.build(next, rows);
      held = b; // the batch in flight is alive while it is measured
      gc();
      peak = Math.max(peak, used() - before);
      next = b.seqTo + 1;
    }
    expect(held).not.toBeNull();
    // About one batch is retained, never the backlog (30 batches' worth).
    expect(peak).toBeLessThan(sampleBytes * 4);
  });
});
