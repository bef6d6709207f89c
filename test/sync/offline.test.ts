import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { runSyncCommand } from '../../electron/cli/sync-commands.ts';
import { listExports, queueDepth } from '../../electron/core/sync/sync-store.ts';
import { exportBatches, kbatchFileName, uploadFiles } from '../../electron/core/sync/offline.ts';
import { decodeSignedDocument } from '../../shared/node/signing.ts';
import type { Signed } from '../../shared/sync.ts';
import { tempDir } from '../support/tmp.ts';
import {
  type TestKiosk,
  centralResponses,
  enrolTestKiosk,
  insertBacklog,
  openTestKiosk,
  recordResponses,
  testEngine,
  useCentralForFile,
} from './support/kiosk.ts';

const suite = useCentralForFile();
const { cleanups } = suite;

const enrolledKiosk = async (backlog: number): Promise<TestKiosk> => {
  const kiosk = openTestKiosk();
  cleanups.push(() => kiosk.close());
  insertBacklog(kiosk.core, backlog, { seed: backlog + 11 });
  await enrolTestKiosk(kiosk, suite.central);
  return kiosk;
};
const usb = () => {
  const t = tempDir('kiosk-usb-');
  cleanups.push(t.cleanup);
  return t.dir;
};
const sink = () => {
  const lines: string[] = [];
  return { lines, write: (s: string) => lines.push(s), isTTY: false };
};

/** Runs the real kioskctl bin (tsx loader), as IT would. */
const kioskctl = (
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> =>
  new Promise((done, fail) => {
    const child = spawn(process.execPath, [resolve('bin/kioskctl.js'), ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code: code ?? -1, stdout, stderr }));
  });

describe('offline path: .kbatch export and upload', () => {
  it('exports the unacknowledged responses as verified, signed files named by device and seq range', async () => {
    const kiosk = await enrolledKiosk(2_300);
    // The first 1,000 already went online: only the rest is exported.
    const engine = testEngine(kiosk);
    await engine.runOnce({ maxBatches: 1 });
    await engine.stop();
    const out = usb();
    const err = sink();
    const outcome = await runSyncCommand('export', [], { 'data-dir': kiosk.dataDir, json: false, out }, err);
    expect(outcome.exitCode).toBe(0);
    expect(outcome.text).toMatch(/2 file\(s\), 1,300 responses, .* verified by reading back/);
    expect(readdirSync(out).sort()).toEqual(
      [kbatchFileName(kiosk.deviceId, 1001, 2000), kbatchFileName(kiosk.deviceId, 2001, 2300)].sort(),
    );
    expect(err.lines.join('')).toMatch(/100% 1,300\/1,300 responses/);
    // The file is the wire body: gzip'd Signed JSON of format kbatch, signed by this device.
    const body = readFileSync(join(out, kbatchFileName(kiosk.deviceId, 1001, 2000)));
    const decoded = decodeSignedDocument(body);
    expect(decoded.ok && decoded.doc).toMatchObject({ format: 'kbatch', signer: kiosk.deviceId });
    expect(listExports(kiosk.db).map((e) => [e.seqFrom, e.seqTo])).toEqual([
      [1001, 2000],
      [2001, 2300],
    ]);
    // Exporting does not acknowledge anything.
    expect(queueDepth(kiosk.db)).toBe(1_300);
    // --from 1 exports everything, acknowledged or not.
    const all = await exportBatches({
      db: kiosk.db,
      deviceId: kiosk.deviceId,
      dataDir: kiosk.dataDir,
      outDir: usb(),
      fromSeq: 1,
    });
    expect(all.files.map((f) => [f.seqFrom, f.seqTo])).toEqual([
      [1, 1000],
      [1001, 2000],
      [2001, 2300],
    ]);
  });

  it('uploaded by kioskctl on another machine, the online sync later finds only duplicates', async () => {
    const kiosk = await enrolledKiosk(1_500);
    recordResponses(kiosk.core, 5);
    const out = usb();
    const exported = await exportBatches({
      db: kiosk.db,
      deviceId: kiosk.deviceId,
      dataDir: kiosk.dataDir,
      outDir: out,
    });
    expect(exported).toMatchObject({ ok: true, responses: 1_505 });
    const files = exported.files.map((f) => f.file);
    // IT's laptop: no kiosk data dir there.
    const laptop = usb();
    const up = await kioskctl(['upload', ...files, '--central', suite.central.url, '--data-dir', laptop]);
    expect(up.code).toBe(0);
    expect(up.stdout).toContain(
      `${kbatchFileName(kiosk.deviceId, 1, 1000)}: 1,000 inserted, 0 duplicates, 0 conflicts`,
    );
    expect(up.stdout).toContain(
      `${kbatchFileName(kiosk.deviceId, 1001, 1505)}: 505 inserted, 0 duplicates, 0 conflicts`,
    );
    expect(up.stdout).toContain('2 of 2 file(s) accepted: 1,505 inserted, 0 duplicates, 0 conflicts');
    expect((await centralResponses(suite.central, kiosk.deviceId)).length).toBe(1_505);
    const batchSources = await suite.central.db.query('SELECT via FROM batches WHERE device_id = $1', [kiosk.deviceId]);
    expect(batchSources.rows.map((r) => r.via)).toEqual(['file', 'file']);
    // The same files uploaded again: a replay is only duplicates.
    const replay = await uploadFiles({ files, centralUrl: suite.central.url });
    expect(replay.map((r) => r.ok && [r.ack.inserted, r.ack.duplicates])).toEqual([
      [0, 1_000],
      [0, 505],
    ]);
    // Back online (no heartbeat first), the kiosk sends what it has not had acknowledged: duplicates
    // only; and the first ack's highestContiguousSeq (1505) covers the rest, which is not resent.
    const engine = testEngine(kiosk);
    const online = await engine.runOnce({ heartbeat: false });
    expect(online).toMatchObject({
      ok: true,
      batches: 1,
      responses: 1_000,
      inserted: 0,
      duplicates: 1_000,
      conflicts: 0,
    });
    expect(queueDepth(kiosk.db)).toBe(0);
    expect((await centralResponses(suite.central, kiosk.deviceId)).length).toBe(1_505);
    await engine.stop();
  });

  it('with a heartbeat, the kiosk skips what arrived by USB instead of resending it', async () => {
    const kiosk = await enrolledKiosk(800);
    const exported = await exportBatches({
      db: kiosk.db,
      deviceId: kiosk.deviceId,
      dataDir: kiosk.dataDir,
      outDir: usb(),
      limits: { maxCount: 300 },
    });
    expect(exported.files).toHaveLength(3);
    await uploadFiles({ files: exported.files.map((f) => f.file), centralUrl: suite.central.url });
    recordResponses(kiosk.core, 4);
    const engine = testEngine(kiosk);
    const r = await engine.runOnce();
    expect(r).toMatchObject({ ok: true, skippedByCentral: 800, responses: 4, inserted: 4, duplicates: 0 });
    await engine.stop();
  });

  it('upload run on the kiosk itself records the acknowledged ranges', async () => {
    const kiosk = await enrolledKiosk(50);
    const out = usb();
    await exportBatches({ db: kiosk.db, deviceId: kiosk.deviceId, dataDir: kiosk.dataDir, outDir: out });
    const outcome = await runSyncCommand(
      'upload',
      readdirSync(out).map((f) => join(out, f)),
      { 'data-dir': kiosk.dataDir, json: false, central: suite.central.url },
      sink(),
    );
    expect(outcome.exitCode).toBe(0);
    expect(outcome.text).toContain('50 inserted');
    expect(queueDepth(kiosk.db)).toBe(0);
  });

  it('a tampered .kbatch is rejected by central with a clear reason, and nothing is stored', async () => {
    const kiosk = await enrolledKiosk(20);
    const out = usb();
    const [file] = (
      await exportBatches({ db: kiosk.db, deviceId: kiosk.deviceId, dataDir: kiosk.dataDir, outDir: out })
    ).files;
    const original = readFileSync(file!.file);

    // One bit flipped in the middle of the file.
    const flipped = Buffer.from(original);
    flipped[Math.floor(flipped.length / 2)]! ^= 0x10;
    const flippedFile = join(out, 'flipped.kbatch');
    writeFileSync(flippedFile, flipped);

    // A response edited (a "1" made a "5"), the envelope re-encoded and re-gzip'd with the old signature.
    const doc = JSON.parse(gunzipSync(original).toString('utf8')) as Signed;
    const envelope = JSON.parse(Buffer.from(doc.payload, 'base64url').toString('utf8')) as {
      responses: { answers: Record<string, unknown> }[];
    };
    const answers = envelope.responses[3]!.answers;
    const key = Object.keys(answers).find((k) => typeof answers[k] === 'number')!;
    answers[key] = answers[key] === 5 ? 1 : 5;
    const edited = gzipSync(
      Buffer.from(JSON.stringify({ ...doc, payload: Buffer.from(JSON.stringify(envelope)).toString('base64url') })),
    );
    const editedFile = join(out, 'edited.kbatch');
    writeFileSync(editedFile, edited);

    const up = await kioskctl(['upload', flippedFile, editedFile, '--central', suite.central.url, '--data-dir', usb()]);
    expect(up.code).toBe(1);
    const text = up.stdout + up.stderr;
    expect(text).toMatch(/flipped\.kbatch: REJECTED (400 invalid_body|401 bad_signature): .*(gzip|signature|JSON)/);
    expect(text).toMatch(/edited\.kbatch: REJECTED 401 bad_signature: .*signature does not match/);
    expect(text).toContain('0 of 2 file(s) accepted');
    expect(await centralResponses(suite.central, kiosk.deviceId)).toEqual([]);
    // The untouched file is still fine.
    const good = await uploadFiles({ files: [file!.file], centralUrl: suite.central.url });
    expect(good[0]).toMatchObject({ ok: true, ack: { inserted: 20 } });
    expect(statSync(file!.file).size).toBe(original.length);
  });

  it('refuses to export without a device key, saying what to do', async () => {
    const kiosk = openTestKiosk();
    cleanups.push(() => kiosk.close());
    insertBacklog(kiosk.core, 3);
    const r = await exportBatches({ db: kiosk.db, deviceId: kiosk.deviceId, dataDir: kiosk.dataDir, outDir: usb() });
    expect(r).toMatchObject({
      ok: false,
      files: [],
      error: { code: 'device_key', message: expect.stringMatching(/enrol it first/) },
    });
  });
});
