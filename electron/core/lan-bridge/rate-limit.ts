/**
 * Token buckets for the LAN bridge: one for everything that reaches the server (checked before any
 * other work), one per paired client. An officer sends one invitation per citizen and the send page
 * asks for its status every two seconds, so the per-client budget is generous for people and tight
 * for a loop; the global one keeps a flood from any number of sources off the kiosk's disk and CPU.
 */

export type BucketSpec = { capacity: number; perSecond: number };

export const LAN_RATE_LIMITS = {
  global: { capacity: 60, perSecond: 20 },
  perClient: { capacity: 20, perSecond: 2 },
  /**
   * Requests with a missing, wrong or revoked token, per client address (an IPv6 one by its /64): a
   * PC's page stops at its first 401, so ten are a program guessing or a revoked PC looping; then one
   * every 30 s. Tokens are 256 random bits, so this is about keeping such a loop off the global
   * budget, the database and the log, not about the odds of a guess.
   */
  failedToken: { capacity: 10, perSecond: 1 / 30 },
} as const satisfies Record<string, BucketSpec>;

/** How many addresses' failed tokens are remembered; past it the one that failed longest ago is forgotten. */
export const FAILED_TOKEN_ADDRESSES_KEPT = 1024;

export type Limited = { ok: true } | { ok: false; retryAfterSeconds: number };

export type Bucket = {
  /** Takes one token; false (and the seconds until one is back) when the bucket is empty. */
  take: () => Limited;
  /** Whether `take` would succeed now, without taking. */
  check: () => Limited;
};

export const tokenBucket = (spec: BucketSpec, now: () => number): Bucket => {
  let tokens: number = spec.capacity;
  let at = now();
  const refill = (): Limited => {
    const t = now();
    tokens = Math.min(spec.capacity, tokens + ((t - at) / 1000) * spec.perSecond);
    at = t;
    return tokens >= 1 ? { ok: true } : { ok: false, retryAfterSeconds: Math.ceil((1 - tokens) / spec.perSecond) };
  };
  return {
    take: () => {
      const r = refill();
      if (r.ok) tokens -= 1;
      return r;
    },
    check: refill,
  };
};

export type FailureLimiter = {
  /** Whether this key may still try; a key that never failed is not even stored. */
  check: (key: string) => Limited;
  /** Counts one failure against the key. */
  fail: (key: string) => void;
  size: () => number;
};

/**
 * A failure budget per key (a client address), in at most `maxKeys` entries: a spray of addresses
 * cannot grow memory, it only makes the bridge forget the one that failed longest ago.
 */
export const failureLimiter = (spec: BucketSpec, now: () => number, maxKeys: number): FailureLimiter => {
  const buckets = new Map<string, Bucket>();
  return {
    check: (key) => buckets.get(key)?.check() ?? { ok: true },
    fail: (key) => {
      const b = buckets.get(key) ?? tokenBucket(spec, now);
      // Moved to the end: a Map iterates in insertion order, so the first key failed longest ago.
      buckets.delete(key);
      buckets.set(key, b);
      b.take();
      while (buckets.size > maxKeys) buckets.delete(buckets.keys().next().value!);
    },
    size: () => buckets.size,
  };
};

/** One bucket per key, made on first use; the map is bounded by the number of paired clients. */
export const keyedBuckets = (spec: BucketSpec, now: () => number): ((key: string) => Bucket) => {
  const buckets = new Map<string, Bucket>();
  return (key) => {
    let b = buckets.get(key);
    if (!b) {
      b = tokenBucket(spec, now);
      buckets.set(key, b);
    }
    return b;
  };
};

/**
 * Refusals are logged, but a flood must not fill the log: at most `perMinute` lines a minute, then
 * one line saying how many were left out.
 */
export const logBudget = (
  perMinute: number,
  now: () => number,
  write: (line: string) => void,
): ((line: string) => void) => {
  let windowStart = now();
  let used = 0;
  let dropped = 0;
  return (line) => {
    const t = now();
    if (t - windowStart >= 60_000) {
      if (dropped > 0) write(`${dropped} more refusals in the last minute were not logged`);
      windowStart = t;
      used = 0;
      dropped = 0;
    }
    if (used < perMinute) {
      used++;
      write(line);
    } else dropped++;
  };
};
