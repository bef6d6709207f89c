import { describe, expect, it } from 'vitest';
import { countLines, mergeQueuedCounts } from '../../central/reports/queued-counts.ts';

const columns = { u: 'xa-a', d: '2026-11-03', q: 'quick', v: 1, f: '', p: '', o: 'cb-1', c: '', g: false };

describe("a drain's queued counts summed in one (queued-counts.ts)", () => {
  it('sums the same (group, cell) across batches that number their cells differently, and the first form with them', () => {
    const merged = mergeQueuedCounts([
      // Batch 1: cell 1 = (_status, complete), cell 2 = (hai-long, 5).
      { k: ['_status', 'hai-long'], x: ['complete', '5'], g: [{ ...columns, i: [1, 2], n: [3, 2] }] },
      // Batch 2 numbers them the other way round, and has another group (another officer).
      {
        k: ['hai-long', '_status'],
        x: ['5', 'complete'],
        g: [
          { ...columns, i: [2, 1], n: [1, 1] },
          { ...columns, o: 'cb-2', i: [2], n: [4] },
        ],
      },
      // Queued by the first form of migration 14: ids and values in the group.
      [{ ...columns, k: ['hai-long', 'hai-long'], x: ['5', '4'], n: [1, 1] }],
    ]);
    expect(merged.k).toEqual(['_status', 'hai-long', 'hai-long']);
    expect(merged.x).toEqual(['complete', '5', '4']);
    expect(merged.g).toEqual([
      // _status complete 3 + 1; hai-long 5: 2 + 1 + 1; hai-long 4: 1.
      { ...columns, i: [1, 2, 3], n: [4, 4, 1] },
      { ...columns, o: 'cb-2', i: [1], n: [4] },
    ]);
  });

  it('refuses a group naming a cell its batch does not list (the drain fails and the batches stay queued)', () => {
    expect(() => mergeQueuedCounts([{ k: ['_status'], x: ['complete'], g: [{ ...columns, i: [2], n: [1] }] }])).toThrow(
      /cell 2 of 1/,
    );
  });

  it('nothing queued: no cells and no groups', () => {
    expect(mergeQueuedCounts([])).toEqual({ k: [], x: [], g: [] });
  });

  it("writes the sums as report_daily rows in COPY's text format, one line per count, escaping what COPY would misread", () => {
    const lines = countLines({
      k: ['_status', 'y-kien', 'hai-long'],
      x: ['complete', 'a\tb\\c\nd', '5'],
      g: [
        { ...columns, i: [1, 3], n: [4, 2] },
        { ...columns, o: 'cb\r2', f: '\\N', g: true, i: [2], n: [1] },
      ],
    });
    expect(lines).toEqual([
      'xa-a\t2026-11-03\tquick\t1\t\t\tcb-1\t\tf\t_status\tcomplete\t4\n' +
        'xa-a\t2026-11-03\tquick\t1\t\t\tcb-1\t\tf\thai-long\t5\t2\n',
      'xa-a\t2026-11-03\tquick\t1\t\\\\N\t\tcb\\r2\t\tt\ty-kien\ta\\tb\\\\c\\nd\t1\n',
    ]);
  });

  it('refuses to write a count naming a cell the counts do not list', () => {
    expect(() => countLines({ k: ['_status'], x: ['complete'], g: [{ ...columns, i: [2], n: [1] }] })).toThrow(
      /cell 2 of 1/,
    );
  });
});
