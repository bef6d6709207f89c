import { pickText } from '../../../../shared/locale.ts';
import type { Grouping } from '../../../../shared/reports/query.ts';
import type {
  IndicatorSource,
  PerCaseGroup,
  QuestionFigures,
  QuickGroup,
  ResponseCounts,
  SipasGroup,
} from '../../../../shared/reports/result.ts';
import {
  type IndicatorColumn,
  indicatorColumns,
  indicatorInColumn,
} from '../../../../shared/reports/indicator-columns.ts';
import { type Html, html } from '../../html.ts';
import type { AuthedView } from '../../view.ts';
import { groupName } from './chart-data.ts';
import type { FigureFormat } from './figures.ts';

/** The tables of the summary reports (per-case, SIPAS, quick): figures as the result has them, rounded only here. */

export type TableCtx = { v: AuthedView; fmt: FigureFormat; by: readonly Grouping[] };

export const totalsBlock = ({ v, fmt }: TableCtx, c: ResponseCounts): Html =>
  html`<dl class="facts report-totals" data-testid="report-totals">
<dt>${v.t('reports.totals.n')}</dt><dd data-testid="total-n">${fmt.count(c.n)}</dd>
<dt>${v.t('reports.totals.complete')}</dt><dd>${fmt.count(c.complete)}</dd>
<dt>${v.t('reports.totals.abandoned')}</dt><dd>${fmt.count(c.abandoned)}</dd>
<dt>${v.t('reports.totals.completion')}</dt><dd data-testid="total-completion">${fmt.pct(c.completionPercent)}</dd>
<dt>${v.t('reports.totals.flagged')}</dt><dd data-testid="total-flagged">${fmt.count(c.flagged)} (${v.t(
    c.flaggedIncluded ? 'reports.totals.flaggedIn' : 'reports.totals.flaggedOut',
  )})</dd>
</dl>`;

export const groupHeads = ({ v, by }: TableCtx): Html =>
  by.length === 0
    ? html`<th scope="col">${v.t('reports.col.group')}</th>`
    : html`${by.map((b) => html`<th scope="col">${v.t(`reports.groupings.${b}`)}</th>`)}`;

export const groupCells = ({ v, by }: TableCtx, g: Pick<PerCaseGroup, 'key' | 'labels'>): Html =>
  by.length === 0
    ? html`<th scope="row">${v.t('reports.result.whole')}</th>`
    : html`${by.map((b, i) => (i === 0 ? html`<th scope="row">${g.labels[b] ?? g.key[b] ?? '–'}</th>` : html`<td>${g.labels[b] ?? g.key[b] ?? '–'}</td>`))}`;

const countHeads = (v: AuthedView): Html =>
  html`<th scope="col">${v.t('reports.col.n')}</th><th scope="col">${v.t('reports.col.abandoned')}</th><th scope="col">${v.t(
    'reports.col.completion',
  )}</th><th scope="col">${v.t('reports.col.flagged')}</th>`;

const countCells = (fmt: FigureFormat, g: ResponseCounts): Html =>
  html`<td class="num">${fmt.count(g.n)}</td><td class="num">${fmt.count(g.abandoned)}</td><td class="num">${fmt.pct(
    g.completionPercent,
  )}</td><td class="num">${fmt.count(g.flagged)}</td>`;

const sourceNote = (v: AuthedView, s: IndicatorSource): Html =>
  s === 'cases' ? html`` : html` <small class="source" data-source="${s}">(${v.t(`reports.source.${s}`)})</small>`;

/** An indicator column's heading: "CS3", or "CS3 (v2)" when its question changed between versions. */
const indicatorHead = (v: AuthedView, c: IndicatorColumn): Html =>
  c.version === null
    ? html`<th scope="col">${v.t('reports.col.indicatorN', { n: c.indicator })}</th>`
    : html`<th scope="col" data-version="${String(c.version)}" title="${c.question ?? ''}">${v.t(
        'reports.col.indicatorNVersion',
        {
          n: c.indicator,
          version: c.version,
        },
      )}</th>`;

/** Per-case summary ("Mẫu 3"): a row per group with each indicator's mean, the total, grade and rank. */
export const perCaseSummary = (tc: TableCtx, groups: readonly PerCaseGroup[]): Html => {
  const { v, fmt } = tc;
  const columns = indicatorColumns(groups);
  const max = groups[0]?.max ?? 18;
  // Groups of different questionnaire versions can have different maxima (v1 /18, v2 asks four indicators: /8).
  const oneMax = groups.every((g) => g.max === max);
  const ranked = groups.some((g) => g.rank !== undefined);
  return html`<div class="scroll"><table class="report-table" data-testid="per-case-summary"><caption>${v.t('reports.perCase.summary')}</caption>
<thead><tr>${groupHeads(tc)}${countHeads(v)}${columns.map((c) => indicatorHead(v, c))}<th scope="col">${oneMax ? v.t('reports.col.total', { max }) : v.t('reports.col.totalPlain')}</th><th scope="col">${v.t('reports.col.band')}</th>${ranked ? html`<th scope="col">${v.t('reports.col.rank')}</th>` : ''}</tr></thead>
<tbody>${groups.map(
    (g) =>
      html`<tr data-testid="group-row">${groupCells(tc, g)}${countCells(fmt, g)}${columns.map((c) => {
        const i = indicatorInColumn(g, c);
        return html`<td class="num">${i ? html`${fmt.fig(i.mean)}${sourceNote(v, i.source)}` : '–'}</td>`;
      })}<td class="num" data-testid="group-total">${fmt.fig(g.total)}${oneMax ? '' : html` <small>/${g.max}</small>`}</td><td>${g.band ? pickText(g.band.label, v.locale) : '–'}</td>${
        ranked ? html`<td class="num">${g.rank ?? '–'}</td>` : ''
      }</tr>`,
  )}</tbody></table></div>`;
};

/** Per-case indicators of one group: counts and shares at 0/1/2 points, mean, and where each figure came from. */
export const perCaseIndicators = (tc: TableCtx, g: PerCaseGroup, title: string): Html => {
  const { v, fmt } = tc;
  const points = [0, 1, 2] as const;
  return html`<div class="scroll"><table class="report-table" data-testid="per-case-indicators"><caption>${title}</caption>
<thead><tr><th scope="col">${v.t('reports.col.indicator')}</th>${points.map((p) => html`<th scope="col">${v.t('reports.col.points', { p })}</th>`)}<th scope="col">${v.t(
    'reports.col.valid',
  )}</th><th scope="col">${v.t('reports.col.mean')}</th><th scope="col">${v.t('reports.col.source')}</th></tr></thead>
<tbody>${g.indicators.map(
    (i) =>
      html`<tr><th scope="row">${v.t('reports.col.indicatorN', { n: i.indicator })}${i.question ? html` <small>${i.question}</small>` : ''}</th>${points.map(
        (p) => html`<td class="num">${fmt.count(i.counts[p])} (${fmt.pct(i.shares[p])})</td>`,
      )}<td class="num">${fmt.count(i.valid)}</td><td class="num">${fmt.fig(i.mean)}</td><td>${v.t(
        `reports.source.${i.source}`,
      )}</td></tr>`,
  )}</tbody>
<tfoot><tr><th scope="row">${v.t('reports.col.total', { max: g.max })}</th><td colspan="4"></td><td class="num">${fmt.fig(g.total)}</td><td>${
    g.band ? pickText(g.band.label, v.locale) : '–'
  }</td></tr></tfoot></table></div>`;
};

/** SIPAS per group: each element's index and the overall index. */
export const sipasSummary = (tc: TableCtx, groups: readonly SipasGroup[]): Html => {
  const { v, fmt } = tc;
  const elements = groups[0]?.elements ?? [];
  return html`<div class="scroll"><table class="report-table" data-testid="sipas-summary"><caption>${v.t('reports.sipas.summary')}</caption>
<thead><tr>${groupHeads(tc)}${countHeads(v)}${elements.map((e) => html`<th scope="col">${e.name ? pickText(e.name, v.locale) : e.id}</th>`)}<th scope="col">${v.t(
    'reports.col.overallIndex',
  )}</th></tr></thead>
<tbody>${groups.map(
    (g) =>
      html`<tr data-testid="group-row">${groupCells(tc, g)}${countCells(fmt, g)}${elements.map((e) => {
        const mine = g.elements.find((x) => x.id === e.id);
        return html`<td class="num">${fmt.pct(mine?.index)}</td>`;
      })}<td class="num" data-testid="group-index">${fmt.pct(g.index)}</td></tr>`,
  )}</tbody></table></div>`;
};

const FIVE = ['1', '2', '3', '4', '5'] as const;

/** SIPAS questions of one group: valid answers, the count at each of the five levels, the satisfied share. */
export const sipasQuestions = (tc: TableCtx, g: SipasGroup, title: string): Html => {
  const { v, fmt } = tc;
  const rows = g.elements.flatMap((e) => e.questions.map((q) => ({ e, q, f: g.questions[q] })));
  return html`<div class="scroll"><table class="report-table" data-testid="sipas-questions"><caption>${title}</caption>
<thead><tr><th scope="col">${v.t('reports.col.element')}</th><th scope="col">${v.t('reports.col.question')}</th><th scope="col">${v.t(
    'reports.col.valid',
  )}</th>${FIVE.map((l) => html`<th scope="col">${v.t(`reports.levels.${l}`)}</th>`)}<th scope="col">${v.t('reports.col.satisfied')}</th></tr></thead>
<tbody>${rows.map(
    ({ e, q, f }) =>
      html`<tr><td>${e.name ? pickText(e.name, v.locale) : e.id}</td><th scope="row"><code>${q}</code></th><td class="num">${fmt.count(
        f?.valid ?? 0,
      )}</td>${FIVE.map((l) => html`<td class="num">${fmt.count(f?.counts[l] ?? 0)}</td>`)}<td class="num">${fmt.pct(f?.satisfiedPercent)}</td></tr>`,
  )}</tbody></table></div>`;
};

/** Quick per group: each satisfaction question's satisfied share. */
export const quickSummary = (tc: TableCtx, groups: readonly QuickGroup[]): Html => {
  const { v, fmt } = tc;
  const ids = [...new Set(groups.flatMap((g) => Object.keys(g.satisfied)))];
  return html`<div class="scroll"><table class="report-table" data-testid="quick-summary"><caption>${v.t('reports.quick.summary')}</caption>
<thead><tr>${groupHeads(tc)}${countHeads(v)}${ids.map((q) => html`<th scope="col"><code>${q}</code> (%)</th>`)}</tr></thead>
<tbody>${groups.map(
    (g) =>
      html`<tr data-testid="group-row">${groupCells(tc, g)}${countCells(fmt, g)}${ids.map((q) => html`<td class="num">${fmt.pct(g.satisfied[q])}</td>`)}</tr>`,
  )}</tbody></table></div>`;
};

const valuesOf = (figures: readonly QuestionFigures[]): string[] =>
  [...new Set(figures.flatMap((f) => Object.keys(f.counts)))].sort(
    (a, b) => Number(a) - Number(b) || a.localeCompare(b),
  );

/** Quick questions of one group: the count at each answer, valid, mean, satisfied share; then the reasons chosen. */
export const quickDetails = (tc: TableCtx, g: QuickGroup, title: string): Html => {
  const { v, fmt } = tc;
  const ids = Object.keys(g.satisfied);
  const figures = ids.map((q) => g.questions[q]).filter((f) => f !== undefined);
  const values = valuesOf(figures);
  const answers = html`<div class="scroll"><table class="report-table" data-testid="quick-questions"><caption>${title}</caption>
<thead><tr><th scope="col">${v.t('reports.col.question')}</th>${values.map((l) => html`<th scope="col">${v.t('reports.col.level', { level: l })}</th>`)}<th scope="col">${v.t(
    'reports.col.valid',
  )}</th><th scope="col">${v.t('reports.col.mean')}</th><th scope="col">${v.t('reports.col.satisfied')}</th></tr></thead>
<tbody>${ids.map((q) => {
    const f = g.questions[q];
    return html`<tr><th scope="row"><code>${q}</code></th>${values.map((l) => html`<td class="num">${fmt.count(f?.counts[l] ?? 0)}</td>`)}<td class="num">${fmt.count(
      f?.valid ?? 0,
    )}</td><td class="num">${fmt.fig(f?.mean)}</td><td class="num">${fmt.pct(g.satisfied[q])}</td></tr>`;
  })}</tbody></table></div>`;
  const reasons = Object.entries(g.reasons).map(([q, counts]) => {
    const sorted = Object.entries(counts).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    return html`<table class="report-table reasons" data-testid="quick-reasons"><caption>${v.t('reports.quick.reasons', { question: q })}</caption>
<thead><tr><th scope="col">${v.t('reports.col.option')}</th><th scope="col">${v.t('reports.col.count')}</th></tr></thead>
<tbody>${sorted.map(([o, n]) => html`<tr><th scope="row"><code>${o}</code></th><td class="num">${fmt.count(n)}</td></tr>`)}</tbody></table>`;
  });
  return html`${answers}${reasons}`;
};

/** The heading of one group's detail tables. */
export const groupTitle = (tc: TableCtx, g: PerCaseGroup | SipasGroup | QuickGroup, what: string): string =>
  tc.by.length === 0 ? what : `${what} — ${groupName(g, tc.by, '')}`;

/**
 * The group's questions no table above shows (the per-case questionnaire's overall satisfaction
 * question, SIPAS opinion items, yes/no questions): the count of each answer, valid answers, mean and
 * satisfied share, as the engine gives them. Nothing when there are none.
 */
export const otherQuestions = (
  tc: TableCtx,
  g: PerCaseGroup | SipasGroup | QuickGroup,
  shown: ReadonlySet<string>,
  title: string,
): Html => {
  const { v, fmt } = tc;
  const ids = Object.keys(g.questions)
    .filter((q) => !shown.has(q))
    .sort();
  if (ids.length === 0) return html``;
  const figures = ids.map((q) => g.questions[q]!);
  const values = valuesOf(figures);
  return html`<div class="scroll"><table class="report-table" data-testid="other-questions"><caption>${title}</caption>
<thead><tr><th scope="col">${v.t('reports.col.question')}</th>${values.map((l) => html`<th scope="col"><code>${l}</code></th>`)}<th scope="col">${v.t(
    'reports.col.valid',
  )}</th><th scope="col">${v.t('reports.col.mean')}</th><th scope="col">${v.t('reports.col.satisfied')}</th></tr></thead>
<tbody>${ids.map((q, i) => {
    const f = figures[i]!;
    return html`<tr><th scope="row"><code>${q}</code></th>${values.map((l) => html`<td class="num">${fmt.count(f.counts[l] ?? 0)}</td>`)}<td class="num">${fmt.count(
      f.valid,
    )}</td><td class="num">${fmt.fig(f.mean)}</td><td class="num">${fmt.pct(f.satisfiedPercent)}</td></tr>`;
  })}</tbody></table></div>`;
};

/** The question ids the instrument's own tables already show for this group. */
export const shownQuestions = (g: PerCaseGroup | SipasGroup | QuickGroup): Set<string> => {
  if ('indicators' in g) return new Set(g.indicators.flatMap((i) => (i.question ? [i.question] : [])));
  if ('elements' in g) return new Set(g.elements.flatMap((e) => e.questions));
  return new Set([...Object.keys(g.satisfied), ...Object.keys(g.reasons)]);
};
