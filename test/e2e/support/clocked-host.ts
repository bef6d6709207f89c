/**
 * The browser host of electron/host/main.ts (the same serveKiosk), with one difference: the kiosk core runs on a clock the
 * test sets (KioskCoreOptions.clock), so a month of responses can be recorded in seconds, each
 * stamped with its simulated time. Everything else is the real thing: KioskCore on SQLite in the
 * data dir, the host server with its per-launch token, the built renderer, and the sync engine
 * started in the background (tuned by the KIOSK_SYNC_* variables like the real host).
 *
 * The sync engine keeps the real clock: its timers (polls, backoff, heartbeat interval) are about
 * how long the network has been away in real time, and the heartbeat's clock, compared with
 * central's, must not show a drift the simulation made up. The kiosk clock only ever moves forward
 * and is meant to end at real time, where the two agree.
 *
 * Parent side: startClockedHost() spawns this file as a child with an IPC channel; setClock(ms)
 * moves the kiosk's wall (and monotonic) clock to that instant and resolves once the child did.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { openKioskCore } from '../../../electron/core/kiosk-core.ts';
import { syncOptionsFromEnv } from '../../../electron/core/sync/env.ts';
import { serveKiosk } from '../../../electron/host/serve.ts';
import { stopProcess, waitForOutput } from '../../support/child-process.ts';

const ROOT = resolve(import.meta.dirname, '../../..');
const SELF = fileURLToPath(import.meta.url);

type ClockRequest = { id: number; at: number };
type ClockReply = { id: number; ok: true; now: number } | { id: number; ok: false; error: string };

export type ClockedHost = {
  /** The kiosk page, with its token in the hash (as main.ts prints it). */
  url: string;
  origin: string;
  token: string;
  dataDir: string;
  proc: ChildProcess;
  log: () => string;
  /** Moves the kiosk clock to `at` (ms since the epoch); refused if that is earlier than the kiosk's now. */
  setClock: (at: number) => Promise<void>;
  stop: () => Promise<void>;
};

export const startClockedHost = async (
  dataDir: string,
  options: { startAt: number; env?: Record<string, string> },
): Promise<ClockedHost> => {
  const proc = spawn(
    process.execPath,
    ['--import', 'tsx', SELF, '--data-dir', dataDir, '--start-at', String(options.startAt)],
    {
      cwd: ROOT,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    },
  );
  const log = { text: '' };
  const [, url = ''] = await waitForOutput(proc, /Kiosk ready: (\S+)/, 'clocked host', 30_000, log);
  const parsed = new URL(url);
  const token = new URLSearchParams(parsed.hash.slice(1)).get('token') ?? '';
  let nextId = 1;
  const waiting = new Map<number, { ok: () => void; fail: (e: Error) => void }>();
  proc.on('message', (m: ClockReply) => {
    const w = waiting.get(m.id);
    if (!w) return;
    waiting.delete(m.id);
    if (m.ok) w.ok();
    else w.fail(new Error(m.error));
  });
  const setClock = (at: number): Promise<void> =>
    new Promise((ok, fail) => {
      const id = nextId++;
      waiting.set(id, { ok, fail });
      proc.send({ id, at } satisfies ClockRequest);
    });
  return {
    url,
    origin: parsed.origin,
    token,
    dataDir,
    proc,
    log: () => log.text,
    setClock,
    stop: () => stopProcess(proc),
  };
};

/** The child: main.ts's startup with the settable clock. */
const runChild = async (): Promise<void> => {
  const { values } = parseArgs({ options: { 'data-dir': { type: 'string' }, 'start-at': { type: 'string' } } });
  const dataDir = values['data-dir'];
  const startAt = Number(values['start-at']);
  if (!dataDir || !Number.isFinite(startAt)) throw new Error('usage: clocked-host.ts --data-dir DIR --start-at MS');
  let offset = startAt - Date.now();
  // Both clocks move by the same jump, so a response's duration and the gap between two responses
  // stay coherent (no clockSuspect, no rapid-repeat flag made up by the simulation).
  const clock = { now: () => Date.now() + offset, mono: () => performance.now() + offset };
  const core = openKioskCore({ dataDir: resolve(dataDir), clock, sync: syncOptionsFromEnv() });
  process.on('message', (m: ClockRequest) => {
    const now = clock.now();
    const reply: ClockReply =
      m.at < now
        ? {
            id: m.id,
            ok: false,
            error: `the kiosk clock only moves forward: ${new Date(m.at).toISOString()} is before ${new Date(now).toISOString()}`,
          }
        : { id: m.id, ok: true, now: m.at };
    if (reply.ok) offset = m.at - Date.now();
    process.send!(reply);
  });
  const served = await serveKiosk(core, { rendererDir: resolve(ROOT, 'dist/renderer'), port: 0 });
  const stop = async () => {
    await served.stop();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  // The test runner went away without stopping us: do not linger.
  process.on('disconnect', () => void stop());
};

if (process.argv[1] && resolve(process.argv[1]) === SELF) {
  runChild().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
