import { roundForDisplay } from '../../../../shared/reports/formulas.ts';
import { pickText } from '../../../../shared/locale.ts';
import { type Html, html } from '../../html.ts';
import { CONSOLE_LOCALES, type ConsoleLocale, type Translate, formatTime } from '../../i18n.ts';
import { monthChart } from './chart.ts';
import type { PublicFigures, PublicMonth } from './figures.ts';

export type PublicPageData = {
  locale: ConsoleLocale;
  t: Translate;
  /** The page's own path without query (language links add ?lang=). */
  path: string;
  cssUrls: readonly string[];
  unitName: string;
  figures: PublicFigures;
  decimals: number;
  minResponses: number;
  cacheMinutes: number;
  now: Date;
};

const monthLabel = (locale: ConsoleLocale, month: string): string =>
  locale === 'vi' ? `${month.slice(5, 7)}/${month.slice(0, 4)}` : month;

const dayLabel = (locale: ConsoleLocale, day: string): string =>
  locale === 'vi' ? `${day.slice(8, 10)}/${day.slice(5, 7)}/${day.slice(0, 4)}` : day;

const number = (locale: ConsoleLocale, x: number, decimals: number): string =>
  new Intl.NumberFormat(locale === 'vi' ? 'vi-VN' : 'en-GB', {
    minimumFractionDigits: decimals,
    maximumFractionDigits: decimals,
  }).format(roundForDisplay(x, decimals));

/** A figure withheld or missing: a dash to the eye, words to a screen reader. */
const dash = (d: PublicPageData): Html =>
  html`<span aria-hidden="true">—</span><span class="visually-hidden">${d.t('publicReport.noFigure')}</span>`;

const cell = (d: PublicPageData, v: number | null, decimals: number): Html | string =>
  v === null ? dash(d) : number(d.locale, v, decimals);

const row = (d: PublicPageData, m: PublicMonth, current: boolean): Html => {
  const label = current
    ? d.t('publicReport.monthSoFar', { month: monthLabel(d.locale, m.month), day: dayLabel(d.locale, d.figures.to) })
    : monthLabel(d.locale, m.month);
  return html`<tr><th scope="row">${label}</th><td>${cell(d, m.satisfiedPercent, d.decimals)}</td><td>${cell(d, m.satisfactionResponses, 0)}</td><td>${cell(d, m.total, d.decimals)}</td><td>${m.band === null ? dash(d) : pickText(m.band.label, d.locale)}</td><td>${cell(d, m.perCaseResponses, 0)}</td></tr>`;
};

const table = (d: PublicPageData): Html => {
  const t = d.t;
  const max = d.figures.max;
  const last = d.figures.months.length - 1;
  return html`<table class="public-report" data-testid="public-report-table">
<caption>${t('publicReport.tableCaption', { unit: d.unitName })}</caption>
<thead><tr><th scope="col">${t('publicReport.month')}</th><th scope="col">${t('publicReport.satisfied')}</th><th scope="col">${t('publicReport.satisfactionResponses')}</th><th scope="col">${t('publicReport.total', { max })}</th><th scope="col">${t('publicReport.band')}</th><th scope="col">${t('publicReport.perCaseResponses')}</th></tr></thead>
<tbody>${d.figures.months.map((m, i) => row(d, m, i === last))}</tbody>
</table>`;
};

const languageLinks = (d: PublicPageData): Html =>
  html`<ul class="lang" aria-label="${d.t('nav.language')}">${CONSOLE_LOCALES.map(
    (l) =>
      html`<li><a href="${`${d.path}?lang=${l}`}" lang="${l}" hreflang="${l}"${l === d.locale ? html` aria-current="true"` : ''}>${d.t(`language.${l}`)}</a></li>`,
  )}</ul>`;

/**
 * A unit's public page: no login, no console navigation; the chart (SVG, role="img") and then the same
 * figures as a table. Figures only: no comment, officer, counter or case number ever reaches this view.
 */
export const publicReportView = (d: PublicPageData): Html => {
  const t = d.t;
  const f = d.figures;
  const first = f.months[0]!;
  const title = t('publicReport.title', { unit: d.unitName });
  const chart = monthChart({
    months: f.months.map((m) => monthLabel(d.locale, m.month)),
    satisfied: f.months.map((m) =>
      m.satisfiedPercent === null ? null : roundForDisplay(m.satisfiedPercent, d.decimals),
    ),
    totals: f.months.map((m) => (m.total === null ? null : roundForDisplay(m.total, d.decimals))),
    max: f.max,
    names: { satisfied: t('publicReport.satisfied'), total: t('publicReport.total', { max: f.max }) },
    label: t('publicReport.chartLabel', {
      from: monthLabel(d.locale, first.month),
      to: monthLabel(d.locale, f.months.at(-1)!.month),
      max: f.max,
    }),
  });
  return html`<!doctype html>
<html lang="${d.locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
${d.cssUrls.map((u) => html`<link rel="stylesheet" href="${u}">`)}
</head>
<body class="public">
<header class="top public-top">${languageLinks(d)}</header>
<main id="main">
<h1>${title}</h1>
<p data-testid="public-report-scope">${t('publicReport.scope', { unit: d.unitName, today: dayLabel(d.locale, f.to) })}</p>
<section aria-labelledby="chart-heading"><h2 id="chart-heading">${t('publicReport.chartHeading')}</h2>
<figure class="chart">${chart}</figure></section>
<section aria-labelledby="table-heading"><h2 id="table-heading">${t('publicReport.tableHeading')}</h2>
${table(d)}</section>
<section aria-labelledby="how-heading"><h2 id="how-heading">${t('publicReport.howHeading')}</h2>
<ul><li>${t('publicReport.howSatisfied')}</li><li>${t('publicReport.howTotal', { max: f.max })}</li><li>${t('publicReport.howThreshold', { n: d.minResponses })}</li></ul>
<p class="hint">${t('publicReport.generated', { time: formatTime(d.locale, d.now), minutes: d.cacheMinutes })}</p></section>
</main>
</body>
</html>
`;
};
