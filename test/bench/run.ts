/**
 * `npm run bench` runs every section; `npm run bench -- store` runs only the named ones.
 * Prints one table of latency rows, the derived ratios with their targets, and the machine's facts;
 * writes the same as JSON to dist/bench/latest-<section>.json (dist/ is not in git).
 *
 * Environment:
 *   BENCH_DIR        where stores and raw files live (default: the OS temp dir); it is the disk measured
 *   BENCH_N          operations per measure (2000)
 *   BENCH_ROWS       responses in the large store (1000000)
 *   BENCH_WARMUP     untimed operations first (min(200, N/10))
 *   BENCH_BLOCKS     blocks for the noise-resistant p99 ratios (4)
 *   BENCH_CACHE_DIR  where built large stores are kept between runs (OS temp dir)
 *   BENCH_KEEP=1     keep the work directory for inspection
 *   BENCH_STRICT=1   exit 3 when a target is missed
 *
 * A new section (the renderer's tap latency, sync throughput) is a module exporting a Section,
 * added to SECTIONS below.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineFacts } from './machine.ts';
import { hostileSection } from './hostile.ts';
import { reportsSection } from './reports.ts';
import { bridgeSection } from './bridge.ts';
import { checks, facts, table } from './report.ts';
import { rendererSection } from './renderer.ts';
import { storeSection } from './store.ts';
import { syncSection } from './sync.ts';
import { type Check, passes, type Row, type Section } from './types.ts';

const SECTIONS: readonly Section[] = [
  storeSection,
  syncSection,
  rendererSection,
  hostileSection,
  reportsSection,
  bridgeSection,
];

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const RESULTS_DIR = join(ROOT, 'dist', 'bench');

const progress = (message: string): void => {
  process.stderr.write(`${message}\n`);
};

const choose = (args: readonly string[]): Section[] => {
  const wanted = args.filter((a) => !a.startsWith('-'));
  if (args.includes('--help') || args.includes('-h')) {
    console.log(
      `usage: npm run bench [-- section...]\nsections:\n${SECTIONS.map((s) => `  ${s.name.padEnd(10)} ${s.description}`).join('\n')}`,
    );
    process.exit(0);
  }
  if (wanted.length === 0) return [...SECTIONS];
  const unknown = wanted.filter((w) => !SECTIONS.some((s) => s.name === w));
  if (unknown.length > 0) {
    console.error(`unknown section(s): ${unknown.join(', ')}; known: ${SECTIONS.map((s) => s.name).join(', ')}`);
    process.exit(2);
  }
  return SECTIONS.filter((s) => wanted.includes(s.name));
};

const main = async (): Promise<number> => {
  const sections = choose(process.argv.slice(2));
  const benchRoot = resolve(process.env.BENCH_DIR ?? tmpdir());
  mkdirSync(benchRoot, { recursive: true });
  const machine = machineFacts(benchRoot);
  if (/^(tmpfs|ramfs|overlay)/.test(machine.filesystem)) {
    progress(
      `warning: ${benchRoot} is on ${machine.filesystem}; fsync there says little about a kiosk's disk. Set BENCH_DIR to a directory on the real disk.`,
    );
  }
  const started = performance.now();
  const allRows: Row[] = [];
  const allChecks: Check[] = [];
  let missed = 0;
  mkdirSync(RESULTS_DIR, { recursive: true });

  for (const section of sections) {
    const workDir = mkdtempSync(join(benchRoot, `kiosk-bench-${section.name}-`));
    progress(`== ${section.name}: ${section.description}`);
    const t0 = performance.now();
    try {
      const result = await section.run({ workDir, progress });
      const seconds = (performance.now() - t0) / 1000;
      allRows.push(...result.rows);
      allChecks.push(...result.checks);
      missed += result.checks.filter((c) => passes(c) === false).length;
      const file = join(RESULTS_DIR, `latest-${section.name}.json`);
      const rounded = (_key: string, v: unknown) =>
        typeof v === 'number' && !Number.isInteger(v) ? Math.round(v * 1e4) / 1e4 : v;
      writeFileSync(file, `${JSON.stringify({ section: section.name, machine, seconds, ...result }, rounded, 2)}\n`);
      progress(`== ${section.name} done in ${seconds.toFixed(1)} s; results in ${file}`);
      for (const note of result.notes) progress(`note: ${note}`);
      const params = Object.entries(result.params).map(([k, v]) => `${k}=${v}`);
      progress(`params: ${params.join(', ')}`);
    } finally {
      if (process.env.BENCH_KEEP === '1') progress(`kept ${workDir}`);
      else rmSync(workDir, { recursive: true, force: true });
    }
  }

  console.log('');
  console.log(table(allRows));
  console.log('');
  console.log('ratios and sizes');
  console.log(checks(allChecks));
  console.log('');
  console.log(facts(machine));
  console.log(`bench took ${((performance.now() - started) / 1000).toFixed(1)} s`);
  // A missed target is reported, not an error, unless BENCH_STRICT=1 (for CI on a known machine).
  return missed > 0 && process.env.BENCH_STRICT === '1' ? 3 : 0;
};

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : e);
    process.exit(1);
  },
);
