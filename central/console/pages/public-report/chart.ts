import { type Html, html } from '../../html.ts';
import { renderChart } from '../../svg-chart.ts';

export type MonthChart = {
  months: readonly string[];
  satisfied: readonly (number | null)[];
  totals: readonly (number | null)[];
  max: number;
  names: { satisfied: string; total: string };
  /** What the chart shows, for screen readers (role="img"); the table after it has the figures. */
  label: string;
};

/**
 * Satisfied share (line, left axis 0-100 %) and per-case total (bars, right axis 0-max) by month, server-side
 * SVG; months without a figure shown are gaps. Static: no animation, no tooltip.
 */
export const monthChart = (c: MonthChart): Html =>
  renderChart(
    {
      legend: { top: 0 },
      grid: { left: 48, right: 48, top: 40, bottom: 40 },
      // Every month labelled (13 fit the width); a reader should not have to count bars.
      xAxis: { type: 'category', data: [...c.months], axisLabel: { interval: 0 } },
      yAxis: [
        { type: 'value', min: 0, max: 100, name: '%' },
        { type: 'value', min: 0, max: c.max, name: `/${c.max}`, splitLine: { show: false } },
      ],
      series: [
        { name: c.names.total, type: 'bar', yAxisIndex: 1, data: [...c.totals], itemStyle: { color: '#7aa6d6' } },
        {
          name: c.names.satisfied,
          type: 'line',
          yAxisIndex: 0,
          data: [...c.satisfied],
          connectNulls: false,
          itemStyle: { color: '#0b5394' },
          lineStyle: { width: 3 },
        },
      ],
    },
    { width: 760, height: 320 },
    c.label,
  ) ?? html``;
