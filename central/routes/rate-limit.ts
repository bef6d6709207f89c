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

/** One request counted against a limiter: whether it is over the budget, and when the window ends. */
export type RateVerdict = { exceeded: boolean; retryAfterSeconds: number };
export type RateLimiter = (req: FastifyRequest) => Promise<RateVerdict>;

/**
 * Makes a limiter with its own counts (`name` keeps two limiters on one address apart), this budget,
 * keyed by `keyOf(req)` or else by the client address. Fixed windows that start at a key's first hit.
 * Two implementations: in this process (rate-limit.ts, for PGlite: one process by construction) and
 * in PostgreSQL (shared-rate-limit.ts: every instance on the database counts into the same window).
 */
export type RateLimiterFactory = (name: string, budget: Budget, keyOf?: (req: FastifyRequest) => string) => RateLimiter;

/** Limiters counted in this process: @fastify/rate-limit's `createRateLimit` (its LRU store); the plugin must be on `app`. */
export const processLimiters =
  (app: FastifyInstance): RateLimiterFactory =>
  (_name, budget, keyOf) => {
    // createRateLimit gives every limiter its own store, so the name is not needed to keep them apart.
    const limiter = app.createRateLimit({
      max: budget.max,
      timeWindow: budget.windowMs,
      ...(keyOf ? { keyGenerator: keyOf } : {}),
    });
    return async (req) => {
      const r = await limiter(req);
      if (r.isAllowed) return { exceeded: false, retryAfterSeconds: 0 };
      return { exceeded: r.isExceeded, retryAfterSeconds: Math.max(1, r.ttlInSeconds) };
    };
  };

const rateLimited = (retryAfterSeconds: number, who: string): SyncError =>
  new SyncError('rate_limited', `too many requests from this ${who}; retry after ${retryAfterSeconds} s`, {
    retryAfterSeconds,
  });

/** The limiters' names, one per budget: each counts apart from the others, in memory or in PostgreSQL. */
export const LIMITER = {
  v1Address: 'v1-address',
  v1Device: 'v1-device',
  consoleLogin: 'console-login',
  publicReport: 'public-report',
} as const;

/** The protocol's two limits: one keyed by the client address, one by the device id once that is proven. */
export const makeLimiters = (
  limiter: RateLimiterFactory,
  settings: RateLimitSettings,
): {
  limitIp: (req: FastifyRequest) => Promise<void>;
  limitDevice: (req: FastifyRequest, deviceId: string) => Promise<void>;
} => {
  const deviceOf = new WeakMap<FastifyRequest, string>();
  const ip = settings.perIp ? limiter(LIMITER.v1Address, settings.perIp) : null;
  const device = settings.perDevice
    ? limiter(LIMITER.v1Device, settings.perDevice, (req) => `device:${deviceOf.get(req) ?? '?'}`)
    : null;
  return {
    limitIp: async (req) => {
      if (!ip) return;
      const r = await ip(req);
      if (r.exceeded) throw rateLimited(r.retryAfterSeconds, 'address');
    },
    limitDevice: async (req, deviceId) => {
      if (!device) return;
      deviceOf.set(req, deviceId);
      const r = await device(req);
      if (r.exceeded) throw rateLimited(r.retryAfterSeconds, 'device');
    },
  };
};
