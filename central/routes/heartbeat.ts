import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { Heartbeat, type HeartbeatReply as HeartbeatReplySchema } from '../../shared/sync.ts';
import { SyncError, parseJsonBody, parseOrThrow } from '../errors.ts';
import { Int, firstRow } from '../db/rows.ts';
import { latestConfig } from '../ops/configs.ts';
import { type RouteContext, rawBody } from './context.ts';
import { authenticateDevice } from './device-auth.ts';

const Progress = z.object({ highest_contiguous_seq: Int });

/** POST /v1/heartbeat (device-signed): records the heartbeat and clock drift, answers what central holds. */
export const heartbeatRoute = (app: FastifyInstance, ctx: RouteContext): void => {
  app.post('/heartbeat', async (req, reply) => {
    const body = rawBody(req);
    const { device } = await authenticateDevice(ctx, req, body);
    const hb = parseOrThrow(Heartbeat, parseJsonBody(body), 'heartbeat');
    if (hb.deviceId !== device.id)
      throw new SyncError('invalid_body', `heartbeat: deviceId ${hb.deviceId} is not the signing device ${device.id}`, {
        field: 'deviceId',
      });
    const now = ctx.now();
    const driftMs = Date.parse(hb.clock) - now.getTime();
    await ctx.db.query(
      'UPDATE devices SET last_heartbeat = $2::jsonb, last_heartbeat_at = $3, clock_drift_ms = $4, app_version = $5 WHERE id = $1',
      [device.id, JSON.stringify(hb), now, driftMs, hb.appVersion],
    );
    const progress = firstRow(
      Progress,
      await ctx.db.query('SELECT highest_contiguous_seq FROM device_progress WHERE device_id = $1', [device.id]),
    );
    const config = await latestConfig(ctx.db, device.unitId);
    const answer: z.infer<typeof HeartbeatReplySchema> = {
      serverTime: now.toISOString(),
      highestContiguousSeq: progress?.highest_contiguous_seq ?? 0,
      configVersion: config?.version ?? null,
    };
    return reply.code(200).send(answer);
  });
};
