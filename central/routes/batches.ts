import type { FastifyInstance } from 'fastify';
import { LIMITS } from '../../shared/sync.ts';
import { openBatch } from '../ingest/open-batch.ts';
import { storeBatch } from '../ingest/store-batch.ts';
import { type RouteContext, rawBody } from './context.ts';

/** Optional request header: "file" when the body is a .kbatch carried on a USB stick (kioskctl upload). */
export const BATCH_SOURCE_HEADER = 'x-kbatch-source';

/**
 * POST /v1/batches: a gzip'd Signed kbatch. Every check (size, signer, then in a worker thread shape,
 * signature and envelope; then the device rate limit) happens before the one transaction; the ack is
 * sent only after COMMIT.
 * Fastify refuses a Content-Length over the limit, and counts the bytes actually received, with 413.
 */
export const batchesRoute = (app: FastifyInstance, ctx: RouteContext): void => {
  app.post('/batches', { bodyLimit: LIMITS.maxCompressedBytes }, async (req, reply) => {
    const started = process.hrtime.bigint();
    const { device, envelope } = await openBatch(ctx.db, rawBody(req), ctx.ingest, req.ip);
    await ctx.limitDevice(req, device.id);
    const via = req.headers[BATCH_SOURCE_HEADER] === 'file' ? 'file' : 'http';
    const ack = await storeBatch(ctx.db, envelope, via, ctx.now(), undefined, {
      reportAggregates: ctx.reportAggregates ?? true,
    });
    ctx.metrics?.batchIngested(via, ack, Number(process.hrtime.bigint() - started) / 1e9);
    return reply.code(200).send(ack);
  });
};
