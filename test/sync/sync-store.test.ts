import { afterEach, describe, expect, it } from 'vitest';
import {
  ackedRanges,
  ackedThrough,
  addAckedRange,
  nextUnackedRun,
  queueDepth,
  recordAck,
  recordCentralContiguous,
} from '../../electron/core/sync/sync-store.ts';
import { uuidv7 } from '../../shared/ids.ts';
import { type TestKiosk, insertBacklog, openTestKiosk } from './support/kiosk.ts';

let kiosk: TestKiosk;
afterEach(() => kiosk?.close());
const at = '2026-05-01T00:00:00.000Z';

describe('sync ledger', () => {
  it('keeps acknowledged ranges merged and knows what is left', () => {
    kiosk = openTestKiosk();
    insertBacklog(kiosk.core, 100);
    const db = kiosk.db;
    const add = (from: number, to: number) => db.transaction(() => addAckedRange(db, { from, to }, at))();
    expect(queueDepth(db)).toBe(100);
    expect(nextUnackedRun(db)).toEqual({ from: 1, to: 100 });
    add(51, 60);
    add(71, 80);
    expect(ackedRanges(db)).toEqual([
      { from: 51, to: 60 },
      { from: 71, to: 80 },
    ]);
    expect(ackedThrough(db)).toBe(0);
    expect(queueDepth(db)).toBe(80);
    expect(nextUnackedRun(db)).toEqual({ from: 1, to: 50 });
    add(1, 50); // adjacent: merges with 51..60
    expect(ackedRanges(db)).toEqual([
      { from: 1, to: 60 },
      { from: 71, to: 80 },
    ]);
    expect(ackedThrough(db)).toBe(60);
    expect(nextUnackedRun(db)).toEqual({ from: 61, to: 70 });
    add(55, 75); // overlaps both
    expect(ackedRanges(db)).toEqual([{ from: 1, to: 80 }]);
    expect(nextUnackedRun(db)).toEqual({ from: 81, to: 100 });
    add(81, 100);
    expect(nextUnackedRun(db)).toBeUndefined();
    expect(queueDepth(db)).toBe(0);
    add(10, 20); // already covered: no change
    expect(ackedRanges(db)).toEqual([{ from: 1, to: 100 }]);
  });

  it('records an ack in one transaction, conflicts included, and never acknowledges past the last stored seq', () => {
    kiosk = openTestKiosk();
    insertBacklog(kiosk.core, 20);
    const db = kiosk.db;
    const id = uuidv7();
    recordAck(
      db,
      {
        batchId: uuidv7(),
        deviceId: kiosk.deviceId,
        received: 10,
        inserted: 9,
        duplicates: 0,
        conflicts: [{ id, seq: 4, reason: 'different_content' }],
        highestContiguousSeq: 10,
      },
      { from: 1, to: 10 },
      'online',
      at,
    );
    expect(ackedThrough(db)).toBe(10);
    expect(db.prepare('SELECT response_id, seq, reason FROM sync_conflicts').all()).toEqual([
      { response_id: id, seq: 4, reason: 'different_content' },
    ]);
    expect(db.prepare('SELECT seq_from, seq_to, inserted, conflicts FROM sync_batches').all()).toEqual([
      { seq_from: 1, seq_to: 10, inserted: 9, conflicts: 1 },
    ]);
    // Central claiming more than the kiosk has (a restored backup): only what exists is marked.
    recordCentralContiguous(db, 500, at);
    expect(ackedRanges(db)).toEqual([{ from: 1, to: 20 }]);
    expect(db.prepare('SELECT COUNT(*) AS n FROM responses').get()).toEqual({ n: 20 });
  });
});
