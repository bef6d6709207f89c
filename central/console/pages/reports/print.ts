import { type ReportQuery, periodRange } from '../../../../shared/reports/query.ts';
import { type Html, html } from '../../html.ts';
import { formatTime } from '../../i18n.ts';
import type { AuthedView } from '../../view.ts';
import { formatDay, vietnamDay } from './figures.ts';

/** Who the report is about, for its heading: the province (root of the tree) and the unit. */
export type ReportScope = { provinceName: string | null; unitName: string; withSubunits: boolean };

/** The period as a reader names it: "Tháng 10/2026", "Quý 4/2026", "Năm 2026", else the two days. */
export const periodName = (v: AuthedView, q: Pick<ReportQuery, 'from' | 'to'>): string => {
  const y = q.from.slice(0, 4);
  const same = (p: string): boolean => {
    const r = periodRange(p);
    return r !== null && r.from === q.from && r.to === q.to;
  };
  if (same(q.from.slice(0, 7))) return v.t('reports.period.month', { m: q.from.slice(5, 7), y });
  const quarter = Math.floor((Number(q.from.slice(5, 7)) - 1) / 3) + 1;
  if (same(`${y}-Q${quarter}`)) return v.t('reports.period.quarter', { q: quarter, y });
  if (same(y)) return v.t('reports.period.year', { y });
  return v.t('reports.period.range', { from: formatDay(q.from), to: formatDay(q.to) });
};

/**
 * The heading of the printed report, as Vietnamese administrative documents lay it out: the agency
 * (province above, unit below) on the left, the national motto on the right, then the report's name
 * and period. Only printed (the screen has the form and the on-screen heading instead).
 */
export const printHeader = (v: AuthedView, scope: ReportScope, reportName: string, period: string): Html =>
  html`<header class="print-only report-print-header" data-testid="print-header">
<div class="print-agency">${scope.provinceName && scope.provinceName !== scope.unitName ? html`<p>${scope.provinceName.toUpperCase()}</p>` : ''}<p class="strong" data-testid="print-unit">${scope.unitName.toUpperCase()}</p></div>
<div class="print-nation"><p class="strong">${v.t('reports.print.nation')}</p><p class="motto">${v.t('reports.print.motto')}</p></div>
<div class="print-title"><p class="strong">${v.t('reports.print.title')}</p><p class="strong">${reportName.toUpperCase()}</p><p data-testid="print-period">${period}</p></div>
</header>`;

/** The date line and the two places to sign ("Người lập biểu", "Thủ trưởng đơn vị"), at the end of the printout. */
export const signatureBlock = (v: AuthedView, generatedAt: string): Html => {
  const day = vietnamDay(new Date(generatedAt));
  const [y, m, d] = day.split('-');
  return html`<footer class="print-only report-signatures" data-testid="print-signatures">
<p class="print-date">${v.t('reports.print.dateLine', { d: d ?? '', m: m ?? '', y: y ?? '' })}</p>
<div class="sign-row">
<div class="sign"><p class="strong">${v.t('reports.print.preparer')}</p><p class="hint">${v.t('reports.print.preparerHint')}</p></div>
<div class="sign"><p class="strong">${v.t('reports.print.head')}</p><p class="hint">${v.t('reports.print.headHint')}</p></div>
</div>
<p class="print-generated">${v.t('reports.print.generated', { at: formatTime(v.locale, generatedAt) })}</p>
</footer>`;
};
