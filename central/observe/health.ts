/**
 * Liveness and readiness for load balancers and orchestrators, and the guard that makes an instance
 * of an older release refuse cleanly once the database has been migrated past it.
 *
 *   GET /health/live   200 while the process runs its event loop (no database access).
 *   GET /health/ready  200 when the database answers, no migration is running and its schema is the
 *                      one this code was written for; otherwise 503 with the reasons.
 *
 * Neither says anything about devices, units or accounts; both are unauthenticated and cheap (ready
 * runs two tiny queries, shared by concurrent callers).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type DbState, type SchemaWatch, schemaTooNew } from './schema-watch.ts';

export const LIVE_PATH = '/health/live';
export const READY_PATH = '/health/ready';

type Readiness = { ready: boolean; reasons: string[] };

export const readinessOf = (s: DbState): Readiness => {
  const reasons: string[] = [];
  if (!s.reachable) reasons.push(`database unreachable: ${s.problem ?? 'no answer'}`);
  if (s.migrating) reasons.push('a database migration is running');
  if (schemaTooNew(s))
    reasons.push(
      `database schema ${s.schemaVersion} is newer than this release supports (${s.codeSchemaVersion}): an upgrade is under way`,
    );
  return { ready: reasons.length === 0, reasons };
};

export const healthRoutes = (app: FastifyInstance, watch: SchemaWatch): void => {
  app.get(LIVE_PATH, async (_req, reply) => reply.header('cache-control', 'no-store').send({ status: 'live' }));
  app.get(READY_PATH, async (_req, reply) => {
    const s = await watch.check();
    const { ready, reasons } = readinessOf(s);
    return reply
      .code(ready ? 200 : 503)
      .header('cache-control', 'no-store')
      .send({
        status: ready ? 'ready' : 'not_ready',
        reasons,
        schema: { database: s.schemaVersion, code: s.codeSchemaVersion },
      });
  });
};

/** The sentence an old instance answers with while a newer release owns the database. */
export const upgradeRefusal = (s: DbState): string =>
  `this central instance runs an older release (schema ${s.codeSchemaVersion}) than the database (schema ${s.schemaVersion}); ` +
  `an upgrade is under way: retry shortly, the new release's instances will answer`;

const UPGRADE_RETRY_SECONDS = 30;

/**
 * An onRequest hook for everything but the health endpoints: once the database schema is newer than
 * this code, refuse before any work with 503 — a protocol error body for devices (their sync engine
 * retries a 503 later, nothing is lost: the batch stays queued), a plain sentence for the console.
 */
export const refuseWhenSchemaTooNew =
  (watch: SchemaWatch, basePath: string) =>
  async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    const s = watch.current();
    if (!schemaTooNew(s)) return undefined;
    const path = req.url.split('?')[0] ?? '';
    if (path === LIVE_PATH || path === READY_PATH) return undefined;
    const message = upgradeRefusal(s);
    void reply.code(503).header('retry-after', String(UPGRADE_RETRY_SECONDS)).header('cache-control', 'no-store');
    if (path.startsWith(`${basePath}/v1/`)) return reply.send({ error: 'server_busy', message });
    return reply
      .type('text/plain; charset=utf-8')
      .send(`Hệ thống đang được nâng cấp, vui lòng thử lại sau ít phút.\n${message}\n`);
  };
