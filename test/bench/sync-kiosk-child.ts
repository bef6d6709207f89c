/**
 * The kiosk side of the sync bench, in its own process so its memory is the kiosk's alone: opens the
 * kiosk core on DATA_DIR (already enrolled, with a backlog), drains it with the real sync engine
 * (tuned by the KIOSK_SYNC_* variables), and prints one JSON line on stdout (SyncChildResult).
 * Progress goes to stderr. Bundled by the bench (test/support/bundle-child.ts), run with plain node.
 *
 *   node sync-kiosk-child.mjs DATA_DIR
 */
import { readFileSync, writeSync } from 'node:fs';
import { openKioskCore } from '../../electron/core/kiosk-core.ts';
import { createSyncEngine } from '../../electron/core/sync/engine.ts';
import { syncOptionsFromEnv } from '../../electron/core/sync/env.ts';
import { hostFromCore } from '../../electron/core/sync-host.ts';
import { queueDepth } from '../../electron/core/sync/sync-store.ts';

export type SyncChildResult = {
  ok: boolean;
  error: string | null;
  responses: number;
  batches: number;
  inserted: number;
  duplicates: number;
  /** From the first call to the last ack, in ms. */
  ms: number;
  /** Per batch: building it (read, validate, sign, gzip) and its HTTP round trip (central's verify and insert). */
  buildMs: number[];
  sendMs: number[];
  bytes: number;
  /** Highest RSS seen by sampling every 10 ms, and the kernel's high-water mark (VmHWM). */
  peakRssBytes: number;
  maxRssBytes: number;
  heapUsedPeakBytes: number;
  /** CPU the kiosk process spent draining (user + system), in ms: robust to a busy machine, unlike wall time. */
  cpuMs: number;
  left: number;
};

const dataDir = process.argv[2];
if (!dataDir) {
  writeSync(2, 'usage: sync-kiosk-child DATA_DIR\n');
  process.exit(2);
}

/**
 * The kernel's high-water RSS of this program. Not getrusage's ru_maxrss: Linux carries that across
 * fork and execve, so a child spawned by a 300 MB bench process reports 300 MB before it has
 * allocated anything. VmHWM belongs to the address space exec made. Elsewhere, the sampled peak.
 */
const highWaterRss = (): number => {
  try {
    const kb = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    return kb === undefined ? peakRss : Number(kb) * 1024;
  } catch {
    return peakRss;
  }
};

/** BENCH_SYNC_TRACE=1: the process's memory after every batch, on stderr. */
const trace = process.env.BENCH_SYNC_TRACE === '1';
const mb = (b: number) => (b / 2 ** 20).toFixed(1);
let peakRss = 0;
let peakHeap = 0;
const sample = () => {
  const m = process.memoryUsage();
  peakRss = Math.max(peakRss, m.rss);
  peakHeap = Math.max(peakHeap, m.heapUsed);
};
sample();
const sampler = setInterval(sample, 10);

const core = openKioskCore({ dataDir, log: () => {} });
const engine = createSyncEngine({
  host: hostFromCore(core, dataDir),
  log: (level, message) => level !== 'info' && writeSync(2, `[sync ${level}] ${message}\n`),
  ...syncOptionsFromEnv(),
});
const buildMs: number[] = [];
const sendMs: number[] = [];
let bytes = 0;
let mark = performance.now();
let lastShown = -1;
const start = performance.now();
const cpu0 = process.cpuUsage();
const r = await engine.runOnce({
  retries: 5,
  onProgress: (p) => {
    const t = performance.now();
    if (p.phase === 'sending' && p.batch) {
      buildMs.push(t - mark);
      bytes += p.batch.bytes;
      mark = t;
    } else if (p.phase === 'acked') {
      sendMs.push(t - mark);
      mark = t;
      const tenth = Math.floor((p.done / Math.max(1, p.total)) * 10);
      if (tenth !== lastShown) {
        lastShown = tenth;
        writeSync(2, `progress ${p.done} ${p.total}\n`);
      }
      if (trace) {
        const m = process.memoryUsage();
        writeSync(
          2,
          `memory after ${p.done}: rss ${mb(m.rss)} heap ${mb(m.heapUsed)}/${mb(m.heapTotal)} external ${mb(m.external)} arrayBuffers ${mb(m.arrayBuffers)} MB\n`,
        );
      }
    } else {
      mark = t;
    }
  },
});
const ms = performance.now() - start;
const cpu = process.cpuUsage(cpu0);
sample();
clearInterval(sampler);
const result: SyncChildResult = {
  ok: r.ok,
  error: r.failure ? `${r.failure.code}: ${r.failure.message}` : null,
  responses: r.responses,
  batches: r.batches,
  inserted: r.inserted,
  duplicates: r.duplicates,
  ms,
  buildMs,
  sendMs,
  bytes,
  peakRssBytes: peakRss,
  maxRssBytes: highWaterRss(),
  heapUsedPeakBytes: peakHeap,
  cpuMs: (cpu.user + cpu.system) / 1000,
  left: queueDepth(core.db),
};
writeSync(1, `${JSON.stringify(result)}\n`);
await engine.stop();
core.close();
