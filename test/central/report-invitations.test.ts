import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../central/cli/commands.ts';
import type { CentralDb } from '../../central/db/types.ts';
import { flattenReport } from '../../central/reports/export/flatten.ts';
import { ReportRequestError, runReport } from '../../central/reports/run-report.ts';
import { ReportQuery, type ReportQueryInput } from '../../shared/reports/query.ts';
import type { ReportResult } from '../../shared/reports/result.ts';
import { openTestDb } from '../support/central.ts';
import { seedUnits } from '../support/report-seed.ts';
import { forEachBackend } from './backends.ts';

type Of<K extends ReportResult['report']> = Extract<ReportResult, { report: K }>;
const NOW = new Date('2026-03-01T00:00:00Z');
const JAN = { from: '2026-01-01', to: '2026-01-31' };

/**
 * The hand table. created_at is UTC; the report's day is Vietnam's (UTC+7), so 2026-01-31T18:00Z is
 * 1 February and outside January.
 *
 *  #  unit  counter  officer  procedure  created (UTC)        status
 *  1  xa-a  q1       cb-1     1.001      2026-01-05T02:00Z    answered
 *  2  xa-a  q1       cb-1     1.001      2026-01-06T02:00Z    expired
 *  3  xa-a  q2       cb-2     1.002      2026-01-07T02:00Z    answered
 *  4  xa-a  q2       cb-2     1.002      2026-01-08T02:00Z    waiting
 *  5  xa-a  q2       cb-2     1.002      2026-01-08T01:00Z    replaced   (by #4: not counted)
 *  6  xa-b  q1       cb-9     1.001      2026-01-09T02:00Z    delivered
 *  7  xa-b  q1       cb-9     1.001      2026-01-31T18:00Z    answered   (1 February in Vietnam)
 *  8  xa-b  q1       cb-9     1.001      2025-12-31T18:00Z    expired    (1 January in Vietnam)
 */
const ROWS: [string, string, string, string, string, string][] = [
  ['xa-a', 'q1', 'cb-1', '1.001', '2026-01-05T02:00:00Z', 'answered'],
  ['xa-a', 'q1', 'cb-1', '1.001', '2026-01-06T02:00:00Z', 'expired'],
  ['xa-a', 'q2', 'cb-2', '1.002', '2026-01-07T02:00:00Z', 'answered'],
  ['xa-a', 'q2', 'cb-2', '1.002', '2026-01-08T02:00:00Z', 'waiting'],
  ['xa-a', 'q2', 'cb-2', '1.002', '2026-01-08T01:00:00Z', 'replaced'],
  ['xa-b', 'q1', 'cb-9', '1.001', '2026-01-09T02:00:00Z', 'delivered'],
  ['xa-b', 'q1', 'cb-9', '1.001', '2026-01-31T18:00:00Z', 'answered'],
  ['xa-b', 'q1', 'cb-9', '1.001', '2025-12-31T18:00:00Z', 'expired'],
];

const seedInvitations = async (db: CentralDb): Promise<void> => {
  for (const [i, [unit, counter, officer, procedure, created, status]] of ROWS.entries())
    await db.query(
      `INSERT INTO bridge_invitations (id, unit_id, counter_id, case_number, procedure_code, officer_id, issued_by,
                                       created_at, expires_at, status, status_at)
       VALUES ($1, $2, $3, $4, $5, $6, 'cli', $7, $7::timestamptz + interval '3 days', $8, $7)`,
      [
        `00000000-0000-7000-8000-${String(i + 1).padStart(12, '0')}`,
        unit,
        counter,
        `HS-${i + 1}`,
        procedure,
        officer,
        created,
        status,
      ],
    );
};

const PROVINCE = [
  { id: 'tinh', name: 'Tỉnh', kind: 'province' as const },
  { id: 'xa-a', name: 'Xã A', parent: 'tinh', kind: 'commune' as const },
  { id: 'xa-b', name: 'Xã B', parent: 'tinh', kind: 'commune' as const },
];

forEachBackend('invitations report', (backend) => {
  let db: CentralDb;
  beforeAll(async () => {
    db = await openTestDb(backend);
    await seedUnits(db, PROVINCE);
  });
  afterAll(async () => {
    await db.close();
  });
  const run = async (input: Omit<ReportQueryInput, 'report'>): Promise<Of<'invitations'>> =>
    (await runReport(db, ReportQuery.parse({ report: 'invitations', ...input }), {
      viewer: null,
      now: NOW,
    })) as Of<'invitations'>;

  it('before any invitation: no figures, a response rate of none (not 0 %), no error', async () => {
    const r = await run({ ...JAN, unit: 'tinh', withSubunits: true });
    expect(r.groups).toEqual([]);
    expect(r.totals).toEqual({ sent: 0, answered: 0, expired: 0, open: 0, responsePercent: null });
  });

  describe('with invitations', () => {
    beforeAll(async () => {
      await seedInvitations(db);
    });

    it('whole province in January: sent 6 (#1-4, #6, #8; the replaced #5 and February #7 out), answered 2, expired 2', async () => {
      const r = await run({ ...JAN, unit: 'tinh', withSubunits: true });
      expect(r.totals).toEqual({ sent: 6, answered: 2, expired: 2, open: 2, responsePercent: (2 / 6) * 100 });
    });

    it('per counter, per officer and per procedure', async () => {
      const byCounter = await run({ ...JAN, unit: 'tinh', withSubunits: true, by: ['unit', 'counter'] });
      expect(
        byCounter.groups.map((g) => [g.key.unit, g.key.counter, g.sent, g.answered, g.expired, g.responsePercent]),
      ).toEqual([
        ['xa-a', 'q1', 2, 1, 1, 50],
        ['xa-a', 'q2', 2, 1, 0, 50],
        ['xa-b', 'q1', 2, 0, 1, 0],
      ]);
      expect(byCounter.groups[0]!.labels.unit).toBe('Xã A');
      const byOfficer = await run({ ...JAN, unit: 'tinh', withSubunits: true, by: ['officer'] });
      expect(byOfficer.groups.map((g) => [g.key.officer, g.sent, g.answered])).toEqual([
        ['cb-1', 2, 1],
        ['cb-2', 2, 1],
        ['cb-9', 2, 0],
      ]);
      const byProcedure = await run({ ...JAN, unit: 'tinh', withSubunits: true, by: ['procedure'] });
      expect(byProcedure.groups.map((g) => [g.key.procedure, g.sent, g.answered, g.expired, g.open])).toEqual([
        ['1.001', 4, 1, 2, 1],
        ['1.002', 2, 1, 0, 1],
      ]);
    });

    it('filters: one unit, one officer; by month puts #7 in February (Vietnam day)', async () => {
      const one = await run({ ...JAN, unit: 'xa-b' });
      expect([one.totals.sent, one.totals.expired]).toEqual([2, 1]);
      const officer = await run({ ...JAN, unit: 'tinh', withSubunits: true, officer: 'cb-2' });
      expect([officer.totals.sent, officer.totals.answered]).toEqual([2, 1]);
      const months = await run({ from: '2026-01-01', to: '2026-02-28', unit: 'xa-b', by: ['month'] });
      expect(months.groups.map((g) => [g.key.month, g.sent, g.answered])).toEqual([
        ['2026-01', 2, 0],
        ['2026-02', 1, 1],
      ]);
    });

    it('field, which an invitation does not carry, is refused as a bad query', async () => {
      await expect(run({ ...JAN, unit: 'tinh', withSubunits: true, by: ['field'] })).rejects.toBeInstanceOf(
        ReportRequestError,
      );
    });

    it('exports flatten it: a row per group and the totals (CSV and XLSX share this)', async () => {
      const r = await run({ ...JAN, unit: 'tinh', withSubunits: true, by: ['counter'] });
      const flat = flattenReport(r, 1);
      const table = flat.tables[0]!;
      expect(table.columns.map((c) => c.header)).toEqual([
        'Quầy',
        'Đã gửi',
        'Đã trả lời',
        'Hết hạn',
        'Đang chờ',
        'Tỷ lệ phản hồi (%)',
      ]);
      expect(table.rows).toEqual([
        ['q1', 4, 1, 2, 1, 25],
        ['q2', 2, 1, 0, 1, 50],
        ['Tổng số', 6, 2, 2, 2, 33.3],
      ]);
    });

    it('centralctl report invitations: the same figures as CSV, through the real engine', async () => {
      let out = '';
      const code = await runCommand(
        [
          'report',
          'invitations',
          '--period',
          '2026-01',
          '--unit',
          'tinh',
          '--with-subunits',
          '--by',
          'counter',
          '--format',
          'csv',
        ],
        {
          db,
          centralKey: () => {
            throw new Error('not used');
          },
          cwd: process.cwd(),
          out: (t) => (out += t),
          err: () => {},
          now: () => NOW,
        },
      );
      expect(code).toBe(0);
      expect(out).toContain('Quầy,Đã gửi,Đã trả lời,Hết hạn,Đang chờ,Tỷ lệ phản hồi (%)');
      expect(out).toMatch(/q1,4,1,2,1,25\.0\r\n/);
      expect(out).toMatch(/Tổng số,6,2,2,2,33\.3\r\n/);
    });
  });
});
