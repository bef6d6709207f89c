/**
 * A throwaway PostgreSQL cluster for tests, from Debian's binaries (`apt-get install postgresql`):
 * initdb into a temp dir, pg_ctl start on a random port with its unix socket in that dir and no TCP
 * listener, stopped and deleted afterwards. PostgreSQL refuses to run as root, so as root every
 * binary runs through `runuser -u postgres --`.
 *
 * When PostgreSQL is not installed the suites skip with a one-line reason, unless REQUIRE_POSTGRES=1
 * (CI), where they fail instead.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { errorMessage } from '../../shared/error-message.ts';

export type PostgresAvailability = { ok: true; bin: string } | { ok: false; reason: string };

const versionOf = (name: string): number => Number.parseFloat(name) || 0;

/** The newest /usr/lib/postgresql/<version>/bin with initdb and pg_ctl (or $PG_BIN). */
export const postgresAvailability = (): PostgresAvailability => {
  const candidates = process.env['PG_BIN']
    ? [process.env['PG_BIN']]
    : existsSync('/usr/lib/postgresql')
      ? readdirSync('/usr/lib/postgresql')
          .sort((a, b) => versionOf(b) - versionOf(a))
          .map((v) => `/usr/lib/postgresql/${v}/bin`)
      : [];
  const bin = candidates.find((d) => existsSync(join(d, 'initdb')) && existsSync(join(d, 'pg_ctl')));
  if (!bin)
    return {
      ok: false,
      reason: 'PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb; apt-get install postgresql)',
    };
  if (process.getuid?.() === 0) {
    const user = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    if (user.status !== 0)
      return { ok: false, reason: 'running as root and there is no "postgres" user to run PostgreSQL as' };
  }
  return { ok: true, bin };
};

/** For describe(): skip with the reason, or throw when CI requires PostgreSQL. */
export const requirePostgresOrSkip = (): PostgresAvailability => {
  const a = postgresAvailability();
  if (!a.ok && process.env['REQUIRE_POSTGRES'] === '1') throw new Error(`REQUIRE_POSTGRES=1 but ${a.reason}`);
  return a;
};

export type PostgresCluster = {
  /** Connection string for the "postgres" database (superuser "postgres", trust auth, unix socket). */
  url: string;
  /** A new, empty database on this cluster; returns its connection string. */
  createDatabase: (name?: string) => Promise<string>;
  stop: () => Promise<void>;
  /** Stops the server but keeps its data (an outage); `resume` starts it again on the same port. */
  halt: () => void;
  resume: () => void;
};

const asRoot = process.getuid?.() === 0;

const run = (bin: string, args: string[], opts: { allowFail?: boolean } = {}): string => {
  const [cmd, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  try {
    return execFileSync(cmd, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    if (opts.allowFail) return '';
    const err = e as { stderr?: string; stdout?: string; message: string };
    throw new Error(`${bin} ${args.join(' ')} failed: ${err.stderr || err.stdout || err.message}`, { cause: e });
  }
};

const urlFor = (socketDir: string, port: number, db: string): string =>
  `postgresql://postgres@/${db}?host=${encodeURIComponent(socketDir)}&port=${port}`;

let counter = 0;

/** Starts a fresh cluster (about 1-2 s). Fast and unsafe settings: fsync off; it is thrown away. */
export const startPostgres = async (): Promise<PostgresCluster> => {
  const a = postgresAvailability();
  if (!a.ok) throw new Error(a.reason);
  const dir = mkdtempSync(join(tmpdir(), 'central-pg-'));
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  const data = join(dir, 'data');
  const log = join(dir, 'postgres.log');
  run(join(a.bin, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
  let port = 0;
  const pgStart = (): void => {
    run(join(a.bin, 'pg_ctl'), [
      '-D',
      data,
      '-l',
      log,
      '-w',
      '-t',
      '60',
      '-o',
      `-p ${port} -k ${dir} -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`,
      'start',
    ]);
  };
  for (let attempt = 0; ; attempt++) {
    port = 20000 + Math.floor(Math.random() * 40000);
    try {
      pgStart();
      break;
    } catch (e) {
      if (attempt >= 3)
        throw new Error(`${errorMessage(e)}\n${existsSync(log) ? readFileSync(log, 'utf8') : ''}`, { cause: e });
    }
  }
  let stopped = false;
  const stopSync = (): void => {
    if (stopped) return;
    stopped = true;
    run(join(a.bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop'], { allowFail: true });
    rmSync(dir, { recursive: true, force: true });
  };
  // A test process that dies before afterAll must not leave a postmaster behind.
  process.once('exit', stopSync);
  const url = urlFor(dir, port, 'postgres');
  return {
    url,
    createDatabase: async (name = `t${process.pid}_${++counter}_${Date.now() % 100000}`) => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE "${name.replace(/"/g, '')}"`);
      } finally {
        await client.end();
      }
      return urlFor(dir, port, name);
    },
    stop: async () => {
      process.removeListener('exit', stopSync);
      stopSync();
    },
    halt: () => {
      run(join(a.bin, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', 'stop']);
    },
    resume: pgStart,
  };
};

let shared: Promise<PostgresCluster> | undefined;

/** One cluster per test process (vitest runs each file in its own fork), started on first use. */
export const sharedPostgres = (): Promise<PostgresCluster> => (shared ??= startPostgres());

export const stopSharedPostgres = async (): Promise<void> => {
  const s = shared;
  shared = undefined;
  if (s) await (await s).stop();
};
