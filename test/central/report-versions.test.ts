/**
 * Per-case questionnaire version 1 (the citizen answers all nine indicators) and version 2 (the citizen
 * answers indicators 4 and 7 and two satisfaction questions; 1 and 3 come from the case's facts) in ONE
 * unit and month: the reports show the two apart (issue 10: answers of a question that changed are never
 * added up; issue 11: version 1's answers stay valid and are reported as version 1). Figures worked out by
 * hand from the five responses below.
 *
 *   v1  A  all nine indicators 2                                  total 18
 *   v1  B  all nine indicators 1                                  total  9
 *   v2  C  ind 1: 2, ind 3: 2, ind 4: 1, ind 7: 2; thuận tiện 3, tổng thể 2   total 7
 *   v2  D  ind 1: 1, ind 3: 0, ind 4: 2, ind 7: 2; thuận tiện 2, tổng thể 3   total 5  (ind 3 asked: no facts)
 *   v2  E  ind 1: 2, ind 3: 1, ind 4: 2, ind 7: 1; thuận tiện 1, tổng thể 1   total 6
 *
 * In v2, indicator 1 always comes from the facts (source "system"), indicator 3 too except for D.
 * Between the versions, indicators 3, 4 and 7 were reworded and indicator 1 is taken from the facts
 * (`fromFacts`), so those four are reported apart (`id@v1`, `id@v2`); 2, 5, 6, 8 and 9 are only in v1.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../central/cli/commands.ts';
import type { CentralDb } from '../../central/db/types.ts';
import { ReportRequestError, runReport } from '../../central/reports/run-report.ts';
import { saveReportSettings } from '../../central/reports/settings-store.ts';
import { indicatorColumns } from '../../shared/reports/indicator-columns.ts';
import { ReportQuery, type ReportQueryInput } from '../../shared/reports/query.ts';
import type { PerCaseGroup, ReportResult } from '../../shared/reports/result.ts';
import { openTestDb } from '../support/central.ts';
import { seedQuestionnaire, seedResponses, seedUnitIndicator, seedUnits } from '../support/report-seed.ts';
import { PER_CASE_QUESTIONS } from '../support/responses.ts';
import { defaultQuestionnaire } from '../shared/config-fixtures.ts';
import { forEachBackend } from './backends.ts';

const V1 = defaultQuestionnaire('per-case-v1');
const V2 = defaultQuestionnaire('per-case');
const NOV = { from: '2026-11-01', to: '2026-11-30' };
const NOW = new Date('2026-12-05T00:00:00Z');

const v1Answers = (points: number): Record<string, number> =>
  Object.fromEntries(PER_CASE_QUESTIONS.map((id) => [id, points]));
const v2Answers = (i1: number, i3: number, i4: number, i7: number, convenience: number, overall: number) => ({
  'tong-thoi-gian': i1,
  'so-lan-lien-he': i3,
  'so-co-quan-lien-he': i4,
  'thai-do-can-bo': i7,
  'muc-do-thuan-tien': convenience,
  'danh-gia-tong-the': overall,
});

/** Who answered: indicator 1 always from the facts; indicator 3 from the facts unless the return visits were unknown. */
const sources = (i3: 'system' | 'citizen') =>
  ({
    'tong-thoi-gian': 'system',
    'so-lan-lien-he': i3,
    'so-co-quan-lien-he': 'citizen',
    'thai-do-can-bo': 'citizen',
    'muc-do-thuan-tien': 'citizen',
    'danh-gia-tong-the': 'citizen',
  }) as const;

/** Indicator → [reported key, mean] of a group, in the engine's order. */
const means = (g: PerCaseGroup): [number, string | null, number | null][] =>
  g.indicators.map((i) => [i.indicator, i.question, i.mean]);

forEachBackend('reports: per-case version 1 and version 2 apart', (backend) => {
  let db: CentralDb;
  beforeAll(async () => {
    db = await openTestDb(backend);
    await seedUnits(db, [
      { id: 'xa-phien-ban', name: 'Xã Phiên Bản', kind: 'commune' },
      { id: 'xa-chi-v2', name: 'Xã Chỉ V2', kind: 'commune' },
    ]);
    await seedQuestionnaire(db, V1);
    await seedQuestionnaire(db, V2);
    const base = { unit: 'xa-phien-ban', procedure: '1.001193', field: 'ho-tich' };
    await seedResponses(db, [
      {
        ...base,
        questionnaire: V1,
        submittedAt: '2026-11-03T02:00:00.000Z',
        answers: v1Answers(2),
        caseNumber: 'HS-A',
      },
      {
        ...base,
        questionnaire: V1,
        submittedAt: '2026-11-10T02:00:00.000Z',
        answers: v1Answers(1),
        caseNumber: 'HS-B',
      },
      {
        ...base,
        questionnaire: V2,
        submittedAt: '2026-11-17T02:00:00.000Z',
        answers: v2Answers(2, 2, 1, 2, 3, 2),
        sources: sources('system'),
        caseNumber: 'HS-C',
      },
      {
        ...base,
        questionnaire: V2,
        submittedAt: '2026-11-18T02:00:00.000Z',
        answers: v2Answers(1, 0, 2, 2, 2, 3),
        sources: sources('citizen'),
        caseNumber: 'HS-D',
      },
      {
        ...base,
        questionnaire: V2,
        submittedAt: '2026-11-19T02:00:00.000Z',
        answers: v2Answers(2, 1, 2, 1, 1, 1),
        sources: sources('system'),
        caseNumber: 'HS-E',
      },
      // A second unit answering v2 alone, total 7 of 8 (graded as 15.75), for the ranking of units.
      {
        ...base,
        unit: 'xa-chi-v2',
        questionnaire: V2,
        submittedAt: '2026-11-06T02:00:00.000Z',
        answers: v2Answers(2, 2, 1, 2, 3, 2),
        sources: sources('system'),
      },
    ]);
  });
  afterAll(async () => {
    await db.close();
  });

  const perCase = async (input: Partial<ReportQueryInput>) => {
    const r = await runReport(db, ReportQuery.parse({ report: 'per-case', ...NOV, unit: 'xa-phien-ban', ...input }), {
      viewer: null,
      now: NOW,
    });
    if (r.report !== 'per-case') throw new Error(`expected a per-case result, got ${r.report}`);
    return r;
  };
  const en = (r: ReportResult): string => r.notes.map((n) => n['en'] ?? '').join(' ');

  it('both versions: the changed indicators apart per version, the others from v1 alone, no total', async () => {
    const r = await perCase({});
    expect(r.totals.n).toBe(5);
    const [g] = r.groups;
    expect(means(g!)).toEqual([
      [1, 'tong-thoi-gian@v1', 1.5], // A 2, B 1
      [1, 'tong-thoi-gian@v2', 5 / 3], // from the facts: 2, 1, 2
      [2, 'thoi-gian-tung-co-quan', 1.5],
      [3, 'so-lan-lien-he@v1', 1.5],
      [3, 'so-lan-lien-he@v2', 1], // 2, 0, 1
      [4, 'so-co-quan-lien-he@v1', 1.5],
      [4, 'so-co-quan-lien-he@v2', 5 / 3], // 1, 2, 2
      [5, 'tiep-nhan-tai-mot-cua', 1.5],
      [6, 'cong-khai-tthc', 1.5],
      [7, 'thai-do-can-bo@v1', 1.5],
      [7, 'thai-do-can-bo@v2', 5 / 3], // 2, 2, 1
      [8, 'tiep-thu-giai-trinh', 1.5],
      [9, 'dich-vu-cong-truc-tuyen', 1.5],
    ]);
    // the v1-only indicators count v1's two answers, not the five responses
    expect(g!.indicators.find((i) => i.indicator === 2)).toMatchObject({ valid: 2, counts: { 0: 0, 1: 1, 2: 1 } });
    expect(g!.indicators.find((i) => i.question === 'so-lan-lien-he@v2')).toMatchObject({
      valid: 3,
      counts: { 0: 1, 1: 1, 2: 1 },
    });
    expect(g!.total).toBeNull();
    expect(g!.band).toBeNull();
    // v2's citizen-only questions are there, with v2's three answers
    expect(g!.questions['muc-do-thuan-tien']).toMatchObject({ counts: { '1': 1, '2': 1, '3': 1 }, valid: 3, mean: 2 });
    expect(g!.questions['danh-gia-tong-the']).toMatchObject({ valid: 3, mean: 2 });
    expect(en(r)).toMatch(
      /reported apart per version as id@v<version>: so-co-quan-lien-he, so-lan-lien-he, thai-do-can-bo, tong-thoi-gian\./,
    );
    expect(en(r)).toMatch(/filter one version, or group by questionnaire version, for a total/);
    // the summary's columns: one per version for a changed indicator, labelled with the version
    expect(indicatorColumns(r.groups).map((c) => [c.indicator, c.version])).toEqual([
      [1, 1],
      [1, 2],
      [2, null],
      [3, 1],
      [3, 2],
      [4, 1],
      [4, 2],
      [5, null],
      [6, null],
      [7, 1],
      [7, 2],
      [8, null],
      [9, null],
    ]);
  });

  it('the version 1 filter: A and B only, every indicator under its own id, total 13.5', async () => {
    const r = await perCase({ version: 1 });
    expect(r.totals.n).toBe(2);
    const [g] = r.groups;
    expect(means(g!)).toEqual(PER_CASE_QUESTIONS.map((id, i) => [i + 1, id, 1.5]));
    expect(g!.total).toBe(13.5); // 9 × 1.5
    expect(g!.max).toBe(18);
    expect(g!.band?.label.vi).toBe('Tốt');
    expect(g!.questions['muc-do-thuan-tien']).toBeUndefined();
  });

  it('the version 2 filter: C, D and E only, four indicators, total 6 of 8', async () => {
    const r = await perCase({ version: 2 });
    expect(r.totals.n).toBe(3);
    const [g] = r.groups;
    expect(means(g!)).toEqual([
      [1, 'tong-thoi-gian', 5 / 3],
      [3, 'so-lan-lien-he', 1],
      [4, 'so-co-quan-lien-he', 5 / 3],
      [7, 'thai-do-can-bo', 5 / 3],
    ]);
    expect(g!.total).toBeCloseTo(6, 12); // 5/3 + 1 + 5/3 + 5/3
    expect(g!.max).toBe(8);
    // the bands are written for 18 points: 6 of 8 is graded as 6 × 18 / 8 = 13.5, Tốt (partialTotals 'scaled')
    expect(g!.band?.label.vi).toBe('Tốt');
    expect(g!.questions['muc-do-thuan-tien']).toMatchObject({ valid: 3 });
  });

  it("with partialTotals 'none' a v2 total (out of 8) gets no grade; v1's (out of 18) keeps its own", async () => {
    await saveReportSettings(db, { partialTotals: 'none' }, 'test', NOW);
    try {
      const [v2] = (await perCase({ version: 2 })).groups;
      expect([v2!.total, v2!.band]).toEqual([expect.closeTo(6, 12), null]);
      const [v1] = (await perCase({ version: 1 })).groups;
      expect(v1!.band?.label.vi).toBe('Tốt');
    } finally {
      await saveReportSettings(db, {}, 'test', NOW);
    }
  });

  it('units ranked on the graded total: 7 of 8 (15.75) above 12 of 14 (15.43), which ranks first on raw totals', async () => {
    // Xã Phiên Bản's verified entries for indicators 5, 8 and 9 (2 each) join its v2 cases: 6 + 6 = 12 of 14.
    for (const indicator of [5, 8, 9])
      await seedUnitIndicator(db, { unit: 'xa-phien-ban', year: 2026, quarter: 4, indicator, verified: 2 });
    try {
      const r = await perCase({ unit: null, version: 2, by: ['unit'] });
      const row = (unit: string) => r.groups.find((g) => g.key.unit === unit)!;
      const v2Only = row('xa-chi-v2');
      const withEntries = row('xa-phien-ban');
      expect([v2Only.total, v2Only.max, v2Only.rank, v2Only.band?.label.vi]).toEqual([7, 8, 1, 'Tốt']); // 15.75
      expect([withEntries.max, withEntries.rank, withEntries.band?.label.vi]).toEqual([14, 2, 'Tốt']); // 12 × 18 / 14
      expect(withEntries.total).toBeCloseTo(12, 12);
    } finally {
      await db.query(`DELETE FROM unit_indicator_scores WHERE unit_id = 'xa-phien-ban'`);
    }
  });

  it('grouped by questionnaire version: one row each, with its own indicators and total', async () => {
    const r = await perCase({ by: ['version'] });
    expect(r.groups.map((g) => [g.key.version, g.labels.version, g.n, g.total, g.max])).toEqual([
      ['1', 'v1', 2, 13.5, 18],
      ['2', 'v2', 3, expect.closeTo(6, 12), 8],
    ]);
    const [v1, v2] = r.groups;
    expect(means(v1!)).toEqual([
      [1, 'tong-thoi-gian@v1', 1.5],
      [2, 'thoi-gian-tung-co-quan', 1.5],
      [3, 'so-lan-lien-he@v1', 1.5],
      [4, 'so-co-quan-lien-he@v1', 1.5],
      [5, 'tiep-nhan-tai-mot-cua', 1.5],
      [6, 'cong-khai-tthc', 1.5],
      [7, 'thai-do-can-bo@v1', 1.5],
      [8, 'tiep-thu-giai-trinh', 1.5],
      [9, 'dich-vu-cong-truc-tuyen', 1.5],
    ]);
    expect(means(v2!)).toEqual([
      [1, 'tong-thoi-gian@v2', 5 / 3],
      [3, 'so-lan-lien-he@v2', 1],
      [4, 'so-co-quan-lien-he@v2', 5 / 3],
      [7, 'thai-do-can-bo@v2', 5 / 3],
    ]);
    expect(r.totals.n).toBe(5);
    // each group has its total, so the "no total is given" note is not said
    expect(en(r)).not.toMatch(/no total is given/);
    // grouped by version and month, the same split
    const byMonth = await perCase({ by: ['month', 'version'] });
    expect(byMonth.groups.map((g) => [g.key.month, g.key.version, g.n])).toEqual([
      ['2026-11', '1', 2],
      ['2026-11', '2', 3],
    ]);
  });

  it('per-case list: each row with its version; the points v2 took from the facts marked as such', async () => {
    const list = async (input: Partial<ReportQueryInput>) => {
      const r = await runReport(
        db,
        ReportQuery.parse({ report: 'per-case-list', ...NOV, unit: 'xa-phien-ban', ...input }),
        { viewer: null, now: NOW },
      );
      if (r.report !== 'per-case-list') throw new Error(`expected a per-case list, got ${r.report}`);
      return r;
    };
    const both = await list({});
    // v2 totals out of 8 graded on 18: E 6 → 13.5 Tốt, D 5 → 11.25 (11.3) Khá, C 7 → 15.75 (15.8) Tốt
    expect(both.rows.map((r) => [r.caseNumber, r.band?.label.vi ?? null])).toEqual([
      ['HS-E', 'Tốt'],
      ['HS-D', 'Khá'],
      ['HS-C', 'Tốt'],
      ['HS-B', 'Khá'],
      ['HS-A', 'Xuất sắc'],
    ]);
    expect(both.rows.map((r) => [r.caseNumber, r.version, r.total, r.fromFacts ?? []])).toEqual([
      ['HS-E', 2, 6, [1, 3]],
      ['HS-D', 2, 5, [1]],
      ['HS-C', 2, 7, [1, 3]],
      ['HS-B', 1, 9, []],
      ['HS-A', 1, 18, []],
    ]);
    // the changed indicators' columns are not summed across versions, nor is a mean total given
    expect([both.sums[1], both.sums[3], both.sums[2], both.totalMean]).toEqual([undefined, undefined, 3, null]);
    const v2 = await list({ version: 2 });
    expect(v2.total).toBe(3);
    expect([v2.sums[1], v2.sums[3], v2.sums[4], v2.sums[7]]).toEqual([5, 3, 5, 5]);
    expect(v2.totalMean).toBe(6); // (7 + 5 + 6) / 3
  });

  it('versions in number order: v2 before v10', async () => {
    await seedUnits(db, [{ id: 'xa-muoi', name: 'Xã Mười', kind: 'commune' }]);
    const v10 = { ...V1, version: 10 };
    await seedQuestionnaire(db, v10);
    const base = { unit: 'xa-muoi', procedure: '1.001193', field: 'ho-tich', submittedAt: '2026-11-20T02:00:00.000Z' };
    await seedResponses(db, [
      { ...base, questionnaire: v10, answers: v1Answers(2) },
      { ...base, questionnaire: V2, answers: v2Answers(2, 2, 2, 2, 3, 3), sources: sources('system') },
    ]);
    const r = await perCase({ unit: 'xa-muoi', by: ['version'] });
    expect(r.groups.map((g) => [g.labels.version, g.total])).toEqual([
      ['v2', 8],
      ['v10', 18],
    ]);
  });

  it('the invitations report cannot be grouped by version: refused before any work', async () => {
    await expect(
      runReport(db, ReportQuery.parse({ report: 'invitations', ...NOV, by: ['version'] }), { viewer: null, now: NOW }),
    ).rejects.toThrow(
      new ReportRequestError(
        'bad_query',
        'the invitations report cannot be grouped by questionnaire version (an invitation is sent before any questionnaire is answered)',
      ),
    );
  });

  describe('centralctl report', () => {
    const ctl = async (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
      let stdout = '';
      let stderr = '';
      const code = await runCommand(['report', ...args], {
        db,
        centralKey: () => {
          throw new Error('not used');
        },
        cwd: process.cwd(),
        out: (t) => (stdout += t),
        err: (t) => (stderr += t),
        now: () => NOW,
      });
      return { code, stdout, stderr };
    };
    const unit = ['per-case', '--period', '2026-11', '--unit', 'xa-phien-ban'];

    it('--by version: the two versions as two groups', async () => {
      const r = await ctl([...unit, '--by', 'version']);
      expect(r.code).toBe(0);
      const json = JSON.parse(r.stdout) as { groups: PerCaseGroup[] };
      expect(json.groups.map((g) => [g.key.version, g.n, g.total])).toEqual([
        ['1', 2, 13.5],
        ['2', 3, expect.closeTo(6, 12)],
      ]);
    });

    it('--version 1 and --version 2 each select one version', async () => {
      const one = JSON.parse((await ctl([...unit, '--version', '1'])).stdout) as { totals: { n: number } };
      const two = JSON.parse((await ctl([...unit, '--version', '2'])).stdout) as { groups: PerCaseGroup[] };
      expect(one.totals.n).toBe(2);
      expect(two.groups[0]!.n).toBe(3);
      expect(two.groups[0]!.total).toBeCloseTo(6, 12);
    });

    it('CSV: the summary has a column per version for each changed indicator', async () => {
      const r = await ctl([...unit, '--format', 'csv']);
      expect(r.code).toBe(0);
      const header = r.stdout.split('\n').find((l) => l.includes('Chỉ số 1'))!;
      expect(header).toContain('Chỉ số 1 (phiên bản 1) — điểm bình quân');
      expect(header).toContain('Chỉ số 1 (phiên bản 2) — điểm bình quân');
      expect(header).toContain('Chỉ số 2 — điểm bình quân');
      expect(header).toContain('Chỉ số 3 (phiên bản 2) — điểm bình quân');
    });

    it('CSV of the per-case list: the version and the indicators taken from the case facts', async () => {
      const r = await ctl(['per-case-list', '--period', '2026-11', '--unit', 'xa-phien-ban', '--format', 'csv']);
      expect(r.code).toBe(0);
      const lines = r.stdout.split('\n');
      expect(lines.find((l) => l.includes('Mã hồ sơ'))).toMatch(/Phiếu.*Chỉ số lấy từ dữ liệu hồ sơ/);
      expect(lines.find((l) => l.includes('HS-E'))).toMatch(/per-case v2.*,1,"1, 3"\r?$/); // overall 1, then the facts' indicators
      expect(lines.find((l) => l.includes('HS-D'))).toMatch(/per-case v2.*,3,1\r?$/); // overall 3; indicator 3 was asked
      expect(lines.find((l) => l.includes('HS-A'))).toMatch(/per-case v1.*,—,—\r?$/); // v1 asks no overall; nothing from facts
    });

    it('a misspelt grouping is refused by name, listing version among the groupings', async () => {
      const r = await ctl([...unit, '--by', 'versoin']);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toBe(
        'centralctl report: unknown grouping "versoin"; group by unit, field, procedure, officer, counter, month, quarter, version\n',
      );
    });
  });
});
