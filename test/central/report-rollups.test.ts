import { expect, test } from 'vitest';
import { ensureUnit, storeBatch } from '../../central/index.ts';
import { UnitTreeError, updateUnit } from '../../central/ops/units.ts';
import { drainReportQueueFully } from '../../central/reports/drain.ts';
import { runReport } from '../../central/reports/run-report.ts';
import { ReportQuery } from '../../shared/reports/query.ts';
import { enrolled, envelopeOf, makeDevice, makeResponses } from '../support/central.ts';
import { forEachBackend, sharedCentral } from './backends.ts';
import { readReportTables, rebuiltReportTables } from './reports-aggregate-tables.ts';

/**
 * Migration 8's tree roll-up (report_monthly_tree) follows the unit tree: a unit that moves takes its
 * whole subtree's counts from its old ancestors to its new ones in the transaction that moves it.
 */
forEachBackend('report roll-ups follow the unit tree', (backend) => {
  const central = sharedCentral(backend, { reportDrain: false });

  const treeTotals = async (ancestor: string): Promise<number> =>
    Number(
      (
        await central().db.query(
          `SELECT coalesce(sum(n), 0)::int AS n FROM report_monthly_tree WHERE ancestor_id = $1 AND question_id = '_status'`,
          [ancestor],
        )
      ).rows[0]?.['n'],
    );

  /** Responses counted for a unit with everything under it, through the report engine (not by unit: the tree read). */
  const withSubunits = async (unit: string): Promise<number> => {
    const r = await runReport(
      central().db,
      ReportQuery.parse({ report: 'quick', from: '2026-01-01', to: '2026-12-31', unit, withSubunits: true }),
      { viewer: null, now: new Date() },
    );
    return r.report === 'quick' ? r.totals.complete + r.totals.abandoned : -1;
  };

  test('a moved unit takes its subtree counts from its old ancestors to its new ones; a failed move changes nothing', async () => {
    const c = central();
    // mv-root ─ mv-mid ─ mv-leaf ; mv-other (a second root)
    await ensureUnit(c.db, { id: 'mv-root', name: 'Tỉnh' });
    await ensureUnit(c.db, { id: 'mv-mid', name: 'Huyện', parentId: 'mv-root' });
    await ensureUnit(c.db, { id: 'mv-leaf', name: 'Xã', parentId: 'mv-mid' });
    await ensureUnit(c.db, { id: 'mv-other', name: 'Tỉnh khác' });
    const leaf = await enrolled(c, makeDevice(), 'mv-leaf');
    const mid = await enrolled(c, makeDevice(), 'mv-mid');
    await storeBatch(c.db, envelopeOf(leaf, makeResponses(leaf, 1, 3)), 'http', new Date());
    await storeBatch(c.db, envelopeOf(mid, makeResponses(mid, 1, 2)), 'http', new Date());
    await drainReportQueueFully(c.db);
    expect([await treeTotals('mv-root'), await treeTotals('mv-mid'), await treeTotals('mv-other')]).toEqual([5, 3, 0]);
    expect(await withSubunits('mv-root')).toBe(5);
    expect(await readReportTables(c.db)).toEqual(await rebuiltReportTables(c.db));

    // mv-mid (with mv-leaf) moves under mv-other.
    await c.db.transaction((tx) => updateUnit(tx, 'mv-mid', { parentId: 'mv-other' }));
    expect([await treeTotals('mv-root'), await treeTotals('mv-mid'), await treeTotals('mv-other')]).toEqual([0, 3, 5]);
    expect([await withSubunits('mv-root'), await withSubunits('mv-other')]).toEqual([0, 5]);
    expect(await readReportTables(c.db)).toEqual(await rebuiltReportTables(c.db));

    // A move that fails after the roll-up moved (the transaction throws) leaves the tables as they were.
    await expect(
      c.db.transaction(async (tx) => {
        await updateUnit(tx, 'mv-leaf', { parentId: 'mv-root' });
        throw new UnitTreeError('invalid', 'rolled back on purpose');
      }),
    ).rejects.toThrow('rolled back on purpose');
    expect([await treeTotals('mv-root'), await treeTotals('mv-mid'), await treeTotals('mv-other')]).toEqual([0, 3, 5]);

    // mv-leaf alone to the first root; then mv-mid becomes a root itself.
    await c.db.transaction((tx) => updateUnit(tx, 'mv-leaf', { parentId: 'mv-root' }));
    expect([await treeTotals('mv-root'), await treeTotals('mv-mid'), await treeTotals('mv-other')]).toEqual([3, 0, 2]);
    await c.db.transaction((tx) => updateUnit(tx, 'mv-mid', { parentId: null }));
    expect([await treeTotals('mv-root'), await treeTotals('mv-mid'), await treeTotals('mv-other')]).toEqual([3, 0, 0]);
    expect(await readReportTables(c.db)).toEqual(await rebuiltReportTables(c.db));
    // A batch after the moves is counted under the tree as it is now.
    await storeBatch(c.db, envelopeOf(leaf, makeResponses(leaf, 4, 4)), 'http', new Date());
    await drainReportQueueFully(c.db);
    expect(await treeTotals('mv-root')).toBe(4);
    expect(await readReportTables(c.db)).toEqual(await rebuiltReportTables(c.db));
  }, 120_000);
});
