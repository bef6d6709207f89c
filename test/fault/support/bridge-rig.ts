/**
 * The counter bridge under faults (test/fault/bridge-faults.test.ts): a real kiosk core (its own sync
 * engine and invitation stream, as a host starts them) enrolled with a real central on PostgreSQL
 * THROUGH the fault proxy, and a one-stop system posting to central's counter API. Central runs in
 * this process so it can be closed and started again on the same port and database, and its clock
 * moved (how invitations expire during an outage without waiting out their 30 s minimum).
 */
import { type RunningCentral, type StartCentralOptions, startCentral } from '../../../central/index.ts';
import { setDeviceCounter } from '../../../central/bridge/device-counter.ts';
import { type KioskCore, openKioskCore } from '../../../electron/core/kiosk-core.ts';
import { enrol } from '../../../electron/core/sync/enrolment.ts';
import type { InvitationRow } from '../../../electron/core/invitations/store.ts';
import { newKeyPair } from '../../../shared/node/signing.ts';
import { fakeAnswers } from '../../bench/answers.ts';
import { seededRandom } from '../../bench/stats.ts';
import { PROCEDURE, newKey, postInvitation } from '../../central/bridge-support.ts';
import { silentLog } from '../../support/kiosk.ts';
import { setOfficePins } from '../../support/pins.ts';
import { sharedPostgres } from '../../support/postgres.ts';
import { tempDir } from '../../support/tmp.ts';
import { type ProxyAction, type TestProxy, startProxy } from '../../sync/support/proxy.ts';

export const COUNTER = 'quay-1';
/** Central's keep-alive here, and how long the kiosk's stream waits for a byte before it reconnects. */
export const KEEP_ALIVE_MS = 100;
export const STREAM_IDLE_MS = 600;

/** Polls `check` until it holds; fails naming `what` after `timeoutMs` (every wait here is bounded). */
export const until = async (what: string, check: () => boolean | Promise<boolean>, timeoutMs = 5_000) => {
  const started = performance.now();
  while (!(await check())) {
    if (performance.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * What the attract screen shows, in order: a long poll on the core (KioskApi awaitInvitation's way),
 * recording each invitation id that becomes current. An invitation shown twice appears twice.
 */
const watchScreen = (core: KioskCore) => {
  const shown: string[] = [];
  let known: string | null = core.invitations.current()?.id ?? null;
  let on = true;
  const loop = (async () => {
    while (on) {
      const row = await core.invitations.waitForChange(known, 100);
      const id = row?.id ?? null;
      if (id !== known && id !== null) shown.push(id);
      known = id;
    }
  })();
  return {
    shown,
    stop: async () => {
      on = false;
      await loop;
    },
  };
};

export type BridgeRig = {
  central: () => RunningCentral;
  proxy: TestProxy;
  core: KioskCore;
  /** The invitation ids the screen showed, in order. */
  shown: string[];
  /** Moves central's clock (only central's: the kiosk never hears of what expires meanwhile). */
  advanceCentralClock: (ms: number) => void;
  stopCentral: () => Promise<void>;
  /** Central again, on the same port and database (a restart, or a new release). */
  startCentralAgain: () => Promise<void>;
  /** What the proxy does to the kiosk's stream connections (default: pass them on unbuffered). */
  streamAction: ProxyAction;
  /** What it does to the kiosk's other requests: status reports, heartbeats, batches (default: pass). */
  otherAction: ProxyAction;
  /** The one-stop system: POST /v1/counter/invitations for the kiosk's counter; the invitation's id. */
  invite: (caseNumber: string, ttlSeconds?: number) => Promise<string>;
  /** The one-stop system asks central where an invitation stands. */
  statusAtCentral: (id: string) => Promise<string>;
  /** The kiosk's rows of this invitation (a duplicate would be two). */
  kioskRows: (id: string) => InvitationRow[];
  /** A citizen completes the survey on the kiosk now (answering the invitation shown, if any). */
  answerOnKiosk: () => Promise<void>;
  close: () => Promise<void>;
};

const runAll = async (cleanups: (() => unknown)[]) => {
  for (const c of cleanups.splice(0).reverse()) await c();
};

/** The rig, ready: the stream connected and the first heartbeat done. Whatever started is stopped if it fails. */
export const startBridgeRig = async (): Promise<BridgeRig> => {
  const cleanups: (() => unknown)[] = [];
  try {
    return await buildRig(cleanups);
  } catch (e) {
    await runAll(cleanups);
    throw e;
  }
};

const buildRig = async (cleanups: (() => unknown)[]): Promise<BridgeRig> => {
  let aheadMs = 0;
  const databaseUrl = await (await sharedPostgres()).createDatabase();
  // The same key every start: the kiosk trusts central's key from enrolment on.
  const centralKey = newKeyPair();
  const options = (port: number): StartCentralOptions => ({
    databaseUrl,
    centralKey,
    host: '127.0.0.1',
    port,
    reportDrain: false,
    rateLimit: { perIp: false, perDevice: false },
    now: () => new Date(Date.now() + aheadMs),
    bridge: { keepAliveMs: KEEP_ALIVE_MS, perKey: false },
  });
  let central: RunningCentral | undefined = await startCentral(options(0));
  const port = Number(new URL(central.url).port);
  const current = (): RunningCentral => {
    if (!central) throw new Error('central is not running');
    return central;
  };
  cleanups.push(() => central?.close());

  const proxy = await startProxy(central.url);
  cleanups.push(() => proxy.close());

  const dir = tempDir('bridge-faults-');
  cleanups.push(dir.cleanup);
  const core = openKioskCore({
    dataDir: dir.dir,
    log: silentLog,
    sync: { backoff: { baseMs: 50, capMs: 400 }, heartbeatIntervalMs: 1_000, pollIntervalMs: 200 },
    invitationStreamIdleMs: STREAM_IDLE_MS,
  });
  cleanups.push(() => core.close());
  setOfficePins(core.db);
  const enrolled = await enrol({
    db: core.db,
    dataDir: dir.dir,
    centralUrl: proxy.url,
    code: await central.enrolmentCode(),
    label: 'bridge faults',
  });
  if (!enrolled.ok) throw new Error(`enrolment through the proxy failed: ${JSON.stringify(enrolled)}`);
  if ((await setDeviceCounter(central.db, core.deviceId, COUNTER)) !== 'placed') throw new Error('not placed');
  const key = await newKey(central, ['default']);

  const rig: BridgeRig = {
    central: current,
    proxy,
    core,
    shown: [],
    advanceCentralClock: (ms) => void (aheadMs += ms),
    stopCentral: async () => {
      const c = central;
      central = undefined;
      await c?.close();
    },
    startCentralAgain: async () => {
      central = await startCentral(options(port));
    },
    streamAction: 'stream',
    otherAction: 'pass',
    invite: async (caseNumber, ttlSeconds) => {
      const res = await postInvitation(current(), key.secret, {
        unitId: 'default',
        counterId: COUNTER,
        caseNumber,
        procedureCode: PROCEDURE(),
        ...(ttlSeconds === undefined ? {} : { ttlSeconds }),
      });
      if (res.status !== 201) throw new Error(`the counter API answered ${res.status}: ${await res.text()}`);
      return ((await res.json()) as { invitation: { id: string } }).invitation.id;
    },
    statusAtCentral: async (id) => {
      const res = await fetch(`${current().url}/v1/counter/invitations/${id}`, {
        headers: { authorization: `Bearer ${key.secret}` },
      });
      return ((await res.json()) as { status: string }).status;
    },
    kioskRows: (id) => core.db.prepare('SELECT * FROM invitations WHERE id = ?').all(id) as InvitationRow[],
    answerOnKiosk: async () => {
      const begun = await core.beginResponse({});
      if (!begun.ok) throw new Error(`beginResponse: ${JSON.stringify(begun.error)}`);
      const answers = fakeAnswers(begun.value.questionnaire, seededRandom(7), { status: 'complete' });
      const stored = await core.submitResponse({ draftId: begun.value.draftId, locale: 'vi', answers });
      if (!stored.ok) throw new Error(`submitResponse: ${JSON.stringify(stored.error)}`);
    },
    close: () => runAll(cleanups),
  };
  proxy.decide = ({ path }) => (path.includes('/invitations/stream') ? rig.streamAction : rig.otherAction);

  core.sync.start();
  core.invitationStream.start();
  cleanups.push(() => core.sync.stop());
  cleanups.push(() => core.invitationStream.stop());
  const screen = watchScreen(core);
  rig.shown = screen.shown;
  cleanups.push(() => screen.stop());
  await until('the kiosk stream to connect through the proxy', () => core.invitationStream.connected);
  // The heartbeat measured central's clock: the kiosk bounds what it shows by central's own expiry.
  await until(
    'the first heartbeat',
    () =>
      (core.db.prepare('SELECT clock_drift_ms AS d FROM sync_status WHERE id = 1').get() as { d: number | null }).d !==
      null,
  );
  return rig;
};
