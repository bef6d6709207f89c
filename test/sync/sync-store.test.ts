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

  const ackOf = (highest: number, count: number) => ({
    batchId: uuidv7(),
    deviceId: kiosk.deviceId,
    received: count,
    inserted: count,
    duplicates: 0,
    conflicts: [],
    highestContiguousSeq: highest,
  });

  it('a heartbeat below what central acknowledged (central restored from an older backup) makes the lost seqs unsent again', () => {
    kiosk = openTestKiosk();
    insertBacklog(kiosk.core, 120);
    const db = kiosk.db;
    addAckedRange(db, { from: 1, to: 100 }, at);
    addAckedRange(db, { from: 110, to: 115 }, at);
    expect(recordCentralContiguous(db, 100, at), 'central holds all it acknowledged: nothing lost').toBe(0);
    expect(ackedRanges(db)).toEqual([
      { from: 1, to: 100 },
      { from: 110, to: 115 },
    ]);
    // Central now holds only 1..40: 60 + 6 acknowledged seqs are forgotten and will be sent again.
    expect(recordCentralContiguous(db, 40, at)).toBe(66);
    expect(ackedRanges(db)).toEqual([{ from: 1, to: 40 }]);
    expect(nextUnackedRun(db)).toEqual({ from: 41, to: 120 });
    expect(queueDepth(db)).toBe(80);
    // Central restored to an empty database: everything goes again.
    expect(recordCentralContiguous(db, 0, at)).toBe(40);
    expect(ackedRanges(db)).toEqual([]);
  });

  it('a batch ack below what central acknowledged keeps the batch acknowledged and reopens only what lies below it', () => {
    kiosk = openTestKiosk();
    insertBacklog(kiosk.core, 150);
    const db = kiosk.db;
    addAckedRange(db, { from: 1, to: 100 }, at);
    recordCentralContiguous(db, 100, at);
    // The next batch, 101..120, reaches a central that now holds only 1..50 (and this batch).
    expect(recordAck(db, ackOf(50, 20), { from: 101, to: 120 }, 'online', at)).toBe(50);
    expect(ackedRanges(db)).toEqual([
      { from: 1, to: 50 },
      { from: 101, to: 120 },
    ]);
    expect(nextUnackedRun(db)).toEqual({ from: 51, to: 100 });
    expect(db.prepare('SELECT central_contiguous_seq AS h FROM sync_status').get()).toEqual({ h: 50 });
    // The lost range resent: central is whole again, nothing more is forgotten.
    expect(recordAck(db, ackOf(120, 50), { from: 51, to: 100 }, 'online', at)).toBe(0);
    expect(ackedRanges(db)).toEqual([{ from: 1, to: 120 }]);
    expect(db.prepare('SELECT central_contiguous_seq AS h FROM sync_status').get()).toEqual({ h: 120 });
  });

  it('a gap-free prefix that stays below an acknowledged seq (a hole central keeps) is not a loss: no resend on every pass', () => {
    kiosk = openTestKiosk();
    insertBacklog(kiosk.core, 30);
    const db = kiosk.db;
    addAckedRange(db, { from: 1, to: 30 }, at);
    // Central acknowledged 5..30 but holds no seq 5 (say a response it keeps as a conflict elsewhere):
    // its prefix stays at 4, pass after pass.
    expect(recordAck(db, ackOf(4, 26), { from: 5, to: 30 }, 'online', at)).toBe(0);
    expect(recordCentralContiguous(db, 4, at)).toBe(0);
    expect(recordCentralContiguous(db, 4, at)).toBe(0);
    expect(ackedRanges(db)).toEqual([{ from: 1, to: 30 }]);
    // Only a step back below what it said before is a loss.
    expect(recordCentralContiguous(db, 2, at)).toBe(28);
    expect(ackedRanges(db)).toEqual([{ from: 1, to: 2 }]);
  });
});
