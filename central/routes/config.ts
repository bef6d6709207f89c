import type { FastifyInstance } from 'fastify';
import { latestConfig } from '../ops/configs.ts';
import type { RouteContext } from './context.ts';
import { authenticateDevice } from './device-auth.ts';

/** True when an If-None-Match header names this entity tag (strong or weak) or is "*". */
export const etagMatches = (header: string | undefined, etag: string): boolean => {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
};

/**
 * GET /v1/config (device-signed, empty body): the unit's newest published configuration as a Signed
 * "kconfig" document (plain JSON, signer "central"), ETag "<version>"; 304 when If-None-Match has it;
 * 204 when nothing has been published for the device's unit yet.
 */
export const configRoute = (app: FastifyInstance, ctx: RouteContext): void => {
  app.get('/config', async (req, reply) => {
    const { device } = await authenticateDevice(ctx, req, Buffer.alloc(0));
    const config = await latestConfig(ctx.db, device.unitId);
    if (!config) return reply.code(204).send();
    const etag = `"${config.version}"`;
    reply.header('etag', etag).header('cache-control', 'no-cache');
    if (etagMatches(req.headers['if-none-match'], etag)) return reply.code(304).send();
    return reply.code(200).type('application/json; charset=utf-8').send(config.document);
  });
};
