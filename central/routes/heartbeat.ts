import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { Heartbeat, type HeartbeatReply as HeartbeatReplySchema } from '../../shared/sync.ts';
import { SyncError, parseJsonBody, parseOrThrow } from '../errors.ts';
import { Int, firstRow } from '../db/rows.ts';
import { latestConfig } from '../ops/configs.ts';
import { type RouteContext, rawBody } from './context.ts';
import { authenticateDevice } from './device-auth.ts';

const Progress = z.object({ highest_contiguous_seq: Int });

/**
 * How far a heartbeat's sentAt may be from central's clock, either way. Ten minutes, not seconds:
 * kiosk clocks drift, and some offices have no working NTP (central's console calls a kiosk
 * "drifting" from 2 minutes, so those still report in and show up); yet a captured heartbeat goes
 * stale long before a dead kiosk would be noticed (central calls a kiosk stale after 2 hours).
 */
export const DEFAULT_HEARTBEAT_WINDOW_MS = 10 * 60_000;

export type HeartbeatRouteOptions = { windowMs?: number };

/** Refuses a heartbeat sent outside the window (a replay, or one stamped for later), before anything is stored. */
const checkFresh = (sentAt: string | undefined, now: Date, windowMs: number): void => {
  // Kiosks from before sentAt do not send it (protocol 1 keeps it optional; docs/sync-protocol.md).
  if (sentAt === undefined) return;
  const offsetMs = Date.parse(sentAt) - now.getTime();
  if (Math.abs(offsetMs) <= windowMs) return;
  const minutes = (ms: number) => `${Math.round(Math.abs(ms) / 60_000)} minutes`;
  throw new SyncError(
    'heartbeat_out_of_window',
    `heartbeat: sentAt ${sentAt} is ${minutes(offsetMs)} ${offsetMs < 0 ? 'behind' : 'ahead of'} central's clock ` +
      `(${now.toISOString()}); more than ${minutes(windowMs)} either way is refused as a replay: check the kiosk's clock`,
    { field: 'sentAt' },
  );
};

/** POST /v1/heartbeat (device-signed): records the heartbeat and clock drift, answers what central holds. */
export const heartbeatRoute = (app: FastifyInstance, ctx: RouteContext, options: HeartbeatRouteOptions = {}): void => {
  const windowMs = options.windowMs ?? DEFAULT_HEARTBEAT_WINDOW_MS;
  app.post('/heartbeat', async (req, reply) => {
    const body = rawBody(req);
    const { device } = await authenticateDevice(ctx, req, body);
    const hb = parseOrThrow(Heartbeat, parseJsonBody(body), 'heartbeat');
    if (hb.deviceId !== device.id)
      throw new SyncError('invalid_body', `heartbeat: deviceId ${hb.deviceId} is not the signing device ${device.id}`, {
        field: 'deviceId',
      });
    const now = ctx.now();
    checkFresh(hb.sentAt, now, windowMs);
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
