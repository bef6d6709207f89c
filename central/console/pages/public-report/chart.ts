import * as echarts from 'echarts';
import { type Html, escapeHtml, trusted } from '../../html.ts';

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
 * The console's CSP allows no inline style: echarts' SVG carries a <style> of hover effects (dropped: the
 * chart is static) and `style` attributes of font size and family, turned into the equivalent SVG
 * presentation attributes so the text keeps its size without 'unsafe-inline'.
 */
export const cspSafeSvg = (svg: string): string =>
  svg.replace(/<style[\s\S]*?<\/style>/g, '').replace(/ style="([^"]*)"/g, (_m, decl: string) =>
    decl
      .split(';')
      .map((d) => /^\s*([a-z-]+)\s*:\s*([^;"<>]+?)\s*$/.exec(d))
      .filter((m) => m !== null)
      .map((m) => ` ${m[1]!}="${escapeHtml(m[2]!)}"`)
      .join(''),
  );

/**
 * Satisfied share (line, left axis 0-100 %) and per-case total (bars, right axis 0-max) by month, server-side
 * SVG; months without a figure shown are gaps. Static: no animation, no tooltip.
 */
export const monthChart = (c: MonthChart): Html => {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: 760, height: 320 });
  try {
    chart.setOption({
      animation: false,
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
    });
    const svg = cspSafeSvg(chart.renderToSVGString());
    return trusted(svg.replace(/^<svg /, `<svg role="img" aria-label="${escapeHtml(c.label)}" focusable="false" `));
  } finally {
    chart.dispose();
  }
};
