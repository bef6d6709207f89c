import { readFileSync } from 'node:fs';
import type { Locator, Page } from '@playwright/test';
import { expect } from '@playwright/test';

/**
 * Page-object helpers for the console's reports page (central/console/pages/reports), for the
 * end-to-end specs: fill the filters as a leader would, read a table back into arrays, download an
 * export, print to PDF. Fields are found by their ids (f-<name>), which do not change with the
 * console's language; the texts the specs compare come from the page.
 */

export type ReportFilters = {
  report?: 'per-case' | 'per-case-list' | 'sipas' | 'quick' | 'comments';
  period?:
    { month: string } | { quarter: 1 | 2 | 3 | 4; year: number } | { year: number } | { from: string; to: string };
  /** A unit id ('' = every unit the account may see, province admins only). */
  unit?: string;
  withSubunits?: boolean;
  /** Up to two groupings, in order ([] clears both). */
  by?: string[];
  field?: string;
  procedure?: string;
  officer?: string;
  counter?: string;
  questionnaire?: string;
  version?: number;
  includeFlagged?: boolean;
  search?: string;
};

export const openReports = async (page: Page, central: { url: string }, query = ''): Promise<void> => {
  await page.goto(`${central.url}/console/reports${query ? `?${query}` : ''}`);
  await expect(page.getByTestId('report-form')).toBeVisible();
};

const setChecked = async (box: Locator, on: boolean): Promise<void> => {
  if ((await box.isChecked()) !== on) await box.click();
};

const fillPeriod = async (page: Page, period: NonNullable<ReportFilters['period']>): Promise<void> => {
  if ('month' in period) {
    await page.locator('#f-period-month').check();
    await page.locator('#f-month').fill(period.month);
  } else if ('quarter' in period) {
    await page.locator('#f-period-quarter').check();
    await page.locator('#f-quarter').selectOption(String(period.quarter));
    await page.locator('#f-year').fill(String(period.year));
  } else if ('year' in period) {
    await page.locator('#f-period-year').check();
    await page.locator('#f-year').fill(String(period.year));
  } else {
    await page.locator('#f-period-range').check();
    await page.locator('#f-from').fill(period.from);
    await page.locator('#f-to').fill(period.to);
  }
};

/** Opens "more filters" when a filter inside it is to be set. */
const more = async (page: Page): Promise<void> => {
  const details = page.locator('details.more');
  if ((await details.getAttribute('open')) === null) await details.locator('summary').click();
};

/** Fills the filters given (the others keep what the form shows) without submitting. */
export const fillReportFilters = async (page: Page, f: ReportFilters): Promise<void> => {
  if (f.report) await page.locator('#f-report').selectOption(f.report);
  if (f.period) await fillPeriod(page, f.period);
  if (f.unit !== undefined) await page.locator('#f-unit').selectOption(f.unit);
  if (f.withSubunits !== undefined) await setChecked(page.locator('#f-withSubunits'), f.withSubunits);
  if (f.by) {
    await page.locator('#f-by1').selectOption(f.by[0] ?? '');
    await page.locator('#f-by2').selectOption(f.by[1] ?? '');
  }
  for (const key of ['field', 'procedure', 'officer', 'counter', 'questionnaire'] as const) {
    const value = f[key];
    if (value === undefined) continue;
    await more(page);
    await page.locator(`#f-${key}`).fill(value);
  }
  if (f.version !== undefined) {
    await more(page);
    await page.locator('#f-version').fill(String(f.version));
  }
  if (f.includeFlagged !== undefined) await setChecked(page.locator('#f-includeFlagged'), f.includeFlagged);
  if (f.search !== undefined) await page.locator('#f-search').fill(f.search);
};

/** Submits the form; resolves when the new page is loaded (a report, or the form with messages). */
export const showReport = async (page: Page): Promise<void> => {
  await Promise.all([page.waitForLoadState('load'), page.getByTestId('report-submit').click()]);
  await page.waitForLoadState('load');
};

export const fillAndShowReport = async (page: Page, f: ReportFilters): Promise<void> => {
  await fillReportFilters(page, f);
  await showReport(page);
};

export type TableData = { caption: string; head: string[]; rows: string[][]; foot: string[][] };

/** A table's text as arrays (header cells, body rows, footer rows), cell text trimmed, whitespace collapsed. */
export const readTable = async (table: Locator): Promise<TableData> =>
  table.evaluate((el) => {
    const text = (c: Element): string => (c.textContent ?? '').replace(/\s+/g, ' ').trim();
    const rowsOf = (sel: string): string[][] =>
      [...el.querySelectorAll(sel)].map((tr) => [...tr.querySelectorAll('th, td')].map(text));
    return {
      caption: text(el.querySelector('caption') ?? document.createElement('caption')),
      head: rowsOf('thead tr')[0] ?? [],
      rows: rowsOf('tbody tr'),
      foot: rowsOf('tfoot tr'),
    };
  });

/** A table of the report by its test id (per-case-summary, sipas-summary, quick-summary, per-case-list, comments-list…). */
export const reportTable = (page: Page, testId: string): Promise<TableData> =>
  readTable(page.getByTestId(testId).first());

export type ChartData = { caption: string; ariaLabel: string; table: TableData };

/** Every chart on the page: its caption, the SVG's summary (aria-label) and the table right after it. */
export const readCharts = async (page: Page): Promise<Record<string, ChartData>> => {
  const out: Record<string, ChartData> = {};
  for (const fig of await page.locator('figure.report-chart').all()) {
    const id = (await fig.getAttribute('data-testid')) ?? '';
    const svg = fig.locator('svg[role="img"]');
    await expect(svg).toBeVisible();
    out[id] = {
      caption: (await fig.locator('figcaption').innerText()).trim(),
      ariaLabel: (await svg.getAttribute('aria-label')) ?? '',
      table: await readTable(fig.locator('table.chart-data')),
    };
  }
  return out;
};

/** Report totals as shown (text, in the page's language). */
export const readTotals = async (page: Page): Promise<{ n: string; completion: string; flagged: string }> => ({
  n: (await page.getByTestId('total-n').innerText()).trim(),
  completion: (await page.getByTestId('total-completion').innerText()).trim(),
  flagged: (await page.getByTestId('total-flagged').innerText()).trim(),
});

/** Clicks an export link and returns the file as it was downloaded (name and bytes). */
export const clickExport = async (
  page: Page,
  format: 'csv' | 'xlsx' | 'json',
): Promise<{ name: string; bytes: Buffer; url: string }> => {
  const link = page.getByTestId(`export-${format}`);
  const url = new URL((await link.getAttribute('href')) ?? '', page.url()).toString();
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  const path = await download.path();
  return { name: download.suggestedFilename(), bytes: readFileSync(path), url };
};

/** The page printed by Chromium (print media, A4) as PDF bytes: what "In báo cáo" gives a leader. */
export const printReportPdf = async (page: Page): Promise<Buffer> => {
  await page.emulateMedia({ media: 'print' });
  try {
    return await page.pdf({ format: 'A4', printBackground: false, preferCSSPageSize: true });
  } finally {
    await page.emulateMedia({ media: 'screen' });
  }
};

/** The message the form shows for a field it refused (error-<field>), or null. */
export const fieldMessage = async (page: Page, field: string): Promise<string | null> => {
  const el = page.getByTestId(`error-${field}`);
  return (await el.count()) > 0 ? (await el.innerText()).trim() : null;
};
