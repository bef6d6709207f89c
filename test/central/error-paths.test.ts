// The error paths of docs/sync-protocol.md not covered elsewhere, on PGlite and on PostgreSQL: each
// answers its documented status and code (naming the field where there is one), stores nothing, and
// leaves the server up. (Batches: batches-refused.test.ts; heartbeat and config: device-calls.test.ts;
// enrolment: enrol.test.ts; rate limits and 500: server.test.ts.)
import { afterEach, describe, expect, test } from 'vitest';
import { revokeDevice } from '../../central/index.ts';
import { sha256Hex, signBytes } from '../../shared/node/signing.ts';
import { DEVICE_HEADERS, type Heartbeat, LIMITS, requestSigningString } from '../../shared/sync.ts';
import {
  type FakeDevice,
  type TestCentral,
  deviceHeaders,
  enrolRequest,
  enrolled,
  envelopeOf,
  kbatchBytes,
  makeDevice,
  makeResponses,
  postBatch,
  postJson,
  signedFetch,
  startTestCentral,
} from '../support/central.ts';
import { forEachBackend, sharedCentral } from './backends.ts';
import { expectSyncError, tableCounts } from './expect.ts';

const heartbeat = (device: FakeDevice, more: Partial<Heartbeat> = {}): Heartbeat => ({
  deviceId: device.id,
  clock: new Date().toISOString(),
  appVersion: '0.1.0',
  configVersion: '1+abc',
  lastSeq: 3,
  lastAckedSeq: 0,
  queueDepth: 3,
  freeDiskBytes: 1_000_000,
  procedureCode: null,
  ...more,
});

/** Everything a heartbeat writes, so "stored nothing" covers it too. */
const heartbeatRow = async (central: TestCentral, device: FakeDevice) =>
  (
    await central.db.query(
      'SELECT last_heartbeat, last_heartbeat_at, clock_drift_ms, app_version FROM devices WHERE id = $1',
      [device.id],
    )
  ).rows[0];

/** A device-signed POST whose signature covers exactly these bytes (which need not be JSON). */
const signedRaw = (central: TestCentral, device: FakeDevice, path: string, bytes: Buffer): Promise<Response> => {
  const timestamp = String(Date.now());
  const signature = signBytes(
    Buffer.from(requestSigningString('POST', path, timestamp, sha256Hex(bytes)), 'utf8'),
    device.privateKey,
  );
  return fetch(`${central.url}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      [DEVICE_HEADERS.device]: device.id,
      [DEVICE_HEADERS.timestamp]: timestamp,
      [DEVICE_HEADERS.signature]: signature,
    },
    body: Uint8Array.from(bytes),
  });
};

forEachBackend('error paths: stored nothing, server up', (backend) => {
  const central = sharedCentral(backend);
  afterEach(async () => {
    expect((await fetch(`${central().url}/v1/health`)).status).toBe(200);
  });

  describe('POST /v1/enrol', () => {
    test('a revoked device enrolling again (even with a fresh code) is 403 device_revoked; the code stays unused', async () => {
      const device = await enrolled(central());
      await revokeDevice(central().db, device.id);
      const code = await central().enrolmentCode();
      const before = await tableCounts(central().db);
      const body = await expectSyncError(
        await postJson(`${central().url}/v1/enrol`, enrolRequest(device, code)),
        403,
        'device_revoked',
      );
      expect(body.message).toMatch(/revoked/);
      expect(await tableCounts(central().db)).toEqual(before);
      expect((await postJson(`${central().url}/v1/enrol`, enrolRequest(makeDevice(), code))).status).toBe(201);
    });

    test('a label or app version PostgreSQL cannot store is 400 naming the field; nothing stored', async () => {
      const before = await tableCounts(central().db);
      const code = await central().enrolmentCode();
      await expectSyncError(
        await postJson(`${central().url}/v1/enrol`, enrolRequest(makeDevice(), code, { label: 'Quầy\u00001' })),
        400,
        'invalid_body',
        'label',
      );
      await expectSyncError(
        await postJson(`${central().url}/v1/enrol`, enrolRequest(makeDevice(), code, { appVersion: '0.1\ud800' })),
        400,
        'invalid_body',
        'appVersion',
      );
      expect(await tableCounts(central().db)).toEqual(before);
    });

    test('a body over 64 KiB is 413 too_large', async () => {
      const before = await tableCounts(central().db);
      const huge = { ...enrolRequest(makeDevice(), await central().enrolmentCode()), label: 'x'.repeat(70 * 1024) };
      await expectSyncError(await postJson(`${central().url}/v1/enrol`, huge), 413, 'too_large');
      expect(await tableCounts(central().db)).toEqual(before);
    });

    test('protocol 0 is below the supported range: 400 unsupported_protocol with the range', async () => {
      const body = await expectSyncError(
        await postJson(`${central().url}/v1/enrol`, {
          ...enrolRequest(makeDevice(), await central().enrolmentCode()),
          protocol: 0,
        }),
        400,
        'unsupported_protocol',
        'protocol',
      );
      expect(body.supported).toEqual({ min: 1, max: 1 });
    });
  });

  describe('POST /v1/heartbeat', () => {
    test('every refusal leaves the device row as it was', async () => {
      const device = await enrolled(central());
      const before = await heartbeatRow(central(), device);
      const counts = await tableCounts(central().db);
      // Not JSON, correctly signed: 400 naming the root.
      await expectSyncError(
        await signedRaw(central(), device, '/v1/heartbeat', Buffer.from('{"deviceId": ')),
        400,
        'invalid_body',
        '(root)',
      );
      // Schema-invalid: 400 naming the field.
      await expectSyncError(
        await signedFetch(central(), device, 'POST', '/v1/heartbeat', { ...heartbeat(device), lastSeq: 'three' }),
        400,
        'invalid_body',
        'lastSeq',
      );
      // Over 64 KiB: 413, before the signature is even looked at.
      await expectSyncError(
        await signedFetch(
          central(),
          device,
          'POST',
          '/v1/heartbeat',
          heartbeat(device, { configVersion: 'x'.repeat(70 * 1024) }),
        ),
        413,
        'too_large',
      );
      // Text PostgreSQL cannot store: 400 naming the field.
      await expectSyncError(
        await signedFetch(central(), device, 'POST', '/v1/heartbeat', heartbeat(device, { appVersion: '0.1\u0000' })),
        400,
        'invalid_body',
        'appVersion',
      );
      await expectSyncError(
        await signedFetch(central(), device, 'POST', '/v1/heartbeat', heartbeat(device, { configVersion: 'v\ud800' })),
        400,
        'invalid_body',
        'configVersion',
      );
      // Signed over other bytes: 401.
      const body = JSON.stringify(heartbeat(device));
      const forged = await fetch(`${central().url}/v1/heartbeat`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...deviceHeaders(device, 'POST', '/v1/heartbeat', JSON.stringify(heartbeat(device, { queueDepth: 99 }))),
        },
        body,
      });
      await expectSyncError(forged, 401, 'bad_signature');
      expect(await heartbeatRow(central(), device)).toEqual(before);
      // Revoked: 403, and still nothing recorded.
      await revokeDevice(central().db, device.id);
      await expectSyncError(
        await signedFetch(central(), device, 'POST', '/v1/heartbeat', heartbeat(device)),
        403,
        'device_revoked',
      );
      expect(await heartbeatRow(central(), device)).toEqual(before);
      expect(await tableCounts(central().db)).toEqual(counts);
    });
  });

  describe('POST /v1/batches', () => {
    test('a batch from a revoked device stores nothing, whichever way it arrives (online or as a file upload)', async () => {
      const device = await enrolled(central());
      const bytes = kbatchBytes(device, envelopeOf(device, makeResponses(device, 1, 4)));
      await revokeDevice(central().db, device.id);
      const before = await tableCounts(central().db);
      await expectSyncError(await postBatch(central(), bytes), 403, 'device_revoked');
      await expectSyncError(await postBatch(central(), bytes, { 'x-kbatch-source': 'file' }), 403, 'device_revoked');
      expect(await tableCounts(central().db)).toEqual(before);
    });

    test('protocol 0 in an envelope is 400 unsupported_protocol with the range', async () => {
      const device = await enrolled(central());
      const before = await tableCounts(central().db);
      const body = await expectSyncError(
        await postBatch(
          central(),
          kbatchBytes(device, { ...envelopeOf(device, makeResponses(device, 1, 2)), protocol: 0 }),
        ),
        400,
        'unsupported_protocol',
        'protocol',
      );
      expect(body.supported).toEqual({ min: 1, max: 1 });
      expect(await tableCounts(central().db)).toEqual(before);
    });

    test('text PostgreSQL cannot store (U+0000, a lone surrogate) is 400 naming the field, not 500', async () => {
      const device = await enrolled(central());
      const before = await tableCounts(central().db);
      for (const bad of ['a\u0000b', 'Tốt \ud800', ['x', '\udc00']]) {
        const responses = makeResponses(device, 1, 3).map((r, i) =>
          i === 1 ? { ...r, answers: { q1: 5, comment: bad } } : r,
        );
        const body = await expectSyncError(
          await postBatch(central(), kbatchBytes(device, envelopeOf(device, responses))),
          400,
          'invalid_body',
          'responses.1.answers.comment',
        );
        expect(body.message).toMatch(/cannot be stored/);
      }
      expect(await tableCounts(central().db)).toEqual(before);
    });

    test('a batch exactly at the compressed limit is not refused for its size', async () => {
      // The boundary: LIMITS.maxCompressedBytes is allowed, one more byte is 413 (batches-refused.test.ts).
      const res = await postBatch(central(), Buffer.alloc(LIMITS.maxCompressedBytes, 1));
      await expectSyncError(res, 400, 'invalid_body', '(root)');
    });
  });
});

forEachBackend('error paths: rate limits on batches', (backend) => {
  test('429 per device on a batch carries Retry-After and stores nothing; so does 429 per address', async () => {
    const perDevice = await startTestCentral(backend, {
      rateLimit: { perIp: false, perDevice: { max: 1, windowMs: 60_000 } },
    });
    try {
      const device = await enrolled(perDevice);
      const all = makeResponses(device, 1, 6);
      expect((await postBatch(perDevice, kbatchBytes(device, envelopeOf(device, all.slice(0, 3))))).status).toBe(200);
      const before = await tableCounts(perDevice.db);
      const res = await postBatch(perDevice, kbatchBytes(device, envelopeOf(device, all.slice(3))));
      const retryAfter = Number(res.headers.get('retry-after'));
      await expectSyncError(res, 429, 'rate_limited');
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(await tableCounts(perDevice.db)).toEqual(before);
      expect((await fetch(`${perDevice.url}/v1/health`)).status).toBe(200);
    } finally {
      await perDevice.close();
    }
    const perIp = await startTestCentral(backend, {
      rateLimit: { perIp: { max: 2, windowMs: 60_000 }, perDevice: false },
    });
    try {
      const device = await enrolled(perIp); // one request of the address's two
      const all = makeResponses(device, 1, 6);
      expect((await postBatch(perIp, kbatchBytes(device, envelopeOf(device, all.slice(0, 3))))).status).toBe(200);
      const before = await tableCounts(perIp.db);
      const res = await postBatch(perIp, kbatchBytes(device, envelopeOf(device, all.slice(3))));
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      await expectSyncError(res, 429, 'rate_limited');
      expect(await tableCounts(perIp.db)).toEqual(before);
    } finally {
      await perIp.close();
    }
  });
});
