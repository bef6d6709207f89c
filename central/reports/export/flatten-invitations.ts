import type { InvitationFigures, InvitationGroup } from '../../../shared/reports/result.ts';
import { type Cell, type ReportTable, count, fig, figure, groupCells, groupColumns } from './table.ts';
import type { Grouping } from '../../../shared/reports/query.ts';

const figures = (g: InvitationFigures, d: number): Cell[] => [
  g.sent,
  g.answered,
  g.expired,
  g.open,
  fig(g.responsePercent, d),
];

/** The invitations report (issue 11): a row per group, then the totals ("Tổng số"). */
export const invitationsTable = (
  by: Grouping[],
  groups: readonly InvitationGroup[],
  totals: InvitationFigures,
  d: number,
): ReportTable => ({
  sheet: 'Lời mời',
  columns: [
    ...groupColumns(by),
    count('Đã gửi'),
    count('Đã trả lời'),
    count('Hết hạn'),
    count('Đang chờ'),
    figure('Tỷ lệ phản hồi (%)'),
  ],
  // The totals as the last row, not a footer: a footer row has one number format, and these columns
  // mix counts with a percentage.
  rows: [
    ...groups.map((g) => [...groupCells(by, g), ...figures(g, d)]),
    [...groupColumns(by).map((_, i) => (i === 0 ? 'Tổng số' : '')), ...figures(totals, d)],
  ],
  footer: [],
});
