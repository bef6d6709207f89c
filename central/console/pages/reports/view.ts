import { invitationsTable, invitationsTotals } from './invitations.ts';
import { pickText } from '../../../../shared/locale.ts';
import type { PerCaseGroup, QuickGroup, ReportResult, SipasGroup } from '../../../../shared/reports/result.ts';
import { type Html, html } from '../../html.ts';
import { formatTime } from '../../i18n.ts';
import { layout, notice } from '../../layout.ts';
import type { AuthedView } from '../../view.ts';
import { type AggregateResult, comparisonData, distributionData, metricOf, trendData } from './chart-data.ts';
import { comparisonFigure, distributionFigure, trendFigure } from './charts.ts';
import { type FormData, filterForm } from './filter-form.ts';
import { type FigureFormat, figureFormat } from './figures.ts';
import { reportQueryString } from './filters.ts';
import { commentList, perCaseList } from './lists.ts';
import { feedbackSection } from './feedback.ts';
import type { FeedbackFigures } from '../../../reports/engine/feedback.ts';
import { type ReportScope, periodName, printHeader, signatureBlock } from './print.ts';
import {
  type TableCtx,
  groupTitle,
  otherQuestions,
  perCaseIndicators,
  perCaseSummary,
  quickDetails,
  quickSummary,
  shownQuestions,
  sipasQuestions,
  sipasSummary,
  totalsBlock,
} from './tables.ts';

/** A report that ran: its result, the month-by-month result for the trend when asked apart, whom it is about. */
export type ReportOutcome = {
  result: ReportResult;
  /** The same report grouped by month, when the report itself is not grouped by time but spans months. */
  trend: AggregateResult | null;
  scope: ReportScope;
  decimals: number;
};

export type ReportsPageData = {
  formData: FormData;
  outcome: ReportOutcome | null;
  /** The engine's own refusal of a well-formed query (bad_range, bad_query), in its words. */
  engineError: string | null;
  /** Feedback handling (follow-ups) for the same units and period, by unit; absent before a report is asked. */
  feedback?: readonly FeedbackFigures[];
};

const FORMATS = [
  ['csv', 'reports.result.exportCsv'],
  ['xlsx', 'reports.result.exportXlsx'],
  ['json', 'reports.result.exportJson'],
] as const;

/** Download links to the export route (central/console/pages/report-export), with this report's own query string. */
const actions = (v: AuthedView, r: ReportResult): Html => {
  const qs = reportQueryString(r.filters);
  return html`<div class="report-actions no-print" data-testid="report-actions">
<span>${v.t('reports.result.export')}:</span> ${FORMATS.map(
    ([format, key]) =>
      html`<a class="button secondary" data-testid="export-${format}" href="${v.url(`/reports/export?format=${format}&${qs}`)}" download>${v.t(key)}</a> `,
  )}
<button type="button" class="print-button" data-print hidden data-testid="print-button">${v.t('reports.result.print')}</button>
<p class="hint">${v.t('reports.result.printHint')}</p>
</div>`;
};

const notes = (v: AuthedView, r: ReportResult): Html =>
  r.notes.length === 0
    ? html``
    : html`<section class="report-notes" data-testid="report-notes"><h3>${v.t('reports.result.notes')}</h3><ul>${r.notes.map(
        (n) => html`<li>${pickText(n, v.locale)}</li>`,
      )}</ul></section>`;

/** A month or quarter key as a chart axis writes it ("2026-10" → "10/2026", "2026-Q4" → "Q4/2026"). */
export const periodLabel = (key: string): string => {
  const month = /^(\d{4})-(\d{2})(-\d{2})?$/.exec(key);
  if (month) return `${month[2]}/${month[1]}`;
  const quarter = /^(\d{4})-Q([1-4])$/.exec(key);
  return quarter ? `Q${quarter[2]}/${quarter[1]}` : key;
};

/** Trend, comparison and distribution charts of a summary report, each with its table. */
const charts = (v: AuthedView, fmt: FigureFormat, r: AggregateResult, trend: AggregateResult | null): Html => {
  const metric = metricOf(r, v.t);
  const out: Html[] = [];
  const trendFrom = r.filters.by.some((b) => b === 'month' || b === 'quarter') ? r : trend;
  const trendMetric = trendFrom ? metricOf(trendFrom, v.t) : null;
  const t = trendFrom && trendMetric ? trendData(trendFrom, trendMetric, v.t('reports.result.whole')) : null;
  if (t && trendMetric) out.push(trendFigure(v, fmt, t, trendMetric, periodLabel));
  const c = metric ? comparisonData(r, metric) : null;
  if (c && metric) out.push(comparisonFigure(v, fmt, c, metric));
  const d = distributionFigure(v, fmt, distributionData(r, v.t, v.locale));
  if (d) out.push(d);
  return html`<div class="report-charts">${out}</div>`;
};

const summaryTables = (tc: TableCtx, r: AggregateResult): Html => {
  const { v } = tc;
  const others = (g: PerCaseGroup | SipasGroup | QuickGroup): Html =>
    otherQuestions(tc, g, shownQuestions(g), groupTitle(tc, g, v.t('reports.result.otherQuestions')));
  if (r.report === 'per-case')
    return html`${perCaseSummary(tc, r.groups)}<h3>${v.t('reports.perCase.indicators')}</h3>${r.groups.map(
      (g) => html`${perCaseIndicators(tc, g, groupTitle(tc, g, v.t('reports.perCase.indicators')))}${others(g)}`,
    )}`;
  if (r.report === 'sipas')
    return html`${sipasSummary(tc, r.groups)}<h3>${v.t('reports.sipas.questions')}</h3>${r.groups.map(
      (g) => html`${sipasQuestions(tc, g, groupTitle(tc, g, v.t('reports.sipas.questions')))}${others(g)}`,
    )}`;
  return html`${quickSummary(tc, r.groups)}<h3>${v.t('reports.quick.distribution')}</h3>${r.groups.map(
    (g) => html`${quickDetails(tc, g, groupTitle(tc, g, v.t('reports.quick.distribution')))}${others(g)}`,
  )}`;
};

const body = (v: AuthedView, o: ReportOutcome, fmt: FigureFormat): Html => {
  const r = o.result;
  if (r.report === 'per-case-list') return perCaseList(v, fmt, r);
  if (r.report === 'comments') return commentList(v, fmt, r);
  const tc: TableCtx = { v, fmt, by: r.filters.by };
  if (r.report === 'invitations')
    return html`${invitationsTotals(tc, r.totals)}${
      r.groups.length === 0
        ? html`<p data-testid="report-empty">${v.t('reports.result.empty')}</p>`
        : invitationsTable(tc, r.groups)
    }`;
  const empty = r.groups.length === 0 || r.totals.n + r.totals.abandoned === 0;
  return html`${totalsBlock(tc, r.totals)}
${empty ? html`<p data-testid="report-empty">${v.t('reports.result.empty')}</p>` : html`${charts(v, fmt, r, o.trend)}${summaryTables(tc, r)}`}`;
};

/** The report itself: screen heading, print heading, figures, notes, signatures. */
const report = (v: AuthedView, o: ReportOutcome): Html => {
  const r = o.result;
  const fmt = figureFormat(v.locale, o.decimals);
  const name = v.t(`reports.kinds.${r.report}`);
  const period = periodName(v, r.filters);
  const unit = o.scope.withSubunits ? v.t('reports.result.scopeSub', { unit: o.scope.unitName }) : o.scope.unitName;
  return html`<section class="report" data-testid="report" data-report="${r.report}" aria-labelledby="report-heading">
${actions(v, r)}
${printHeader(v, o.scope, name, period)}
<h2 id="report-heading" class="no-print">${v.t('reports.result.heading', { report: name, period })}</h2>
<p class="report-scope" data-testid="report-scope">${v.t('reports.result.scope', { unit })} · <span data-testid="report-generated">${v.t(
    'reports.result.generated',
    { at: formatTime(v.locale, r.generatedAt) },
  )}</span></p>
${body(v, o, fmt)}
${notes(v, r)}
${signatureBlock(v, r.generatedAt)}
</section>`;
};

export const reportsView = (v: AuthedView, data: ReportsPageData): Html => {
  const content = html`<p class="hint no-print">${v.t('reports.intro')}</p>
${filterForm(v, data.formData)}
${data.engineError ? notice('error', v.t('reports.errors.engine', { message: data.engineError }), 'report-engine-error') : ''}
${data.outcome ? report(v, data.outcome) : ''}
${data.outcome && data.feedback ? feedbackSection(v, data.feedback) : ''}`;
  return layout(v, { title: v.t('reports.title'), active: 'reports', body: content });
};
