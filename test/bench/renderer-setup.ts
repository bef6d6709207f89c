/**
 * What the renderer section needs around the browser: a fresh build of the renderer, its JavaScript
 * size, the browser host on a temp data dir, and the in-page script (renderer-page.ts) bundled for
 * the browser.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { buildSync } from 'esbuild';
import { build } from 'vite';
import { stopProcess, waitForOutput } from '../support/child-process.ts';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/**
 * Builds the renderer from the current sources into `outDir` (not dist/renderer, which other runs
 * may be serving or rebuilding), exactly as `vite build` does.
 */
export const buildRenderer = async (outDir: string): Promise<void> => {
  await build({
    configFile: join(ROOT, 'vite.config.ts'),
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true, reportCompressedSize: false },
  });
};

export type JsSize = { files: number; rawBytes: number; gzipBytes: number };

/** Every .js file of a build, raw and gzipped (gzip level 9, what a server would send). */
export const jsSize = (outDir: string): JsSize => {
  const assets = join(outDir, 'assets');
  const files = readdirSync(assets).filter((f) => f.endsWith('.js'));
  if (files.length === 0) throw new Error(`no .js files in ${assets}`);
  let rawBytes = 0;
  let gzipBytes = 0;
  for (const f of files) {
    const buf = readFileSync(join(assets, f));
    rawBytes += buf.length;
    gzipBytes += gzipSync(buf, { level: 9 }).length;
  }
  return { files: files.length, rawBytes, gzipBytes };
};

/** renderer-page.ts as one browser script (no keepNames: tsx's __name helper does not exist in the page). */
export const pageScript = (): string => {
  const out = buildSync({
    entryPoints: [join(ROOT, 'test/bench/renderer-page.ts')],
    bundle: true,
    format: 'iife',
    target: 'chrome120',
    write: false,
    logLevel: 'warning',
  });
  return out.outputFiles[0]!.text;
};

export type BenchHost = { url: string; proc: ChildProcess; stop: () => Promise<void> };

/** The browser host (electron/host) on `dataDir`, serving `rendererDir`, sync off. */
export const startBenchHost = async (dataDir: string, rendererDir: string): Promise<BenchHost> => {
  const proc = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(ROOT, 'electron/host/main.ts'),
      '--port',
      '0',
      '--data-dir',
      dataDir,
      '--renderer-dir',
      rendererDir,
    ],
    {
      cwd: ROOT,
      env: { ...process.env, KIOSK_SYNC: 'off' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const [, url] = await waitForOutput(proc, /Kiosk ready: (\S+)/, 'host', 30_000, { text: '' });
  return { url: url!, proc, stop: () => stopProcess(proc) };
};

/** kioskctl against the bench's data dir (safe while the host runs: settings are read on each call). */
export const kioskctl = (dataDir: string, ...args: string[]): string =>
  execFileSync(process.execPath, [join(ROOT, 'bin/kioskctl.js'), ...args, '--data-dir', dataDir], {
    cwd: ROOT,
    encoding: 'utf8',
  });
