/**
 * The bench runner's vocabulary. A section is one benchmark area (store latency, later the renderer's
 * tap latency, sync throughput...): it measures everything it compares inside its own run and
 * returns rows for the common table, checks against targets, and notes.
 */

/** One latency measurement, in milliseconds. */
export type Row = {
  measure: string;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  n: number;
  /** A breakdown of another row's samples: printed indented under it. */
  partOf?: string;
};

/** A derived figure: a ratio with a target, or a plain fact such as bytes per response. */
export type Check = {
  name: string;
  value: number;
  unit: string;
  /** When present the check is PASS or MISS; without it the figure is informational. */
  target?: { op: '<=' | '>='; limit: number };
};

export type SectionResult = {
  rows: Row[];
  checks: Check[];
  /** Parameters the section ran with (sizes, counts, paths), printed and kept in the JSON. */
  params: Record<string, string | number | boolean>;
  notes: string[];
};

export type BenchContext = {
  /** A fresh directory for this run, on the disk being measured; removed at the end. */
  workDir: string;
  /** Progress messages (stderr), kept out of the result table. */
  progress: (message: string) => void;
};

export type Section = {
  name: string;
  description: string;
  run: (ctx: BenchContext) => Promise<SectionResult>;
};

export const passes = (c: Check): boolean | null => {
  if (!c.target) return null;
  return c.target.op === '<=' ? c.value <= c.target.limit : c.value >= c.target.limit;
};
