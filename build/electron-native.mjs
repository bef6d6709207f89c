// Where the Electron binary is, and the rebuild of the staged native module (dist/node_modules) for
// Electron's ABI. Shared by scripts/start-electron.mjs and test/e2e-electron; electron-builder does
// its own rebuild when packaging (npmRebuild: true in electron-builder.yml).
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import process from 'node:process';
import { electronAbi, moduleAbiOf } from './native-abi.mjs';

export const ROOT = resolve(import.meta.dirname, '..');
export const APP_DIR = join(ROOT, 'dist');

/**
 * The Electron executable, or why there is none. `require('electron')` answers the binary's path from
 * node_modules/electron/path.txt, which the package's install step writes only after downloading the
 * binary (skipped with ELECTRON_SKIP_BINARY_DOWNLOAD=1, and impossible without network access to it).
 */
export const locateElectron = () => {
  const require = createRequire(join(ROOT, 'package.json'));
  let path;
  try {
    path = require('electron');
  } catch (e) {
    return {
      ok: false,
      reason: `the Electron binary is not installed (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`,
    };
  }
  if (typeof path !== 'string' || !existsSync(path))
    return { ok: false, reason: `the Electron binary is not installed (no file at ${String(path)})` };
  return { ok: true, path };
};

export const electronVersion = () =>
  JSON.parse(readFileSync(join(ROOT, 'node_modules/electron/package.json'), 'utf8')).version;

/**
 * Rebuilds dist/node_modules/better-sqlite3 for the installed Electron (headers come from Electron's
 * header server; a prebuilt binary is used when one exists). @electron/rebuild records what it built
 * (build/Release/.forge-meta) and skips the work next time. A failed rebuild throws: the caller fails.
 */
export const rebuildNativeForElectron = async ({ force = false } = {}) => {
  if (!existsSync(join(APP_DIR, 'package.json')))
    throw new Error('dist/package.json is missing: run scripts/build-main.mjs first');
  // An npmrc `nodedir` would make node-gyp compile against Node's headers (see build/native-abi.mjs).
  for (const key of Object.keys(process.env)) if (/^npm_config_nodedir$/i.test(key)) delete process.env[key];
  const { rebuild } = await import('@electron/rebuild');
  // projectRootPath confines the rebuild to dist/: the repository's node_modules stay built for Node.
  await rebuild({
    buildPath: APP_DIR,
    projectRootPath: APP_DIR,
    electronVersion: electronVersion(),
    onlyModules: ['better-sqlite3'],
    force,
    mode: 'sequential',
  });
  const file = join(APP_DIR, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node');
  const got = existsSync(file) ? moduleAbiOf(file) : null;
  if (got !== electronAbi(ROOT))
    throw new Error(
      `better_sqlite3.node is built for ABI ${got ?? 'none'}, Electron ${electronVersion()} needs ${electronAbi(ROOT)}`,
    );
};
