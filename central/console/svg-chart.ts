import * as echarts from 'echarts';
import type { EChartsOption } from 'echarts';
import { type Html, escapeHtml, trusted } from './html.ts';

/**
 * Charts drawn on the server as SVG (echarts' server-side renderer), so they show without any
 * client script and print like the text around them.
 *
 * The console's CSP has style-src 'self' without 'unsafe-inline', which blocks both `style="…"`
 * attributes and `<style>` elements in the page. echarts' SSR output uses both: style attributes for
 * text (font size, family, weight) and a `<style>` block for hover effects. So the SVG is rewritten:
 * each style declaration becomes the SVG presentation attribute of the same name (font-size="12px"),
 * which CSP does not govern, and the hover block is dropped (no pointer effects without a script).
 */
export const cspSafeSvg = (svg: string, label: string): string | null => {
  const out = svg
    .replace(/<style[\s\S]*?<\/style>/g, '')
    .replace(/ style="([^"]*)"/g, (_m, decls: string) =>
      decls
        .split(';')
        .map((d) => /^\s*([a-z-]+)\s*:\s*(.+?)\s*$/.exec(d))
        .map((m) => (m ? ` ${m[1]}="${m[2]}"` : ''))
        .join(''),
    )
    .replace(/ ecmeta_[a-z_]+="[^"]*"/g, '')
    .replace(/ class="zr\d+-cls-\d+"/g, '')
    .replace(/^<svg /, `<svg role="img" aria-label="${escapeHtml(label)}" focusable="false" class="chart" `);
  // echarts escapes the text it draws; a tag or handler of ours would still be refused here rather
  // than trusted into the page.
  if (/<script|<foreignObject|<[^>]*\son[a-z]+\s*=|javascript:/i.test(out)) return null;
  if (/ style="/.test(out)) return null;
  return out;
};

/** The page's font for chart text (no quotes: they would need escaping in the attribute). */
const FONT = 'Noto Sans, Segoe UI, Roboto, Arial, sans-serif';

/** One chart as inline SVG with role="img" and its summary as aria-label; null if it could not be made safe. */
export const renderChart = (
  option: EChartsOption,
  size: { width: number; height: number },
  label: string,
): Html | null => {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: size.width, height: size.height });
  try {
    chart.setOption({ animation: false, textStyle: { fontFamily: FONT, fontSize: 13, color: '#1a1a1a' }, ...option });
    const svg = cspSafeSvg(chart.renderToSVGString(), label);
    return svg === null ? null : trusted(svg);
  } finally {
    chart.dispose();
  }
};
