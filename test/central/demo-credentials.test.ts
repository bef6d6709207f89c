import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { createAdminUser } from '../../central/console/auth/users.ts';
import { DEMO_ADMIN } from '../../central/console/initial-admin.ts';
import { openCentralDb } from '../../central/index.ts';
import { stopProcess, waitForOutput } from '../support/child-process.ts';
import { requirePostgresOrSkip, sharedPostgres, stopSharedPostgres } from '../support/postgres.ts';
import { tempDir } from '../support/tmp.ts';

const ROOT = join(import.meta.dirname, '..', '..');

/** `npm run central` with these flags: the first lines it printed, or its exit code and stderr. */
const runCentral = async (
  args: string[],
  env: Record<string, string> = {},
): Promise<{ started: true; out: string } | { started: false; code: number | null; err: string }> => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'central/main.ts', '--port', '0', ...args], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = { text: '' };
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', r));
  try {
    await waitForOutput(child, /web console: .*\n(?:.*\n){2}/, 'central', 60_000, log);
    return { started: true, out: log.text };
  } catch {
    return { started: false, code: await exited, err };
  } finally {
    await stopProcess(child);
  }
};

afterAll(stopSharedPostgres);

describe('demo credentials: only for the embedded demo on loopback', () => {
  test('a PGlite central with the demo password runs on loopback but refuses to listen beyond it, until the password is changed', async () => {
    const { dir, cleanup } = tempDir('central-demo-');
    try {
      const demo = await runCentral(['--data-dir', dir]);
      expect(demo.started && demo.out).toMatch(/first console account: admin \/ khaosat-demo-2026/);

      const exposed = await runCentral(['--data-dir', dir, '--host', '0.0.0.0']);
      expect(exposed.started).toBe(false);
      if (exposed.started) return;
      expect(exposed.code).toBe(1);
      expect(exposed.err.trim().split('\n')).toHaveLength(1);
      expect(exposed.err).toMatch(
        /refusing to start listening on 0\.0\.0\.0 \(beyond loopback\) .*"admin" still has the documented demo password; .*npx centralctl reset-admin-password admin/,
      );

      const reset = spawnSync(
        process.execPath,
        ['bin/centralctl.js', '--data-dir', dir, 'reset-admin-password', 'admin'],
        {
          cwd: ROOT,
          env: { ...process.env, DATABASE_URL: '' },
          encoding: 'utf8',
        },
      );
      expect(reset.status, reset.stderr).toBe(0);
      expect((await runCentral(['--data-dir', dir, '--host', '0.0.0.0'])).started).toBe(true);
    } finally {
      cleanup();
    }
  }, 180_000);

  test('a first start beyond loopback makes a random password, never the demo one', async () => {
    const { dir, cleanup } = tempDir('central-demo-open-');
    try {
      const r = await runCentral(['--data-dir', dir, '--host', '0.0.0.0']);
      expect(r.started).toBe(true);
      if (!r.started) return;
      expect(r.out).toMatch(/first console account: admin \/ \S+ {2}\(shown only now/);
      expect(r.out).not.toContain(DEMO_ADMIN.password);
    } finally {
      cleanup();
    }
  }, 90_000);

  const pg = requirePostgresOrSkip();
  test.skipIf(!pg.ok)(
    'a central on PostgreSQL with an account on the demo password refuses to start',
    async () => {
      const url = await (await sharedPostgres()).createDatabase();
      const db = await openCentralDb({ databaseUrl: url });
      try {
        await createAdminUser(db, {
          username: 'tinh-admin',
          displayName: 'x',
          role: 'province_admin',
          password: DEMO_ADMIN.password,
          initial: false,
        });
      } finally {
        await db.close();
      }
      const { dir, cleanup } = tempDir('central-demo-pg-');
      try {
        const r = await runCentral(['--data-dir', dir], { DATABASE_URL: url });
        expect(r.started).toBe(false);
        if (r.started) return;
        expect(r.code).toBe(1);
        expect(r.err).toMatch(
          /^central: refusing to start on PostgreSQL .*"tinh-admin" still has the documented demo password; .*reset-admin-password tinh-admin/,
        );
      } finally {
        cleanup();
      }
    },
    90_000,
  );
});
