import { parseCentralKeyPin } from '../../electron/core/sync/central-trust.ts';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, onTestFinished, test } from 'vitest';
import { startCentral } from '../../central/index.ts';
import { EnrolmentCode } from '../../shared/sync.ts';
import { enrolRequest, makeDevice, postJson } from '../support/central.ts';
import { requirePostgresOrSkip, sharedPostgres, stopSharedPostgres } from '../support/postgres.ts';
import { tempDir } from '../support/tmp.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'centralctl.js');

type Run = { status: number | null; stdout: string; stderr: string };

/** centralctl as an operator runs it: a separate process. */
const centralctl = (args: string[], env: Record<string, string> = {}): Promise<Run> =>
  new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });

afterAll(stopSharedPostgres);

describe('centralctl as a process, on a PGlite data dir', () => {
  const { dir, cleanup } = tempDir('central-ctl-');
  afterAll(cleanup);

  test('works directly on the data dir when no server runs', async () => {
    const r = await centralctl(['--data-dir', dir, 'enrol-code']);
    expect(r.stderr).toMatch(/valid until/);
    expect(r.status).toBe(0);
    expect(EnrolmentCode.safeParse(r.stdout.trim()).success).toBe(true);
  }, 60_000);

  test('while the server holds the data dir, commands go through its loopback admin endpoint', async () => {
    const central = await startCentral({ dataDir: dir, port: 0, rateLimit: { perIp: false, perDevice: false } });
    try {
      const r = await centralctl(['--data-dir', dir, 'enrol-code', '--unit', 'xa-b']);
      expect(r.status).toBe(0);
      const device = makeDevice();
      expect((await postJson(`${central.url}/v1/enrol`, enrolRequest(device, r.stdout.trim()))).status).toBe(201);
      const list = await centralctl(['devices', '--json', '--data-dir', dir]);
      expect(list.status).toBe(0);
      expect(JSON.parse(list.stdout)).toEqual([expect.objectContaining({ id: device.id, unit: 'xa-b' })]);
      // Central's key and the admin token are private to the service's user.
      expect(statSync(join(dir, 'central-key.json')).mode & 0o777).toBe(0o600);
      expect(statSync(join(dir, 'admin-token')).mode & 0o777).toBe(0o600);
      // A second server on the same data dir is refused, clearly.
      await expect(startCentral({ dataDir: dir, port: 0 })).rejects.toThrow(/in use by the central server \(pid \d+/);
      // The admin endpoint wants the token.
      const res = await postJson(
        `${central.url}/admin/v1/ctl`,
        { args: ['devices'], cwd: '/' },
        { authorization: 'Bearer wrong' },
      );
      expect(res.status).toBe(401);
    } finally {
      await central.close();
    }
  }, 60_000);

  test('a device label with terminal escapes prints escaped (text and JSON), locally and through the server', async () => {
    const label = 'Quầy\u001b[2J\u009b31m\u202eevil';
    const { dir, cleanup: done } = tempDir('central-ctl-label-');
    onTestFinished(done);
    const central = await startCentral({ dataDir: dir, port: 0, rateLimit: { perIp: false, perDevice: false } });
    const device = makeDevice();
    try {
      const code = await central.enrolmentCode();
      expect((await postJson(`${central.url}/v1/enrol`, enrolRequest(device, code, { label }))).status).toBe(201);
      const remote = await centralctl(['--data-dir', dir, 'devices']);
      expect(remote.status).toBe(0);
      expect(remote.stdout).toContain('"Quầy\\u001b[2J\\u009b31m\\u202eevil"');
      expect(['\u001b', '\u009b', '\u202e'].filter((c) => remote.stdout.includes(c))).toEqual([]);
    } finally {
      await central.close();
    }
    const local = await centralctl(['--data-dir', dir, 'devices', '--json']);
    expect(local.status).toBe(0);
    expect(['\u001b', '\u009b', '\u202e'].filter((c) => local.stdout.includes(c))).toEqual([]);
    const listed = (JSON.parse(local.stdout) as { id: string; label: string }[]).find((d) => d.id === device.id);
    expect(listed?.label).toBe(label);
  }, 60_000);

  test('another live holder is named; a stale lock is taken over', async () => {
    writeFileSync(
      join(dir, 'central.lock'),
      JSON.stringify({ pid: process.pid, role: 'centralctl', startedAt: new Date().toISOString() }),
    );
    const busy = await centralctl(['--data-dir', dir, 'devices']);
    expect(busy.status).toBe(1);
    expect(busy.stderr).toMatch(/in use by another centralctl \(pid \d+\)/);
    const gone = spawnSync(process.execPath, ['-e', '']).pid;
    writeFileSync(
      join(dir, 'central.lock'),
      JSON.stringify({ pid: gone, role: 'server', startedAt: new Date().toISOString() }),
    );
    const r = await centralctl(['--data-dir', dir, 'devices', '--json']);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toHaveLength(1);
  }, 60_000);
});

const pg = requirePostgresOrSkip();
describe.skipIf(!pg.ok)(
  `centralctl as a process, on PostgreSQL (DATABASE_URL)${pg.ok ? '' : ` — skipped: ${pg.reason}`}`,
  () => {
    test('connects directly, without any data dir lock', async () => {
      const url = await (await sharedPostgres()).createDatabase();
      const keyDir = tempDir('central-pgkey-');
      const central = await startCentral({ databaseUrl: url, port: 0, dataDir: keyDir.dir });
      try {
        const r = await centralctl(['enrol-code'], { DATABASE_URL: url });
        expect(r.status).toBe(0);
        expect((await postJson(`${central.url}/v1/enrol`, enrolRequest(makeDevice(), r.stdout.trim()))).status).toBe(
          201,
        );
      } finally {
        await central.close();
        keyDir.cleanup();
      }
    }, 60_000);
  },
);

describe('npm run central', () => {
  test('starts on embedded defaults, prints its URL and how to get an enrolment code (never a code), stops on SIGTERM', async () => {
    const { dir, cleanup } = tempDir('central-main-');
    let child: ChildProcess | undefined;
    try {
      child = spawn(
        process.execPath,
        ['--import', 'tsx', join(ROOT, 'central', 'main.ts'), '--data-dir', dir, '--port', '0'],
        { cwd: ROOT },
      );
      let out = '';
      child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
      const deadline = Date.now() + 50_000;
      while (!/first console account/.test(out) && Date.now() < deadline && child.exitCode === null)
        await new Promise((r) => setTimeout(r, 100));
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
      expect(url, out).toBeDefined();
      expect((await fetch(`${url}/v1/health`)).status).toBe(200);
      // Codes only when asked for: the start output says how, and holds nothing shaped like a code.
      expect(out).toMatch(/centralctl enrol-code/);
      expect(out).not.toMatch(/\b[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}\b/);
      // The fingerprint IT pins on a kiosk is the one the kiosk computes from the printed key.
      const key = /central public key: (\S+)/.exec(out)?.[1] ?? '';
      const printed = /central key fingerprint \(SHA-256\): ([0-9a-f]{64})/.exec(out)?.[1];
      expect(printed).toBe(parseCentralKeyPin(key));
      const asked = await centralctl(['--data-dir', dir, 'enrol-code']);
      expect(asked.status, asked.stderr).toBe(0);
      expect((await postJson(`${url}/v1/enrol`, enrolRequest(makeDevice(), asked.stdout.trim()))).status).toBe(201);
      const exited = new Promise<number | null>((r) => child?.on('exit', (c) => r(c)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child && child.exitCode === null) child.kill('SIGKILL');
      cleanup();
    }
  }, 60_000);
});
