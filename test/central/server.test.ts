import { expect, test } from 'vitest';
import { startCentral } from '../../central/index.ts';
import { BatchAck } from '../../shared/sync.ts';
import {
  deviceHeaders,
  enrolRequest,
  enrolled,
  envelopeOf,
  faultyDb,
  kbatchBytes,
  makeDevice,
  makeResponses,
  openTestDb,
  postBatch,
  postJson,
  signedFetch,
  startTestCentral,
} from '../support/central.ts';
import { forEachBackend } from './backends.ts';
import { expectSyncError, tableCounts } from './expect.ts';

forEachBackend('rate limits, internal errors', (backend) => {
  test('too many requests from one address: 429 rate_limited with Retry-After', async () => {
    const central = await startTestCentral(backend, {
      rateLimit: { perIp: { max: 3, windowMs: 60_000 }, perDevice: false },
    });
    try {
      for (let i = 0; i < 3; i++) expect((await fetch(`${central.url}/v1/health`)).status).toBe(200);
      const res = await fetch(`${central.url}/v1/health`);
      const retryAfter = Number(res.headers.get('retry-after'));
      await expectSyncError(res, 429, 'rate_limited');
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(60);
    } finally {
      await central.close();
    }
  });

  test('too many requests from one device: 429 for it, not for another device; nothing stored', async () => {
    const central = await startTestCentral(backend, {
      rateLimit: { perIp: false, perDevice: { max: 2, windowMs: 60_000 } },
    });
    try {
      const [busy, quiet] = [await enrolled(central), await enrolled(central)];
      for (let i = 0; i < 2; i++) expect((await signedFetch(central, busy, 'GET', '/v1/config')).status).toBe(200);
      const res = await signedFetch(central, busy, 'GET', '/v1/config');
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      await expectSyncError(res, 429, 'rate_limited');
      const before = await tableCounts(central.db);
      await expectSyncError(
        await postBatch(central, kbatchBytes(busy, envelopeOf(busy, makeResponses(busy, 1, 3)))),
        429,
        'rate_limited',
      );
      expect(await tableCounts(central.db)).toEqual(before);
      expect((await signedFetch(central, quiet, 'GET', '/v1/config')).status).toBe(200);
    } finally {
      await central.close();
    }
  });

  test('a failure inside the ingest transaction is 500 internal with nothing stored; the retry succeeds', async () => {
    const db = faultyDb(await openTestDb(backend), /UPDATE device_progress/);
    const central = await startCentral({
      db,
      host: '127.0.0.1',
      port: 0,
      rateLimit: { perIp: false, perDevice: false },
    });
    const errors: string[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => void errors.push(args.join(' '));
    try {
      const device = await enrolled(central);
      const bytes = kbatchBytes(device, envelopeOf(device, makeResponses(device, 1, 50)));
      const before = await tableCounts(db);
      const body = await expectSyncError(await postBatch(central, bytes), 500, 'internal');
      expect(body.message).toMatch(/nothing .* was stored/);
      expect(await tableCounts(db)).toEqual(before);
      expect((await fetch(`${central.url}/v1/health`)).status).toBe(200);
      db.armed = false;
      expect(BatchAck.parse(await (await postBatch(central, bytes)).json())).toMatchObject({
        inserted: 50,
        highestContiguousSeq: 50,
      });
      expect(errors.join('\n')).toMatch(/injected fault/);
    } finally {
      console.error = original;
      await central.close();
      await db.close();
    }
  });

  test('a failure inside enrolment is 500 with nothing stored, and the code still works afterwards', async () => {
    const db = faultyDb(await openTestDb(backend), /INSERT INTO device_progress/);
    const central = await startCentral({
      db,
      host: '127.0.0.1',
      port: 0,
      rateLimit: { perIp: false, perDevice: false },
    });
    const original = console.error;
    console.error = () => undefined;
    try {
      const code = await central.enrolmentCode();
      const device = makeDevice();
      const before = await tableCounts(db);
      await expectSyncError(await postJson(`${central.url}/v1/enrol`, enrolRequest(device, code)), 500, 'internal');
      expect(await tableCounts(db)).toEqual(before);
      db.armed = false;
      expect((await postJson(`${central.url}/v1/enrol`, enrolRequest(device, code))).status).toBe(201);
    } finally {
      console.error = original;
      await central.close();
      await db.close();
    }
  });

  test('served under a base path, device signatures cover the full path as sent', async () => {
    const central = await startTestCentral(backend, { basePath: '/khaosat' });
    try {
      expect(central.url).toMatch(/\/khaosat$/);
      const device = await enrolled(central);
      const origin = new URL(central.url).origin;
      const good = await fetch(`${origin}/khaosat/v1/config`, {
        headers: deviceHeaders(device, 'GET', '/khaosat/v1/config'),
      });
      expect(good.status).toBe(200);
      await expectSyncError(
        await fetch(`${origin}/khaosat/v1/config`, { headers: deviceHeaders(device, 'GET', '/v1/config') }),
        401,
        'bad_signature',
      );
      expect((await fetch(`${origin}/v1/health`)).status).toBe(404);
    } finally {
      await central.close();
    }
  });
});
