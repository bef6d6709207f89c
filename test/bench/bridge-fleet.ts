/**
 * The bridge bench's simulated kiosks: enrolled and placed at counters straight in central's PGlite
 * database before the central process starts (enrolment per device through the API would take
 * minutes), then holding central's invitation stream open over node:http as a kiosk does.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { type ClientRequest, request } from 'node:http';
import { type CentralDb, DEFAULT_UNIT, ensureUnit, openCentralDb } from '../../central/index.ts';
import { setDeviceCounter } from '../../central/bridge/device-counter.ts';
import { createIntegrationKey } from '../../central/bridge/keys.ts';
import { pgliteDir } from '../../central/data-dir.ts';
import { enrolDevice } from '../../central/ops/enrol.ts';
import { createEnrolmentCode } from '../../central/ops/enrolment-codes.ts';
import { INVITATION_STREAM } from '../../shared/invitation.ts';
import { PROTOCOL_VERSION } from '../../shared/sync.ts';
import { type FakeDevice, deviceHeaders, makeDevice } from '../support/central.ts';

export type Seeded = { devices: FakeDevice[]; kioskCode: string; keySecret: string };

/** `count` simulated kiosks of the default unit, each at a counter of its own; a code for the real kiosk; a key. */
export const seedCentral = async (dataDir: string, count: number): Promise<Seeded> => {
  const db: CentralDb = await openCentralDb({ pgliteDir: pgliteDir(dataDir) });
  try {
    await ensureUnit(db, DEFAULT_UNIT);
    const devices = Array.from({ length: count }, () => makeDevice());
    for (const [i, device] of devices.entries()) {
      const { code } = await createEnrolmentCode(db, { unitId: DEFAULT_UNIT.id });
      await enrolDevice(
        db,
        { protocol: PROTOCOL_VERSION, code, deviceId: device.id, publicKey: device.publicKey, appVersion: 'bench' },
        device.publicKey,
        new Date(),
      );
      if ((await setDeviceCounter(db, device.id, `sim-${i + 1}`)) !== 'placed') throw new Error('device not placed');
    }
    const { code: kioskCode } = await createEnrolmentCode(db, { unitId: DEFAULT_UNIT.id });
    const { secret } = await createIntegrationKey(db, {
      label: 'bench one-stop system',
      unitIds: [DEFAULT_UNIT.id],
      createdBy: 'bench',
      now: new Date(),
    });
    return { devices, kioskCode, keySecret: secret };
  } finally {
    await db.close();
  }
};

export type HeldStream = { close: () => void };

/** One signed stream request held open; resolves once central answered 200 (rejects otherwise). */
const openOne = (url: string, device: FakeDevice): Promise<HeldStream> =>
  new Promise((resolve, reject) => {
    const req: ClientRequest = request(`${url}${INVITATION_STREAM.path}`, {
      headers: { ...deviceHeaders(device, 'GET', INVITATION_STREAM.path), connection: 'close' },
      agent: false,
    });
    req.on('error', reject);
    req.on('response', (res) => {
      res.resume(); // keep-alive comments and other counters' traffic: read and dropped
      res.on('error', () => undefined);
      if (res.statusCode !== 200) return reject(new Error(`stream answered ${res.statusCode}`));
      req.removeListener('error', reject);
      req.on('error', () => undefined);
      resolve({ close: () => req.destroy() });
    });
    req.end();
  });

/** Opens the devices' streams, `parallel` at a time. */
export const openStreams = async (
  url: string,
  devices: readonly FakeDevice[],
  parallel = 50,
): Promise<HeldStream[]> => {
  const held: HeldStream[] = [];
  for (let i = 0; i < devices.length; i += parallel)
    held.push(...(await Promise.all(devices.slice(i, i + parallel).map((d) => openOne(url, d)))));
  return held;
};

/** Resident set size of a process, in bytes (VmRSS of /proc/<pid>/status). */
export const rssBytes = (pid: number): number => {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for process ${pid}`);
  return Number(m[1]) * 1024;
};

/** Open file descriptors of a process: shows the streams really are held as sockets by central. */
export const openFds = (pid: number): number => readdirSync(`/proc/${pid}/fd`).length;
