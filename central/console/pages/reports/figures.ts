import { roundForDisplay } from '../../../../shared/reports/formulas.ts';
import type { ConsoleLocale } from '../../i18n.ts';

const numberFormat = (locale: ConsoleLocale, decimals: number): Intl.NumberFormat =>
  new Intl.NumberFormat(locale === 'vi' ? 'vi-VN' : 'en-GB', {
    minimumFractionDigits: decimals,
    maximumFractionDigits: decimals,
    useGrouping: true,
  });

/** How a report page writes its figures: rounded to the settings' decimals, in the page's locale. */
export type FigureFormat = {
  /** A mean, total or index, rounded to `decimals` ("–" when there is none). */
  fig: (x: number | null | undefined) => string;
  /** A share in percent, rounded to `decimals`, with its sign ("–" when there is none). */
  pct: (x: number | null | undefined) => string;
  /** A count (no decimals). */
  count: (n: number) => string;
  decimals: number;
};

export const figureFormat = (locale: ConsoleLocale, decimals: number): FigureFormat => {
  const fixed = numberFormat(locale, decimals);
  const whole = numberFormat(locale, 0);
  const fig = (x: number | null | undefined): string =>
    x === null || x === undefined || !Number.isFinite(x) ? '–' : fixed.format(roundForDisplay(x, decimals));
  return {
    fig,
    pct: (x) => (x === null || x === undefined || !Number.isFinite(x) ? '–' : `${fig(x)}%`),
    count: (n) => whole.format(n),
    decimals,
  };
};

/** A day "2026-10-31" as both console languages write it on a report (31/10/2026). */
export const formatDay = (day: string): string => day.split('-').reverse().join('/');

/** Today's calendar day in Asia/Ho_Chi_Minh (UTC+7, no daylight saving), as YYYY-MM-DD. */
export const vietnamDay = (now: Date): string => new Date(now.getTime() + 7 * 3_600_000).toISOString().slice(0, 10);
