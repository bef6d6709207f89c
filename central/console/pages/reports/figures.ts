import type { ConsoleLocale } from '../../i18n.ts';

/**
 * Rounding for display: half away from zero on the decimal value (1.25 → 1.3, 2.45 → 2.5), the rule
 * docs/reports.md states. The ENGINE's `roundForDisplay` in shared/reports/formulas.ts is the one
 * function for it; this local copy (same name, same contract) stands in until that file is merged and
 * should then be replaced by an import. toPrecision(15) first drops the binary noise of the scaling
 * (2.45 × 10 = 24.500000000000004, 1.005 × 100 = 100.49999999999999).
 */
export const roundForDisplay = (x: number, decimals: number): number => {
  const scale = 10 ** decimals;
  const scaled = Number((Math.abs(x) * scale).toPrecision(15));
  const rounded = Math.round(scaled) / scale;
  return x < 0 ? -rounded : rounded;
};

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
