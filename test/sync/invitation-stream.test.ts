// The kiosk's invitation stream (issue 11) against a small central that follows the contract, through
// the sync tests' fault proxy: delivered at once, the network dropping and central restarting survived,
// invitations sent while away arriving once if still valid and never after they expired, statuses
// reported until central acknowledges them.
import { generateKeyPairSync } from 'node:crypto';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type KioskCore, openKioskCore } from '../../electron/core/kiosk-core.ts';
import { type InvitationStream, createInvitationStream } from '../../electron/core/sync/invitation-stream.ts';
import { sseReader } from '../../electron/core/sync/invitation-stream-sse.ts';
import { type InvitationCentral, startInvitationCentral } from '../support/invitation-central.ts';
import { makeInvitation } from '../support/invitations.ts';
import { rowCount, silentLog } from '../support/kiosk.ts';
import { tempDir } from '../support/tmp.ts';
import { type TestProxy, startProxy } from './support/proxy.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

let template: { dir: string; cleanup: () => void };
beforeAll(() => {
  template = tempDir('stream-template-');
  openKioskCore({ dataDir: template.dir, log: silentLog }).close();
});
afterAll(() => template.cleanup());

const until = async (what: string, check: () => boolean, timeoutMs = 5_000): Promise<number> => {
  const started = performance.now();
  while (!check()) {
    if (performance.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
  return performance.now() - started;
};

type Rig = { core: KioskCore; central: InvitationCentral; proxy: TestProxy; stream: InvitationStream };

/** A real kiosk core, central behind the fault proxy (streams passed on unbuffered), the stream started. */
const rig = async (): Promise<Rig> => {
  const t = tempDir('stream-');
  cleanups.push(t.cleanup);
  copyFileSync(join(template.dir, 'kiosk.sqlite'), join(t.dir, 'kiosk.sqlite'));
  const core = openKioskCore({ dataDir: t.dir, log: silentLog });
  cleanups.push(() => core.close());
  const keys = generateKeyPairSync('ed25519');
  const central = await startInvitationCentral({
    device: { id: core.deviceId, key: keys.publicKey },
    keepAliveMs: 100,
  });
  cleanups.push(() => central.stop());
  const proxy = await startProxy(central.url);
  proxy.decide = ({ path }) => (path.includes('stream') ? 'stream' : 'pass');
  cleanups.push(() => proxy.close());
  const stream = createInvitationStream({
    device: () => ({
      centralUrl: new URL(`${proxy.url}/`),
      signer: { deviceId: core.deviceId, privateKey: keys.privateKey },
    }),
    sink: core.invitations,
    reports: { pending: core.invitations.pendingReports, acknowledged: core.invitations.markReported },
    backoff: { baseMs: 50, capMs: 400 },
    idleMs: 1_000,
    reportIntervalMs: 50,
    log: silentLog,
  });
  stream.start();
  cleanups.push(() => stream.stop());
  await until('the stream to connect', () => stream.connected && central.openStreams === 1);
  return { core, central, proxy, stream };
};

const shown = (core: KioskCore) => core.invitations.current()?.id;

describe('the invitation stream', () => {
  it('delivers an invitation at once and reports it delivered, then answered, to central', async () => {
    const { core, central } = await rig();
    const inv = makeInvitation();
    central.issue(inv);
    const ms = await until('the invitation on the kiosk', () => shown(core) === inv.id);
    expect(ms).toBeLessThan(1_000);
    await until('central to hear "delivered"', () => central.statusOf(inv.id) === 'delivered');
    await until('the kiosk to take the acknowledgement', () => core.invitations.pendingReports(10).length === 0);
    // Answered on the kiosk: the periodic report carries it with the response id.
    core.db.prepare("INSERT INTO questionnaires (id, version, hash, body) VALUES ('x', 1, 'h', '{}')").run();
    core.db
      .prepare(
        `INSERT INTO responses (seq, id, questionnaire_id, questionnaire_version, procedure_code, field_code, locale,
          status, started_at, submitted_at, duration_ms, answers, flags)
         VALUES (1, '0190a0f0-0000-7000-8000-000000000001', 'x', 1, '1.001193', 'ho-tich', 'vi', 'complete',
          '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:30.000Z', 30000, '{}', 0)`,
      )
      .run();
    expect(core.invitations.answerIn(inv.id, '0190a0f0-0000-7000-8000-000000000001', Date.now())).toBe(true);
    await until('central to hear "answered"', () => central.statusOf(inv.id) === 'answered');
    expect(central.updates.at(-1)).toMatchObject({
      status: 'answered',
      responseId: '0190a0f0-0000-7000-8000-000000000001',
    });
  });

  it('the network drops: sent while away arrives once if still valid, never after it expired', async () => {
    const { core, central, proxy } = await rig();
    proxy.decide = () => 'reset-before'; // nothing gets through
    proxy.dropConnections();
    await until('the kiosk to notice', () => central.openStreams === 0);
    const expired = makeInvitation({ ttlMs: 200, caseNumber: 'HS-GONE', counterId: 'q7' });
    central.issue(expired);
    await new Promise((r) => setTimeout(r, 400)); // it expires while the kiosk is away
    const valid = makeInvitation({ caseNumber: 'HS-WAITING' });
    central.issue(valid);
    proxy.decide = ({ path }) => (path.includes('stream') ? 'stream' : 'pass');
    await until('the valid one on the kiosk', () => shown(core) === valid.id);
    expect(core.invitations.statusOf(expired.id)).toBeUndefined();
    // A second drop: central re-sends it on reconnect; the kiosk takes it once.
    const opened = central.streamsOpened;
    proxy.dropConnections();
    await until('a new stream', () => central.streamsOpened > opened && central.openStreams === 1);
    await new Promise((r) => setTimeout(r, 100));
    expect(rowCount(core.db, 'invitations')).toBe(1);
    expect(shown(core)).toBe(valid.id);
  });

  it('never shows one that expired where it was issued, even if it comes late (the heartbeat measured the clocks)', async () => {
    const { core, central } = await rig();
    core.db.prepare('UPDATE sync_status SET clock_drift_ms = 0 WHERE id = 1').run();
    const late = makeInvitation({ issuedMs: Date.now() - 120_000, ttlMs: 60_000 });
    central.issue(late); // pushed as is: a central (or a proxy) delivering a minute after it expired
    await until('the kiosk to record it expired', () => core.invitations.statusOf(late.id) === 'expired');
    expect(shown(core)).toBeUndefined();
    await until('central to hear "expired"', () => central.statusOf(late.id) === 'expired');
  });

  it('survives central restarting, and receives what is issued after', async () => {
    const { core, central, stream } = await rig();
    await central.stop();
    await until('the kiosk to notice', () => !stream.connected);
    await central.restart();
    await until('the stream to reconnect', () => stream.connected && central.openStreams === 1);
    const inv = makeInvitation();
    central.issue(inv);
    await until('the invitation on the kiosk', () => shown(core) === inv.id);
  });

  it('a stalled link (nothing, not even the keep-alive) is given up and opened again', async () => {
    const { core, central } = await rig();
    const opened = central.streamsOpened;
    central.muted = true;
    await until('a new stream after the stall', () => central.streamsOpened > opened, 3_000);
    central.muted = false;
    const inv = makeInvitation();
    central.issue(inv);
    await until('the invitation on the kiosk', () => shown(core) === inv.id);
  });

  it('reports statuses again until central acknowledges them', async () => {
    const { core, central } = await rig();
    central.failStatusWith = 503;
    const inv = makeInvitation({ procedureCode: '9.999999' }); // refused by the kiosk: not in its configuration
    central.issue(inv);
    await until('the kiosk to refuse it', () => core.invitations.statusOf(inv.id) === 'refused');
    await new Promise((r) => setTimeout(r, 200));
    expect(core.invitations.pendingReports(10)).toHaveLength(1);
    central.failStatusWith = null;
    await until('central to hear "refused"', () => central.statusOf(inv.id) === 'refused');
    expect(central.updates.at(-1)).toMatchObject({ status: 'refused', reason: expect.stringMatching(/9\.999999/) });
    await until('the kiosk to take the acknowledgement', () => core.invitations.pendingReports(10).length === 0);
  });
});

describe('the stream reader (server-sent events)', () => {
  const events = (chunks: (string | Buffer)[], maxBytes?: number) => {
    const seen: { event: string; data: string }[] = [];
    const read = sseReader((e) => seen.push(e), maxBytes);
    const accepted = chunks.map((c) => read(typeof c === 'string' ? Buffer.from(c, 'utf8') : c));
    return { seen, accepted };
  };

  it('reads events split anywhere, CRLF lines, comments and multi-line data; UTF-8 cut mid-character', () => {
    const text = Buffer.from('event: invitation\r\ndata: {"caseNumber":"HỒ-1"}\r\n\r\n', 'utf8');
    const cut = text.indexOf(Buffer.from('Ồ', 'utf8')) + 1; // inside the two-byte letter
    const { seen } = events([
      ': keep-alive\n\n',
      text.subarray(0, cut),
      text.subarray(cut),
      'data: a\ndata: b\n',
      '\n',
      'event: other\ndata: x\n\n',
    ]);
    expect(seen).toEqual([
      { event: 'invitation', data: '{"caseNumber":"HỒ-1"}' },
      { event: 'message', data: 'a\nb' },
      { event: 'other', data: 'x' },
    ]);
  });

  it('refuses an event or a line over the limit (the stream is dropped, not buffered without end)', () => {
    expect(events([`data: ${'x'.repeat(200)}\n`], 100).accepted).toEqual([false]);
    expect(events(['data: ', 'x'.repeat(200)], 100).accepted).toEqual([true, false]);
    expect(events([`data: ${'x'.repeat(50)}\n\n`], 100).accepted).toEqual([true]);
  });
});
