// The admin panel's enrolment, "sync now" and USB export against a real central service on loopback
// (PGlite in memory, port 0), driving the kiosk core's own sync engine.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type RunningCentral, startCentral } from '../../central/index.ts';
import { type KioskCore, openKioskCore } from '../../electron/core/kiosk-core.ts';
import { readEnrolment } from '../../electron/core/sync/enrolment.ts';
import { uploadFiles } from '../../electron/core/sync/offline.ts';
import type { AdminJob } from '../../shared/admin.ts';
import { call, errorOf, okValue, silentLog } from '../support/kiosk.ts';
import { OFFICE_ADMIN_PIN, setOfficePins } from '../support/pins.ts';
import { tempDir } from '../support/tmp.ts';
import { centralResponses, insertBacklog } from '../sync/support/kiosk.ts';

/** Central's clock, which one test moves forward to expire a code. */
let centralOffsetMs = 0;
let central: RunningCentral;
beforeAll(async () => {
  central = await startCentral({
    memory: true,
    port: 0,
    host: '127.0.0.1',
    rateLimit: { perIp: false, perDevice: false },
    now: () => new Date(Date.now() + centralOffsetMs),
  });
});
afterAll(async () => {
  await central?.close();
});

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  centralOffsetMs = 0;
  for (const c of cleanups.splice(0).reverse()) await c();
});

type Kiosk = { core: KioskCore; dir: string; session: string };

const kiosk = async (options: { maxCount?: number } = {}): Promise<Kiosk> => {
  const t = tempDir('kiosk-admin-sync-');
  const core = openKioskCore({
    dataDir: t.dir,
    log: silentLog,
    sync: { limits: { maxCount: options.maxCount ?? 1000 }, pollIntervalMs: 60_000, freeDisk: async () => 1e9 },
    enrolTimeouts: { idleMs: 3_000, smallDeadlineMs: 5_000 },
  });
  cleanups.push(
    () => t.cleanup(),
    () => core.close(),
    () => core.sync.stop(),
  );
  setOfficePins(core.db);
  const session = okValue(await call(core, 'adminUnlock', { pin: OFFICE_ADMIN_PIN })).session;
  return { core, dir: t.dir, session };
};

const enrolled = async (k: Kiosk, on: RunningCentral = central) =>
  okValue(await call(k.core, 'adminEnrol', { session: k.session, centralUrl: on.url, code: await on.enrolmentCode() }));

/** Polls adminJob until the job ends; returns every snapshot seen. */
const follow = async (k: Kiosk, first: AdminJob): Promise<AdminJob[]> => {
  const seen: AdminJob[] = [first];
  let job = first;
  const deadline = Date.now() + 60_000;
  while (job.state === 'running') {
    if (Date.now() > deadline) throw new Error(`job ${job.id} still running after 60 s: ${JSON.stringify(job)}`);
    await new Promise((r) => setTimeout(r, 5));
    job = okValue(await call(k.core, 'adminJob', { session: k.session, jobId: first.id }));
    seen.push(job);
  }
  return seen;
};

const closedPort = async (): Promise<number> =>
  new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

const audit = (k: Kiosk, action: string) =>
  (
    k.core.db.prepare('SELECT actor, details FROM audit_log WHERE action = ? ORDER BY id').all(action) as {
      actor: string;
      details: string;
    }[]
  ).map((r): Record<string, unknown> => ({ actor: r.actor, ...(JSON.parse(r.details) as Record<string, unknown>) }));

describe('enrolment from the admin panel', () => {
  it('enrols with a URL and a code typed on the kiosk, and the status then names central and the unit', async () => {
    const k = await kiosk();
    const code = await central.enrolmentCode();
    // Typed on a touch keyboard: lower case, spaces around it.
    const r = okValue(
      await call(k.core, 'adminEnrol', {
        session: k.session,
        centralUrl: ` ${central.url} `,
        code: ` ${code.toLowerCase()} `,
      }),
    );
    expect(r).toMatchObject({
      centralUrl: `${central.url}/`,
      unit: central.defaultUnit,
      deviceId: k.core.deviceId,
      retried: false,
    });
    const status = okValue(await call(k.core, 'adminStatus', { session: k.session }));
    expect(status.enrolment).toEqual({
      centralUrl: `${central.url}/`,
      unit: central.defaultUnit,
      enrolledAt: r.enrolledAt,
      centralKeyFingerprint: createHash('sha256')
        .update(Buffer.from(central.centralKey.publicKey, 'base64url'))
        .digest('hex'),
    });
    expect(status.sync.state).not.toBe('not_enrolled');
    expect(audit(k, 'enrolled')).toEqual([
      { actor: 'admin', centralUrl: `${central.url}/`, unit: central.defaultUnit, retried: false },
    ]);
  });

  it('says why an enrolment failed: unreachable, not a central, unknown, used and expired codes', async () => {
    const k = await kiosk();
    const other = await kiosk();
    const used = await central.enrolmentCode();
    await call(other.core, 'adminEnrol', { session: other.session, centralUrl: central.url, code: used });
    const expiring = await central.enrolmentCode({ hours: 1 });
    const attempt = async (centralUrl: string, code: string) =>
      errorOf(await call(k.core, 'adminEnrol', { session: k.session, centralUrl, code }));

    expect(await attempt(`http://127.0.0.1:${await closedPort()}`, await central.enrolmentCode())).toMatchObject({
      code: 'enrol_failed',
      reason: 'unreachable',
      status: null,
    });
    // A web server that is not central (here: central's own host, under a path it does not serve).
    expect(await attempt(`${central.url}/not-central/`, await central.enrolmentCode())).toMatchObject({
      code: 'enrol_failed',
      reason: 'not_central',
      status: 404,
    });
    const unknown = await attempt(central.url, 'ZZZZ-ZZZZ-ZZZZ');
    expect(unknown).toMatchObject({ code: 'enrol_failed', reason: 'code_rejected', status: 403 });
    expect(unknown.message).toMatch(/unknown enrolment code/);
    const usedErr = await attempt(central.url, used);
    expect(usedErr).toMatchObject({ code: 'enrol_failed', reason: 'code_rejected', status: 403 });
    expect(usedErr.message).toMatch(/already used/);
    centralOffsetMs = 2 * 3_600_000;
    const expired = await attempt(central.url, expiring);
    expect(expired).toMatchObject({ code: 'enrol_failed', reason: 'code_rejected', status: 403 });
    expect(expired.message).toMatch(/expired/);

    expect(readEnrolment(k.core.db)).toBeUndefined();
    expect(okValue(await call(k.core, 'adminStatus', { session: k.session })).enrolment).toBeNull();
    expect(audit(k, 'enrol_failed').map((e) => e.reason)).toEqual([
      'unreachable',
      'not_central',
      'code_rejected',
      'code_rejected',
      'code_rejected',
    ]);
  });
});

describe('sync now', () => {
  it('drains the queue on the kiosk engine with progress up to the end, while the background loop runs', async () => {
    const k = await kiosk({ maxCount: 100 });
    // The host's background loop and "sync now" are one engine: passes queue, never overlap. Started
    // before enrolment, the loop sleeps its poll interval, so this pass is the one that sends.
    k.core.sync.start();
    insertBacklog(k.core, 1_250);
    await enrolled(k);
    const before = okValue(await call(k.core, 'adminStatus', { session: k.session }));
    expect(before.sync).toMatchObject({ queueDepth: 1_250, engineRunning: true });

    const first = okValue(await call(k.core, 'adminSyncNow', { session: k.session }));
    expect(first).toMatchObject({ kind: 'sync', state: 'running' });
    // Pressed twice: the same job, not a second pass.
    expect(okValue(await call(k.core, 'adminSyncNow', { session: k.session })).id).toBe(first.id);
    const seen = (await follow(k, first)) as Extract<AdminJob, { kind: 'sync' }>[];
    const last = seen.at(-1)!;
    expect(last).toMatchObject({
      state: 'succeeded',
      phase: 'done',
      done: 1_250,
      total: 1_250,
      error: null,
      result: { responses: 1_250, inserted: 1_250, duplicates: 0, queueDepth: 0 },
    });
    expect(last.result!.batches).toBeGreaterThanOrEqual(13);
    // Progress only moves forward, and was seen part way (what the panel's bar shows).
    const dones = seen.map((j) => j.done);
    expect(dones).toEqual([...dones].sort((a, b) => a - b));
    expect(
      seen.some((j) => j.done > 0 && j.done < j.total && (j.phase === 'sending' || j.phase === 'acked')),
      JSON.stringify(dones),
    ).toBe(true);

    const after = okValue(await call(k.core, 'adminStatus', { session: k.session }));
    expect(after.sync).toMatchObject({ queueDepth: 0, ackedThrough: 1_250, lastError: null });
    expect(after.sync.lastSuccessAt).not.toBeNull();
    expect(after.jobs.find((j) => j.kind === 'sync')?.id).toBe(first.id);
    expect((await centralResponses(central, k.core.deviceId)).map((r) => r.seq)).toEqual(
      Array.from({ length: 1_250 }, (_, i) => i + 1),
    );
    expect(audit(k, 'sync_now')).toEqual([{ actor: 'admin', queueDepth: 1_250 }]);
    expect(audit(k, 'sync_done')).toMatchObject([
      { actor: 'admin', ok: true, responses: 1_250, inserted: 1_250, queueDepth: 0, error: null },
    ]);
  });

  it('a failed pass says what it means for IT, in the job and in the status', async () => {
    const k = await kiosk();
    const gone = await startCentral({ memory: true, port: 0, host: '127.0.0.1' });
    await enrolled(k, gone);
    await gone.close();
    insertBacklog(k.core, 5);
    const seen = await follow(k, okValue(await call(k.core, 'adminSyncNow', { session: k.session })));
    expect(seen.at(-1)).toMatchObject({
      state: 'failed',
      error: {
        code: 'network',
        meaning: expect.stringMatching(/could not be reached/),
        action: expect.stringMatching(/keeps trying/),
      },
    });
    const status = okValue(await call(k.core, 'adminStatus', { session: k.session }));
    expect(status.sync).toMatchObject({
      queueDepth: 5,
      lastError: { code: 'network', meaning: expect.stringMatching(/could not be reached/) },
    });
  });
});

describe('export to a folder (the USB stick)', () => {
  it('writes verified .kbatch files that central accepts once, and a second upload only duplicates', async () => {
    const k = await kiosk({ maxCount: 120 });
    await enrolled(k);
    insertBacklog(k.core, 300);
    const targets = okValue(await call(k.core, 'adminListExportTargets', { session: k.session }));
    expect(targets.suggestedFolder).toBe(join(k.dir, 'exports'));
    for (const t of targets.targets) expect(t.kind).toBe('removable');

    const usb = tempDir('kiosk-usb-');
    cleanups.push(() => usb.cleanup());
    // A folder that does not exist yet on the stick is made.
    const target = join(usb.dir, 'kbatch');
    const first = okValue(await call(k.core, 'adminExport', { session: k.session, target }));
    expect(errorOf(await call(k.core, 'adminExport', { session: k.session, target }))).toMatchObject({ code: 'busy' });
    const seen = (await follow(k, first)) as Extract<AdminJob, { kind: 'export' }>[];
    const done = seen.at(-1)!;
    expect(done).toMatchObject({
      state: 'succeeded',
      phase: 'done',
      verified: true,
      done: 300,
      total: 300,
      error: null,
      target,
    });
    expect(done.files.map((f) => [f.seqFrom, f.seqTo])).toEqual([
      [1, 120],
      [121, 240],
      [241, 300],
    ]);
    const names = readdirSync(target).sort();
    expect(names).toEqual(done.files.map((f) => f.name).sort());
    for (const f of done.files) {
      expect(f.name).toMatch(new RegExp(`^${k.core.deviceId}-${f.seqFrom}-${f.seqTo}\\.kbatch$`));
      expect(
        createHash('sha256')
          .update(readFileSync(join(target, f.name)))
          .digest('hex'),
      ).toBe(f.sha256);
    }
    const status = okValue(await call(k.core, 'adminStatus', { session: k.session }));
    expect(status.lastExport).toMatchObject({ target, files: 3, responses: 300 });
    // Exported is not acknowledged: the queue stays until central has them.
    expect(status.sync.queueDepth).toBe(300);

    const files = names.map((n) => join(target, n));
    const upload = await uploadFiles({ files, centralUrl: central.url });
    expect(upload.map((u) => (u.ok ? [u.ack.inserted, u.ack.duplicates] : u.code))).toEqual([
      [120, 0],
      [120, 0],
      [60, 0],
    ]);
    const again = await uploadFiles({ files, centralUrl: central.url });
    expect(again.map((u) => (u.ok ? [u.ack.inserted, u.ack.duplicates] : u.code))).toEqual([
      [0, 120],
      [0, 120],
      [0, 60],
    ]);
    expect(await centralResponses(central, k.core.deviceId)).toHaveLength(300);
    // The kiosk learns from the heartbeat that central has them all: sync now sends nothing.
    const sync = (await follow(k, okValue(await call(k.core, 'adminSyncNow', { session: k.session })))).at(-1)!;
    expect(sync).toMatchObject({ state: 'succeeded', result: { responses: 0, skippedByCentral: 300, queueDepth: 0 } });
    expect(audit(k, 'export_started')).toEqual([{ actor: 'admin', target, queueDepth: 300 }]);
    expect(audit(k, 'export_done')).toEqual([
      { actor: 'admin', target, ok: true, files: 3, responses: 300, bytes: done.bytes, error: null },
    ]);
  });

  it('with nothing waiting, an export succeeds with no files', async () => {
    const k = await kiosk();
    await enrolled(k);
    const usb = tempDir('kiosk-usb-');
    cleanups.push(() => usb.cleanup());
    const done = (
      await follow(k, okValue(await call(k.core, 'adminExport', { session: k.session, target: usb.dir })))
    ).at(-1)!;
    expect(done).toMatchObject({ state: 'succeeded', files: [], done: 0, total: 0, verified: true });
    expect(readdirSync(usb.dir)).toEqual([]);
    expect(existsSync(join(usb.dir, 'kbatch'))).toBe(false);
  });
});
