import { request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import type { Invitation, InvitationStatus } from '../../shared/invitation.ts';
import type { InvitationSink, InvitationSource, ReceiveResult } from '../../electron/core/invitations/sink.ts';
import { type LanBridge, startLanBridge } from '../../electron/core/lan-bridge/index.ts';
import { type KioskCore, openKioskCore } from '../../electron/core/kiosk-core.ts';
import { setSetting } from '../../electron/core/store/settings.ts';
import { type FakeClock, fakeClock, silentLog } from './kiosk.ts';
import { tempDir } from './tmp.ts';

/** A port nobody listens on right now (the OS picks it; a race with other programs is possible but rare). */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

/**
 * A sink that records what it receives and answers like the contract (electron/core/invitations/sink.ts):
 * a procedure outside the kiosk's catalog is refused, anything else is delivered. The kiosk core's real
 * sink is built in parallel (issue 11); the LAN bridge depends on the interface only.
 */
export const recordingSink = (knownProcedure: (code: string) => boolean) => {
  const received: { invitation: Invitation; source: InvitationSource }[] = [];
  const statuses = new Map<string, InvitationStatus>();
  const sink: InvitationSink = {
    receive: (invitation, source): ReceiveResult => {
      if (!knownProcedure(invitation.procedureCode))
        return {
          ok: false,
          code: 'unknown_procedure',
          message: `no procedure ${invitation.procedureCode} in this kiosk's configuration`,
        };
      received.push({ invitation, source });
      statuses.set(invitation.id, 'delivered');
      return { ok: true, status: 'delivered', duplicate: false };
    },
    statusOf: (id) => statuses.get(id),
  };
  return { sink, received, statuses };
};

export type LanKiosk = {
  core: KioskCore;
  clock: FakeClock;
  bridge: LanBridge;
  base: string;
  port: number;
  logs: string[];
  recorder: ReturnType<typeof recordingSink>;
  close: () => Promise<void>;
};

/** A real kiosk core on a temp dir with its LAN bridge enabled on loopback, fed to a recording sink. */
export const lanKiosk = async (opts: { enabled?: boolean; host?: string } = {}): Promise<LanKiosk> => {
  const t = tempDir('kiosk-lan-');
  const clock = fakeClock();
  const core = openKioskCore({ dataDir: t.dir, clock, log: silentLog });
  const port = await freePort();
  setSetting(core.db, 'lanBridgeHost', opts.host ?? '127.0.0.1');
  setSetting(core.db, 'lanBridgePort', port);
  setSetting(core.db, 'lanBridgeEnabled', opts.enabled ?? true);
  const recorder = recordingSink((code) => core.config().bundle.catalog.procedures.some((p) => p.code === code));
  const logs: string[] = [];
  const bridge = startLanBridge({
    db: core.db,
    settings: core.settings,
    catalog: () => core.config().bundle.catalog,
    sink: () => recorder.sink,
    now: clock.now,
    log: (level, message) => logs.push(`${level}: ${message}`),
    watchMs: 60_000,
  });
  bridge.start();
  await bridge.refresh();
  return {
    core,
    clock,
    bridge,
    base: `http://127.0.0.1:${port}`,
    port,
    logs,
    recorder,
    close: async () => {
      await bridge.stop();
      core.close();
      t.cleanup();
    },
  };
};

export type Reply = { status: number; body: Record<string, unknown>; headers: Headers };

export const request = async (
  url: string,
  init: { method?: string; token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Reply> => {
  const headers: Record<string, string> = { ...init.headers };
  if (init.token !== undefined) headers.authorization = `Bearer ${init.token}`;
  if (init.body !== undefined && headers['content-type'] === undefined) headers['content-type'] = 'application/json';
  const res = await fetch(url, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers,
    body: init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body),
  });
  const text = await res.text();
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = { text };
  }
  return { status: res.status, body, headers: res.headers };
};

/**
 * A request with a Host header of the test's choosing (fetch sets Host from the URL), e.g. a page that
 * rebound its own name onto the kiosk's address; `localAddress` picks the client's own address.
 */
export const rawRequest = (
  url: string,
  init: { host?: string; method?: string; headers?: Record<string, string>; body?: string; localAddress?: string },
): Promise<{ status: number; body: Record<string, unknown> }> =>
  new Promise((resolve, reject) => {
    const u = new URL(url);
    const headers: Record<string, string> = { ...init.headers };
    if (init.host !== undefined) headers.host = init.host;
    if (init.body !== undefined) headers['content-length'] = String(Buffer.byteLength(init.body));
    const req = httpRequest(
      {
        host: u.hostname.replace(/^\[|\]$/g, ''),
        port: u.port,
        path: u.pathname,
        method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
        headers,
        localAddress: init.localAddress,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: Record<string, unknown>;
          try {
            body = JSON.parse(text) as Record<string, unknown>;
          } catch {
            body = { text };
          }
          resolve({ status: res.statusCode ?? 0, body });
        });
      },
    );
    req.once('error', reject);
    req.end(init.body);
  });
