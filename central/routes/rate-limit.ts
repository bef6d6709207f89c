import type { FastifyInstance, FastifyRequest } from 'fastify';
import { SyncError } from '../errors.ts';

export type Budget = { max: number; windowMs: number };
/** Per address (before anything else) and per device (after its signature is verified); false turns one off. */
export type RateLimitSettings = { perIp: Budget | false; perDevice: Budget | false };

/**
 * Defaults sized for a province: a kiosk sends one batch at a time, plus a heartbeat and a config
 * check every few minutes. A NAT'd office with many kiosks, or the 200-kiosk bench, raises perIp.
 */
export const DEFAULT_RATE_LIMITS: RateLimitSettings = {
  perIp: { max: 600, windowMs: 60_000 },
  perDevice: { max: 120, windowMs: 60_000 },
};

const rateLimited = (ttlSeconds: number, who: string): SyncError =>
  new SyncError('rate_limited', `too many requests from this ${who}; retry after ${Math.max(1, ttlSeconds)} s`, {
    retryAfterSeconds: Math.max(1, ttlSeconds),
  });

/**
 * Two limiters from @fastify/rate-limit's `createRateLimit` (its fixed-window LRU store): one keyed by
 * the client address, one by the device id once that is proven. The plugin must be registered on `app`.
 */
export const makeLimiters = (
  app: FastifyInstance,
  settings: RateLimitSettings,
): {
  limitIp: (req: FastifyRequest) => Promise<void>;
  limitDevice: (req: FastifyRequest, deviceId: string) => Promise<void>;
} => {
  const deviceOf = new WeakMap<FastifyRequest, string>();
  const ip = settings.perIp
    ? app.createRateLimit({ max: settings.perIp.max, timeWindow: settings.perIp.windowMs })
    : null;
  const device = settings.perDevice
    ? app.createRateLimit({
        max: settings.perDevice.max,
        timeWindow: settings.perDevice.windowMs,
        keyGenerator: (req) => `device:${deviceOf.get(req) ?? '?'}`,
      })
    : null;
  return {
    limitIp: async (req) => {
      if (!ip) return;
      const r = await ip(req);
      if (!r.isAllowed && r.isExceeded) throw rateLimited(r.ttlInSeconds, 'address');
    },
    limitDevice: async (req, deviceId) => {
      if (!device) return;
      deviceOf.set(req, deviceId);
      const r = await device(req);
      if (!r.isAllowed && r.isExceeded) throw rateLimited(r.ttlInSeconds, 'device');
    },
  };
};
