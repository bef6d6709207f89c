#!/usr/bin/env node
// First step of `npm test`: makes sure what the suites need beyond node_modules is on this machine, so that
// `npm ci && npm test` works by itself. Missing Chromium (Playwright drives the system one), the Noto Sans font
// (layout and screenshots), PostgreSQL (the central suites start a throwaway cluster) or espeak-ng (the build
// makes the read-aloud clips the e2e suite plays where no OS voice exists) is installed from
// Debian's packages when running as root; otherwise it stops at once with one line naming the command to run.
// Plain Node with no dependencies, so it also explains a checkout where `npm ci` was never run.
import { execFileSync, spawnSync } from 'node:child_process';
import console from 'node:console';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import process from 'node:process';

/** Debian package → what it provides to the suites. */
export const APT_PACKAGES = {
  chromium: 'Chromium for Playwright',
  'fonts-noto-core': 'the Noto Sans font',
  postgresql: "PostgreSQL's initdb and pg_ctl",
  'espeak-ng': "espeak-ng for the build's read-aloud clips",
};

const CHROMIUM_CANDIDATES = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
];
const APT_FLAGS = '-y -qq --no-install-recommends';

/**
 * What is on this machine. Every field is a plain value so the decision below can be tested with any machine.
 * @param {string} root the checkout
 * @param {NodeJS.ProcessEnv} env
 */
export function probeMachine(root, env) {
  const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
  const pgVersions = existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql') : [];
  const fonts = has('fc-list') ? spawnSync('fc-list', { encoding: 'utf8' }).stdout : '';
  return {
    isRoot: process.getuid?.() === 0,
    hasAptGet: has('apt-get'),
    hasChromium: env.CHROMIUM_PATH ? existsSync(env.CHROMIUM_PATH) : CHROMIUM_CANDIDATES.some((p) => existsSync(p)),
    hasNotoSans: /noto sans/i.test(fonts),
    hasPostgres: env.PG_BIN
      ? existsSync(join(env.PG_BIN, 'initdb'))
      : pgVersions.some((v) => existsSync(`/usr/lib/postgresql/${v}/bin/initdb`)),
    hasEspeak: has('espeak-ng'),
    missingModules: missingModules(root),
    sqliteLoads: sqliteLoads(root),
  };
}

/** better-sqlite3 is built from source by `npm ci`; a build that failed must stop the run, not skip suites. */
function sqliteLoads(root) {
  const probe = "require('better-sqlite3')(':memory:').prepare('select 1').get()";
  return spawnSync(process.execPath, ['-e', probe], { cwd: root, stdio: 'ignore' }).status === 0;
}

/** Declared dependencies that node_modules lacks (never installed, or package.json changed since `npm ci`). */
export function missingModules(root) {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const declared = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies });
  return declared.filter((name) => !existsSync(join(root, 'node_modules', name, 'package.json')));
}

/**
 * What to do about a machine: nothing, install Debian packages, or stop with one line.
 * @param {ReturnType<typeof probeMachine>} m
 * @returns {{ action: 'ready' } | { action: 'install', packages: string[] } | { action: 'stop', line: string }}
 */
export function decide(m) {
  if (m.missingModules.length > 0) {
    const names = m.missingModules.slice(0, 3).join(', ') + (m.missingModules.length > 3 ? ', …' : '');
    return { action: 'stop', line: `test: node_modules lacks ${names}; run: npm ci` };
  }
  if (!m.sqliteLoads) {
    return {
      action: 'stop',
      line: "test: better-sqlite3's native module does not load; run: npm rebuild better-sqlite3",
    };
  }
  const packages = [
    m.hasChromium ? null : 'chromium',
    m.hasNotoSans ? null : 'fonts-noto-core',
    m.hasPostgres ? null : 'postgresql',
    m.hasEspeak ? null : 'espeak-ng',
  ].filter((p) => p !== null);
  if (packages.length === 0) return { action: 'ready' };
  if (m.isRoot && m.hasAptGet) return { action: 'install', packages };
  const needs = packages.map((p) => APT_PACKAGES[p]).join(', ');
  if (m.hasAptGet) {
    return {
      action: 'stop',
      line: `test: needs ${needs}; run: sudo apt-get install ${APT_FLAGS} ${packages.join(' ')}`,
    };
  }
  return {
    action: 'stop',
    line: `test: needs ${needs} (Debian: ${packages.join(' ')}); install them, or set CHROMIUM_PATH / PG_BIN, then npm test`,
  };
}

function aptInstall(packages) {
  console.log(`test: installing ${packages.join(' ')} from Debian`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  execFileSync('apt-get', ['install', ...APT_FLAGS.split(' '), ...packages], {
    env,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

function main() {
  const root = resolve(import.meta.dirname, '..');
  const first = decide(probeMachine(root, process.env));
  if (first.action === 'install') aptInstall(first.packages);
  const now = first.action === 'install' ? decide(probeMachine(root, process.env)) : first;
  if (now.action === 'ready') return;
  console.error(now.action === 'stop' ? now.line : `test: apt-get did not provide ${now.packages.join(' ')}`);
  process.exit(1);
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) main();
