// The kiosk's own .kbatch files and online batches against central on PGlite and on PostgreSQL:
// a tampered file (one bit flipped, a response edited) is rejected with a clear reason; a replayed
// file yields only duplicates; a revoked device's batches are refused online and by file upload,
// and nothing of theirs is stored until it is re-admitted.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterEach, expect, test } from 'vitest';
import { revokeDevice, unrevokeDevice } from '../../central/index.ts';
import { exportBatches, uploadFiles } from '../../electron/core/sync/offline.ts';
import { ackedRanges, queueDepth } from '../../electron/core/sync/sync-store.ts';
import type { Signed } from '../../shared/sync.ts';
import { forEachBackend, sharedCentral } from '../central/backends.ts';
import { tableCounts } from '../central/expect.ts';
import { tempDir } from '../support/tmp.ts';
import {
  type TestKiosk,
  centralResponses,
  enrolTestKiosk,
  insertBacklog,
  openTestKiosk,
  testEngine,
} from './support/kiosk.ts';

forEachBackend("the kiosk's batches refused and replayed", (backend) => {
  const central = sharedCentral(backend);
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
    expect((await fetch(`${central().url}/v1/health`)).status).toBe(200);
  });
  const kioskWith = async (backlog: number): Promise<TestKiosk> => {
    const kiosk = openTestKiosk();
    cleanups.push(() => kiosk.close());
    insertBacklog(kiosk.core, backlog, { seed: backlog + 3 });
    await enrolTestKiosk(kiosk, central());
    return kiosk;
  };
  const usb = () => {
    const t = tempDir('kiosk-usb-');
    cleanups.push(t.cleanup);
    return t.dir;
  };
  const exported = async (kiosk: TestKiosk, maxCount: number) => {
    const r = await exportBatches({
      db: kiosk.db,
      deviceId: kiosk.deviceId,
      dataDir: kiosk.dataDir,
      outDir: usb(),
      limits: { maxCount },
    });
    expect(r.ok).toBe(true);
    return r.files.map((f) => f.file);
  };

  test('a tampered .kbatch is rejected with a clear reason; the intact files go in once, and a replay is only duplicates', async () => {
    const kiosk = await kioskWith(30);
    const files = await exported(kiosk, 10);
    expect(files).toHaveLength(3);
    const dir = usb();
    const original = readFileSync(files[0]!);
    const flipped = Buffer.from(original);
    flipped[Math.floor(flipped.length / 2)]! ^= 0x04;
    writeFileSync(join(dir, 'flipped.kbatch'), flipped);
    const doc = JSON.parse(gunzipSync(original).toString('utf8')) as Signed;
    const envelope = JSON.parse(Buffer.from(doc.payload, 'base64url').toString('utf8')) as {
      responses: { durationMs: number }[];
    };
    envelope.responses[4]!.durationMs += 1;
    writeFileSync(
      join(dir, 'edited.kbatch'),
      gzipSync(JSON.stringify({ ...doc, payload: Buffer.from(JSON.stringify(envelope)).toString('base64url') })),
    );

    const before = await tableCounts(central().db);
    const tampered = await uploadFiles({
      files: [join(dir, 'flipped.kbatch'), join(dir, 'edited.kbatch')],
      centralUrl: central().url,
      retries: 0,
    });
    expect(tampered[0]).toMatchObject({
      ok: false,
      status: 400,
      code: 'invalid_body',
      message: expect.stringMatching(/not intact gzip/),
    });
    expect(tampered[1]).toMatchObject({
      ok: false,
      status: 401,
      code: 'bad_signature',
      message: expect.stringMatching(/altered after signing/),
    });
    expect(await tableCounts(central().db)).toEqual(before);

    const first = await uploadFiles({ files, centralUrl: central().url });
    expect(first.map((r) => r.ok && [r.ack.inserted, r.ack.duplicates, r.ack.highestContiguousSeq])).toEqual([
      [10, 0, 10],
      [10, 0, 20],
      [10, 0, 30],
    ]);
    const stored = await centralResponses(central(), kiosk.deviceId);
    const replay = await uploadFiles({ files: [...files].reverse(), centralUrl: central().url });
    expect(replay.map((r) => r.ok && [r.ack.inserted, r.ack.duplicates, r.ack.conflicts.length])).toEqual([
      [0, 10, 0],
      [0, 10, 0],
      [0, 10, 0],
    ]);
    expect(await centralResponses(central(), kiosk.deviceId)).toEqual(stored);
    // Back online, the kiosk learns from the heartbeat that central holds it all, and sends nothing.
    const engine = testEngine(kiosk);
    cleanups.push(() => engine.stop());
    expect(await engine.runOnce()).toMatchObject({ ok: true, skippedByCentral: 30, responses: 0 });
    expect(ackedRanges(kiosk.db)).toEqual([{ from: 1, to: 30 }]);
  });

  test('a revoked kiosk is refused online and by file upload, stores nothing, and resumes when re-admitted', async () => {
    const kiosk = await kioskWith(25);
    const files = await exported(kiosk, 10);
    await revokeDevice(central().db, kiosk.deviceId);
    const before = await tableCounts(central().db);

    const engine = testEngine(kiosk);
    cleanups.push(() => engine.stop());
    expect(await engine.runOnce({ heartbeat: false, config: false })).toMatchObject({
      ok: false,
      batches: 0,
      failure: { kind: 'refused', code: 'device_revoked', status: 403 },
    });
    expect(engine.status()).toMatchObject({ state: 'needs_attention', queueDepth: 25 });

    const uploaded = await uploadFiles({ files, centralUrl: central().url, db: kiosk.db, deviceId: kiosk.deviceId });
    expect(uploaded.map((r) => !r.ok && [r.status, r.code])).toEqual(Array(3).fill([403, 'device_revoked']));
    expect(uploaded[0]).toMatchObject({
      message: expect.stringMatching(/revoked/),
      meaning: expect.stringMatching(/revoked/),
    });
    expect(await tableCounts(central().db)).toEqual(before);
    expect(queueDepth(kiosk.db)).toBe(25);
    expect(ackedRanges(kiosk.db)).toEqual([]);

    await unrevokeDevice(central().db, kiosk.deviceId);
    const resumed = await uploadFiles({
      files: files.slice(0, 1),
      centralUrl: central().url,
      db: kiosk.db,
      deviceId: kiosk.deviceId,
    });
    expect(resumed[0]).toMatchObject({ ok: true, recorded: true, ack: { inserted: 10 } });
    expect(await engine.runOnce()).toMatchObject({ ok: true, inserted: 15, duplicates: 0 });
    expect((await centralResponses(central(), kiosk.deviceId)).map((r) => r.seq)).toEqual(
      Array.from({ length: 25 }, (_, i) => i + 1),
    );
  });
});
