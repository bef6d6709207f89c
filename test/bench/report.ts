import type { MachineFacts } from './machine.ts';
import { type Check, passes, type Row } from './types.ts';

const ms = (x: number): string => (Number.isFinite(x) ? x.toFixed(3) : '-');

/** Columns padded to their widest cell; numbers right-aligned. */
export const table = (rows: readonly Row[]): string => {
  const header = ['measure', 'p50 ms', 'p99 ms', 'mean ms', 'n'];
  const cells = rows.map((r) => [
    r.partOf ? `  ${r.measure}` : r.measure,
    ms(r.p50Ms),
    ms(r.p99Ms),
    ms(r.meanMs),
    String(r.n),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: readonly string[]) =>
    c.map((x, i) => (i === 0 ? x.padEnd(widths[i]!) : x.padStart(widths[i]!))).join(' | ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('-|-'), ...cells.map(line)].join('\n');
};

/** Ratios to 2 decimals, or 3 when 2 would round a miss onto its target. */
const value = (c: Check): string => {
  if (c.unit === 'x') return `${c.value.toFixed(c.target && Math.abs(c.value - c.target.limit) < 0.005 ? 3 : 2)}x`;
  return c.unit === 'B' ? `${c.value.toFixed(1)} B` : `${c.value.toFixed(3)} ${c.unit}`;
};

export const checks = (list: readonly Check[]): string => {
  const width = Math.max(...list.map((c) => c.name.length));
  return list
    .map((c) => {
      const verdict = passes(c);
      const target = c.target ? `target ${c.target.op} ${c.target.limit}${c.unit === 'x' ? 'x' : ` ${c.unit}`}` : '';
      return `${c.name.padEnd(width)}  ${value(c).padStart(10)}  ${target.padEnd(18)}${verdict === null ? '' : verdict ? 'PASS' : 'MISS'}`.trimEnd();
    })
    .join('\n');
};

export const facts = (m: MachineFacts): string =>
  [
    `node ${m.node} on ${m.platform}`,
    `cpu ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, load ${m.loadAverage}`,
    `bench dir ${m.benchDir}: ${m.filesystem}`,
    `date ${m.date}`,
  ].join('\n');
