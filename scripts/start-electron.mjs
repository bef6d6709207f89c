#!/usr/bin/env node
// `npm start [-- flags]`: builds the renderer and the main/preload bundles, rebuilds better-sqlite3 for
// Electron's ABI (under dist/, leaving node_modules for the Node tests), and opens the kiosk in Electron
// on the embedded demo configuration with its data in .data/electron (unless --data-dir or
// KIOSK_DATA_DIR says otherwise). Flags after `--` go to the app, e.g. `npm start -- --dev`.
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { APP_DIR, ROOT, locateElectron, rebuildNativeForElectron } from '../build/electron-native.mjs';
import console from 'node:console';
import process from 'node:process';

const electron = locateElectron();
if (!electron.ok) {
  console.error(`npm start: ${electron.reason}; run "npm run start:browser" to use the same kiosk in a browser.`);
  process.exit(1);
}

const step = (label, cmd, args) => {
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`npm start: ${label} failed${r.status === null ? ` (${r.signal})` : ` (exit ${r.status})`}`);
    process.exit(1);
  }
};
step('vite build', process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn']);
step('scripts/build-main.mjs', process.execPath, [join(ROOT, 'scripts/build-main.mjs')]);
try {
  await rebuildNativeForElectron();
} catch (e) {
  console.error(
    `npm start: rebuilding better-sqlite3 for Electron failed: ${e instanceof Error ? e.message : String(e)}`,
  );
  process.exit(1);
}

const appArgs = process.argv.slice(2);
const hasDataDir =
  appArgs.some((a) => a === '--data-dir' || a.startsWith('--data-dir=')) || Boolean(process.env.KIOSK_DATA_DIR);
const args = [APP_DIR, ...(hasDataDir ? [] : [`--data-dir=${join(ROOT, '.data/electron')}`]), ...appArgs];
const env = { ...process.env };
delete env.ELECTRON_RUN_AS_NODE;

const child = spawn(electron.path, args, { cwd: ROOT, stdio: 'inherit', env });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
