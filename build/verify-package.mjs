#!/usr/bin/env node
// Verifies the packaging pipeline where no Electron binary can be downloaded (as on CI here):
// electron-builder --linux dir runs against a STUB Electron (a tiny executable that carries Electron's
// fuse sentinel), so everything but the binary itself is real: config loading and validation, the
// two-package app dir, asar packing and unpacking of the native module, extraResources, and the fuse
// flipping, which is then read back from the stub with @electron/fuses.
//
//   node build/verify-package.mjs           (after npm run build)
//
// The native rebuild (build/before-pack.mjs) and the ABI check (build/after-pack.mjs) are skipped for
// this run (KIOSK_PACKAGE_VERIFY_ONLY=1): they need Electron's headers or prebuilt binaries from the
// network. On a machine with that access, `npm run package:dir` runs the real thing, rebuild included.
import { spawnSync } from 'node:child_process';
import { Buffer } from 'node:buffer';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, electronVersion } from './electron-native.mjs';
import console from 'node:console';
import process from 'node:process';

const require = createRequire(join(ROOT, 'package.json'));
const { getCurrentFuseWire, FuseV1Options } = require('@electron/fuses');
const asar = require('@electron/asar');

const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
const stub = mkdtempSync(join(tmpdir(), 'stub-electron-'));
const out = mkdtempSync(join(tmpdir(), 'kiosk-package-'));
const problems = [];
const check = (ok, what) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) problems.push(what);
};

try {
  // Fuse wire version 1, 9 fuses, Electron's defaults (RunAsNode on, NODE_OPTIONS on, inspect on, …).
  const wire = Buffer.concat([
    Buffer.from('#!/bin/sh\necho "stub electron"\nexit 0\n'),
    Buffer.from(SENTINEL),
    Buffer.from([1, 9]),
    Buffer.from('101100010'),
  ]);
  writeFileSync(join(stub, 'electron'), wire);
  chmodSync(join(stub, 'electron'), 0o755);
  writeFileSync(join(stub, 'chrome-sandbox'), '');
  writeFileSync(join(stub, 'LICENSE'), 'stub');
  writeFileSync(join(stub, 'version'), electronVersion());
  mkdirSync(join(stub, 'resources'));

  const r = spawnSync(
    process.execPath,
    [
      require.resolve('electron-builder/cli.js'),
      '--linux',
      'dir',
      '--publish',
      'never',
      '--config',
      'electron-builder.yml',
      `-c.electronDist=${stub}`,
      `-c.electronVersion=${electronVersion()}`,
      `-c.directories.output=${out}`,
    ],
    { cwd: ROOT, encoding: 'utf8', env: { ...process.env, CI: 'true', KIOSK_PACKAGE_VERIFY_ONLY: '1' } },
  );
  console.log(
    r.stdout
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => `  | ${l}`)
      .join('\n'),
  );
  if (r.status !== 0) {
    console.error(r.stderr);
    throw new Error(`electron-builder failed (exit ${r.status})`);
  }
  const app = join(out, 'linux-unpacked');
  const resources = join(app, 'resources');
  check(existsSync(join(app, 'hailong-kiosk')), 'executable renamed to hailong-kiosk');
  check(!existsSync(join(resources, 'default_app.asar')), 'default_app.asar removed');
  const files = new Set(
    asar.listPackage(join(resources, 'app.asar'), { isPack: false }).map((f) => f.replace(/\\/g, '/')),
  );
  for (const f of [
    '/package.json',
    '/main/main.mjs',
    '/main/preload.cjs',
    '/node_modules/better-sqlite3/lib/index.js',
    '/node_modules/bindings/bindings.js',
  ])
    check(files.has(f), `app.asar contains ${f}`);
  check(
    files.has('/renderer/index.html') || !existsSync(join(ROOT, 'dist/renderer/index.html')),
    'app.asar contains /renderer/index.html (when the renderer is built)',
  );
  for (const f of files)
    if (/node_modules\/(react|fastify|@electric-sql|pg|zod)\//.test(f)) check(false, `app.asar must not contain ${f}`);
  check(![...files].some((f) => f.includes('better-sqlite3/deps/')), 'better-sqlite3 sources left out');
  check(
    existsSync(join(resources, 'app.asar.unpacked/node_modules/better-sqlite3/build/Release/better_sqlite3.node')),
    'better_sqlite3.node unpacked next to the asar',
  );
  check(existsSync(join(resources, 'assets/config/catalog.json')), 'resources/assets/config/catalog.json shipped');
  const fuses = await getCurrentFuseWire(join(app, 'hailong-kiosk'));
  const want = {
    RunAsNode: 48,
    EnableCookieEncryption: 49,
    EnableNodeOptionsEnvironmentVariable: 48,
    EnableNodeCliInspectArguments: 48,
    EnableEmbeddedAsarIntegrityValidation: 49,
    OnlyLoadAppFromAsar: 49,
    LoadBrowserProcessSpecificV8Snapshot: 48,
    GrantFileProtocolExtraPrivileges: 48,
  };
  for (const [name, state] of Object.entries(want))
    check(fuses[FuseV1Options[name]] === state, `fuse ${name} ${state === 49 ? 'on' : 'off'}`);
} finally {
  rmSync(stub, { recursive: true, force: true });
  rmSync(out, { recursive: true, force: true });
}
if (problems.length > 0) {
  console.error(`verify-package: ${problems.length} problem(s)`);
  process.exit(1);
}
console.log('verify-package: the packaged layout and fuses are as configured (stub Electron; native rebuild not run)');
