/**
 * Bridge section (issue 11, "Speed"): the counter bridge through central.
 *
 * - Latency: a one-stop system's POST /v1/counter/invitations until the invitation is painted on the
 *   kiosk at that counter: the real kiosk (browser host, sync on, its invitation stream open) in the
 *   system Chromium, while BENCH_BRIDGE_KIOSKS simulated kiosks hold their own streams. In the page a
 *   MutationObserver sees the banner with that invitation's id and a requestAnimationFrame callback
 *   (the frame that paints it) takes Date.now(); Date.now() was taken just before the POST (same
 *   machine clock). Invitations go one after another, each replacing the last on the kiosk.
 * - Memory: central (its own process) holding BENCH_BRIDGE_CONNECTIONS open streams: its RSS
 *   (/proc/<pid>/status VmRSS, the median of 3 s of samples) before they open, right after, and after
 *   holding them 10 s more.
 *
 * Environment:
 *   BENCH_BRIDGE_N            invitations timed (40)
 *   BENCH_BRIDGE_KIOSKS       simulated kiosks connected during the latency run (200)
 *   BENCH_BRIDGE_CONNECTIONS  streams held for the memory figures (2000)
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Page, chromium } from '@playwright/test';
import { chromiumPath } from '../e2e/support/chromium.ts';
import { type HeldStream, openFds, openStreams, rssBytes, seedCentral } from './bridge-fleet.ts';
import { type Child, enrolKiosk, placeDevice, startCentralChild, startKioskHost } from './bridge-processes.ts';
import { buildRenderer } from './renderer-setup.ts';
import { envInt, percentile, summarize } from './stats.ts';
import type { BenchContext, Check, Section, SectionResult } from './types.ts';

const COUNTER = 'bench-q1';
const PROCEDURE = '1.001193';
const HOLD_MS = 10_000;
const SETTLE_MS = 12_000;
const MB = 1024 * 1024;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** In the page: invitation id → Date.now() in the frame that first shows its banner. */
const OBSERVER = `(() => {
  const painted = (window.__benchPainted = {});
  const look = () => {
    for (const el of document.querySelectorAll('[data-testid="attract-invitation"][data-invitation-id]')) {
      const id = el.getAttribute('data-invitation-id');
      if (id in painted) continue;
      painted[id] = 0;
      requestAnimationFrame(() => { painted[id] = Date.now(); });
    }
  };
  new MutationObserver(look).observe(document.body, {
    subtree: true, childList: true, attributes: true, attributeFilter: ['data-invitation-id'],
  });
  look();
})()`;

type Invited = { id: string; sentAt: number; answeredMs: number };

const invite = async (central: Child, secret: string, caseNumber: string): Promise<Invited> => {
  const sentAt = Date.now();
  const t0 = performance.now();
  const res = await fetch(`${central.url}/v1/counter/invitations`, {
    method: 'POST',
    headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
    body: JSON.stringify({ unitId: 'default', counterId: COUNTER, caseNumber, procedureCode: PROCEDURE }),
  });
  const answeredMs = performance.now() - t0;
  if (res.status !== 201) throw new Error(`invitation refused: ${res.status} ${await res.text()}`);
  const { invitation } = (await res.json()) as { invitation: { id: string } };
  return { id: invitation.id, sentAt, answeredMs };
};

/** Polls the page (an evaluated expression: the kiosk's CSP forbids string eval inside the page). */
const paintedAt = async (page: Page, id: string, timeoutMs: number): Promise<number> => {
  const deadline = performance.now() + timeoutMs;
  const expression = `(window.__benchPainted || {})[${JSON.stringify(id)}] || 0`;
  while (performance.now() < deadline) {
    const at = Number(await page.evaluate(expression));
    if (at > 0) return at;
    await sleep(20);
  }
  throw new Error(`invitation ${id} was not painted within ${timeoutMs} ms`);
};

type Memory = {
  beforeMb: number;
  openedMb: number;
  heldMb: number;
  openSeconds: number;
  fdsBefore: number;
  fdsHeld: number;
};

/**
 * Central's RSS as the median of samples 250 ms apart over `ms`: one reading lands anywhere in a
 * garbage-collection cycle of PGlite's and V8's heaps, which swing by more than a few hundred streams.
 */
const steadyRss = async (pid: number, ms: number): Promise<number> => {
  const samples: number[] = [];
  for (let t = 0; t < ms; t += 250) {
    samples.push(rssBytes(pid));
    await sleep(250);
  }
  return percentile(
    samples.sort((a, b) => a - b),
    50,
  );
};

const measureMemory = async (
  ctx: BenchContext,
  central: Child,
  streams: HeldStream[],
  open: () => Promise<HeldStream[]>,
): Promise<Memory> => {
  const pid = central.proc.pid!;
  // Start-up garbage (migrations, the configuration publication, the kiosk's first sync) collected first.
  await sleep(SETTLE_MS);
  const before = await steadyRss(pid, 3000);
  const fdsBefore = openFds(pid);
  const t0 = performance.now();
  streams.push(...(await open()));
  const openSeconds = (performance.now() - t0) / 1000;
  await sleep(1000);
  const opened = await steadyRss(pid, 3000);
  ctx.progress(`memory: ${streams.length} streams open in ${openSeconds.toFixed(1)} s; holding ${HOLD_MS / 1000} s`);
  await sleep(HOLD_MS);
  const held = await steadyRss(pid, 3000);
  const fdsHeld = openFds(pid);
  return { beforeMb: before / MB, openedMb: opened / MB, heldMb: held / MB, openSeconds, fdsBefore, fdsHeld };
};

const run = async (ctx: BenchContext): Promise<SectionResult> => {
  const n = envInt('BENCH_BRIDGE_N', 40);
  const kiosks = envInt('BENCH_BRIDGE_KIOSKS', 200);
  const connections = Math.max(kiosks, envInt('BENCH_BRIDGE_CONNECTIONS', 2000));
  const centralDir = join(ctx.workDir, 'central');
  const kioskDir = join(ctx.workDir, 'kiosk');
  const rendererDir = join(ctx.workDir, 'renderer');
  mkdirSync(centralDir, { mode: 0o700 });
  ctx.progress('building the renderer');
  await buildRenderer(rendererDir);
  ctx.progress(`seeding central with ${connections} simulated kiosks`);
  const seeded = await seedCentral(centralDir, connections);
  const central = await startCentralChild(centralDir);
  const streams: HeldStream[] = [];
  let host: Child | undefined;
  const browser = await chromium.launch({
    executablePath: chromiumPath(),
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
  });
  try {
    const deviceId = enrolKiosk(kioskDir, central.url, seeded.kioskCode);
    placeDevice(centralDir, deviceId, COUNTER);
    host = await startKioskHost(kioskDir, rendererDir);
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    await page.goto(host.url);
    await page.getByTestId('attract-start').waitFor({ timeout: 30_000 });
    await page.evaluate(OBSERVER);
    // Untimed: the kiosk's stream may still be connecting (the invitation is re-sent on connect).
    const warm = await invite(central, seeded.keySecret, 'HS-WARM');
    await paintedAt(page, warm.id, 60_000);

    ctx.progress(`memory: opening ${connections} streams`);
    const memory = await measureMemory(ctx, central, streams, () => openStreams(central.url, seeded.devices));
    for (const s of streams.splice(kiosks)) s.close();
    await sleep(2000);

    ctx.progress(`latency: ${n} invitations with ${streams.length} simulated kiosks connected`);
    const paintMs: number[] = [];
    const answerMs: number[] = [];
    for (let i = 0; i < n; i++) {
      const inv = await invite(central, seeded.keySecret, `HS-${String(i + 1).padStart(4, '0')}`);
      paintMs.push((await paintedAt(page, inv.id, 10_000)) - inv.sentAt);
      answerMs.push(inv.answeredMs);
      await sleep(250);
    }
    const sorted = [...paintMs].sort((a, b) => a - b);
    const p95 = percentile(sorted, 95);
    const perStreamKb = (mb: number) => ((mb - memory.beforeMb) * 1024) / connections;
    const checks: Check[] = [
      { name: 'bridge: invitation to painted p95 (ms)', value: p95, unit: 'ms', target: { op: '<=', limit: 250 } },
      { name: 'bridge: central sockets gained holding streams', value: memory.fdsHeld - memory.fdsBefore, unit: 'fds' },
      { name: 'bridge: central RSS before streams', value: memory.beforeMb, unit: 'MB' },
      { name: `bridge: central RSS, ${connections} streams just opened`, value: memory.openedMb, unit: 'MB' },
      { name: `bridge: central RSS, held ${HOLD_MS / 1000} s more`, value: memory.heldMb, unit: 'MB' },
      { name: 'bridge: RSS per stream, just opened', value: perStreamKb(memory.openedMb), unit: 'KB' },
      { name: `bridge: RSS per stream, held ${HOLD_MS / 1000} s`, value: perStreamKb(memory.heldMb), unit: 'KB' },
      {
        name: `bridge: central RSS change holding them ${HOLD_MS / 1000} s`,
        value: memory.heldMb - memory.openedMb,
        unit: 'MB',
        // Flat: within 5 % of the growth the streams themselves caused (and at least 2 MB of slack).
        target: { op: '<=', limit: Math.max(2, Math.round(0.5 * (memory.openedMb - memory.beforeMb)) / 10) },
      },
    ];
    return {
      rows: [
        summarize('bridge: invitation POST to painted on the kiosk', paintMs),
        {
          ...summarize('bridge: counter API answer (201)', answerMs),
          partOf: 'bridge: invitation POST to painted on the kiosk',
        },
      ],
      checks,
      params: {
        invitations: n,
        simulatedKiosksDuringLatency: kiosks,
        streamsHeldForMemory: connections,
        streamsOpenSeconds: Math.round(memory.openSeconds * 10) / 10,
        chromium: browser.version(),
      },
      notes: [
        `invitation to painted: p50 ${percentile(sorted, 50).toFixed(0)} ms, p95 ${p95.toFixed(0)} ms, max ${sorted.at(-1)!.toFixed(0)} ms over ${n}`,
        `central RSS ${memory.beforeMb.toFixed(1)} MB before, ${memory.openedMb.toFixed(1)} MB with ${connections} streams just opened, ${memory.heldMb.toFixed(1)} MB after ${HOLD_MS / 1000} s more; the real kiosk's own stream is open throughout`,
        // PGlite's WebAssembly heap and V8's make up most of central's RSS and swing by tens of MB with
        // garbage collection: a stream's own cost is read against that, not isolated from it.
        'central RSS is mostly PGlite (WebAssembly) and V8 heaps, which move by tens of MB with garbage collection; per-stream figures within that swing mean "too small to see", not a precise cost',
      ],
    };
  } finally {
    for (const s of streams) s.close();
    await browser.close();
    await host?.stop();
    await central.stop();
  }
};

export const bridgeSection: Section = {
  name: 'bridge',
  description: 'counter bridge: invitation POST to painted on the kiosk; central RSS holding kiosk streams',
  run,
};
