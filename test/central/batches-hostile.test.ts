// Refuse before work: a small unauthenticated body must not cost central seconds or gigabytes. The
// signer is read from the first KiB (known, not revoked) before the rest is inflated; gunzip stops
// at the first byte past a limit; nesting, element and string limits are checked before JSON.parse;
// and the heavy part runs in worker threads (central/ingest/worker-pool.ts).
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, test } from 'vitest';
import { revokeDevice } from '../../central/index.ts';
import { startIngestPool } from '../../central/ingest/worker-pool.ts';
import { SyncError } from '../../central/errors.ts';
import { makeSigned, signBytes } from '../../shared/node/signing.ts';
import { LIMITS } from '../../shared/sync.ts';
import {
  type FakeDevice,
  enrolled,
  envelopeOf,
  kbatchBytes,
  makeDevice,
  makeResponses,
  postBatch,
} from '../support/central.ts';
import { forEachBackend, sharedCentral } from './backends.ts';
import { expectSyncError, tableCounts } from './expect.ts';

/** gzip of `head` followed by `n` copies of `fill`, built without holding the expanded text twice. */
const bomb = (head: string, fill: string, n: number): Buffer =>
  gzipSync(Buffer.concat([Buffer.from(head), Buffer.alloc(n, fill)]), { level: 9 });

/** A well-formed body for `signer` whose gzip trailer is damaged: only a full gunzip notices. */
const damagedTail = (device: FakeDevice): Buffer => {
  const bytes = kbatchBytes(device, envelopeOf(device, makeResponses(device, 1, 20)));
  const out = Buffer.from(bytes);
  out[out.length - 6] = out[out.length - 6]! ^ 0xff; // inside the CRC-32
  return out;
};

/** The high-water mark of this process's resident memory, in MB (central runs in this process). */
const peakRssMb = () => process.resourceUsage().maxRSS / 1024;

forEachBackend('POST /v1/batches: hostile bodies are refused before work', (backend) => {
  const central = sharedCentral(backend);
  afterEach(async () => {
    expect((await fetch(`${central().url}/v1/health`)).status).toBe(200);
  });

  const refused = async (
    body: Uint8Array,
    status: number,
    code: Parameters<typeof expectSyncError>[2],
    field?: string,
  ) => {
    const before = await tableCounts(central().db);
    const error = await expectSyncError(await postBatch(central(), body), status, code, field);
    expect(await tableCounts(central().db)).toEqual(before);
    return error;
  };

  test('a gzip bomb of nested arrays is 400 with a small memory footprint, signer or not', async () => {
    const device = await enrolled(central());
    const n = LIMITS.maxDocumentBytes - 100;
    const anonymous = bomb('', '[', n);
    const named = bomb(`{"format":"kbatch","signer":"${device.id}","payload":`, '[', n);
    expect(anonymous.length).toBeLessThan(64 * 1024);
    const before = peakRssMb();
    await refused(anonymous, 400, 'invalid_body', 'format');
    const error = await refused(named, 400, 'invalid_body', '(root)');
    expect(error.message).toMatch(/nested deeper than 1/);
    // Parsed in full, 22 MB of '[' is millions of arrays (well over a gigabyte).
    expect(peakRssMb() - before).toBeLessThan(128);
  });

  test('a signed envelope nested too deep, or with too many values, is 400 naming payload', async () => {
    const device = await enrolled(central());
    const signedBody = (text: string) => {
      const bytes = Buffer.from(text);
      const doc = { format: 'kbatch', signer: device.id, payload: bytes.toString('base64url') };
      return gzipSync(JSON.stringify({ ...doc, signature: signBytes(bytes, device.privateKey) }));
    };
    const depth = LIMITS.envelopeJson.maxDepth;
    const deep = await refused(
      signedBody(`${'['.repeat(depth + 1)}${']'.repeat(depth + 1)}`),
      400,
      'invalid_body',
      'payload',
    );
    expect(deep.message).toMatch(new RegExp(`nested deeper than ${depth}`));
    const many = `{"responses":[${'0,'.repeat(LIMITS.envelopeJson.maxElements)}0]}`;
    const wide = await refused(signedBody(many), 400, 'invalid_body', 'payload');
    expect(wide.message).toMatch(/more than 1000000 values/);
    const long = `{"protocol":1,"deviceId":"${'x'.repeat(LIMITS.envelopeJson.maxStringBytes + 1)}"}`;
    expect((await refused(signedBody(long), 400, 'invalid_body', 'payload')).message).toMatch(/string is longer/);
  });

  test('an unknown signer is refused before the body is inflated (a damaged tail goes unnoticed)', async () => {
    const stranger = makeDevice();
    // A full gunzip would fail on the CRC (400 not intact); the signer check comes first and needs only the head.
    await refused(damagedTail(stranger), 401, 'unknown_device');
    const known = await enrolled(central());
    expect((await refused(damagedTail(known), 400, 'invalid_body', '(root)')).message).toMatch(/not intact gzip/);
  });

  test('a revoked signer is refused before the body is inflated', async () => {
    const device = await enrolled(central());
    await revokeDevice(central().db, device.id);
    await refused(damagedTail(device), 403, 'device_revoked');
  });

  test('format and signer must come first; a second, different signer later is refused', async () => {
    const victim = await enrolled(central());
    const doc = makeSigned('kbatch', victim.id, envelopeOf(victim, makeResponses(victim, 1, 2)), victim.privateKey);
    const late = gzipSync(
      JSON.stringify({ payload: doc.payload, format: doc.format, signer: doc.signer, signature: doc.signature }),
    );
    expect((await refused(late, 400, 'invalid_body', 'format')).message).toMatch(/must begin with/);
    const other = await enrolled(central());
    const twice = gzipSync(`${JSON.stringify(doc).slice(0, -1)},"signer":"${other.id}"}`);
    await refused(twice, 400, 'invalid_body', 'signer');
  });
});

describe('the ingest worker pool', () => {
  const device = makeDevice();
  const body = kbatchBytes(device, envelopeOf(device, makeResponses(device, 1, 50)));
  const key = { id: device.id, publicKey: device.publicKey };

  test('opens batches in a worker and answers protocol errors as SyncError', async () => {
    const pool = await startIngestPool({ workers: 1 });
    try {
      const envelope = await pool.open(body, key, 'a');
      expect(envelope.responses).toHaveLength(50);
      const stranger = makeDevice();
      const wrongKey = pool.open(body, { id: device.id, publicKey: stranger.publicKey }, 'a');
      await expect(wrongKey).rejects.toMatchObject({ code: 'bad_signature', status: 401 });
      expect(pool.stats().started).toBe(2);
    } finally {
      await pool.close();
    }
  });

  test('a full queue is 503 server_busy with Retry-After, before any work; one address gets its share', async () => {
    const pool = await startIngestPool({ workers: 1, maxQueuedBytes: body.length * 6, perSourceShare: 1 / 3 });
    try {
      const all = Array.from({ length: 6 }, () =>
        pool.open(body, key, 'hostile').then(
          () => 'ok',
          (e: unknown) => e,
        ),
      );
      const others = Array.from({ length: 2 }, () =>
        pool.open(body, key, 'kiosk').then(
          () => 'ok',
          (e: unknown) => e,
        ),
      );
      const hostile = await Promise.all(all);
      const kiosk = await Promise.all(others);
      // One started at once; two waited (a third of six bodies); the rest were refused without work.
      expect(hostile.filter((r) => r === 'ok')).toHaveLength(3);
      for (const r of hostile.filter((x) => x !== 'ok')) {
        expect(r).toBeInstanceOf(SyncError);
        expect(r).toMatchObject({ code: 'server_busy', status: 503, extra: { retryAfterSeconds: 2 } });
      }
      expect(kiosk).toEqual(['ok', 'ok']);
      expect(pool.stats()).toMatchObject({ started: 5, queued: 0, queuedBytes: 0 });
    } finally {
      await pool.close();
    }
  });

  test('one address may have only so many jobs waiting, however small its bodies', async () => {
    const pool = await startIngestPool({ workers: 1, perSourceJobs: 2 });
    try {
      const results = await Promise.all(
        Array.from({ length: 5 }, () =>
          pool.open(body, key, 'h').then(
            () => 'ok',
            (e: unknown) => (e instanceof SyncError ? e.code : 'other'),
          ),
        ),
      );
      expect(results).toEqual(['ok', 'ok', 'ok', 'server_busy', 'server_busy']);
    } finally {
      await pool.close();
    }
  });

  test('with two workers, one address runs on one of them: the other stays free for everyone else', async () => {
    const pool = await startIngestPool({ workers: 2 });
    try {
      const hostile = Array.from({ length: 3 }, () => pool.open(body, key, 'h'));
      expect(pool.stats()).toMatchObject({ busy: 1, queued: 2 });
      const kiosk = pool.open(body, key, 'k');
      expect(pool.stats()).toMatchObject({ busy: 2, queued: 2 });
      await Promise.all([...hostile, kiosk]);
    } finally {
      await pool.close();
    }
  });

  test('an address whose body was refused waits before its next job; others go first', async () => {
    const pool = await startIngestPool({ workers: 1, refusalPenalty: 1000 });
    try {
      const order: string[] = [];
      const forged = { id: device.id, publicKey: makeDevice().publicKey };
      const h1 = pool.open(body, forged, 'h').catch((e: unknown) => order.push(`h1 ${(e as SyncError).code}`));
      const h2 = pool.open(body, key, 'h').then(
        () => order.push('h2'),
        () => undefined,
      );
      const k1 = pool.open(body, key, 'k').then(() => order.push('k1'));
      await Promise.all([h1, k1]);
      // Without the penalty h2 (queued before k1) would have gone next.
      expect(order).toEqual(['h1 bad_signature', 'k1']);
      expect(pool.stats()).toMatchObject({ queued: 1, busy: 0 });
      await pool.close();
      await h2;
    } finally {
      await pool.close();
    }
  });

  test('the queue takes turns between addresses: one address sending many does not go first', async () => {
    const pool = await startIngestPool({ workers: 1 });
    try {
      const order: string[] = [];
      const send = (source: string, i: number) => pool.open(body, key, source).then(() => order.push(`${source}${i}`));
      await Promise.all([...Array.from({ length: 5 }, (_, i) => send('h', i)), send('k', 0), send('k', 1)]);
      // h0 was running when k arrived; then turns: k0 comes right after the next h, not after all of them.
      expect(order.indexOf('k0')).toBeLessThanOrEqual(2);
      expect(order.indexOf('k1')).toBeLessThanOrEqual(4);
    } finally {
      await pool.close();
    }
  });
});
