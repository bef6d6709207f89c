import type { FastifyInstance } from 'fastify';
import { Sha256Hex } from '../../shared/read-aloud.ts';
import { readClipAudio } from '../clips/store.ts';
import type { RouteContext } from './context.ts';
import { authenticateDevice } from './device-auth.ts';

/**
 * GET /v1/clips/:audioSha256 (device-signed like GET /v1/config, empty body): a read-aloud clip's audio
 * (issue 15), named by its SHA-256 in the signed configuration's manifest. 404 for anything not held,
 * malformed names included; the bytes never change under a name, so they may be cached for good.
 */
export const clipsRoute = (app: FastifyInstance, ctx: RouteContext): void => {
  app.get<{ Params: { audioSha256: string } }>('/clips/:audioSha256', async (req, reply) => {
    await authenticateDevice(ctx, req, Buffer.alloc(0));
    const name = Sha256Hex.safeParse(req.params.audioSha256);
    const clip = name.success ? await readClipAudio(ctx.db, name.data) : undefined;
    if (!clip) return reply.code(404).send({ error: 'invalid_body', message: 'no such read-aloud clip' });
    reply.header('cache-control', 'private, max-age=31536000, immutable');
    return reply.code(200).type(clip.mime).send(clip.audio);
  });
};
