/**
 * `npm run test:node24`: the central, core and sync suites under Node 24 (the LTS the project targets) while
 * the machine's Node stays 20. Whatever cannot be prepared here is named in one line and the rest runs;
 * REQUIRE_NODE24=1 (CI) turns such a skip into a failure.
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NODE_MAJOR, prepareNode, prepareSqliteAddon, pruneSqliteBuilds } from './prepare.ts';
import { readCrashVerdict } from './worker-crash.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const cacheDir = join(root, '.cache', 'node24');
const required = process.env['REQUIRE_NODE24'] === '1';
/** Suites that need no native module besides what Node 24 ships. */
const CENTRAL = ['test/central'];
/** Suites that open the kiosk's SQLite store through better-sqlite3. */
const NATIVE = ['test/shared', 'test/core', 'test/host', 'test/cli', 'test/sync'];

function skip(reason: string): never {
  console.log(`test:node24: ${required ? 'FAILED' : 'skipped'}: ${reason}`);
  process.exit(required ? 1 : 0);
}

const node = prepareNode(cacheDir);
if (!node.ok) skip(node.reason);
const version = spawnSync(node.path, ['--version'], { encoding: 'utf8' }).stdout.trim();
if (!version.startsWith(`v${NODE_MAJOR}.`))
  skip(`${node.path} is ${version || 'not runnable'}, not Node ${NODE_MAJOR}`);

const addon = prepareSqliteAddon(root, cacheDir, version);
/** `npm run test:node24 -- test/sync/engine.test.ts` runs just those files. */
const chosen = process.argv.slice(2);
const suites = chosen.length > 0 ? chosen : addon.ok ? [...CENTRAL, ...NATIVE] : CENTRAL;
if (addon.ok) pruneSqliteBuilds(cacheDir, addon.path);
else {
  console.log(`test:node24: ${addon.reason}; running ${CENTRAL.join(' ')} only`);
  if (required) process.exitCode = 1;
}

console.log(`test:node24: vitest under Node ${version}: ${suites.join(' ')}`);
const env = {
  ...process.env,
  // Children the tests spawn by name (`node`, tsx's shebang) get Node 24 as well.
  PATH: `${dirname(node.path)}${delimiter}${process.env['PATH'] ?? ''}`,
  NODE_OPTIONS: [process.env['NODE_OPTIONS'], `--import=${join(root, 'scripts', 'node24', 'sqlite-addon-hook.mjs')}`]
    .filter(Boolean)
    .join(' '),
  ...(addon.ok ? { NODE24_SQLITE_ADDON: addon.path } : {}),
};
const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs');
const reportPath = join(cacheDir, 'vitest-report.json');
const runVitest = (files: string[]) => {
  rmSync(reportPath, { force: true });
  return spawnSync(
    node.path,
    [vitest, 'run', ...files, '--reporter=default', '--reporter=json', `--outputFile.json=${reportPath}`],
    { cwd: root, env, stdio: 'inherit' },
  ).status;
};

const status = runVitest(suites);
if (status !== 0) {
  const verdict =
    status === null ? { kind: 'unreadable' as const, reason: 'vitest was killed' } : readCrashVerdict(reportPath);
  if (verdict.kind === 'worker-died') {
    console.log(
      `test:node24: a vitest worker died with no test failing, in ${verdict.files.join(', ')}; running those files once more`,
    );
    const again = runVitest(verdict.files);
    if (again !== 0) process.exitCode = again ?? 1;
  } else process.exitCode = status ?? 1;
}
