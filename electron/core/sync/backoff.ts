/**
 * Retry timing (docs/sync-protocol.md, "What the kiosk does"): exponential backoff with full jitter,
 * delay = random(0, min(cap, base × 2^attempt)), where attempt counts the consecutive failures so far
 * minus one (the first retry waits up to `base`). A Retry-After that asks for longer wins, up to
 * `maxRetryAfterMs`, so a broken header cannot park a kiosk for a year.
 */
export type BackoffPolicy = { baseMs: number; capMs: number; maxRetryAfterMs: number };

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 2_000, capMs: 10 * 60_000, maxRetryAfterMs: 60 * 60_000 };

/** The jitter ceiling for the nth consecutive failure (n ≥ 1). */
export const backoffCeiling = (failures: number, policy: BackoffPolicy = DEFAULT_BACKOFF): number => {
  const exp = Math.max(0, failures - 1);
  // 2^exp overflows to Infinity long after it passed any cap; min() handles that.
  return Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(exp, 60));
};

/** Full jitter: uniform in [0, ceiling). `random` returns [0, 1) like Math.random. */
export const backoffDelay = (
  failures: number,
  random: () => number,
  policy: BackoffPolicy = DEFAULT_BACKOFF,
  retryAfterMs?: number,
): number => {
  const r = Math.min(Math.max(random(), 0), 1);
  const jittered = Math.floor(r * backoffCeiling(failures, policy));
  if (retryAfterMs === undefined || !(retryAfterMs > 0)) return jittered;
  return Math.max(jittered, Math.min(retryAfterMs, policy.maxRetryAfterMs));
};

/** Retry-After as delta-seconds or an HTTP date (RFC 9110 §10.2.3), in ms from `nowMs`; undefined when absent or unreadable. */
export const parseRetryAfter = (value: string | string[] | undefined, nowMs: number): number | undefined => {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return undefined;
  const trimmed = v.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
};
