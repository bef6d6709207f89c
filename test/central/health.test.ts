// Issue 16: liveness and readiness, and an instance of the previous release refusing cleanly (503 and
// a sentence) once a newer release has migrated the database past it.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { z } from 'zod';
import { LATEST_CENTRAL_SCHEMA } from '../../central/index.ts';
import { MIGRATION_LOCK } from '../../central/db/migrate.ts';
import { pausedWhenSchemaTooNew } from '../../central/observe/paused-db.ts';
import { startSchemaWatch } from '../../central/observe/schema-watch.ts';
import { enrolled, makeResponses, envelopeOf, kbatchBytes, postBatch, startTestCentral } from '../support/central.ts';
import { type PostgresCluster, requirePostgresOrSkip, startPostgres } from '../support/postgres.ts';
import { expectSyncError } from './expect.ts';
import { forEachBackend, sharedCentral } from './backends.ts';

const Ready = z.object({
  status: z.enum(['ready', 'not_ready']),
  reasons: z.array(z.string()),
  schema: z.object({ database: z.number().nullable(), code: z.number() }),
});

const origin = (url: string): string => new URL(url).origin;
const ready = async (url: string) => {
  const res = await fetch(`${origin(url)}/health/ready`);
  return { status: res.status, body: Ready.parse(await res.json()) };
};

/** What a newer release's migration leaves behind: schema_migrations one version past this code. */
const migrateToTheFuture = (db: { query: (sql: string, p?: unknown[]) => Promise<unknown> }) =>
  db.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
    LATEST_CENTRAL_SCHEMA + 1,
    'a newer release (test)',
  ]);
const undoFuture = (db: { query: (sql: string, p?: unknown[]) => Promise<unknown> }) =>
  db.query('DELETE FROM schema_migrations WHERE version > $1', [LATEST_CENTRAL_SCHEMA]);

forEachBackend('health endpoints and the upgrade guard', (backend) => {
  const central = sharedCentral(backend, { schemaWatch: { intervalMs: 100 } });

  test('live answers 200 without touching the database; ready 200 with both schema versions', async () => {
    const live = await fetch(`${origin(central().url)}/health/live`);
    expect(live.status).toBe(200);
    expect(await live.json()).toEqual({ status: 'live' });
    const r = await ready(central().url);
    expect(r).toEqual({
      status: 200,
      body: {
        status: 'ready',
        reasons: [],
        schema: { database: LATEST_CENTRAL_SCHEMA, code: LATEST_CENTRAL_SCHEMA },
      },
    });
  });

  test('a database migrated past this release: not ready, and sync and console refused with 503 and a sentence', async () => {
    const device = await enrolled(central());
    await migrateToTheFuture(central().db);
    try {
      // Readiness shares a probe already in flight (the watch runs every 100 ms here), and one that started
      // just before the insert still reports the old schema: the next one sees the newer release.
      await expect.poll(async () => (await ready(central().url)).status).toBe(503);
      const r = await ready(central().url);
      expect(r.status).toBe(503);
      expect(r.body.reasons.join(' ')).toMatch(/newer than this release supports/);
      const batch = await postBatch(central(), kbatchBytes(device, envelopeOf(device, makeResponses(device, 1, 2))));
      expect(batch.headers.get('retry-after')).toBe('30');
      const body = await expectSyncError(batch, 503, 'server_busy');
      expect(body.message).toMatch(/older release .* than the database .*upgrade is under way/);
      const page = await fetch(`${central().url}/console/login`);
      expect(page.status).toBe(503);
      expect(await page.text()).toMatch(/nâng cấp[\s\S]*upgrade is under way/);
      // Nothing of the refused batch was stored: the kiosk keeps it queued and sends it later.
      const held = await central().db.query('SELECT count(*)::int AS n FROM responses WHERE device_id = $1', [
        device.id,
      ]);
      expect(held.rows[0]?.['n']).toBe(0);
      expect((await fetch(`${origin(central().url)}/health/live`)).status).toBe(200);
    } finally {
      await undoFuture(central().db);
    }
    await expect.poll(async () => (await ready(central().url)).status).toBe(200);
    const again = await postBatch(central(), kbatchBytes(device, envelopeOf(device, makeResponses(device, 1, 2))));
    expect(again.status).toBe(200);
  });

  test("an old instance's background jobs see a database that refuses every statement once the schema is newer", async () => {
    const watch = startSchemaWatch(central().db, { intervalMs: 0 });
    const jobsDb = pausedWhenSchemaTooNew(central().db, watch);
    try {
      await watch.check();
      await expect(jobsDb.query('SELECT 1 AS one')).resolves.toMatchObject({ rows: [{ one: 1 }] });
      await migrateToTheFuture(central().db);
      await watch.check();
      await expect(jobsDb.query('SELECT 1')).rejects.toThrow(/older release .* upgrade is under way/);
      await expect(jobsDb.transaction(async () => 1)).rejects.toThrow(/older release/);
    } finally {
      await undoFuture(central().db);
      watch.stop();
    }
    await watch.check();
    await expect(jobsDb.transaction(async (tx) => (await tx.query('SELECT 2 AS two')).rows)).resolves.toEqual([
      { two: 2 },
    ]);
  });

  test('the background watch notices a newer schema without anyone asking for readiness', async () => {
    await migrateToTheFuture(central().db);
    try {
      await expect
        .poll(async () => (await fetch(`${central().url}/v1/health`)).status, { timeout: 5000, interval: 50 })
        .toBe(503);
    } finally {
      await undoFuture(central().db);
    }
    await expect
      .poll(async () => (await fetch(`${central().url}/v1/health`)).status, { timeout: 5000, interval: 50 })
      .toBe(200);
  });
});

const pgAvailable = requirePostgresOrSkip();

describe.skipIf(!pgAvailable.ok)('readiness follows PostgreSQL [postgres, own cluster]', () => {
  let cluster: PostgresCluster | undefined;
  beforeAll(async () => {
    cluster = await startPostgres();
  });
  afterAll(async () => cluster?.stop());

  test('not ready while another instance migrates; not ready while PostgreSQL is down; ready again when it returns', async () => {
    const pgc = cluster;
    if (!pgc) throw new Error('no cluster');
    const databaseUrl = await pgc.createDatabase();
    const central = await startTestCentral('postgres', {
      databaseUrl,
      schemaWatch: { intervalMs: 0, timeoutMs: 1000 },
    });
    try {
      expect((await ready(central.url)).status).toBe(200);

      // A starting instance of a newer release holds the migration lock while it migrates.
      const migrator = new pg.Client({ connectionString: databaseUrl });
      await migrator.connect();
      try {
        await migrator.query('BEGIN');
        await migrator.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
        const during = await ready(central.url);
        expect(during.status).toBe(503);
        expect(during.body.reasons).toEqual(['a database migration is running']);
        await migrator.query('COMMIT');
      } finally {
        await migrator.end();
      }
      expect((await ready(central.url)).status).toBe(200);

      pgc.halt();
      const down = await ready(central.url);
      expect(down.status).toBe(503);
      expect(down.body.reasons[0]).toMatch(/^database unreachable: /);
      expect(down.body.schema.database).toBeNull();
      expect((await fetch(`${origin(central.url)}/health/live`)).status).toBe(200);

      pgc.resume();
      await expect.poll(async () => (await ready(central.url)).status, { timeout: 10_000, interval: 200 }).toBe(200);
    } finally {
      await central.close();
    }
  });
});
