import { beforeAll, describe, expect, test } from 'vitest';
import { cspSafeSvg } from '../../central/console/svg-chart.ts';
import { ReportRequestError, type RunReportOptions, type runReport } from '../../central/reports/run-report.ts';
import { saveReportSettings } from '../../central/reports/settings-store.ts';
import type { ReportQuery } from '../../shared/reports/query.ts';
import type {
  GroupKey,
  PerCaseGroup,
  PerCaseIndicator,
  QuickGroup,
  ReportResult,
  ResponseCounts,
  SipasGroup,
} from '../../shared/reports/result.ts';
import { ConsoleClient, makeAccount } from '../support/console-client.ts';
import { sharedCentral } from './backends.ts';

/**
 * The reports page (central/console/pages/reports) against a fake of the ENGINE only (runReport,
 * someone else's unit, through the console's runReport option): the fake records each query it is
 * asked and answers a hand-built ReportResult. Everything else is real: the server, sessions, the
 * unit tree in the database, the settings store, the page's own checks and rendering.
 */

type Call = { query: ReportQuery; viewer: RunReportOptions['viewer'] };
const calls: Call[] = [];
let answer: (q: ReportQuery) => ReportResult = () => {
  throw new Error('no answer set');
};
const fakeEngine: typeof runReport = async (_db, query, options) => {
  calls.push({ query, viewer: options.viewer });
  return answer(query);
};

const counts = (n: number, more: Partial<ResponseCounts> = {}): ResponseCounts => ({
  n,
  complete: n,
  abandoned: 0,
  completionPercent: 100,
  flagged: 0,
  flaggedIncluded: false,
  ...more,
});

const indicator = (n: number, c: [number, number, number], mean?: number): PerCaseIndicator => {
  const valid = c[0] + c[1] + c[2];
  return {
    indicator: n,
    question: `i${n}`,
    counts: { 0: c[0], 1: c[1], 2: c[2] },
    shares: { 0: (c[0] / valid) * 100, 1: (c[1] / valid) * 100, 2: (c[2] / valid) * 100 },
    valid,
    mean: mean ?? (c[1] + 2 * c[2]) / valid,
    source: 'cases',
  };
};

const perCaseGroup = (key: GroupKey, labels: PerCaseGroup['labels'], more: Partial<PerCaseGroup>): PerCaseGroup => ({
  ...counts(4),
  key,
  labels,
  questions: {},
  indicators: [],
  total: null,
  max: 18,
  band: null,
  ...more,
});

const filtersOf = (q: ReportQuery, units: string[] = ['xa-a']) => ({ ...q, units, unitNames: {} });
const GENERATED = '2026-12-04T03:00:00.000Z';
/** A note as the engine gives it: in both languages; the page shows the one of its locale. */
const NOTE_5 = { vi: 'Chỉ số 5 lấy từ điểm đơn vị đã thẩm định.', en: "Indicator 5 is the unit's verified entry." };

/** Two communes, grouped by unit: indicator 1 mean 1.25 (shown 1,3), indicator 5 from the unit's verified entry. */
const perCaseByUnit = (q: ReportQuery): ReportResult => ({
  report: 'per-case',
  filters: filtersOf(q, ['xa-a', 'xa-b']),
  generatedAt: GENERATED,
  notes: [NOTE_5],
  totals: counts(8, { abandoned: 2, completionPercent: 80, flagged: 1 }),
  groups: [
    perCaseGroup(
      { unit: 'xa-a' },
      { unit: 'Xã An Phú' },
      {
        indicators: [
          indicator(1, [1, 1, 2]),
          {
            ...indicator(5, [0, 0, 1], 2),
            counts: { 0: 0, 1: 0, 2: 0 },
            valid: 0,
            source: 'unit-verified',
            question: null,
          },
        ],
        total: 14.45,
        // The overall three-level question beside the indicators: shown under "other questions".
        questions: {
          i1: { counts: { '0': 1, '1': 1, '2': 2 }, valid: 4, mean: 1.25 },
          overall: { counts: { '1': 1, '2': 1, '3': 2 }, valid: 4, mean: 2.25, satisfiedPercent: 75 },
        },
        band: { label: { vi: 'Tốt', en: 'Good' }, min: 12 },
        rank: 1,
      },
    ),
    perCaseGroup(
      { unit: 'xa-b' },
      { unit: 'Phường <b>Bình Minh</b>' },
      {
        indicators: [
          indicator(1, [2, 2, 0]),
          {
            ...indicator(5, [0, 1, 0], 1),
            counts: { 0: 0, 1: 0, 2: 0 },
            valid: 0,
            source: 'unit-self',
            question: null,
          },
        ],
        total: 9.35,
        band: { label: { vi: 'Khá', en: 'Fair' }, min: 9 },
        rank: 2,
      },
    ),
  ],
});

/** The same report by month (what the page asks for its trend). */
const perCaseByMonth = (q: ReportQuery): ReportResult => ({
  report: 'per-case',
  filters: filtersOf(q, ['xa-a', 'xa-b']),
  generatedAt: GENERATED,
  notes: [],
  totals: counts(12),
  groups: ['2026-10', '2026-11', '2026-12'].map((m, i) =>
    perCaseGroup({ month: m }, {}, { indicators: [indicator(1, [1, 1, 2])], total: 12 + i * 1.05 }),
  ),
});

const sipasResult = (q: ReportQuery): Extract<ReportResult, { report: 'sipas' }> => {
  const group: SipasGroup = {
    ...counts(10),
    key: {},
    labels: {},
    questions: {
      a1: { counts: { '1': 1, '2': 0, '3': 2, '4': 3, '5': 4 }, valid: 10, mean: 3.9, satisfiedPercent: 70 },
      b1: { counts: { '3': 1, '4': 1, '5': 1 }, valid: 3, mean: 4, satisfiedPercent: 66.666666 },
    },
    elements: [
      { id: 'tiep-can', name: { vi: 'Tiếp cận dịch vụ', en: 'Access' }, index: 70, questions: ['a1'] },
      { id: 'thu-tuc', name: { vi: 'Thủ tục hành chính', en: 'Procedures' }, index: 66.666666, questions: ['b1'] },
    ],
    index: 68.333333,
  };
  return {
    report: 'sipas',
    filters: filtersOf(q),
    generatedAt: GENERATED,
    notes: [],
    totals: counts(10),
    groups: [group],
  };
};

const quickResult = (q: ReportQuery): ReportResult => {
  const group: QuickGroup = {
    ...counts(6),
    key: {},
    labels: {},
    questions: {
      overall: { counts: { '1': 1, '2': 2, '3': 3 }, valid: 6, mean: 2.333333, satisfiedPercent: 83.33333 },
    },
    satisfied: { overall: 83.33333 },
    reasons: { why: { 'cho-lau': 2, 'thai-do': 5 } },
  };
  return {
    report: 'quick',
    filters: filtersOf(q),
    generatedAt: GENERATED,
    notes: [],
    totals: counts(6),
    groups: [group],
  };
};

describe('console reports page (engine faked, everything else real)', () => {
  const central = sharedCentral('pglite', { console: { runReport: fakeEngine } });
  const admin = new ConsoleClient('');
  const viewer = new ConsoleClient('');

  beforeAll(async () => {
    const db = central().db;
    await db.query(`INSERT INTO units (id, name, kind) VALUES ('tinh', 'Tỉnh Hải Long', 'province')`);
    await db.query(
      `INSERT INTO units (id, name, kind, parent_id) VALUES
         ('xa-a', 'Xã An Phú', 'commune', 'tinh'), ('xa-b', 'Phường Bình Minh', 'commune', 'tinh')`,
    );
    await db.query(
      `INSERT INTO units (id, name, kind, parent_id) VALUES ('xa-a-1', 'Điểm tiếp nhận thôn 1', 'branch', 'xa-a')`,
    );
    await makeAccount(db, 'tinh-admin');
    await makeAccount(db, 'xem-xa-a', 'unit_viewer', 'xa-a');
    for (const [client, user] of [
      [admin, 'tinh-admin'],
      [viewer, 'xem-xa-a'],
    ] as const) {
      Object.assign(client, { base: central().url });
      expect((await client.login(user)).status).toBe(303);
    }
  });

  const asked = async (client: ConsoleClient, qs: string) => {
    calls.length = 0;
    return client.get(`/reports?${qs}`);
  };

  test('every role has the reports link; a first visit shows the form (this month, own unit and sub-units) and asks nothing', async () => {
    const page = await asked(viewer, '');
    expect(page.status).toBe(200);
    expect(page.text).toContain('href="/console/reports" aria-current="page"');
    expect(page.text).toContain('data-testid="report-form"');
    expect(page.text).toMatch(/<option value="xa-a" selected>Xã An Phú<\/option>/);
    expect(page.text).toContain('<option value="xa-a-1">— Điểm tiếp nhận thôn 1</option>');
    expect(page.text).not.toContain('value="xa-b"');
    expect(page.text).not.toContain('value="tinh"');
    expect(page.text).toMatch(/id="f-withSubunits" name="withSubunits" value="1" checked/);
    expect(calls).toEqual([]);
    expect((await asked(admin, '')).text).toContain('href="/console/reports"');
  });

  test('a unit viewer asking for another unit gets the same 404 as for no such unit, and the engine is not asked', async () => {
    const other = await asked(viewer, 'report=per-case&period=month&month=2026-10&unit=xa-b');
    const none = await asked(viewer, 'report=per-case&period=month&month=2026-10&unit=khong-co');
    const parent = await asked(viewer, 'report=per-case&period=month&month=2026-10&unit=tinh&withSubunits=1');
    const long = await asked(viewer, `report=per-case&period=month&month=2026-10&unit=${'a'.repeat(300)}`);
    const adminNone = await asked(admin, 'report=per-case&period=month&month=2026-10&unit=khong-co');
    for (const page of [other, none, parent, long, adminNone]) {
      expect(page.status).toBe(404);
      expect(page.text).toContain('Không có đơn vị này, hoặc tài khoản không được xem báo cáo của đơn vị này.');
      expect(page.text).not.toContain('Phường Bình Minh');
    }
    expect(calls).toEqual([]);
  });

  test("the engine's own access refusals (not_allowed, unknown_unit) are the same 404", async () => {
    for (const code of ['not_allowed', 'unknown_unit'] as const) {
      answer = () => {
        throw new ReportRequestError(code, 'secret detail the viewer must not see');
      };
      const page = await asked(viewer, 'report=per-case&from=2026-10-01&to=2026-10-31&unit=xa-a-1');
      expect(page.status).toBe(404);
      expect(page.text).not.toContain('secret detail');
      expect(calls).toHaveLength(1);
    }
  });

  test('bad input is a 400 with a clear message and the form kept filled; the engine is not asked', async () => {
    const cases: [string, string, RegExp][] = [
      [
        'report=per-case&period=range&from=2026-10-31&to=2026-10-01',
        'Kỳ báo cáo bị ngược: ngày 2026-10-31 ở sau ngày 2026-10-01.',
        /name="from" value="2026-10-31"/,
      ],
      [
        'report=sipas&period=range&from=2016-01-01&to=2025-12-31',
        'Kỳ báo cáo dài 3653 ngày; một báo cáo chỉ được tối đa 1096 ngày.',
        /name="to" value="2025-12-31"/,
      ],
      [
        'report=quick&period=month&month=2026-10&by=unit&by=mau-sac',
        'Không có cách nhóm “mau-sac”.',
        /<select id="f-by1" name="by"[^>]*><option value="">\(không nhóm\)<\/option><option value="unit" selected>/,
      ],
      [
        'report=per-case&period=range&from=2026-02-30&to=2026-03-10',
        'Ngày “2026-02-30” không hợp lệ',
        /name="from" value="2026-02-30"/,
      ],
      ['report=per-case&period=month&month=2026-13', 'Tháng không hợp lệ', /name="month" value="2026-13"/],
      ['report=bang-luong&period=year&year=2026', 'Chọn một loại báo cáo trong danh sách.', /name="year" value="2026"/],
      [
        'report=per-case&period=year&year=2026&by=unit&by=unit',
        'Hai lần nhóm theo cùng một tiêu chí',
        /value="unit" selected/,
      ],
      [
        'report=per-case&period=year&year=2026&by=version&by=version',
        'Hai lần nhóm theo cùng một tiêu chí',
        /<option value="version" selected>Phiên bản bộ câu hỏi<\/option>/,
      ],
      [
        'report=per-case&period=year&year=2026&by=phien-ban',
        'Không có cách nhóm “phien-ban”.',
        /<option value="version">Phiên bản bộ câu hỏi<\/option>/,
      ],
    ];
    for (const [qs, message, filled] of cases) {
      const page = await asked(admin, qs);
      expect(page.status, qs).toBe(400);
      expect(page.text, qs).toContain(message);
      expect(page.text, qs).toMatch(filled);
      expect(page.text, qs).toContain('data-testid="report-form-error"');
      expect(page.text, qs).toContain('aria-invalid="true"');
    }
    // A page of a list is not a field of the form (it comes from the paging links): said above the form.
    const paged = await asked(admin, 'report=comments&period=year&year=2026&offset=-5');
    expect(paged.status).toBe(400);
    expect(paged.text).toMatch(/data-testid="report-form-error"[^]*Trang danh sách không hợp lệ/);
    expect(calls).toEqual([]);
  });

  test("the engine's refusal of a well-formed query is a 400 with its message, not a 500", async () => {
    answer = () => {
      throw new ReportRequestError('bad_query', 'the quick report needs a quick questionnaire');
    };
    const page = await asked(admin, 'report=quick&period=month&month=2026-10');
    expect(page.status).toBe(400);
    expect(page.text).toContain('Không lập được báo cáo: the quick report needs a quick questionnaire');
    expect(page.text).toContain('data-testid="report-form"');
  });

  test('officer figures: absent for a unit viewer by default and refused by URL; offered once the settings allow the role', async () => {
    expect((await asked(viewer, '')).text).not.toContain('<option value="officer"');
    expect((await asked(admin, '')).text).toContain('<option value="officer"');
    for (const qs of ['by=officer', 'officer=cb-01']) {
      const page = await asked(viewer, `report=per-case&period=month&month=2026-10&${qs}`);
      expect(page.status).toBe(400);
      expect(page.text).toContain('Tài khoản của ông/bà không được xem số liệu theo cán bộ.');
    }
    expect(calls).toEqual([]);
    const db = central().db;
    await saveReportSettings(db, { officerFiguresRoles: ['province_admin', 'unit_viewer'] }, 'test', new Date());
    try {
      expect((await asked(viewer, '')).text).toContain('<option value="officer"');
    } finally {
      await saveReportSettings(db, {}, 'test', new Date());
    }
  });

  test('a per-case result: query as asked, totals, tables rounded, each chart an SVG with role=img and its table, export links, print layout', async () => {
    answer = (q) => (q.by[0] === 'month' ? perCaseByMonth(q) : perCaseByUnit(q));
    const page = await asked(
      admin,
      'report=per-case&period=quarter&year=2026&quarter=4&unit=tinh&withSubunits=1&by=unit&by=',
    );
    expect(page.status).toBe(200);
    expect(calls.map((c) => c.query)).toEqual([
      {
        report: 'per-case',
        from: '2026-10-01',
        to: '2026-12-31',
        unit: 'tinh',
        withSubunits: true,
        by: ['unit'],
        includeFlagged: false,
        limit: 100,
        offset: 0,
      },
      // The trend: the same report by month, since the quarter spans three months.
      expect.objectContaining({ by: ['month'], from: '2026-10-01', to: '2026-12-31', unit: 'tinh' }),
    ]);
    expect(calls[0]!.viewer).toEqual({ username: 'tinh-admin', role: 'province_admin', unitId: null });
    const text = page.text;
    // Totals, flagged shown apart.
    expect(text).toMatch(/data-testid="total-n">8</);
    expect(text).toMatch(/data-testid="total-completion">80,0%</);
    expect(text).toContain('1 (không tính vào số liệu)');
    // Summary table: means and totals rounded half away from zero to settings.decimals (1).
    expect(text).toContain('<td class="num">1,3</td>'); // 1.25
    expect(text).toMatch(/data-testid="group-total">14,5</); // 14.45
    expect(text).toMatch(/data-testid="group-total">9,4</); // 9.35
    expect(text).toContain('(đơn vị, đã thẩm định)');
    expect(text).toContain('(đơn vị tự chấm)');
    expect(text).toContain('Phường &lt;b&gt;Bình Minh&lt;/b&gt;');
    expect(text).not.toContain('<b>Bình Minh</b>');
    // Indicator details: counts and shares at 0/1/2.
    expect(text).toContain(
      '<td class="num">1 (25,0%)</td><td class="num">1 (25,0%)</td><td class="num">2 (50,0%)</td>',
    );
    expect(text).toContain('Chỉ số 5 lấy từ điểm đơn vị đã thẩm định.');
    expect(text).toContain(
      '<tr><th scope="row"><code>overall</code></th><td class="num">1</td><td class="num">1</td><td class="num">2</td><td class="num">4</td><td class="num">2,3</td><td class="num">75,0%</td></tr>',
    );
    expect(text).not.toContain('<th scope="row"><code>i1</code></th>');
    // Three charts, each an inline SVG (role=img, a summary), then its table.
    for (const id of ['chart-trend', 'chart-compare', 'chart-distribution']) {
      const fig = new RegExp(`<figure class="report-chart" data-testid="${id}">([\\s\\S]*?)</figure>`).exec(text)?.[1];
      expect(fig, id).toBeDefined();
      expect(fig!, id).toMatch(/<svg role="img" aria-label="[^"]+"[^>]*>[\s\S]*<\/svg>\s*<table class="chart-data"/);
      expect(fig!, id).not.toMatch(/ style="|<style/);
    }
    expect(text).toMatch(
      /aria-label="Biểu đồ đường, tổng điểm \(\/18\) theo tháng, 3 kỳ từ 10\/2026 đến 12\/2026; cao nhất 14,1 \(12\/2026\), thấp nhất 12,0 \(10\/2026\)\."/,
    );
    expect(text).toMatch(
      /aria-label="Biểu đồ thanh, tổng điểm \(\/18\) của 2 nhóm theo đơn vị; cao nhất Xã An Phú \(14,5\), thấp nhất Phường &lt;b&gt;Bình Minh&lt;\/b&gt; \(9,4\)\."/,
    );
    // Distribution over both units: indicator 1 is 3 × 0, 3 × 1, 2 × 2 of 8; indicator 5 (unit entries) is not a distribution.
    expect(text).toContain(
      '<tr><th scope="row">CS1</th><td class="num">3 (37,5%)</td><td class="num">3 (37,5%)</td><td class="num">2 (25,0%)</td><td class="num">8</td></tr>',
    );
    // The indicator table shows the cases' counts beside the unit entry's mean, as the exports and
    // docs/reports.md do (the fake result's counts are zero).
    expect(text).toMatch(
      /<th scope="row">CS5<\/th>(<td class="num">\d+ \([^)]*\)<\/td>){3}<td class="num">\d+<\/td><td class="num">2,0<\/td><td>đơn vị, đã thẩm định<\/td>/,
    );
    // No inline style anywhere on the page (the CSP forbids it), nor an inline script.
    expect(text).not.toMatch(/ style="|<style|<script>|onclick=/);
    expect(page.headers.get('content-security-policy')).toContain("style-src 'self'");
    // Exports: the same report's query string.
    const qs = 'report=per-case&from=2026-10-01&to=2026-12-31&unit=tinh&withSubunits=1&by=unit';
    for (const f of ['csv', 'xlsx', 'json'])
      expect(text).toContain(`href="/console/reports/export?format=${f}&amp;${qs.replaceAll('&', '&amp;')}"`);
    // Print: heading with province and unit, report name and period; date; the two signatures.
    // The province itself asked for: one agency line (the province is not named twice).
    expect(text).toContain(
      '<div class="print-agency"><p class="strong" data-testid="print-unit">TỈNH HẢI LONG</p></div>',
    );
    expect(text).toContain('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM');
    expect(text).toContain('data-testid="print-period">Quý 4/2026<');
    // the notes in the page's language (Vietnamese here), under "Ghi chú"
    const notes = /data-testid="report-notes">([\s\S]*?)<\/section>/.exec(text)?.[1] ?? '';
    expect(notes).toContain('<h3>Ghi chú</h3>');
    expect(notes).toContain('<li>Chỉ số 5 lấy từ điểm đơn vị đã thẩm định.</li>');
    expect(notes).not.toContain('verified entry');
    expect(text).toContain('…………, ngày 04 tháng 12 năm 2026');
    expect(text).toContain('Người lập biểu');
    expect(text).toContain('Thủ trưởng đơn vị');
    expect(text).toContain('(Ký, ghi rõ họ tên, đóng dấu)');
    expect(text).toContain('data-print hidden');
  });

  test("a unit viewer's report names their commune under the province in the print heading, and is asked with their viewer", async () => {
    answer = perCaseByUnit;
    const page = await asked(viewer, 'report=per-case&period=month&month=2026-10&unit=xa-a');
    expect(page.status).toBe(200);
    expect(calls).toHaveLength(1); // one month: no trend asked
    expect(calls[0]!.viewer).toEqual({ username: 'xem-xa-a', role: 'unit_viewer', unitId: 'xa-a' });
    expect(page.text).toMatch(
      /<div class="print-agency"><p>TỈNH HẢI LONG<\/p><p class="strong" data-testid="print-unit">XÃ AN PHÚ<\/p>/,
    );
    expect(page.text).toContain('data-testid="print-period">Tháng 10/2026<');
    expect(page.text).not.toContain('data-testid="chart-trend"');
  });

  test('SIPAS: element and overall indices, five levels per question, distribution per element', async () => {
    answer = sipasResult;
    const page = await asked(admin, 'report=sipas&period=month&month=2026-10');
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/data-testid="group-index">68,3%</);
    expect(page.text).toContain('<td class="num">70,0%</td><td class="num">66,7%</td>');
    expect(page.text).toContain(
      '<th scope="row"><code>a1</code></th><td class="num">10</td><td class="num">1</td><td class="num">0</td><td class="num">2</td><td class="num">3</td><td class="num">4</td><td class="num">70,0%</td>',
    );
    expect(page.text).toContain('<th scope="row">Tiếp cận dịch vụ</th><td class="num">1 (10,0%)</td>');
    expect(page.text).toMatch(/data-testid="chart-distribution">[\s\S]*<svg role="img"/);
  });

  test('quick: satisfied shares, distributions and reasons, most chosen first', async () => {
    answer = quickResult;
    const page = await asked(admin, 'report=quick&period=month&month=2026-10');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<td class="num">83,3%</td>');
    expect(page.text).toMatch(
      /<code>thai-do<\/code><\/th><td class="num">5<\/td>[\s\S]*<code>cho-lau<\/code><\/th><td class="num">2<\/td>/,
    );
    expect(page.text).toContain('<td class="num">2,3</td>');
    // Distribution of the satisfaction question over its three values, in the chart's table.
    expect(page.text).toContain(
      '<tr><th scope="row">overall</th><td class="num">1 (16,7%)</td><td class="num">2 (33,3%)</td><td class="num">3 (50,0%)</td><td class="num">6</td></tr>',
    );
  });

  test('invitations: totals, a row per counter with sent, answered, expired, open and the response rate', async () => {
    answer = (q) => ({
      report: 'invitations',
      filters: { ...q, units: ['xa-a'], unitNames: { 'xa-a': 'Xã An Phú' } },
      generatedAt: '2026-11-01T02:00:00.000Z',
      notes: [],
      totals: { sent: 6, answered: 2, expired: 2, open: 2, responsePercent: (2 / 6) * 100 },
      groups: [
        { key: { counter: 'q1' }, labels: {}, sent: 4, answered: 1, expired: 2, open: 1, responsePercent: 25 },
        { key: { counter: 'q2' }, labels: {}, sent: 2, answered: 1, expired: 0, open: 1, responsePercent: 50 },
      ],
    });
    const page = await asked(admin, 'report=invitations&period=month&month=2026-10&by=counter');
    expect(page.status).toBe(200);
    expect(calls[0]?.query).toMatchObject({ report: 'invitations', by: ['counter'] });
    expect(page.text).toContain('data-report="invitations"');
    expect(page.text).toMatch(/data-testid="total-sent">6</);
    expect(page.text).toMatch(/data-testid="total-rate">33,3%</);
    expect(page.text).toContain(
      '<th scope="row">q1</th><td class="num">4</td><td class="num">1</td><td class="num">2</td><td class="num">1</td><td class="num">25,0%</td>',
    );
    expect(page.text).toContain('Tỷ lệ phản hồi');
  });

  test('per-case list: rows with sums and means, paged with the same query', async () => {
    answer = (q) => ({
      report: 'per-case-list',
      filters: filtersOf(q),
      generatedAt: GENERATED,
      notes: [],
      rows: [
        {
          responseId: 'r1',
          caseNumber: 'H01.2026.0001',
          procedure: '1.001193',
          field: 'ho-tich',
          officer: null,
          counter: 'q1',
          unit: 'Xã An Phú',
          submittedAt: '2026-10-05T02:00:00.000Z',
          questionnaire: 'per-case',
          version: 1,
          flagged: true,
          points: { 1: 2, 3: 1 },
          total: 15.25,
          band: { label: { vi: 'Tốt' }, min: 12 },
          overall: 3,
        },
      ],
      total: 250,
      sums: { 1: 300, 3: 180 },
      means: { 1: 1.2, 3: 0.725 },
      totalMean: 13.05,
    });
    const page = await asked(admin, 'report=per-case-list&from=2026-10-01&to=2026-10-31&offset=100');
    expect(page.status).toBe(200);
    expect(calls[0]!.query).toMatchObject({ offset: 100, limit: 100 });
    expect(page.text).toContain('250 phiếu; đang xem 101–101.');
    expect(page.text).toContain('H01.2026.0001 <span class="badge warn">gắn cờ</span>');
    expect(page.text).toMatch(/data-testid="list-sums">[\s\S]*<td class="num">300<\/td><td class="num">180<\/td>/);
    expect(page.text).toMatch(
      /data-testid="list-means">[\s\S]*<td class="num">1,2<\/td><td class="num">0,7<\/td><td class="num">13,1<\/td>/,
    );
    expect(page.text).toContain('href="/console/reports?report=per-case-list&amp;from=2026-10-01&amp;to=2026-10-31"');
    expect(page.text).toContain(
      'href="/console/reports?report=per-case-list&amp;from=2026-10-01&amp;to=2026-10-31&amp;offset=200"',
    );
  });

  test('comments: the search is passed on, rows as given (lowest first), text escaped', async () => {
    answer = (q) => ({
      report: 'comments',
      filters: filtersOf(q),
      generatedAt: GENERATED,
      notes: [],
      rows: [
        {
          responseId: 'c1',
          unit: 'Xã An Phú',
          submittedAt: GENERATED,
          questionnaire: 'quick',
          field: 'ho-tich',
          procedure: '1.001193',
          officer: null,
          score: 0.125,
          comment: 'Chờ lâu <script>x</script>',
          flagged: false,
        },
        {
          responseId: 'c2',
          unit: 'Xã An Phú',
          submittedAt: GENERATED,
          questionnaire: 'quick',
          field: 'ho-tich',
          procedure: '1.001193',
          officer: null,
          score: 0.75,
          comment: 'Tốt',
          flagged: false,
        },
      ],
      total: 2,
    });
    const page = await asked(admin, 'report=comments&period=month&month=2026-10&search=cho+lau');
    expect(page.status).toBe(200);
    expect(calls[0]!.query.search).toBe('cho lau');
    expect(page.text).toMatch(
      /12,5%<\/td><td class="comment">Chờ lâu &lt;script&gt;x&lt;\/script&gt;[\s\S]*75,0%<\/td><td class="comment">Tốt/,
    );
    expect(page.text).toMatch(/name="search" value="cho lau"/);
  });
  test('units side by side: a bar per unit up to 60, the table after the chart has every unit', async () => {
    answer = (q) => ({
      report: 'per-case',
      filters: filtersOf(q),
      generatedAt: GENERATED,
      notes: [],
      totals: counts(244),
      groups: Array.from({ length: 61 }, (_, i) =>
        perCaseGroup({ unit: `xa-${i}` }, { unit: `Xã số ${i}` }, { total: 10 + i / 10, rank: 61 - i }),
      ),
    });
    const page = await asked(admin, 'report=per-case&period=month&month=2026-10&by=unit');
    expect(page.status).toBe(200);
    const fig = /data-testid="chart-compare">([\s\S]*?)<\/figure>/.exec(page.text)?.[1] ?? '';
    expect(fig).toContain('Chỉ vẽ 60 trong 61 nhóm; bảng có đủ.');
    expect(fig).toContain('>Xã số 59<');
    expect(fig.split('<table')[0]).not.toContain('>Xã số 60<'); // not drawn (the summary may still name it)
    expect(fig.split('<table')[1]).toContain('<th scope="row">Xã số 60</th><td class="num">16,0</td>');
  });

  test('in English: messages, headings and figures follow the page language (decimal point)', async () => {
    const en = new ConsoleClient(central().url);
    expect((await en.login('tinh-admin')).status).toBe(303);
    en.cookies.set('kc_lang', 'en');
    const bad = await en.get('/reports?report=per-case&period=range&from=2026-10-31&to=2026-10-01');
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('The period is reversed: 2026-10-31 is after 2026-10-01.');
    answer = (q) => ({
      ...sipasResult(q),
      notes: [NOTE_5],
      totals: counts(10, { flagged: 2, flaggedIncluded: true }),
    });
    const page = await en.get('/reports?report=sipas&period=year&year=2026&includeFlagged=1');
    expect(page.status).toBe(200);
    expect(page.text).toContain('data-testid="print-period">Year 2026<');
    expect(page.text).toContain('<li>Indicator 5 is the unit&#39;s verified entry.</li>');
    expect(page.text).not.toContain('Chỉ số 5 lấy từ');
    expect(page.text).toMatch(/data-testid="group-index">68\.3%</);
    expect(page.text).toContain('2 (included in the figures)');
    expect(page.text).toMatch(/id="f-includeFlagged" name="includeFlagged" value="1" checked/);
  });
});

describe('report figures and charts, alone', () => {
  test('cspSafeSvg: style attributes become presentation attributes, the style block goes, a handler is refused', () => {
    const svg =
      '<svg width="10" height="10"><text style="font-size:12px;font-family:sans-serif;" ecmeta_series_index="0" class="zr3-cls-1">a</text><style><![CDATA[.x:hover{fill:red}]]></style></svg>';
    expect(cspSafeSvg(svg, 'Biểu đồ "x" <y>')).toBe(
      '<svg role="img" aria-label="Biểu đồ &quot;x&quot; &lt;y&gt;" focusable="false" class="chart" width="10" height="10"><text font-size="12px" font-family="sans-serif">a</text></svg>',
    );
    expect(cspSafeSvg('<svg><g onload="alert(1)"></g></svg>', 'x')).toBeNull();
    expect(cspSafeSvg('<svg><script>alert(1)</script></svg>', 'x')).toBeNull();
  });
});
