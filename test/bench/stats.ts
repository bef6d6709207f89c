import { prng } from '../support/prng.ts';
import type { Row } from './types.ts';

/** Nearest-rank percentile (p in 0..100) of an ascending array. */
export const percentile = (sorted: readonly number[], p: number): number => {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
};

export const summarize = (measure: string, samplesMs: readonly number[]): Row => {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const sum = sorted.reduce((s, x) => s + x, 0);
  return {
    measure,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    meanMs: sum / sorted.length,
    n: sorted.length,
  };
};

/**
 * A ratio of p99s that resists bursts from noisy neighbours: samples taken in the same rounds are cut
 * into `blocks` consecutive blocks, the ratio is taken within each block (same time window for both
 * sides) and the median of those ratios is returned.
 */
export const blockedP99Ratio = (num: readonly number[], den: readonly number[], blocks: number): number => {
  const rounds = Math.min(num.length, den.length);
  const size = Math.floor(rounds / blocks);
  if (size < 100) return Number.NaN;
  const p99 = (xs: readonly number[]) =>
    percentile(
      [...xs].sort((a, b) => a - b),
      99,
    );
  const ratios = Array.from(
    { length: blocks },
    (_, b) => p99(num.slice(b * size, (b + 1) * size)) / p99(den.slice(b * size, (b + 1) * size)),
  );
  ratios.sort((a, b) => a - b);
  const mid = Math.floor(blocks / 2);
  return blocks % 2 === 1 ? ratios[mid]! : (ratios[mid - 1]! + ratios[mid]!) / 2;
};

/** Milliseconds taken by fn, on the monotonic high-resolution clock. */
export const timeMs = <T>(fn: () => T): { ms: number; value: T } => {
  const start = process.hrtime.bigint();
  const value = fn();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, value };
};

/** Small seeded PRNG: fixtures are reproducible from their seed. */
export const seededRandom = prng;

export const envInt = (name: string, fallback: number, min = 1): number => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw.replace(/_/g, ''));
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer >= ${min} (got "${raw}")`);
  return n;
};
