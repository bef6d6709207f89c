/**
 * Fetches a Node 24 binary and builds better-sqlite3 against it, both into the git-ignored `.cache/node24/`,
 * for `npm run test:node24`. Node comes from the npm registry (the `node-<platform>-<arch>` package is the
 * official build, headers included), so nothing but the registry is needed; both steps are skipped when
 * their result is already in the cache.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { errorMessage } from '../../shared/error-message.ts';

export const NODE_MAJOR = 24;

export type Prepared = { ok: true; path: string } | { ok: false; reason: string };

const run = (cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): string =>
  execFileSync(cmd, args, {
    cwd,
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });

/** Whether `nodeBin` can load the addon at `addon` (a build for another Node's ABI throws). */
const loads = (nodeBin: string, addon: string): boolean =>
  spawnSync(nodeBin, ['-e', 'require(process.argv[1])', addon], { stdio: 'ignore' }).status === 0;

/** The Node 24 executable in `cacheDir/node`, fetched from the registry on first use. */
export function prepareNode(cacheDir: string): Prepared {
  const nodeDir = join(cacheDir, 'node');
  const bin = join(nodeDir, 'bin', 'node');
  if (existsSync(bin)) return { ok: true, path: bin };
  if (process.platform === 'win32') return { ok: false, reason: 'the registry package has no bin/node on Windows' };
  const pkg = `node-${process.platform}-${process.arch}@${NODE_MAJOR}`;
  try {
    mkdirSync(cacheDir, { recursive: true });
    const packed = JSON.parse(run('npm', ['pack', pkg, '--json', '--pack-destination', cacheDir], cacheDir)) as {
      filename: string;
    }[];
    const tarball = join(cacheDir, packed[0]?.filename ?? '');
    const unpackDir = join(cacheDir, 'unpack');
    rmSync(unpackDir, { recursive: true, force: true });
    mkdirSync(unpackDir);
    run('tar', ['xzf', tarball, '-C', unpackDir], cacheDir);
    renameSync(join(unpackDir, 'package'), nodeDir);
    rmSync(unpackDir, { recursive: true, force: true });
    rmSync(tarball, { force: true });
  } catch (e) {
    return { ok: false, reason: `could not fetch ${pkg} from the npm registry (${errorMessage(e)})` };
  }
  return existsSync(bin) ? { ok: true, path: bin } : { ok: false, reason: `${pkg} has no bin/node` };
}

const packageVersion = (dir: string): string =>
  (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;

/**
 * better_sqlite3.node built against the headers shipped with the Node in `cacheDir/node`, from a copy of the
 * installed better-sqlite3 (same version, same SQLite), so the shared node_modules is never touched.
 */
export function prepareSqliteAddon(root: string, cacheDir: string, nodeVersion: string): Prepared {
  const source = join(root, 'node_modules', 'better-sqlite3');
  const nodeDir = join(cacheDir, 'node');
  const buildDir = join(cacheDir, `better-sqlite3-${packageVersion(source)}-node-${nodeVersion}`);
  const addon = join(buildDir, 'build', 'Release', 'better_sqlite3.node');
  const nodeBin = join(nodeDir, 'bin', 'node');
  if (existsSync(addon) && loads(nodeBin, addon)) return { ok: true, path: addon };
  if (!existsSync(join(nodeDir, 'include', 'node', 'node.h'))) {
    return { ok: false, reason: 'the Node 24 package has no headers (include/node)' };
  }
  const logFile = join(cacheDir, 'better-sqlite3-build.log');
  try {
    rmSync(buildDir, { recursive: true, force: true });
    cpSync(source, buildDir, { recursive: true, filter: (p) => !p.startsWith(join(source, 'build')) });
    const gyp = join(root, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
    // npm run exports its own config, on some machines npm_config_nodedir=/usr (the system Node's headers),
    // which node-gyp prefers to the command line: name the Node 24 headers in both places.
    const env = { ...process.env, npm_config_nodedir: nodeDir };
    const args = [gyp, 'rebuild', '--release', `--nodedir=${nodeDir}`, '-j', 'max'];
    const out = run(process.execPath, args, buildDir, env);
    writeFileSync(logFile, out);
  } catch (e) {
    const detail = e instanceof Error && 'stderr' in e ? String(e.stderr) : errorMessage(e);
    writeFileSync(logFile, detail);
    return { ok: false, reason: `better-sqlite3 did not build against Node ${nodeVersion}'s headers (${logFile})` };
  }
  return loads(nodeBin, addon)
    ? { ok: true, path: addon }
    : { ok: false, reason: `the better-sqlite3 built in ${buildDir} does not load in Node ${nodeVersion}` };
}

/** Removes builds for other better-sqlite3 or Node versions so the cache does not grow with each upgrade. */
export function pruneSqliteBuilds(cacheDir: string, keep: string): void {
  for (const name of readdirSync(cacheDir)) {
    if (name.startsWith('better-sqlite3-') && !name.endsWith('.log') && !keep.startsWith(join(cacheDir, name))) {
      rmSync(join(cacheDir, name), { recursive: true, force: true });
    }
  }
}
