import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ensureUnit, publishConfig, revokeDevice } from '../../central/index.ts';
import { EMBEDDED_CONFIG_DIR, loadConfigDir } from '../../shared/node/config-loader.ts';
import { openSigned, publicKeyFrom } from '../../shared/node/signing.ts';
import { type Heartbeat, HeartbeatReply, PublishedConfig, Signed } from '../../shared/sync.ts';
import {
  type FakeDevice,
  deviceHeaders,
  enrolled,
  envelopeOf,
  kbatchBytes,
  makeDevice,
  makeResponses,
  postBatch,
  signedFetch,
} from '../support/central.ts';
import { tempDir } from '../support/tmp.ts';
import { forEachBackend, sharedCentral } from './backends.ts';
import { expectSyncError } from './expect.ts';

const heartbeat = (device: FakeDevice, more: Partial<Heartbeat> = {}): Heartbeat => ({
  deviceId: device.id,
  clock: new Date().toISOString(),
  appVersion: '0.1.0',
  configVersion: '1+abc',
  lastSeq: 12,
  lastAckedSeq: 10,
  queueDepth: 2,
  freeDiskBytes: 5_000_000_000,
  procedureCode: '1.001193',
  ...more,
});

forEachBackend('device calls', (backend) => {
  const central = sharedCentral(backend);

  describe('GET /v1/health', () => {
    test('answers 200 with the supported protocol range', async () => {
      const res = await fetch(`${central().url}/v1/health`);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ status: 'ok', protocol: { min: 1, max: 1 }, database: backend });
    });
  });

  describe('POST /v1/heartbeat', () => {
    test('is recorded with the clock drift, and answers what central holds and the config to run', async () => {
      const device = await enrolled(central());
      expect(
        (await postBatch(central(), kbatchBytes(device, envelopeOf(device, makeResponses(device, 1, 7))))).status,
      ).toBe(200);
      const ahead = new Date(Date.now() + 5 * 60_000).toISOString();
      const res = await signedFetch(central(), device, 'POST', '/v1/heartbeat', heartbeat(device, { clock: ahead }));
      expect(res.status).toBe(200);
      const reply = HeartbeatReply.parse(await res.json());
      expect(reply.highestContiguousSeq).toBe(7);
      const embedded = loadConfigDir(EMBEDDED_CONFIG_DIR);
      // The embedded bundle as central published it at start: its version also names the contact key.
      expect(reply.configVersion).toBe(
        embedded.ok
          ? `${embedded.config.version}.k${central().contactKey.keyId.slice(0, 6)}`
          : 'embedded config does not load',
      );
      const row = (
        await central().db.query('SELECT last_heartbeat, clock_drift_ms FROM devices WHERE id = $1', [device.id])
      ).rows[0]!;
      expect(row['last_heartbeat']).toMatchObject({ queueDepth: 2, lastAckedSeq: 10 });
      expect(Math.abs(Number(row['clock_drift_ms']) - 5 * 60_000)).toBeLessThan(10_000);
    });

    test('a wrong device clock is recorded, not refused', async () => {
      const device = await enrolled(central());
      const body = JSON.stringify(heartbeat(device, { clock: '1970-01-02T00:00:00.000Z' }));
      const res = await fetch(`${central().url}/v1/heartbeat`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...deviceHeaders(device, 'POST', '/v1/heartbeat', body, '86400000'),
        },
        body,
      });
      expect(res.status).toBe(200);
    });

    test('missing or malformed signing headers are 400 naming the header', async () => {
      const device = await enrolled(central());
      const body = JSON.stringify(heartbeat(device));
      const headers = deviceHeaders(device, 'POST', '/v1/heartbeat', body);
      const without = (name: string) => Object.fromEntries(Object.entries(headers).filter(([k]) => k !== name));
      for (const name of ['x-kiosk-device', 'x-kiosk-timestamp', 'x-kiosk-signature']) {
        const res = await fetch(`${central().url}/v1/heartbeat`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...without(name) },
          body,
        });
        await expectSyncError(res, 400, 'invalid_body', `headers.${name}`);
      }
    });

    test('an unknown device is 401 unknown_device', async () => {
      const stranger = makeDevice();
      await expectSyncError(
        await signedFetch(central(), stranger, 'POST', '/v1/heartbeat', heartbeat(stranger)),
        401,
        'unknown_device',
      );
    });

    test('a signature over another body, path or key is 401 bad_signature', async () => {
      const device = await enrolled(central());
      const other = await enrolled(central());
      const body = JSON.stringify(heartbeat(device));
      const post = (headers: Record<string, string>, text = body) =>
        fetch(`${central().url}/v1/heartbeat`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: text,
        });
      await expectSyncError(
        await post(
          deviceHeaders(device, 'POST', '/v1/heartbeat', body),
          JSON.stringify(heartbeat(device, { queueDepth: 0 })),
        ),
        401,
        'bad_signature',
      );
      await expectSyncError(await post(deviceHeaders(device, 'POST', '/v1/config', body)), 401, 'bad_signature');
      await expectSyncError(await post(deviceHeaders(device, 'GET', '/v1/heartbeat', body)), 401, 'bad_signature');
      await expectSyncError(
        await post({ ...deviceHeaders(other, 'POST', '/v1/heartbeat', body), 'x-kiosk-device': device.id }),
        401,
        'bad_signature',
      );
    });

    test('a revoked device is 403 device_revoked', async () => {
      const device = await enrolled(central());
      await revokeDevice(central().db, device.id);
      await expectSyncError(
        await signedFetch(central(), device, 'POST', '/v1/heartbeat', heartbeat(device)),
        403,
        'device_revoked',
      );
    });

    test('a schema-invalid heartbeat is 400 naming the field; another device id is 400 deviceId', async () => {
      const device = await enrolled(central());
      await expectSyncError(
        await signedFetch(central(), device, 'POST', '/v1/heartbeat', { ...heartbeat(device), queueDepth: -1 }),
        400,
        'invalid_body',
        'queueDepth',
      );
      await expectSyncError(
        await signedFetch(central(), device, 'POST', '/v1/heartbeat', heartbeat(device, { deviceId: makeDevice().id })),
        400,
        'invalid_body',
        'deviceId',
      );
    });
  });

  describe('GET /v1/config', () => {
    const getConfig = (device: FakeDevice, etag?: string) =>
      signedFetch(central(), device, 'GET', '/v1/config', undefined, etag ? { 'if-none-match': etag } : {});

    test("is the unit's config, signed by the central key, with an ETag; 304 when unchanged", async () => {
      const device = await enrolled(central());
      const res = await getConfig(device);
      expect(res.status).toBe(200);
      const etag = res.headers.get('etag')!;
      const doc = Signed.parse(await res.json());
      expect(doc).toMatchObject({ format: 'kconfig', signer: 'central' });
      const opened = openSigned(doc, publicKeyFrom(central().centralKey.publicKey));
      expect(opened.ok).toBe(true);
      const published = PublishedConfig.parse(opened.ok ? opened.value : null);
      expect(etag).toBe(`"${published.version}"`);
      const embedded = loadConfigDir(EMBEDDED_CONFIG_DIR);
      expect(embedded.ok && published.bundle).toEqual(embedded.ok && embedded.config.bundle);
      const again = await getConfig(device, etag);
      expect(again.status).toBe(304);
      expect(await again.text()).toBe('');
      expect((await getConfig(device, `W/${etag}`)).status).toBe(304);
      expect((await getConfig(device, '"something-else"')).status).toBe(200);
    });

    test('a newly published version replaces the ETag; a unit with nothing published answers 204', async () => {
      const unitId = `unit-${Math.floor(Math.random() * 1e9)}`;
      await ensureUnit(central().db, { id: unitId, name: 'Xã thử' });
      const device = await enrolled(central(), makeDevice(), unitId);
      expect((await getConfig(device)).status).toBe(204);
      const { dir, cleanup } = tempDir('central-config-');
      try {
        cpSync(EMBEDDED_CONFIG_DIR, dir, { recursive: true });
        const loaded = loadConfigDir(dir);
        if (!loaded.ok) throw new Error('embedded config does not load');
        await publishConfig(central().db, { unitId, config: loaded.config, centralKey: central().centralKey });
        const first = await getConfig(device);
        const etag = first.headers.get('etag')!;
        const catalogFile = join(dir, 'catalog.json');
        const catalog = JSON.parse(readFileSync(catalogFile, 'utf8')) as { version: string };
        writeFileSync(catalogFile, JSON.stringify({ ...catalog, version: `${catalog.version}-b` }));
        const next = loadConfigDir(dir);
        if (!next.ok) throw new Error('edited config does not load');
        const { version } = await publishConfig(central().db, {
          unitId,
          config: next.config,
          centralKey: central().centralKey,
        });
        const second = await getConfig(device, etag);
        expect(second.status).toBe(200);
        expect(second.headers.get('etag')).toBe(`"${version}"`);
      } finally {
        cleanup();
      }
    });

    test('unknown, revoked and badly signed requests are refused', async () => {
      await expectSyncError(await getConfig(makeDevice()), 401, 'unknown_device');
      const device = await enrolled(central());
      const headers = deviceHeaders(device, 'GET', '/v1/config?x=1');
      await expectSyncError(await fetch(`${central().url}/v1/config`, { headers }), 401, 'bad_signature');
      await revokeDevice(central().db, device.id);
      await expectSyncError(await getConfig(device), 403, 'device_revoked');
    });
  });
});
