import { expect, test } from 'vitest';
import { findDeviceReport, listDevices } from '../../central/ops/devices.ts';
import { eachMissingRange, reconcile } from '../../central/ops/reconciliation.ts';
import type { Heartbeat } from '../../shared/sync.ts';
import {
  type FakeDevice,
  type TestCentral,
  enrolled,
  envelopeOf,
  kbatchBytes,
  makeResponses,
  postBatch,
  signedFetch,
  startTestCentral,
} from '../support/central.ts';
import { ConsoleClient, makeAccount } from '../support/console-client.ts';
import { forEachBackend } from './backends.ts';

const T0 = Date.parse('2026-11-23T02:00:00.000Z');
const submitted = (seq: number) => new Date(Date.UTC(2026, 10, 22, 2, 0, 0) + seq * 60_000).toISOString();

const heartbeat = (device: FakeDevice, more: Partial<Heartbeat> & { clock: string }): Heartbeat => ({
  deviceId: device.id,
  appVersion: '0.1.0',
  configVersion: 'x',
  lastSeq: 0,
  lastAckedSeq: 0,
  queueDepth: 0,
  freeDiskBytes: 5_000_000_000,
  procedureCode: null,
  ...more,
});

forEachBackend('console: reconciliation and the device registry', (backend) => {
  const withCentral = async (fn: (c: TestCentral, clock: { t: number }) => Promise<void>) => {
    const clock = { t: T0 };
    const c = await startTestCentral(backend, { now: () => new Date(clock.t) });
    try {
      await fn(c, clock);
    } finally {
      await c.close();
    }
  };

  test('ranges received, every gap with since when, and the tail the kiosk reported: exactly the missing seqs', async () => {
    await withCentral(async (c, clock) => {
      const device = await enrolled(c);
      const all = makeResponses(device, 1, 25);
      const send = async (from: number, to: number) =>
        expect((await postBatch(c, kbatchBytes(device, envelopeOf(device, all.slice(from - 1, to))))).status).toBe(200);
      await send(1, 5);
      clock.t = T0 + 3_600_000;
      await send(9, 12);
      clock.t = T0 + 7_200_000;
      await send(20, 20);
      clock.t = T0 + 8_000_000;
      const hb = await signedFetch(
        c,
        device,
        'POST',
        '/v1/heartbeat',
        heartbeat(device, { clock: new Date(clock.t).toISOString(), lastSeq: 25, lastAckedSeq: 5, queueDepth: 20 }),
      );
      expect(hb.status).toBe(200);

      const r = (await reconcile(c.db, device.id))!;
      expect(r.ranges.map((x) => [x.from, x.to, x.count])).toEqual([
        [1, 5, 5],
        [9, 12, 4],
        [20, 20, 1],
      ]);
      expect(r.ranges.map((x) => x.firstReceivedAt.getTime() - T0)).toEqual([0, 3_600_000, 7_200_000]);
      expect(
        r.gaps.map((g) => ({
          from: g.from,
          to: g.to,
          count: g.count,
          since: g.knownSince.getTime() - T0,
          after: g.recordedAfter,
          before: g.recordedBefore,
        })),
      ).toEqual([
        { from: 6, to: 8, count: 3, since: 3_600_000, after: submitted(5), before: submitted(9) },
        { from: 13, to: 19, count: 7, since: 7_200_000, after: submitted(12), before: submitted(20) },
      ]);
      expect(r.tail).toEqual({ from: 21, to: 25, count: 5, reportedAt: new Date(T0 + 8_000_000) });
      expect(r).toMatchObject({
        held: 10,
        highestContiguousSeq: 5,
        highestSeq: 20,
        kioskLastSeq: 25,
        missing: 15,
        moreRanges: 0,
      });

      const lines: string[] = [];
      expect(await eachMissingRange(c.db, device.id, (a, b) => void lines.push(`${a}-${b}`))).toBe(15);
      expect(lines).toEqual(['6-8', '13-19', '21-25']);

      // The console page and the download say the same.
      await makeAccount(c.db, 'it-rec');
      const client = new ConsoleClient(c.url);
      await client.login('it-rec');
      const page = await client.get(`/devices/${device.id}`);
      expect(
        [...page.text.matchAll(/data-testid="gap-row" data-from="(\d+)" data-to="(\d+)"/g)].map(
          (m) => `${m[1]}-${m[2]}`,
        ),
      ).toEqual(['6-8', '13-19', '21-25']);
      expect(
        [...page.text.matchAll(/data-testid="range-row" data-from="(\d+)" data-to="(\d+)"/g)].map(
          (m) => `${m[1]}-${m[2]}`,
        ),
      ).toEqual(['1-5', '9-12', '20-20']);
      expect(page.text).toMatch(/Còn thiếu 15 phiếu/);
      const txt = await client.get(`/devices/${device.id}/missing.txt`);
      expect(txt.headers.get('content-type')).toMatch(/text\/plain/);
      expect(txt.text.split('\n').filter((l) => !l.startsWith('#') && l !== '')).toEqual(['6-8', '13-19', '21-25']);

      // The missing ones arrive (say from a USB stick): no gaps left.
      await send(6, 8);
      await send(13, 19);
      await send(21, 25);
      const done = (await reconcile(c.db, device.id))!;
      expect(done).toMatchObject({ held: 25, highestContiguousSeq: 25, missing: 0, gaps: [], tail: null });
      expect(done.ranges.map((x) => [x.from, x.to])).toEqual([[1, 25]]);
      expect((await client.get(`/devices/${device.id}`)).text).toMatch(
        /data-testid="reconcile-status">Không thiếu phiếu nào/,
      );
    });
  });

  test('a gap at the very start (seq 1 never arrived) and a device with nothing yet', async () => {
    await withCentral(async (c) => {
      const device = await enrolled(c);
      expect(await reconcile(c.db, device.id)).toMatchObject({ held: 0, ranges: [], gaps: [], tail: null, missing: 0 });
      await postBatch(c, kbatchBytes(device, envelopeOf(device, makeResponses(device, 4, 6))));
      const r = (await reconcile(c.db, device.id))!;
      expect(r.gaps.map((g) => [g.from, g.to, g.recordedAfter])).toEqual([[1, 3, null]]);
      expect(r.missing).toBe(3);
      expect(await reconcile(c.db, 'no-such-device')).toBeUndefined();
    });
  });

  test('the registry highlights stale and drifting devices, shows queue depth and config versions from heartbeats', async () => {
    await withCentral(async (c, clock) => {
      const [fresh, drifting, stale] = [await enrolled(c), await enrolled(c), await enrolled(c)];
      const silent = await enrolled(c);
      const at = () => new Date(clock.t).toISOString();
      const wanted = (
        await c.db.query(`SELECT version FROM configs WHERE unit_id = 'default' ORDER BY id DESC LIMIT 1`)
      ).rows[0]!['version'] as string;
      await signedFetch(c, stale, 'POST', '/v1/heartbeat', heartbeat(stale, { clock: at(), configVersion: wanted }));
      clock.t += 3 * 3_600_000;
      await signedFetch(
        c,
        fresh,
        'POST',
        '/v1/heartbeat',
        heartbeat(fresh, { clock: at(), queueDepth: 42, configVersion: wanted }),
      );
      await signedFetch(
        c,
        drifting,
        'POST',
        '/v1/heartbeat',
        heartbeat(drifting, { clock: new Date(clock.t + 5 * 60_000).toISOString(), configVersion: 'old+123' }),
      );
      await makeAccount(c.db, 'it-reg');
      const client = new ConsoleClient(c.url);
      await client.login('it-reg');
      const page = await client.get('/devices');
      const flags = (id: string) => {
        const row = new RegExp(
          `data-device="${id}" data-stale="(\\w+)" data-drifting="(\\w+)"[^>]*>([\\s\\S]*?)</tr>`,
        ).exec(page.text)!;
        return { stale: row[1], drifting: row[2], html: row[3]! };
      };
      expect(flags(stale.id)).toMatchObject({ stale: 'true', drifting: 'false' });
      expect(flags(drifting.id)).toMatchObject({ stale: 'false', drifting: 'true' });
      expect(flags(drifting.id).html).toMatch(/Cấu hình cũ/);
      expect(flags(drifting.id).html).toMatch(/nhanh 5 phút/);
      expect(flags(fresh.id)).toMatchObject({ stale: 'false', drifting: 'false' });
      expect(flags(fresh.id).html).toMatch(/>42</);
      expect(flags(silent.id).html).toMatch(/Chưa có tín hiệu/);
      expect(page.text).toMatch(/4 thiết bị: 2 mất liên lạc, 1 lệch giờ/);
      // A longer stale limit in the filter: the stale one is fine again.
      expect((await client.get('/devices?stale=5')).text).toMatch(
        new RegExp(`data-device="${stale.id}" data-stale="false"`),
      );
      const config = await client.get('/config');
      expect(config.text).toMatch(
        new RegExp(`data-device="${drifting.id}" data-state="outdated" data-running="old\\+123"`),
      );
      expect(config.text).toMatch(new RegExp(`data-device="${fresh.id}" data-state="current"`));
    });
  });

  test('a device label is shown as text, never as markup', async () => {
    await withCentral(async (c) => {
      const device = await enrolled(c);
      await c.db.query('UPDATE devices SET label = $2 WHERE id = $1', [device.id, '<img src=x onerror=alert(1)>"Quầy']);
      await makeAccount(c.db, 'it-xss');
      const client = new ConsoleClient(c.url);
      await client.login('it-xss');
      const page = await client.get('/devices');
      expect(page.text).toContain('&lt;img src=x onerror=alert(1)&gt;&quot;Quầy');
      expect(page.text).not.toContain('<img src=x');
    });
  });
  test('the device page reads its one device: the same report as in the list, none for an unknown id', async () => {
    await withCentral(async (c) => {
      const a = await enrolled(c);
      const b = await enrolled(c);
      expect((await postBatch(c, kbatchBytes(b, envelopeOf(b, makeResponses(b, 1, 3))))).status).toBe(200);
      const all = await listDevices(c.db);
      expect(await findDeviceReport(c.db, b.id)).toEqual(all.find((d) => d.id === b.id));
      expect(await findDeviceReport(c.db, a.id)).toEqual(all.find((d) => d.id === a.id));
      expect(await findDeviceReport(c.db, 'kiosk-không-có')).toBeUndefined();
    });
  });
});
