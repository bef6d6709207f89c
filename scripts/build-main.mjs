#!/usr/bin/env node
// Builds the Electron main process and preload (the renderer is vite's job: dist/renderer), and stages
// dist/ as the Electron app directory that `npm start`, the Electron e2e test and electron-builder use:
//
//   dist/package.json        name, version, "main": "main/main.mjs", one dependency: better-sqlite3
//   dist/main/main.mjs       the main process (ESM), everything bundled but electron and better-sqlite3
//   dist/main/preload.cjs    the sandboxed preload: CommonJS, requires nothing but 'electron'
//   dist/renderer/           vite build
//   dist/node_modules/       better-sqlite3 and its dependency closure, copied from node_modules
//
// The native module under dist/ is rebuilt for Electron's ABI (start-electron.mjs in development,
// electron-builder with npmRebuild when packaging); node_modules/ keeps the Node build the tests use.
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { build } from 'esbuild';
import console from 'node:console';
import process from 'node:process';

const root = resolve(import.meta.dirname, '..');
const dist = join(root, 'dist');
const outMain = join(dist, 'main');
const NATIVE = ['better-sqlite3'];

const fail = (message) => {
  console.error(`build-main: ${message}`);
  process.exit(1);
};

const electronPkg = JSON.parse(readFileSync(join(root, 'node_modules/electron/package.json'), 'utf8'));
const electronMajor = Number(electronPkg.version.split('.')[0]);
// Electron 41 ships Node 24; target what its Node and Chromium both run.
const target = electronMajor >= 41 ? ['node22', 'chrome130'] : ['node20', 'chrome120'];

mkdirSync(outMain, { recursive: true });
rmSync(join(outMain, 'main.mjs'), { force: true });
rmSync(join(outMain, 'preload.cjs'), { force: true });

const common = { bundle: true, sourcemap: true, legalComments: 'none', logLevel: 'warning', absWorkingDir: root };

await build({
  ...common,
  entryPoints: ['electron/shell/main.ts'],
  outfile: join(outMain, 'main.mjs'),
  platform: 'node',
  format: 'esm',
  target: target[0],
  external: ['electron', ...NATIVE],
  // Bundled CommonJS dependencies (electron-log) call require(): give the ESM bundle one.
  banner: {
    js: "import { createRequire as __kioskCreateRequire } from 'node:module'; const require = __kioskCreateRequire(import.meta.url);",
  },
});

await build({
  ...common,
  entryPoints: ['electron/shell/preload.ts'],
  outfile: join(outMain, 'preload.cjs'),
  platform: 'browser',
  format: 'cjs',
  target: target[1],
  external: ['electron'],
});

// A sandboxed preload can require only 'electron' (and a few polyfilled modules): refuse anything else.
const preload = readFileSync(join(outMain, 'preload.cjs'), 'utf8');
const requires = [...preload.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]);
const foreign = requires.filter((r) => r !== 'electron');
if (foreign.length > 0)
  fail(`preload.cjs requires ${foreign.join(', ')}; a sandboxed preload may require only 'electron'`);
if (/\bzod\b|ZodType/.test(preload)) fail('preload.cjs pulled in zod; it must import only types from shared/api.ts');

// --- dist/package.json: the app electron runs and electron-builder packages ------------------------
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const requireFromRoot = createRequire(join(root, 'package.json'));
const versionOf = (name) => JSON.parse(readFileSync(requireFromRoot.resolve(`${name}/package.json`), 'utf8')).version;
const appPkg = {
  name: pkg.name,
  productName: 'HaiLong Kiosk',
  version: pkg.version,
  description: pkg.description,
  author: pkg.author ?? { name: 'HaiLong Kiosk maintainers', email: 'maintainers@example.invalid' },
  license: pkg.license ?? 'UNLICENSED',
  private: true,
  main: 'main/main.mjs',
  dependencies: Object.fromEntries(NATIVE.map((n) => [n, versionOf(n)])),
};
writeFileSync(join(dist, 'package.json'), `${JSON.stringify(appPkg, null, 2)}\n`);

// --- dist/node_modules: the native module and its closure, same tree shape as node_modules ---------
/** Every package `name` needs at run and install time, as directories under root (nested where npm nested them). */
const closure = (name, fromDir, seen = new Map()) => {
  const req = createRequire(join(fromDir, 'package.json'));
  let pkgJson;
  try {
    pkgJson = req.resolve(`${name}/package.json`);
  } catch {
    fail(`cannot resolve ${name} from ${relative(root, fromDir) || '.'}; run npm ci`);
  }
  const dir = dirname(pkgJson);
  if (seen.has(dir)) return seen;
  const meta = JSON.parse(readFileSync(pkgJson, 'utf8'));
  seen.set(dir, meta.version);
  for (const dep of Object.keys({ ...meta.dependencies, ...meta.optionalDependencies })) {
    try {
      closure(dep, dir, seen);
    } catch (e) {
      if (!meta.optionalDependencies?.[dep]) throw e;
    }
  }
  return seen;
};

const stagedVersion = (dir) => {
  try {
    return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version;
  } catch {
    return null;
  }
};

let copied = 0;
for (const native of NATIVE) {
  for (const [dir, version] of closure(native, root)) {
    const rel = relative(root, dir);
    if (!rel.startsWith('node_modules')) fail(`unexpected package location ${dir}`);
    const dest = join(dist, rel);
    // Keep a staged copy of the same version: it may already hold the Electron-ABI build. A native
    // package whose compiled module is gone (a failed rebuild cleans its build/) is copied afresh.
    const nativeMissing =
      existsSync(join(dir, 'binding.gyp')) &&
      !existsSync(join(dest, 'build', 'Release', `${native.replace(/-/g, '_')}.node`));
    if (stagedVersion(dest) === version && !nativeMissing) continue;
    rmSync(dest, { recursive: true, force: true });
    cpSync(dir, dest, {
      recursive: true,
      // Not the host's compiled objects; the build for Electron makes its own.
      filter: (src) =>
        !relative(dir, src).split(/[\\/]/).includes('node_modules') && !/[\\/]build[\\/]Release[\\/]obj/.test(src),
    });
    copied += 1;
  }
}

const kb = (p) => `${Math.round(readFileSync(p).length / 1024)} kB`;
console.log(
  `build-main: dist/main/main.mjs ${kb(join(outMain, 'main.mjs'))}, preload.cjs ${kb(join(outMain, 'preload.cjs'))}; staged ${NATIVE.join(', ')}${copied ? ` (${copied} package(s) copied)` : ' (unchanged)'}`,
);
if (!existsSync(join(dist, 'renderer', 'index.html')))
  console.log('build-main: note: dist/renderer is not built yet (npm run build runs vite first)');
