import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { DataDirUnsafeError } from '../../central/data-dir.ts';
import { startCentral } from '../../central/index.ts';
import { stopProcess, waitForOutput } from '../support/child-process.ts';
import { tempDir } from '../support/tmp.ts';

const ROOT = join(import.meta.dirname, '..', '..');

/** `npm run central` on a data dir, started from a shell whose umask is 000 (everything world-writable). */
const startWithUmask0 = (dir: string): ChildProcess =>
  spawn(
    '/bin/sh',
    ['-c', 'umask 000 && exec "$0" --import tsx central/main.ts --data-dir "$1" --port 0', process.execPath, dir],
    { cwd: ROOT, env: { ...process.env, DATABASE_URL: '' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );

/** Every path under dir with its permission bits. */
const modes = (dir: string): [string, number, boolean][] =>
  readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((rel) => {
    const st = statSync(join(dir, rel));
    return [rel, st.mode & 0o777, st.isDirectory()];
  });

describe.skipIf(process.platform === 'win32')('the central data dir', () => {
  test('under a umask of 000, the data dir is 0700 and every file in it 0600, PGlite’s included', async () => {
    const { dir: parent, cleanup } = tempDir('central-umask-');
    const dir = join(parent, 'central');
    const child = startWithUmask0(dir);
    try {
      await waitForOutput(child, /first console account/, 'central', 60_000, { text: '' });
      // While it runs: the data dir and every directory in it are the service user's alone.
      expect(statSync(dir).mode & 0o777).toBe(0o700);
      expect(modes(dir).filter(([, mode, isDir]) => isDir && mode !== 0o700)).toEqual([]);
    } finally {
      await stopProcess(child);
    }
    try {
      // After it stopped: every file 0600 and every directory 0700, PGlite's included.
      const all = modes(dir);
      expect(all.length).toBeGreaterThan(20);
      expect(all.filter(([, mode, isDir]) => mode !== (isDir ? 0o700 : 0o600))).toEqual([]);
    } finally {
      cleanup();
    }
  }, 90_000);

  test('a data dir others can write is refused with one clear line, nothing created in it', async () => {
    const { dir: parent, cleanup } = tempDir('central-open-');
    const dir = join(parent, 'central');
    mkdirSync(dir);
    chmodSync(dir, 0o777);
    try {
      const child = spawn(process.execPath, ['--import', 'tsx', 'central/main.ts', '--data-dir', dir, '--port', '0'], {
        cwd: ROOT,
        env: { ...process.env, DATABASE_URL: '' },
      });
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const code = await new Promise<number | null>((r) => child.on('exit', r));
      expect(code).toBe(1);
      expect(err.trim().split('\n')).toHaveLength(1);
      expect(err).toMatch(/can be written by other users \(mode 0777\); refusing .* chmod 700/);
      expect(readdirSync(dir)).toEqual([]);
      // The same refusal in-process, for the key file alone (PostgreSQL keeps only the key in the data dir).
      chmodSync(dir, 0o775);
      await expect(startCentral({ dataDir: dir, memory: true, port: 0 })).rejects.toBeInstanceOf(DataDirUnsafeError);
    } finally {
      cleanup();
    }
  }, 60_000);

  test('an existing data dir readable by others (an older version) is tightened to 0700', async () => {
    const { dir: parent, cleanup } = tempDir('central-tighten-');
    const dir = join(parent, 'central');
    mkdirSync(dir);
    chmodSync(dir, 0o755);
    try {
      const central = await startCentral({ dataDir: dir, port: 0 });
      await central.close();
      expect(statSync(dir).mode & 0o777).toBe(0o700);
      expect(statSync(join(dir, 'pgdata')).mode & 0o777).toBe(0o700);
    } finally {
      cleanup();
    }
  }, 60_000);
});
