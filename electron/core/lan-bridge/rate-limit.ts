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
} as const satisfies Record<string, BucketSpec>;

export type Bucket = {
  /** Takes one token; false (and the seconds until one is back) when the bucket is empty. */
  take: () => { ok: true } | { ok: false; retryAfterSeconds: number };
};

export const tokenBucket = (spec: BucketSpec, now: () => number): Bucket => {
  let tokens: number = spec.capacity;
  let at = now();
  return {
    take: () => {
      const t = now();
      tokens = Math.min(spec.capacity, tokens + ((t - at) / 1000) * spec.perSecond);
      at = t;
      if (tokens >= 1) {
        tokens -= 1;
        return { ok: true };
      }
      return { ok: false, retryAfterSeconds: Math.ceil((1 - tokens) / spec.perSecond) };
    },
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
