import { beforeAll, afterAll, describe, expect, it } from 'vitest';
import type { CentralDb } from '../../central/db/types.ts';
import { ReportRequestError, type ReportViewer, runReport } from '../../central/reports/run-report.ts';
import { ReportQuery, type ReportQueryInput } from '../../shared/reports/query.ts';
import type { PerCaseGroup, ReportResult } from '../../shared/reports/result.ts';
import { openTestDb } from '../support/central.ts';
import { seedQuestionnaire, seedResponses, seedUnitIndicator, seedUnits } from '../support/report-seed.ts';
import { Questionnaire } from '../../shared/questionnaire.ts';
import { forEachBackend } from './backends.ts';
import { INDICATOR_IDS, perCase, seedProvince } from './report-fixture.ts';

const NOW = new Date('2026-03-01T00:00:00Z');
const JAN_FEB = { from: '2026-01-01', to: '2026-02-28' };

type Of<K extends ReportResult['report']> = Extract<ReportResult, { report: K }>;

forEachBackend('report engine', (backend) => {
  let db: CentralDb;
  let ids: Record<string, string>;
  beforeAll(async () => {
    db = await openTestDb(backend);
    ids = await seedProvince(db);
  });
  afterAll(async () => {
    await db.close();
  });

  const run = async <K extends ReportResult['report']>(
    input: ReportQueryInput & { report: K },
    viewer: ReportViewer | null = null,
    forceDaily = false,
  ): Promise<Of<K>> => (await runReport(db, ReportQuery.parse(input), { viewer, now: NOW, forceDaily })) as Of<K>;

  /** A result's notes in one language (every note carries vi and en). */
  const en = (r: ReportResult): string[] => r.notes.map((n) => n['en'] ?? '');
  const vi = (r: ReportResult): string[] => r.notes.map((n) => n['vi'] ?? '');

  const totals = (groups: PerCaseGroup[], by: 'unit' | 'procedure' | 'month' | 'officer') =>
    Object.fromEntries(groups.map((g) => [g.key[by], g.total]));

  describe('per-case', () => {
    it('ungrouped province: counts, completion, flagged apart', async () => {
      const r = await run({ report: 'per-case', ...JAN_FEB, unit: 'tinh', withSubunits: true });
      expect(r.filters.units).toEqual(['tinh', 'xa-a', 'xa-a-cn', 'xa-b']);
      // the units' names travel with the result, so an export names them without a database
      expect(r.filters.unitNames).toEqual({
        tinh: 'Tỉnh Thử Nghiệm',
        'xa-a': 'Xã A',
        'xa-a-cn': 'Chi nhánh Xã A',
        'xa-b': 'Xã B',
      });
      // complete r1..r6 = 6, abandoned a1 = 1, flagged f1 = 1 (left out); completion 6 / 7
      expect(r.totals).toEqual({
        n: 6,
        complete: 6,
        abandoned: 1,
        completionPercent: (6 / 7) * 100,
        flagged: 1,
        flaggedIncluded: false,
      });
      const [g] = r.groups;
      // total = mean of the six totals: (18 + 9 + 14 + 0 + 17 + 15) / 6 = 73 / 6
      expect(g!.total).toBeCloseTo(73 / 6, 12);
      expect(g!.band?.label.vi).toBe('Tốt'); // 12.17 shows as 12.2
      expect(g!.max).toBe(18);
      // indicator 1: 2 (r1), 1 (r2), 2 (r3), 0 (r4), 2 (r5), 2 (r6) → counts 0:1, 1:1, 2:4; mean 9 / 6 = 1.5
      const i1 = g!.indicators[0]!;
      expect(i1).toMatchObject({
        indicator: 1,
        question: 'tong-thoi-gian',
        counts: { 0: 1, 1: 1, 2: 4 },
        valid: 6,
        mean: 1.5,
        source: 'cases',
      });
      expect(i1.shares[2]).toBeCloseTo((4 / 6) * 100, 12);
      expect(g!.questions['tong-thoi-gian']).toEqual({ counts: { '0': 1, '1': 1, '2': 4 }, valid: 6, mean: 1.5 });
      expect(g!.rank).toBeUndefined();
      expect(en(r).join(' ')).toMatch(/Flagged responses .* left out/);
    });

    it('every note carries Vietnamese (for the print layout and exports) and English', async () => {
      const base = { ...JAN_FEB, unit: 'tinh', withSubunits: true };
      const results: ReportResult[] = [
        await run({ report: 'per-case', ...base, by: ['unit'] }),
        await run({ report: 'sipas', ...base }),
        await run({ report: 'quick', ...base }),
        await run({ report: 'per-case-list', ...base }),
        await run({ report: 'comments', ...base }),
      ];
      for (const r of results) {
        expect(r.notes.length).toBeGreaterThan(0);
        for (const n of r.notes) {
          expect(Object.keys(n).sort()).toEqual(['en', 'vi']);
          expect(n['vi']).toMatch(/[àáảãạăắằẳẵặâấầẩẫậđèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵ]/);
          expect(n['vi']).not.toBe(n['en']);
        }
        expect(vi(r)[0]).toBe(
          'Kỳ báo cáo từ ngày 01/01/2026 đến ngày 28/02/2026, tính theo thời điểm người đánh giá gửi phiếu, giờ Việt Nam (UTC+7).',
        );
      }
      // the per-case formula names the bands in each language, with the figure as that language writes it
      expect(vi(results[0]!).join(' ')).toMatch(/Xuất sắc từ 16 điểm, Tốt từ 12 điểm/);
      expect(en(results[0]!).join(' ')).toMatch(/Excellent from 16, Good from 12/);
    });

    it('grouped by unit with sub-units: totals, bands, ranks; a parent unit without responses has no group', async () => {
      const r = await run({ report: 'per-case', ...JAN_FEB, unit: 'tinh', withSubunits: true, by: ['unit'] });
      // xa-a: (18 + 9 + 14) / 3 = 41/3 = 13.67 Tốt; xa-a-cn: 0 Yếu; xa-b: (17 + 15) / 2 = 16 Xuất sắc.
      // tinh has no responses of its own and its communes are in the selection: no empty group for it (it
      // used to be an empty row and bar beside its communes). xa-a has a sub-unit too but responses of its own.
      const byUnit = Object.fromEntries(r.groups.map((g) => [g.key.unit, g]));
      expect(byUnit['xa-a']!.total).toBeCloseTo(41 / 3, 12);
      expect(byUnit['xa-a-cn']!.total).toBe(0);
      expect(byUnit['xa-b']!.total).toBe(16);
      expect(byUnit['tinh']).toBeUndefined();
      expect(r.groups.map((g) => [g.key.unit, g.labels.unit, g.band?.label.vi ?? null, g.rank ?? null])).toEqual([
        ['xa-a', 'Xã A', 'Tốt', 2],
        ['xa-a-cn', 'Chi nhánh Xã A', 'Yếu', 3],
        ['xa-b', 'Xã B', 'Xuất sắc', 1],
      ]);
      expect(byUnit['xa-a']!).toMatchObject({ n: 3, complete: 3, abandoned: 1, flagged: 0 });
      expect(byUnit['xa-b']!).toMatchObject({ n: 2, flagged: 1 });
    });

    it('unit alone vs with its sub-units', async () => {
      const alone = await run({ report: 'per-case', ...JAN_FEB, unit: 'xa-a' });
      expect(alone.filters.units).toEqual(['xa-a']);
      expect(alone.groups[0]!.total).toBeCloseTo(41 / 3, 12);
      const withSub = await run({ report: 'per-case', ...JAN_FEB, unit: 'xa-a', withSubunits: true });
      expect(withSub.filters.units).toEqual(['xa-a', 'xa-a-cn']);
      // (18 + 9 + 14 + 0) / 4 = 10.25 Khá
      expect(withSub.groups[0]!.total).toBeCloseTo(10.25, 12);
      expect(withSub.groups[0]!.band?.label.vi).toBe('Khá');
    });

    it('grouped by procedure and by month, with names', async () => {
      const byProc = await run({ report: 'per-case', ...JAN_FEB, unit: 'tinh', withSubunits: true, by: ['procedure'] });
      // 1.001193: r1, r3, r4 → (18 + 14 + 0) / 3 = 32/3; 2.000908: r2, r5, r6 → (9 + 17 + 15) / 3 = 41/3
      expect(totals(byProc.groups, 'procedure')['1.001193']).toBeCloseTo(32 / 3, 12);
      expect(totals(byProc.groups, 'procedure')['2.000908']).toBeCloseTo(41 / 3, 12);
      expect(byProc.groups.map((g) => g.labels.procedure)).toEqual([
        'Thủ tục đăng ký khai sinh',
        'Cấp bản sao từ sổ gốc',
      ]);
      expect(byProc.groups.every((g) => g.rank === undefined)).toBe(true);
      const byMonth = await run({ report: 'per-case', ...JAN_FEB, unit: 'tinh', withSubunits: true, by: ['month'] });
      // 2026-01: r1, r2, r4, r5 → (18 + 9 + 0 + 17) / 4 = 11; 2026-02: r3, r6 → (14 + 15) / 2 = 14.5
      expect(totals(byMonth.groups, 'month')).toEqual({ '2026-01': 11, '2026-02': 14.5 });
      const byQuarter = await run({
        report: 'per-case',
        ...JAN_FEB,
        unit: 'tinh',
        withSubunits: true,
        by: ['quarter'],
      });
      expect(byQuarter.groups.map((g) => g.key.quarter)).toEqual(['2026-Q1']);
      expect(byQuarter.groups[0]!.total).toBeCloseTo(73 / 6, 12);
    });

    it('ranks officers with a tie (1, 1, 3, 4)', async () => {
      const r = await run({ report: 'per-case', ...JAN_FEB, unit: 'tinh', withSubunits: true, by: ['officer'] });
      // cb1: (18 + 14) / 2 = 16; cb4: (17 + 15) / 2 = 16; cb2: 9; cb3: 0
      expect(r.groups.map((g) => [g.key.officer, g.total, g.rank])).toEqual([
        ['cb1', 16, 1],
        ['cb2', 9, 3],
        ['cb3', 0, 4],
        ['cb4', 16, 1],
      ]);
    });

    it('flagged responses are included with the switch', async () => {
      const r = await run({ report: 'per-case', ...JAN_FEB, unit: 'xa-b', includeFlagged: true });
      // r5, r6, f1: (17 + 15 + 0) / 3 = 32/3 = 10.67 Khá
      expect(r.groups[0]).toMatchObject({ n: 3, flagged: 1, flaggedIncluded: true });
      expect(r.groups[0]!.total).toBeCloseTo(32 / 3, 12);
      expect(r.groups[0]!.band?.label.vi).toBe('Khá');
    });

    it("unit-level entries replace indicators 5, 8, 9 of a unit's group, saying where they came from", async () => {
      // xa-b, 2026 Q1: 5 verified 2 (self 1), 8 self-assessed 2 only, 9 none (cases stand)
      await seedUnitIndicator(db, { unit: 'xa-b', year: 2026, quarter: 1, indicator: 5, self: 1, verified: 2 });
      await seedUnitIndicator(db, { unit: 'xa-b', year: 2026, quarter: 1, indicator: 8, self: 2 });
      try {
        const r = await run({ report: 'per-case', ...JAN_FEB, unit: 'tinh', withSubunits: true, by: ['unit'] });
        const xaB = r.groups.find((g) => g.key.unit === 'xa-b')!;
        const ind = Object.fromEntries(xaB.indicators.map((i) => [i.indicator, [i.mean, i.source]]));
        // cases: 5 → (1 + 1) / 2 = 1, 8 → (2 + 1) / 2 = 1.5, 9 → (2 + 1) / 2 = 1.5
        expect(ind[5]).toEqual([2, 'unit-verified']);
        expect(ind[8]).toEqual([2, 'unit-self']);
        expect(ind[9]).toEqual([1.5, 'cases']);
        // 16 − 1 + 2 (ind. 5) − 1.5 + 2 (ind. 8) = 17.5
        expect(xaB.total).toBe(17.5);
        // the cases' counts stay visible
        expect(xaB.indicators.find((i) => i.indicator === 5)!.counts).toEqual({ 0: 0, 1: 2, 2: 0 });
        // xa-a has no entries: its figures are the cases'
        expect(r.groups.find((g) => g.key.unit === 'xa-a')!.indicators.every((i) => i.source === 'cases')).toBe(true);
        // grouped by procedure a group is not one unit: entries are not used
        const byProc = await run({ report: 'per-case', ...JAN_FEB, unit: 'xa-b', by: ['procedure'] });
        expect(byProc.groups[0]!.total).toBe(16);
        // a single unit's ungrouped report uses them
        const single = await run({ report: 'per-case', ...JAN_FEB, unit: 'xa-b' });
        expect(single.groups[0]!.total).toBe(17.5);
        expect(en(single).join(' ')).toMatch(/Indicators 5, 8, 9 describe the unit/);
        expect(en(single)).toContain('Unit "xa-b", indicator 5: from its verified entries (2026-Q1).');
        expect(en(single)).toContain('Unit "xa-b", indicator 8: from its self-assessed entries (2026-Q1).');
        expect(vi(single)).toContain('Đơn vị "xa-b", chỉ số 5: lấy từ điểm đã thẩm định do đơn vị nhập (quý 1/2026).');
        expect(vi(single)).toContain('Đơn vị "xa-b", chỉ số 8: lấy từ điểm tự đánh giá do đơn vị nhập (quý 1/2026).');
        // a period in Q2 touches no entry
        const q2 = await run({ report: 'per-case', from: '2026-04-01', to: '2026-04-30', unit: 'xa-b' });
        expect(q2.groups[0]!.indicators.every((i) => i.source === 'cases')).toBe(true);
      } finally {
        await db.query("DELETE FROM unit_indicator_scores WHERE unit_id = 'xa-b'");
      }
    });

    it('an indicator reworded in a new version is shown per version, with no total unless one version is chosen', async () => {
      // xa-c, a unit outside the province tree: one v1 case all 2, one v2 case (indicator 1 reworded) all 1
      const v2 = Questionnaire.parse({
        ...perCase,
        version: 2,
        questions: perCase.questions.map((q) =>
          q.id === 'tong-thoi-gian' ? { ...q, text: { ...q.text, vi: 'Thời gian giải quyết so với quy định' } } : q,
        ),
      });
      await seedUnits(db, [{ id: 'xa-c', name: 'Xã C', kind: 'commune' }]);
      await seedQuestionnaire(db, v2);
      const base = { unit: 'xa-c', submittedAt: '2026-01-15T03:00:00.000Z', procedure: '1.001193', field: 'ho-tich' };
      await seedResponses(db, [
        { ...base, questionnaire: perCase, answers: Object.fromEntries(INDICATOR_IDS.map((id) => [id, 2])) },
        { ...base, questionnaire: v2, answers: Object.fromEntries(INDICATOR_IDS.map((id) => [id, 1])) },
      ]);
      const both = await run({ report: 'per-case', ...JAN_FEB, unit: 'xa-c' });
      const g = both.groups[0]!;
      expect(g.indicators.filter((i) => i.indicator === 1).map((i) => [i.question, i.mean])).toEqual([
        ['tong-thoi-gian@v1', 2],
        ['tong-thoi-gian@v2', 1],
      ]);
      // indicator 2 did not change: both cases under its id, mean (2 + 1) / 2
      expect(g.indicators.find((i) => i.indicator === 2)).toMatchObject({
        question: 'thoi-gian-tung-co-quan',
        mean: 1.5,
      });
      expect(g.total).toBeNull();
      expect(g.band).toBeNull();
      expect(en(both).join(' ')).toMatch(/tong-thoi-gian/);
      expect(en(both).join(' ')).toMatch(/no total is given/);
      const onlyV2 = await run({ report: 'per-case', ...JAN_FEB, unit: 'xa-c', version: 2 });
      expect(onlyV2.groups[0]!.indicators[0]!.question).toBe('tong-thoi-gian');
      expect(onlyV2.groups[0]!.total).toBe(9);
      // the list: indicator 1's column is not summed across the two versions, nor is a mean total given
      const list = await run({ report: 'per-case-list', ...JAN_FEB, unit: 'xa-c' });
      expect(list.total).toBe(2);
      expect(list.sums[1]).toBeUndefined();
      expect(list.sums[2]).toBe(3); // 2 + 1
      expect(list.totalMean).toBeNull();
      expect(en(list).join(' ')).toMatch(/Indicator\(s\) 1 changed/);
      const listV1 = await run({ report: 'per-case-list', ...JAN_FEB, unit: 'xa-c', version: 1 });
      expect([listV1.sums[1], listV1.totalMean]).toEqual([2, 18]);
    });

    it('an empty period gives one empty group', async () => {
      const r = await run({
        report: 'per-case',
        from: '2025-01-01',
        to: '2025-01-31',
        unit: 'tinh',
        withSubunits: true,
      });
      expect(r.totals).toMatchObject({ n: 0, completionPercent: null, flagged: 0 });
      expect(r.groups).toHaveLength(1);
      expect(r.groups[0]).toMatchObject({ key: {}, total: null, band: null, n: 0 });
    });

    it('an empty period grouped by unit: a unit without sub-units in the selection still shows, empty', async () => {
      const empty = { report: 'per-case' as const, from: '2025-01-01', to: '2025-01-31', by: ['unit' as const] };
      const tree = await run({ ...empty, unit: 'tinh', withSubunits: true });
      // tinh and xa-a have units under them in the selection: left out; the branch and xa-b are the leaves.
      expect(tree.groups.map((g) => [g.key.unit, g.n, g.total, g.rank ?? null])).toEqual([
        ['xa-a-cn', 0, null, null],
        ['xa-b', 0, null, null],
      ]);
      // xa-a alone: its branch is not in the selection, so xa-a is a leaf here and shows.
      const alone = await run({ ...empty, unit: 'xa-a' });
      expect(alone.groups.map((g) => [g.key.unit, g.n])).toEqual([['xa-a', 0]]);
    });
  });

  describe('monthly and daily reads agree', () => {
    const ranges = [
      { from: '2025-12-15', to: '2026-02-10' }, // daily edge, monthly January, daily edge
      { from: '2026-01-11', to: '2026-03-31' }, // daily edge, monthly February-March
      { from: '2026-01-01', to: '2026-02-28' }, // whole months only
      { from: '2026-01-11', to: '2026-02-10' }, // no whole month
    ];
    it.each(ranges)('$from .. $to', async (range) => {
      for (const report of ['per-case', 'sipas', 'quick'] as const) {
        for (const by of [[], ['unit'], ['month', 'procedure'], ['unit', 'field']] as ReportQueryInput['by'][]) {
          const q = { report, ...range, unit: 'tinh', withSubunits: true, by };
          expect(await run(q)).toEqual(await run(q, null, true));
        }
      }
    });

    it('whole months really are read from the smallest table that answers (so the equality above compares two reads)', async () => {
      // A marker count only in one table: the planner's read sees it when it reads that table, the forced
      // daily read never does.
      const marker = {
        report_monthly: `INSERT INTO report_monthly (unit_id, month, questionnaire_id, version, field_code, procedure_code, flagged, question_id, value, n)
           VALUES ('xa-b', '2026-01-01', 'quick', 1, 'bao-tro-xa-hoi', '1.001776', false, '_status', 'abandoned', 5)`,
        report_monthly_unit: `INSERT INTO report_monthly_unit (unit_id, month, questionnaire_id, version, flagged, question_id, value, n)
           VALUES ('xa-b', '2026-01-01', 'quick', 1, false, '_status', 'abandoned', 7)`,
        report_monthly_tree: `INSERT INTO report_monthly_tree (ancestor_id, month, questionnaire_id, version, field_code, procedure_code, flagged, question_id, value, n)
           VALUES ('tinh', '2026-01-01', 'quick', 1, 'bao-tro-xa-hoi', '1.001776', false, '_status', 'abandoned', 11)`,
      };
      for (const sql of Object.values(marker)) await db.query(sql);
      try {
        const q = { report: 'quick' as const, from: '2025-12-15', to: '2026-02-10', unit: 'xa-b' };
        // one unit, no field or procedure: the roll-up per unit
        expect((await run(q)).totals.abandoned).toBe(7);
        expect((await run(q, null, true)).totals.abandoned).toBe(0);
        // a field filter needs report_monthly
        expect((await run({ ...q, field: 'bao-tro-xa-hoi' })).totals.abandoned).toBe(5);
        // with a counter filter the same range reads report_daily only
        expect((await run({ ...q, counter: 'q9' })).totals.abandoned).toBe(0);
        // the province with everything under it, not by unit: its own rows and its tree rows
        const tree = { ...q, unit: 'tinh', withSubunits: true };
        expect((await run(tree)).totals.abandoned).toBe(11);
        expect((await run({ ...tree, by: ['procedure'] })).totals.abandoned).toBe(11);
        // ... by unit: each unit's own rows (xa-b's marker in the roll-up per unit)
        expect((await run({ ...tree, by: ['unit'] })).totals.abandoned).toBe(7);
      } finally {
        for (const table of Object.keys(marker))
          await db.query(
            `DELETE FROM ${table} WHERE question_id = '_status' AND value = 'abandoned' AND n IN (5, 7, 11)`,
          );
      }
    });

    it('a partial range counts only its days', async () => {
      // 2026-01-11 .. 2026-02-10: r2, r4, r5, r3, r6 (r1 on 01-10 and f1 on 02-11 are outside)
      const r = await run({
        report: 'per-case',
        from: '2026-01-11',
        to: '2026-02-10',
        unit: 'tinh',
        withSubunits: true,
      });
      expect(r.totals).toMatchObject({ n: 5, abandoned: 1, flagged: 0 });
      // (9 + 0 + 17 + 14 + 15) / 5 = 11
      expect(r.groups[0]!.total).toBeCloseTo(11, 12);
    });
  });

  describe('SIPAS and quick', () => {
    it('SIPAS: question, element and overall indices; an element without answers is left out', async () => {
      const r = await run({ report: 'sipas', ...JAN_FEB, unit: 'xa-a' });
      const g = r.groups[0]!;
      // tiep-can: cho-ngoi 5 ✓ / 2 ✗ = 50, trang-thiet-bi 4 ✓ / 4 ✓ = 100 → 75
      // thu-tuc: niem-yet 3 ✗ / 4 ✓ = 50, the other three 0 → 12.5; cong-chuc: all ✓ → 100; ket-qua: 4 ✓ / 1 ✗ → 50
      // gop-y: no answers → null; overall (75 + 12.5 + 100 + 50) / 4 = 59.375
      expect(g.elements.map((e) => [e.id, e.index])).toEqual([
        ['tiep-can', 75],
        ['thu-tuc', 12.5],
        ['cong-chuc', 100],
        ['ket-qua', 50],
        ['gop-y', null],
      ]);
      expect(g.index).toBe(59.375);
      expect(g.questions['tiep-can-cho-ngoi']).toEqual({
        counts: { '2': 1, '5': 1 },
        valid: 2,
        mean: 3.5,
        satisfiedPercent: 50,
      });
      expect(g.questions['da-gop-y']).toEqual({ counts: { false: 2 }, valid: 2, mean: null });
      expect(g.elements[0]!.name?.vi).toBeTruthy();
      expect(en(r).join(' ')).toMatch(/not published/);
    });

    it('quick: satisfied shares, reasons, and a reworded question split by version', async () => {
      const r = await run({ report: 'quick', ...JAN_FEB, unit: 'xa-b' });
      const g = r.groups[0]!;
      // overall 5 ✓, 2 ✗, 4 ✓ → 2/3; time reworded in v2: time@v1 3 ✓ 1 ✗ → 50, time@v2 2 ✓ → 100
      expect(g.satisfied['overall']).toBeCloseTo(200 / 3, 12);
      expect(g.satisfied['attitude']).toBeCloseTo(200 / 3, 12);
      expect(g.satisfied['time@v1']).toBe(50);
      expect(g.satisfied['time@v2']).toBe(100);
      expect(g.satisfied['time']).toBeUndefined();
      expect(g.reasons).toEqual({ problems: { 'cho-lau': 2, 'thai-do': 1, 'huong-dan': 1 } });
      expect(g.questions['overall']!.mean).toBeCloseTo(11 / 3, 12);
      expect(en(r).join(' ')).toMatch(/reported apart per version as id@v<version>: time\./);
    });

    it('a response at 00:30 in Vietnam (17:30 UTC the day before) counts in its Vietnamese month', async () => {
      const r = await run({ report: 'quick', ...JAN_FEB, unit: 'xa-b', by: ['month'] });
      expect(r.groups.map((g) => [g.key.month, g.n])).toEqual([
        ['2026-01', 2],
        ['2026-02', 1],
      ]);
    });
  });

  describe('lists', () => {
    it('per-case list: newest first, paged; sums and means over every matching row', async () => {
      const r = await run({ report: 'per-case-list', ...JAN_FEB, unit: 'xa-a', limit: 2 });
      expect(r.total).toBe(3);
      expect(r.rows.map((x) => x.caseNumber)).toEqual(['HS-003', 'HS-002']);
      expect(r.rows[0]).toMatchObject({
        responseId: ids['r3'],
        total: 14,
        officer: 'cb1',
        counter: 'q1',
        unit: 'xa-a',
      });
      expect(r.rows[0]!.band?.label.vi).toBe('Tốt');
      expect(r.rows[0]!.points).toEqual({ 1: 2, 2: 1, 3: 2, 4: 1, 5: 2, 6: 1, 7: 2, 8: 1, 9: 2 });
      // indicator 1 over r1, r2, r3: 2 + 1 + 2 = 5, mean 5/3; total mean (18 + 9 + 14) / 3 = 41/3
      expect(r.sums[1]).toBe(5);
      expect(r.means[1]).toBeCloseTo(5 / 3, 12);
      expect(r.totalMean).toBeCloseTo(41 / 3, 12);
      const page2 = await run({ report: 'per-case-list', ...JAN_FEB, unit: 'xa-a', limit: 2, offset: 2 });
      expect(page2.rows.map((x) => x.caseNumber)).toEqual(['HS-001']);
      expect(page2.filters.unitNames).toEqual({ 'xa-a': 'Xã A' }); // lists name their units too
      const found = await run({
        report: 'per-case-list',
        ...JAN_FEB,
        unit: 'tinh',
        withSubunits: true,
        search: 'hs-00',
      });
      expect(found.total).toBe(6);
    });

    it('comments: lowest score first, search without diacritics', async () => {
      const r = await run({ report: 'comments', ...JAN_FEB, unit: 'tinh', withSubunits: true });
      // k2 score (0.25 + 0.25 + 0) / 3 = 0.17, r2 9/18 = 0.5, k1 (1 + 0.75 + 1) / 3 = 0.92
      expect(r.rows.map((x) => x.responseId)).toEqual([ids['k2'], ids['r2'], ids['k1']]);
      expect(r.total).toBe(3);
      const folded = await run({
        report: 'comments',
        ...JAN_FEB,
        unit: 'tinh',
        withSubunits: true,
        search: 'NHIET TINH',
      });
      expect(folded.rows.map((x) => x.comment)).toEqual(['Cán bộ thiếu nhiệt tình, đợi lâu']);
      const dd = await run({ report: 'comments', ...JAN_FEB, unit: 'tinh', withSubunits: true, search: 'đợi' });
      expect(dd.rows.map((x) => x.responseId)).toEqual([ids['k2']]);
      const literal = await run({ report: 'comments', ...JAN_FEB, unit: 'tinh', withSubunits: true, search: '%' });
      expect(literal.total).toBe(0);
    });
  });

  describe('access and bad input', () => {
    const viewerA: ReportViewer = { username: 'xem-a', role: 'unit_viewer', unitId: 'xa-a' };
    const refused = async (input: ReportQueryInput, viewer: ReportViewer | null = null) => {
      try {
        await run(input as ReportQueryInput & { report: 'per-case' }, viewer);
      } catch (e) {
        if (e instanceof ReportRequestError) return { code: e.code, message: e.message };
        throw e;
      }
      throw new Error('expected a refusal');
    };

    it('a unit viewer sees their unit (and under it), never another', async () => {
      const own = await run({ report: 'per-case', ...JAN_FEB, unit: null, withSubunits: true }, viewerA);
      expect(own.filters.unit).toBe('xa-a');
      expect(own.filters.units).toEqual(['xa-a', 'xa-a-cn']);
      const branch = await run({ report: 'per-case', ...JAN_FEB, unit: 'xa-a-cn' }, viewerA);
      expect(branch.groups[0]!.total).toBe(0);
      expect(await refused({ report: 'per-case', ...JAN_FEB, unit: 'xa-b' }, viewerA)).toEqual({
        code: 'not_allowed',
        message: 'unit "xa-b" is not yours to see',
      });
      expect((await refused({ report: 'per-case', ...JAN_FEB, unit: 'tinh' }, viewerA)).code).toBe('not_allowed');
      // an id that does not exist is refused the same way: ids cannot be probed
      expect((await refused({ report: 'per-case', ...JAN_FEB, unit: 'khong-co' }, viewerA)).code).toBe('not_allowed');
    });

    it('officer figures only for the roles in the settings', async () => {
      expect(await refused({ report: 'per-case', ...JAN_FEB, by: ['officer'] }, viewerA)).toEqual({
        code: 'not_allowed',
        message: 'figures per officer are not shown to your role',
      });
      expect((await refused({ report: 'per-case', ...JAN_FEB, officer: 'cb1' }, viewerA)).code).toBe('not_allowed');
      const list = await run({ report: 'per-case-list', ...JAN_FEB }, viewerA);
      expect(list.rows.every((x) => x.officer === null)).toBe(true);
      const admin: ReportViewer = { username: 'admin', role: 'province_admin', unitId: null };
      const byOfficer = await run({ report: 'per-case', ...JAN_FEB, unit: 'xa-a', by: ['officer'] }, admin);
      expect(byOfficer.groups.map((g) => g.key.officer)).toEqual(['cb1', 'cb2']);
    });

    it('unknown unit, reversed range, ten years, a grouping twice', async () => {
      expect(await refused({ report: 'per-case', ...JAN_FEB, unit: 'khong-co' })).toEqual({
        code: 'unknown_unit',
        message: 'there is no unit "khong-co"',
      });
      expect(await refused({ report: 'per-case', from: '2026-02-01', to: '2026-01-01' })).toEqual({
        code: 'bad_range',
        message: 'the period is reversed: 2026-02-01 is after 2026-01-01',
      });
      expect(await refused({ report: 'per-case', from: '2016-01-01', to: '2025-12-31' })).toEqual({
        code: 'bad_range',
        message: 'the period covers 3653 days; a report covers at most 1096',
      });
      expect((await refused({ report: 'per-case', ...JAN_FEB, by: ['unit', 'unit'] })).code).toBe('bad_query');
    });

    it('an unknown grouping or a malformed date never reaches the engine (the query schema refuses it)', () => {
      expect(ReportQuery.safeParse({ report: 'per-case', ...JAN_FEB, by: ['tinh'] }).success).toBe(false);
      expect(ReportQuery.safeParse({ report: 'per-case', from: '2026-02-30', to: '2026-03-01' }).success).toBe(false);
    });
  });
});
