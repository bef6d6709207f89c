import { pickText } from '../../../../shared/locale.ts';
import type { ReportQuery } from '../../../../shared/reports/query.ts';
import type { ReportResult } from '../../../../shared/reports/result.ts';
import { type Html, html } from '../../html.ts';
import { formatTime } from '../../i18n.ts';
import type { AuthedView } from '../../view.ts';
import type { FigureFormat } from './figures.ts';
import { reportQueryString } from './filters.ts';

/** The two list reports (one row per response): per-case list and comments, a page at a time. */

type ListResult = Extract<ReportResult, { report: 'per-case-list' }>;
type CommentsResult = Extract<ReportResult, { report: 'comments' }>;

/** "Previous / next page" links: the same report with another offset. */
const pager = (v: AuthedView, q: ReportQuery, total: number): Html => {
  const prev = q.offset > 0 ? Math.max(0, q.offset - q.limit) : null;
  const next = q.offset + q.limit < total ? q.offset + q.limit : null;
  if (prev === null && next === null) return html``;
  const link = (offset: number, key: 'reports.list.prev' | 'reports.list.next', rel: string) =>
    html`<a rel="${rel}" data-testid="page-${rel}" href="${v.url(`/reports?${reportQueryString(q, { offset })}`)}">${v.t(key)}</a>`;
  return html`<nav class="pager no-print" aria-label="${v.t('reports.list.pages')}">${prev !== null ? link(prev, 'reports.list.prev', 'prev') : ''} ${
    next !== null ? link(next, 'reports.list.next', 'next') : ''
  }</nav>`;
};

const range = (q: ReportQuery, shown: number) => ({ first: shown === 0 ? 0 : q.offset + 1, last: q.offset + shown });

/** An indicator's points in a row, marked when the kiosk took them from the case's facts, not the citizen. */
const pointsCell = (v: AuthedView, row: ListResult['rows'][number], n: number): Html =>
  row.fromFacts?.includes(n)
    ? html`<td class="num" data-source="system">${row.points[n] ?? '–'} <small class="source">(${v.t('reports.perCase.fromFacts')})</small></td>`
    : html`<td class="num">${row.points[n] ?? '–'}</td>`;

export const perCaseList = (v: AuthedView, fmt: FigureFormat, r: ListResult): Html => {
  const q = r.filters;
  const numbers = [
    ...new Set([...Object.keys(r.sums), ...r.rows.flatMap((row) => Object.keys(row.points))].map(Number)),
  ].sort((a, b) => a - b);
  const { first, last } = range(q, r.rows.length);
  const count = html`<p data-testid="list-count">${v.t('reports.list.count', { total: fmt.count(r.total), first, last })}</p>`;
  if (r.rows.length === 0) return html`${count}<p>${v.t('reports.list.none')}</p>`;
  return html`${count}<div class="scroll"><table class="report-table list" data-testid="per-case-list"><caption>${v.t('reports.kinds.per-case-list')}</caption>
<thead><tr><th scope="col">${v.t('reports.col.caseNumber')}</th><th scope="col">${v.t('reports.col.procedure')}</th><th scope="col">${v.t(
    'reports.col.field',
  )}</th><th scope="col">${v.t('reports.col.officer')}</th><th scope="col">${v.t('reports.col.counter')}</th><th scope="col">${v.t(
    'reports.col.unit',
  )}</th><th scope="col">${v.t('reports.col.time')}</th><th scope="col">${v.t('reports.col.version')}</th>${numbers.map((n) => html`<th scope="col">${v.t('reports.col.indicatorN', { n })}</th>`)}<th scope="col">${v.t('reports.col.totalPlain')}</th><th scope="col">${v.t('reports.col.band')}</th><th scope="col">${v.t('reports.col.overall')}</th></tr></thead>
<tbody>${r.rows.map(
    (row) =>
      html`<tr data-testid="list-row"${row.flagged ? html` class="flagged"` : ''}><th scope="row">${row.caseNumber ?? '–'}${
        row.flagged ? html` <span class="badge warn">${v.t('reports.perCase.flaggedMark')}</span>` : ''
      }</th><td><code>${row.procedure}</code></td><td>${row.field}</td><td>${row.officer ?? '–'}</td><td>${row.counter ?? '–'}</td><td>${row.unit}</td><td>${formatTime(
        v.locale,
        row.submittedAt,
      )}</td><td data-testid="list-version">v${row.version}</td>${numbers.map((n) => pointsCell(v, row, n))}<td class="num">${fmt.fig(row.total)}</td><td>${
        row.band ? pickText(row.band.label, v.locale) : '–'
      }</td><td class="num">${row.overall ?? '–'}</td></tr>`,
  )}</tbody>
<tfoot><tr data-testid="list-sums"><th scope="row" colspan="8">${v.t('reports.perCase.sumRow')}</th>${numbers.map(
    (n) => html`<td class="num">${fmt.count(r.sums[n] ?? 0)}</td>`,
  )}<td colspan="3"></td></tr>
<tr data-testid="list-means"><th scope="row" colspan="8">${v.t('reports.perCase.meanRow')}</th>${numbers.map(
    (n) => html`<td class="num">${fmt.fig(r.means[n])}</td>`,
  )}<td class="num">${fmt.fig(r.totalMean)}</td><td colspan="2"></td></tr></tfoot></table></div>${pager(v, q, r.total)}`;
};

export const commentList = (v: AuthedView, fmt: FigureFormat, r: CommentsResult): Html => {
  const q = r.filters;
  const { first, last } = range(q, r.rows.length);
  const count = html`<p data-testid="list-count">${v.t('reports.comments.count', { total: fmt.count(r.total), first, last })}</p>`;
  if (r.rows.length === 0) return html`${count}<p>${v.t('reports.list.none')}</p>`;
  return html`${count}<div class="scroll"><table class="report-table list" data-testid="comments-list"><caption>${v.t('reports.kinds.comments')}</caption>
<thead><tr><th scope="col">${v.t('reports.col.score')}</th><th scope="col">${v.t('reports.col.comment')}</th><th scope="col">${v.t(
    'reports.col.time',
  )}</th><th scope="col">${v.t('reports.col.unit')}</th><th scope="col">${v.t('reports.col.field')}</th><th scope="col">${v.t(
    'reports.col.procedure',
  )}</th><th scope="col">${v.t('reports.col.officer')}</th></tr></thead>
<tbody>${r.rows.map(
    (row) =>
      html`<tr data-testid="comment-row"${row.flagged ? html` class="flagged"` : ''}><td class="num">${row.score === null ? '–' : fmt.pct(row.score * 100)}</td><td class="comment">${
        row.comment
      }${row.flagged ? html` <span class="badge warn">${v.t('reports.perCase.flaggedMark')}</span>` : ''}</td><td>${formatTime(v.locale, row.submittedAt)}</td><td>${
        row.unit
      }</td><td>${row.field}</td><td><code>${row.procedure}</code></td><td>${row.officer ?? '–'}</td></tr>`,
  )}</tbody></table></div>${pager(v, q, r.total)}`;
};
