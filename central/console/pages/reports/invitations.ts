import type { InvitationFigures, InvitationGroup } from '../../../../shared/reports/result.ts';
import { type Html, html } from '../../html.ts';
import { type TableCtx, groupCells, groupHeads } from './tables.ts';

/** The invitations report (issue 11): totals, then a row per group with sent, answered, expired, open, rate. */
export const invitationsTotals = ({ v, fmt }: TableCtx, t: InvitationFigures): Html =>
  html`<dl class="facts report-totals" data-testid="report-totals">
<dt>${v.t('reports.invitations.sent')}</dt><dd data-testid="total-sent">${fmt.count(t.sent)}</dd>
<dt>${v.t('reports.invitations.answered')}</dt><dd>${fmt.count(t.answered)}</dd>
<dt>${v.t('reports.invitations.expired')}</dt><dd>${fmt.count(t.expired)}</dd>
<dt>${v.t('reports.invitations.rate')}</dt><dd data-testid="total-rate">${fmt.pct(t.responsePercent)}</dd>
</dl>`;

export const invitationsTable = (tc: TableCtx, groups: readonly InvitationGroup[]): Html => {
  const { v, fmt } = tc;
  const cols = ['sent', 'answered', 'expired', 'open'] as const;
  return html`<div class="scroll"><table class="report-table" data-testid="invitations-summary"><caption>${v.t('reports.invitations.summary')}</caption>
<thead><tr>${groupHeads(tc)}${cols.map((c) => html`<th scope="col">${v.t(`reports.invitations.${c}`)}</th>`)}<th scope="col">${v.t(
    'reports.invitations.rate',
  )}</th></tr></thead>
<tbody>${groups.map(
    (g) =>
      html`<tr data-testid="group-row">${groupCells(tc, g)}${cols.map((c) => html`<td class="num">${fmt.count(g[c])}</td>`)}<td class="num">${fmt.pct(
        g.responsePercent,
      )}</td></tr>`,
  )}</tbody></table></div>`;
};
