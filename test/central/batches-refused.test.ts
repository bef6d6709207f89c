import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterEach, expect, test } from 'vitest';
import { revokeDevice, unrevokeDevice } from '../../central/index.ts';
import { encodeSignedDocument, makeSigned, signBytes } from '../../shared/node/signing.ts';
import { BatchAck, LIMITS } from '../../shared/sync.ts';
import { enrolled, envelopeOf, kbatchBytes, makeDevice, makeResponses, postBatch } from '../support/central.ts';
import { forEachBackend, sharedCentral } from './backends.ts';
import { expectSyncError, tableCounts } from './expect.ts';

/** Sends, asserts the documented error, and that nothing was stored. */
forEachBackend('POST /v1/batches: refusals', (backend) => {
  const central = sharedCentral(backend);
  const refused = async (
    body: Uint8Array,
    status: number,
    code: Parameters<typeof expectSyncError>[2],
    field?: string,
    headers: Record<string, string> = {},
  ) => {
    const before = await tableCounts(central().db);
    const error = await expectSyncError(await postBatch(central(), body, headers), status, code, field);
    expect(await tableCounts(central().db)).toEqual(before);
    return error;
  };

  afterEach(async () => {
    // No refusal takes the server down.
    expect((await fetch(`${central().url}/v1/health`)).status).toBe(200);
  });

  test('an unknown device is 401 unknown_device', async () => {
    const stranger = makeDevice();
    await refused(kbatchBytes(stranger, envelopeOf(stranger, makeResponses(stranger, 1, 3))), 401, 'unknown_device');
  });

  test('a revoked device is refused with 403 until un-revoked', async () => {
    const device = await enrolled(central());
    await revokeDevice(central().db, device.id);
    const bytes = kbatchBytes(device, envelopeOf(device, makeResponses(device, 1, 3)));
    const error = await refused(bytes, 403, 'device_revoked');
    expect(error.message).toMatch(/revoked/);
    await unrevokeDevice(central().db, device.id);
    expect((await postBatch(central(), bytes)).status).toBe(200);
  });

  test("tampered .kbatch: one bit flipped in the gzip'd bytes is refused as damaged", async () => {
    const device = await enrolled(central());
    const bytes = kbatchBytes(device, envelopeOf(device, makeResponses(device, 1, 20)));
    const flipped = Buffer.from(bytes);
    const at = Math.floor(bytes.length / 2);
    flipped[at] = flipped[at]! ^ 0x10;
    const error = await refused(flipped, 400, 'invalid_body');
    expect(error.message).toMatch(/not intact gzip/);
  });

  test('tampered .kbatch: a response edited inside the payload without re-signing is 401 bad_signature', async () => {
    const device = await enrolled(central());
    const envelope = envelopeOf(device, makeResponses(device, 1, 5));
    const doc = makeSigned('kbatch', device.id, envelope, device.privateKey);
    const edited = {
      ...envelope,
      responses: envelope.responses.map((r, i) => (i === 2 ? { ...r, answers: { q1: 1 } } : r)),
    };
    const forged = encodeSignedDocument({ ...doc, payload: Buffer.from(JSON.stringify(edited)).toString('base64url') });
    const error = await refused(forged, 401, 'bad_signature');
    expect(error.message).toMatch(/altered after signing|another key/);
  });

  test("tampered .kbatch: signed with another device's key is 401 bad_signature", async () => {
    const victim = await enrolled(central());
    const attacker = await enrolled(central());
    const envelope = envelopeOf(victim, makeResponses(victim, 1, 5));
    // Claims to be the victim, signed by the attacker's (enrolled) key.
    await refused(
      encodeSignedDocument(makeSigned('kbatch', victim.id, envelope, attacker.privateKey)),
      401,
      'bad_signature',
    );
    // Signed honestly by the attacker, but the envelope is the victim's.
    await refused(kbatchBytes(attacker, envelope), 401, 'bad_signature', 'deviceId');
  });

  test('property: whichever bit is flipped, nothing other than the signed content is ever stored', async () => {
    const device = await enrolled(central());
    const responses = makeResponses(device, 1, 10);
    const bytes = kbatchBytes(device, envelopeOf(device, responses));
    expect((await postBatch(central(), bytes)).status).toBe(200);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: bytes.length * 8 - 1 }), async (bit) => {
        const flipped = Buffer.from(bytes);
        flipped[bit >> 3] = flipped[bit >> 3]! ^ (1 << (bit & 7));
        const res = await postBatch(central(), flipped);
        if (res.status === 200) {
          // Only possible where gzip does not check the bit (header mtime, OS byte): the content is intact.
          const ack = BatchAck.parse(await res.json());
          expect(ack).toMatchObject({ inserted: 0, duplicates: 10, conflicts: [] });
        } else {
          expect([400, 401]).toContain(res.status);
          await res.text();
        }
      }),
      { numRuns: 60, seed: 20261122 },
    );
    const count = (
      await central().db.query('SELECT count(*)::int AS n FROM responses WHERE device_id = $1', [device.id])
    ).rows[0];
    expect(count).toEqual({ n: 10 });
  }, 60_000);

  test('a body that is not gzip is 400 invalid_body', async () => {
    await refused(Buffer.from('{"format":"kbatch"}'), 400, 'invalid_body', '(root)');
    await refused(Buffer.alloc(0), 400, 'invalid_body');
  });

  test('a Signed document of the wrong shape is 400 naming the field', async () => {
    const device = await enrolled(central());
    const doc = makeSigned('kbatch', device.id, envelopeOf(device, makeResponses(device, 1, 2)), device.privateKey);
    await refused(gzipSync(JSON.stringify({ ...doc, signature: undefined })), 400, 'invalid_body', 'signature');
    await refused(gzipSync(JSON.stringify({ ...doc, format: 'kconfig' })), 400, 'invalid_body', 'format');
    await refused(gzipSync('not json'), 400, 'invalid_body');
  });

  test('a signed payload that is not JSON is 400 invalid_body', async () => {
    const device = await enrolled(central());
    const doc = makeSigned('kbatch', device.id, 'x', device.privateKey);
    const notJson = Buffer.from('{oops');
    await refused(
      encodeSignedDocument({
        ...doc,
        payload: notJson.toString('base64url'),
        signature: signBytes(notJson, device.privateKey),
      }),
      400,
      'invalid_body',
      'payload',
    );
  });

  test('a schema-invalid envelope is 400 naming the field, e.g. responses.3.answers', async () => {
    const device = await enrolled(central());
    const responses = makeResponses(device, 1, 5);
    const bad = responses.map((r, i) => (i === 3 ? { ...r, answers: { q1: { nested: true } } } : r));
    const error = await refused(kbatchBytes(device, envelopeOf(device, bad as typeof responses)), 400, 'invalid_body');
    expect(error.field).toMatch(/^responses\.3\.answers/);
    await refused(kbatchBytes(device, envelopeOf(device, responses, { seqTo: 9 })), 400, 'invalid_body', 'responses');
    await refused(
      kbatchBytes(device, { ...envelopeOf(device, responses), batchId: 'nope' }),
      400,
      'invalid_body',
      'batchId',
    );
    const skipped = [responses[0]!, { ...responses[1]!, seq: 3 }, responses[2]!, responses[3]!, responses[4]!];
    await refused(kbatchBytes(device, envelopeOf(device, skipped)), 400, 'invalid_body', 'responses.1.seq');
  });

  test('an unsupported protocol in the envelope is 400 with the supported range', async () => {
    const device = await enrolled(central());
    const error = await refused(
      kbatchBytes(device, { ...envelopeOf(device, makeResponses(device, 1, 2)), protocol: 99 }),
      400,
      'unsupported_protocol',
      'protocol',
    );
    expect(error.supported).toEqual({ min: 1, max: 1 });
  });

  test('a batch over the compressed limit is 413 by Content-Length', async () => {
    await refused(Buffer.alloc(LIMITS.maxCompressedBytes + 1, 1), 413, 'too_large');
  });

  test('a body over the limit without a Content-Length (chunked) is 413 by the bytes received', async () => {
    const chunk = new Uint8Array(256 * 1024).fill(7);
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent > LIMITS.maxCompressedBytes + chunk.length) controller.close();
        else {
          sent += chunk.length;
          controller.enqueue(chunk);
        }
      },
    });
    const before = await tableCounts(central().db);
    const res = await fetch(`${central().url}/v1/batches`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json' },
      duplex: 'half',
    } as RequestInit).catch((e: unknown) => e as Error);
    // The server answers 413 as soon as the limit is crossed; the client may see the answer or a reset.
    if (res instanceof Response) await expectSyncError(res, 413, 'too_large');
    expect(await tableCounts(central().db)).toEqual(before);
  });

  test('a zip bomb is 413 too_large (gunzip is bounded)', async () => {
    // Named for an enrolled device, so that it gets past the signer check to the gunzip bound
    // (an anonymous one is refused before: batches-hostile.test.ts).
    const device = await enrolled(central());
    const head = `{"format":"kbatch","signer":"${device.id}","payload":"`;
    const bomb = gzipSync(Buffer.concat([Buffer.from(head), Buffer.alloc(LIMITS.maxDocumentBytes * 2, 0x41)]), {
      level: 9,
    });
    expect(bomb.length).toBeLessThan(LIMITS.maxCompressedBytes);
    await refused(bomb, 413, 'too_large');
  });

  test('more than the maximum number of responses is 400 naming responses', async () => {
    const device = await enrolled(central());
    const many = makeResponses(device, 1, LIMITS.maxResponsesPerBatch + 1);
    await refused(kbatchBytes(device, envelopeOf(device, many)), 400, 'invalid_body', 'responses');
  });
});
