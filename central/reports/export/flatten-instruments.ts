import { indicatorColumns, indicatorInColumn } from '../../../shared/reports/indicator-columns.ts';
import { pickText } from '../../../shared/locale.ts';
import type { Grouping } from '../../../shared/reports/query.ts';
import type {
  IndicatorSource,
  PerCaseGroup,
  PerCaseIndicator,
  QuickGroup,
  SipasGroup,
} from '../../../shared/reports/result.ts';
import {
  type Cell,
  type Column,
  type ReportTable,
  count,
  countCells,
  countColumns,
  fig,
  figure,
  groupCells,
  groupColumns,
  share,
  text,
  unionKeys,
} from './table.ts';

const SOURCE_LABELS: Record<IndicatorSource, string> = {
  cases: 'Từ phiếu đánh giá',
  'unit-verified': 'Đơn vị nhập, đã thẩm định',
  'unit-self': 'Đơn vị tự đánh giá',
};

/** Per-case summary ("Mẫu 3"): one row per group with each indicator's mean, the total /max, grade and rank. */
const perCaseSummary = (by: Grouping[], groups: PerCaseGroup[], d: number): ReportTable => {
  const indicators = indicatorColumns(groups);
  const columns: Column[] = [
    ...groupColumns(by),
    ...countColumns,
    ...indicators.map((c) =>
      figure(`Chỉ số ${c.indicator}${c.version === null ? '' : ` (phiên bản ${c.version})`} — điểm bình quân`),
    ),
    figure('Tổng điểm'),
    count('Điểm tối đa'),
    text('Xếp loại'),
    count('Xếp hạng'),
  ];
  const rows = groups.map((g): Cell[] => [
    ...groupCells(by, g),
    ...countCells(g, d),
    ...indicators.map((c) => fig(indicatorInColumn(g, c)?.mean, d)),
    fig(g.total, d),
    g.max,
    g.band ? pickText(g.band.label, 'vi') : null,
    g.rank ?? null,
  ]);
  return { sheet: 'Tổng hợp', columns, rows, footer: [] };
};

const indicatorRow = (by: Grouping[], g: PerCaseGroup, i: PerCaseIndicator, d: number): Cell[] => [
  ...groupCells(by, g),
  `Chỉ số ${i.indicator}`,
  i.question,
  SOURCE_LABELS[i.source],
  i.valid,
  ...([0, 1, 2] as const).flatMap((p) => [i.counts[p], fig(i.shares[p], d)]),
  fig(i.mean, d),
];

/** Per indicator and group: count and share at 0, 1, 2 points and the mean, with where the figure came from. */
const perCaseIndicators = (by: Grouping[], groups: PerCaseGroup[], d: number): ReportTable => ({
  sheet: 'Chỉ số',
  columns: [
    ...groupColumns(by),
    text('Chỉ số'),
    text('Câu hỏi (mã)'),
    text('Nguồn số liệu'),
    count('Số phiếu hợp lệ'),
    ...([0, 1, 2] as const).flatMap((p) => [count(`${p} điểm (số phiếu)`), figure(`${p} điểm (%)`)]),
    figure('Điểm bình quân (/2)'),
  ],
  rows: groups.flatMap((g) => g.indicators.map((i) => indicatorRow(by, g, i, d))),
  footer: [],
});

export const perCaseTables = (by: Grouping[], groups: PerCaseGroup[], d: number): ReportTable[] => [
  perCaseSummary(by, groups, d),
  perCaseIndicators(by, groups, d),
];

/** Per question and group: valid answers, each answer value's count and share, mean and satisfied share. */
const questionsTable = (
  sheet: string,
  by: Grouping[],
  groups: (SipasGroup | QuickGroup)[],
  d: number,
  shown: (g: SipasGroup | QuickGroup, qid: string) => boolean = () => true,
): ReportTable => {
  const asked = (g: SipasGroup | QuickGroup) => Object.entries(g.questions).filter(([qid]) => shown(g, qid));
  const values = unionKeys(groups.flatMap((g) => asked(g).map(([, q]) => q.counts)));
  return {
    sheet,
    columns: [
      ...groupColumns(by),
      text('Câu hỏi (mã)'),
      count('Số trả lời hợp lệ'),
      ...values.flatMap((v) => [count(`Mức ${v} (số)`), figure(`Mức ${v} (%)`)]),
      figure('Bình quân'),
      figure('Tỷ lệ hài lòng (%)'),
    ],
    rows: groups.flatMap((g) =>
      asked(g).map(([qid, q]): Cell[] => [
        ...groupCells(by, g),
        qid,
        q.valid,
        ...values.flatMap((v) => {
          const n = q.counts[v] ?? 0;
          return [n, fig(share(n, q.valid), d)];
        }),
        fig(q.mean, d),
        fig(q.satisfiedPercent, d),
      ]),
    ),
    footer: [],
  };
};

export const sipasTables = (by: Grouping[], groups: SipasGroup[], d: number): ReportTable[] => {
  const elements = [...new Map(groups.flatMap((g) => g.elements.map((e) => [e.id, e] as const))).values()];
  const summary: ReportTable = {
    sheet: 'Tổng hợp SIPAS',
    columns: [
      ...groupColumns(by),
      ...countColumns,
      ...elements.map((e) => figure(`${e.name ? pickText(e.name, 'vi') : 'Yếu tố'} [${e.id}] — chỉ số (%)`)),
      figure('Chỉ số SIPAS (%)'),
    ],
    rows: groups.map((g): Cell[] => [
      ...groupCells(by, g),
      ...countCells(g, d),
      ...elements.map((e) => fig(g.elements.find((x) => x.id === e.id)?.index, d)),
      fig(g.index, d),
    ]),
    footer: [],
  };
  return [summary, questionsTable('Câu hỏi', by, groups, d)];
};

export const quickTables = (by: Grouping[], groups: QuickGroup[], d: number): ReportTable[] => {
  const satisfied = unionKeys(groups.map((g) => g.satisfied));
  const summary: ReportTable = {
    sheet: 'Tổng hợp',
    columns: [...groupColumns(by), ...countColumns, ...satisfied.map((q) => figure(`Tỷ lệ hài lòng [${q}] (%)`))],
    rows: groups.map((g): Cell[] => [
      ...groupCells(by, g),
      ...countCells(g, d),
      ...satisfied.map((q) => fig(g.satisfied[q], d)),
    ]),
    footer: [],
  };
  const reasons: ReportTable = {
    sheet: 'Lý do',
    columns: [...groupColumns(by), text('Câu hỏi (mã)'), text('Lựa chọn'), count('Số lần được chọn')],
    rows: groups.flatMap((g) =>
      Object.entries(g.reasons).flatMap(([qid, options]) =>
        unionKeys([options]).map((option): Cell[] => [...groupCells(by, g), qid, option, options[option] ?? 0]),
      ),
    ),
    footer: [],
  };
  // Multiple-choice questions (reasons) are in their own table, not spread over the answer-level columns.
  const notReasons = (g: SipasGroup | QuickGroup, qid: string) => !('reasons' in g && Object.hasOwn(g.reasons, qid));
  return [summary, questionsTable('Phân bố', by, groups, d, notReasons), reasons];
};
