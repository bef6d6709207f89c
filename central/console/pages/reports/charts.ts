import type { EChartsOption } from 'echarts';
import { type Html, html } from '../../html.ts';
import type { AuthedView } from '../../view.ts';
import type { ComparisonData, DistributionData, Metric, TrendData } from './chart-data.ts';
import type { FigureFormat } from './figures.ts';
import { renderChart } from '../../svg-chart.ts';

/**
 * Each chart is a <figure>: a caption, the SVG (role="img", its aria-label a one-sentence summary)
 * and right after it a table with the same figures, which is what a screen reader reads and what
 * still holds when a printer drops the colours.
 */

/** Colours for ordered levels, worst to best (ColorBrewer RdBu, readable in grey; the legend names them). */
const LEVEL_COLOURS: Record<number, string[]> = {
  2: ['#d6604d', '#4393c3'],
  3: ['#d6604d', '#f4a582', '#2166ac'],
  4: ['#b2182b', '#f4a582', '#92c5de', '#2166ac'],
  5: ['#b2182b', '#f4a582', '#d9d9d9', '#92c5de', '#2166ac'],
};
/** Black or white, whichever reads better on this background (WCAG relative luminance). */
export const textOn = (hex: string): string => {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  const l = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  return (l + 0.05) / 0.05 >= 1.05 / (l + 0.05) ? '#000000' : '#ffffff';
};

const SERIES_COLOURS = ['#0b5394', '#d6604d', '#1b7837', '#762a83', '#b35806', '#2d004b', '#666666', '#01665e'];
const ACCENT = '#0b5394';
const MAX_BARS = 60;
/**
 * Labels without echarts' white outline: Chromium prints an outlined SVG text as two text runs, so
 * a PDF (and whoever reads its text) would get every figure twice.
 */
const UNOUTLINED = { textBorderColor: 'transparent' } as const;

const figure = (testId: string, caption: string, svg: Html | null, table: Html, note?: string): Html =>
  html`<figure class="report-chart" data-testid="${testId}"><figcaption>${caption}${note ? html` <small>${note}</small>` : ''}</figcaption>
${svg ?? ''}
${table}
</figure>`;

const at = <T>(xs: readonly T[], i: number): T | undefined => xs[i];

/** Highest and lowest of labelled values (null values skipped); undefined when none has a value. */
const extremes = (xs: readonly { name: string; value: number | null }[]) => {
  const valued = xs.filter((x): x is { name: string; value: number } => x.value !== null);
  if (valued.length === 0) return undefined;
  const hi = valued.reduce((a, b) => (b.value > a.value ? b : a));
  const lo = valued.reduce((a, b) => (b.value < a.value ? b : a));
  return { hi, lo };
};

export const trendFigure = (
  ctx: AuthedView,
  fmt: FigureFormat,
  data: TrendData,
  metric: Metric,
  periodName: (p: string) => string,
): Html => {
  const grouping = ctx.t(`reports.groupings.${data.time}`).toLowerCase();
  const labels = data.periods.map(periodName);
  const first = data.series[0]!;
  const ex = extremes(first.values.map((value, i) => ({ name: labels[i] ?? '', value })));
  const label = ctx.t('reports.charts.trendLabel', {
    metric: data.series.length > 1 ? `${metric.label} (${data.series.map((s) => s.name).join(', ')})` : metric.label,
    grouping,
    count: labels.length,
    first: labels[0] ?? '',
    last: labels.at(-1) ?? '',
    max: ex ? fmt.fig(ex.hi.value) : '–',
    maxAt: ex?.hi.name ?? '',
    min: ex ? fmt.fig(ex.lo.value) : '–',
    minAt: ex?.lo.name ?? '',
  });
  const option: EChartsOption = {
    color: SERIES_COLOURS,
    grid: { left: 56, right: 24, top: 24, bottom: data.series.length > 1 ? 72 : 40 },
    legend: data.series.length > 1 ? { bottom: 0, type: 'plain' } : { show: false },
    xAxis: { type: 'category', data: labels, boundaryGap: false },
    yAxis: { type: 'value', min: 0, max: metric.max },
    series: data.series.map((s) => ({
      type: 'line',
      name: s.name,
      data: s.values,
      symbolSize: 7,
      label: {
        show: data.series.length === 1,
        position: 'top',
        ...UNOUTLINED,
        formatter: (p) => fmt.fig(Number(p.value)),
      },
    })),
  };
  const svg = renderChart(option, { width: 760, height: data.series.length > 1 ? 340 : 300 }, label);
  const table = html`<table class="chart-data" data-testid="chart-table"><caption>${ctx.t('reports.charts.dataCaption')}</caption>
<thead><tr><th scope="col">${ctx.t(`reports.groupings.${data.time}`)}</th>${data.series.map((s) => html`<th scope="col">${s.name}</th>`)}</tr></thead>
<tbody>${labels.map(
    (p, i) =>
      html`<tr><th scope="row">${p}</th>${data.series.map((s) => html`<td class="num">${fmt.fig(at(s.values, i))}</td>`)}</tr>`,
  )}</tbody></table>`;
  const note =
    data.seriesTotal > data.series.length
      ? ctx.t('reports.charts.trendSeries', { shown: data.series.length, total: data.seriesTotal })
      : undefined;
  return figure(
    'chart-trend',
    ctx.t('reports.charts.trendTitle', { grouping, metric: metric.label }),
    svg,
    table,
    note,
  );
};

const share = (count: number, valid: number): number => (valid > 0 ? (count / valid) * 100 : 0);

export const distributionFigure = (ctx: AuthedView, fmt: FigureFormat, data: DistributionData): Html | null => {
  if (data.rows.length === 0 || data.levels.length === 0) return null;
  const best = data.levels.length - 1;
  const ex = extremes(data.rows.map((r) => ({ name: r.item, value: share(r.counts[best] ?? 0, r.valid) })));
  const label = ctx.t('reports.charts.distributionLabel', {
    count: data.rows.length,
    best: ex?.hi.name ?? '',
    bestShare: ex ? fmt.pct(ex.hi.value) : '–',
    worst: ex?.lo.name ?? '',
    worstShare: ex ? fmt.pct(ex.lo.value) : '–',
  });
  const colours = LEVEL_COLOURS[data.levels.length] ?? SERIES_COLOURS;
  const option: EChartsOption = {
    color: colours,
    grid: { left: 150, right: 24, top: 16, bottom: 64 },
    legend: { bottom: 0 },
    xAxis: { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' } },
    yAxis: { type: 'category', inverse: true, data: data.rows.map((r) => r.item) },
    series: data.levels.map((level, li) => ({
      type: 'bar',
      name: level.label,
      stack: 'answers',
      data: data.rows.map((r) => share(r.counts[li] ?? 0, r.valid)),
      label: {
        show: true,
        formatter: (p) => (Number(p.value) >= 8 ? fmt.pct(Number(p.value)) : ''),
        color: textOn(colours[li % colours.length] ?? ACCENT),
        ...UNOUTLINED,
      },
    })),
  };
  const svg = renderChart(option, { width: 760, height: 100 + data.rows.length * 34 }, label);
  const table = html`<table class="chart-data" data-testid="chart-table"><caption>${ctx.t('reports.charts.dataCaption')}</caption>
<thead><tr><th scope="col">${data.itemHeading}</th>${data.levels.map((l) => html`<th scope="col">${l.label}</th>`)}<th scope="col">${ctx.t('reports.col.valid')}</th></tr></thead>
<tbody>${data.rows.map(
    (r) =>
      html`<tr><th scope="row">${r.item}</th>${r.counts.map((c) => html`<td class="num">${fmt.count(c)} (${fmt.pct(share(c, r.valid))})</td>`)}<td class="num">${fmt.count(r.valid)}</td></tr>`,
  )}</tbody></table>`;
  return figure('chart-distribution', ctx.t('reports.charts.distributionTitle'), svg, table);
};

export const comparisonFigure = (ctx: AuthedView, fmt: FigureFormat, data: ComparisonData, metric: Metric): Html => {
  const grouping = ctx.t(`reports.groupings.${data.grouping}`).toLowerCase();
  const ex = extremes(data.rows);
  // A bar per group reads up to a few dozen (a province's communes); beyond that the table carries the rest.
  const drawn = data.rows.slice(0, MAX_BARS);
  const label = ctx.t('reports.charts.compareLabel', {
    metric: metric.label,
    count: data.rows.length,
    grouping,
    top: ex?.hi.name ?? '',
    topValue: ex ? fmt.fig(ex.hi.value) : '–',
    bottom: ex?.lo.name ?? '',
    bottomValue: ex ? fmt.fig(ex.lo.value) : '–',
  });
  const option: EChartsOption = {
    color: [ACCENT],
    grid: { left: 180, right: 56, top: 16, bottom: 32 },
    xAxis: { type: 'value', min: 0, max: metric.max },
    yAxis: { type: 'category', inverse: true, data: drawn.map((r) => r.name) },
    series: [
      {
        type: 'bar',
        name: metric.label,
        data: drawn.map((r) => r.value),
        label: {
          show: true,
          position: 'right',
          ...UNOUTLINED,
          formatter: (p) => fmt.fig(Number(p.value)),
        },
      },
    ],
  };
  const svg = renderChart(option, { width: 760, height: 60 + drawn.length * 30 }, label);
  const table = html`<table class="chart-data" data-testid="chart-table"><caption>${ctx.t('reports.charts.dataCaption')}</caption>
<thead><tr><th scope="col">${ctx.t(`reports.groupings.${data.grouping}`)}</th><th scope="col">${metric.label}</th></tr></thead>
<tbody>${data.rows.map((r) => html`<tr><th scope="row">${r.name}</th><td class="num">${fmt.fig(r.value)}</td></tr>`)}</tbody></table>`;
  const note =
    drawn.length < data.rows.length
      ? ctx.t('reports.charts.trendSeries', { shown: drawn.length, total: data.rows.length })
      : undefined;
  return figure(
    'chart-compare',
    ctx.t('reports.charts.compareTitle', { grouping, metric: metric.label }),
    svg,
    table,
    note,
  );
};
