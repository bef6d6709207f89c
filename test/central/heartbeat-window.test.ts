// Issue 14: a heartbeat carries its send time (sentAt, set by the kiosk when it sends), and central
// refuses one whose sentAt is outside a window around its own clock: a captured heartbeat re-sent
// later cannot make a dead kiosk look alive, nor can one stamped in the future be held back for later.
import { describe, expect, test } from 'vitest';
import type { Heartbeat } from '../../shared/sync.ts';
import { type FakeDevice, deviceHeaders, enrolled } from '../support/central.ts';
import { forEachBackend, sharedCentral } from './backends.ts';
import { expectSyncError } from './expect.ts';

const MINUTE = 60_000;

const heartbeat = (device: FakeDevice, sentAt: number, more: Partial<Heartbeat> = {}): Heartbeat => ({
  deviceId: device.id,
  clock: new Date(sentAt).toISOString(),
  sentAt: new Date(sentAt).toISOString(),
  appVersion: '0.1.0',
  configVersion: '1+abc',
  lastSeq: 12,
  lastAckedSeq: 10,
  queueDepth: 2,
  freeDiskBytes: 5_000_000_000,
  procedureCode: '1.001193',
  ...more,
});

/** The exact bytes and signed headers, as captured off the wire: a replay re-sends both unchanged. */
const capture = (device: FakeDevice, hb: Heartbeat) => {
  const body = JSON.stringify(hb);
  return { body, headers: deviceHeaders(device, 'POST', '/v1/heartbeat', body, String(Date.parse(hb.clock))) };
};

const send = (url: string, captured: ReturnType<typeof capture>) =>
  fetch(`${url}/v1/heartbeat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...captured.headers },
    body: captured.body,
  });

forEachBackend('heartbeat freshness', (backend) => {
  // Central's clock, moved by the tests.
  const clock = { t: Date.now() };
  const central = sharedCentral(backend, { now: () => new Date(clock.t) });

  const lastHeartbeat = async (deviceId: string) =>
    (await central().db.query('SELECT last_heartbeat, last_heartbeat_at FROM devices WHERE id = $1', [deviceId]))
      .rows[0]!;

  describe('POST /v1/heartbeat with sentAt', () => {
    test('a fresh heartbeat is accepted and recorded', async () => {
      clock.t = Date.now();
      const device = await enrolled(central());
      const res = await send(central().url, capture(device, heartbeat(device, clock.t - 30_000, { queueDepth: 5 })));
      expect(res.status).toBe(200);
      expect((await lastHeartbeat(device.id))['last_heartbeat']).toMatchObject({ queueDepth: 5 });
    });

    test('a captured heartbeat replayed after the window is refused and stores nothing', async () => {
      clock.t = Date.now();
      const device = await enrolled(central());
      const captured = capture(device, heartbeat(device, clock.t, { queueDepth: 3 }));
      expect((await send(central().url, captured)).status).toBe(200);
      const before = await lastHeartbeat(device.id);

      // The kiosk dies; an hour later someone re-sends what was captured, byte for byte.
      clock.t += 60 * MINUTE;
      const body = await expectSyncError(await send(central().url, captured), 400, 'heartbeat_out_of_window', 'sentAt');
      expect(body.message).toMatch(/minutes/);
      expect(await lastHeartbeat(device.id)).toEqual(before);

      // Just past the edge of the default window (10 minutes) is refused too; just inside is not.
      const edge = Date.now();
      clock.t = edge + 10 * MINUTE + 1_000;
      await expectSyncError(
        await send(central().url, capture(device, heartbeat(device, edge))),
        400,
        'heartbeat_out_of_window',
        'sentAt',
      );
      clock.t = edge + 10 * MINUTE - 1_000;
      expect((await send(central().url, capture(device, heartbeat(device, edge)))).status).toBe(200);
    });

    test('a heartbeat stamped in the future is refused and stores nothing', async () => {
      clock.t = Date.now();
      const device = await enrolled(central());
      const future = capture(device, heartbeat(device, clock.t + 60 * MINUTE));
      await expectSyncError(await send(central().url, future), 400, 'heartbeat_out_of_window', 'sentAt');
      expect((await lastHeartbeat(device.id))['last_heartbeat_at']).toBeNull();
      // Held back until its time comes, it would pass: that is why the future is refused, not just the past.
      clock.t += 60 * MINUTE;
      expect((await send(central().url, future)).status).toBe(200);
    });

    test('sentAt must be an ISO timestamp to the millisecond', async () => {
      clock.t = Date.now();
      const device = await enrolled(central());
      const sentAt = new Date(clock.t).toISOString();
      for (const bad of ['yesterday', sentAt.replace('Z', '+07:00'), `${sentAt.slice(0, -1)}000000Z`]) {
        const res = await send(central().url, capture(device, { ...heartbeat(device, clock.t), sentAt: bad }));
        await expectSyncError(res, 400, 'invalid_body', 'sentAt');
      }
    });
  });
});

forEachBackend('heartbeat freshness with a narrower window', (backend) => {
  const clock = { t: Date.now() };
  const central = sharedCentral(backend, { now: () => new Date(clock.t), heartbeatWindowMs: MINUTE });

  test('the window is configurable', async () => {
    clock.t = Date.now();
    const device = await enrolled(central());
    const twoMinutesOld = capture(device, heartbeat(device, clock.t - 2 * MINUTE));
    await expectSyncError(await send(central().url, twoMinutesOld), 400, 'heartbeat_out_of_window', 'sentAt');
    expect((await send(central().url, capture(device, heartbeat(device, clock.t - 30_000)))).status).toBe(200);
  });
});
