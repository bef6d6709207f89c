import { pickText } from '../../../shared/locale.ts';
import type { CommentRow, PerCaseListRow, ReportResult } from '../../../shared/reports/result.ts';
import { viTime } from './labels.ts';
import { type Cell, type ReportTable, count, fig, figure, text } from './table.ts';

type PerCaseList = Extract<ReportResult, { report: 'per-case-list' }>;
type Comments = Extract<ReportResult, { report: 'comments' }>;

const yesNo = (b: boolean): string => (b ? 'Có' : '');

const listIndicators = (r: PerCaseList): number[] =>
  [
    ...new Set([
      ...r.rows.flatMap((row) => Object.keys(row.points).map(Number)),
      ...Object.keys(r.sums).map(Number),
      ...Object.keys(r.means).map(Number),
    ]),
  ].sort((a, b) => a - b);

const caseRow = (row: PerCaseListRow, i: number, numbers: number[], d: number): Cell[] => [
  i + 1,
  row.caseNumber,
  row.procedure,
  row.field,
  row.officer,
  row.counter,
  row.unit,
  viTime(row.submittedAt),
  `${row.questionnaire} v${row.version}`,
  yesNo(row.flagged),
  ...numbers.map((n) => row.points[n] ?? null),
  fig(row.total, d),
  row.band ? pickText(row.band.label, 'vi') : null,
  row.overall,
  row.fromFacts && row.fromFacts.length > 0 ? row.fromFacts.join(', ') : null,
];

/**
 * Per-case list ("Mẫu 1"): one row per evaluation, then "Tổng số" (column sums) and "Điểm bình quân"
 * (means), both over EVERY matching row, as the engine computed them, not only this page.
 */
export const perCaseListTable = (r: PerCaseList, d: number, offset: number): ReportTable => {
  const numbers = listIndicators(r);
  const lead = 10;
  const pad = (label: string): Cell[] => [label, ...Array<Cell>(lead - 1).fill('')];
  return {
    sheet: 'Danh sách',
    columns: [
      count('STT'),
      text('Mã hồ sơ'),
      text('Thủ tục'),
      text('Lĩnh vực'),
      text('Cán bộ'),
      text('Quầy'),
      text('Đơn vị'),
      text('Thời điểm đánh giá'),
      text('Phiếu'),
      text('Bị gắn cờ'),
      ...numbers.map((n) => count(`Chỉ số ${n}`)),
      figure('Tổng điểm'),
      text('Xếp loại'),
      count('Đánh giá chung'),
      // Per-case v2: indicators the kiosk took from the case's facts (answer source "system"), not the citizen.
      text('Chỉ số lấy từ dữ liệu hồ sơ'),
    ],
    rows: r.rows.map((row, i) => caseRow(row, i + offset, numbers, d)),
    footer: [
      { kind: 'count', cells: [...pad('Tổng số'), ...numbers.map((n) => r.sums[n] ?? null), '', '', '', ''] },
      {
        kind: 'figure',
        cells: [...pad('Điểm bình quân'), ...numbers.map((n) => fig(r.means[n], d)), fig(r.totalMean, d), '', '', ''],
      },
    ],
  };
};

const commentRow = (row: CommentRow, i: number, d: number): Cell[] => [
  i + 1,
  viTime(row.submittedAt),
  row.unit,
  row.questionnaire,
  row.field,
  row.procedure,
  row.officer,
  fig(row.score === null ? null : row.score * 100, d),
  yesNo(row.flagged),
  row.comment,
];

/** Comments, lowest scores first as the engine sorted them; the score is shown as a percentage of the best. */
export const commentsTable = (r: Comments, d: number, offset: number): ReportTable => ({
  sheet: 'Ý kiến',
  columns: [
    count('STT'),
    text('Thời điểm'),
    text('Đơn vị'),
    text('Phiếu'),
    text('Lĩnh vực'),
    text('Thủ tục'),
    text('Cán bộ'),
    figure('Điểm phiếu (%)'),
    text('Bị gắn cờ'),
    text('Ý kiến'),
  ],
  rows: r.rows.map((row, i) => commentRow(row, i + offset, d)),
  footer: [],
});
