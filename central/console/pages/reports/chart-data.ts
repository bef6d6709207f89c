import type { Grouping } from '../../../../shared/reports/query.ts';
import type {
  GroupBase,
  PerCaseGroup,
  QuickGroup,
  ReportResult,
  SipasGroup,
} from '../../../../shared/reports/result.ts';
import { pickText } from '../../../../shared/locale.ts';
import { indicatorColumns, indicatorInColumn } from '../../../../shared/reports/indicator-columns.ts';
import type { ConsoleLocale, Translate } from '../../i18n.ts';

/**
 * The figures each chart draws, taken from a ReportResult without computing any formula again (the
 * engine's are in shared/reports/formulas.ts): the chart and the table after it are both made from
 * these, so what is drawn is what is written.
 */

export type AggregateResult = Extract<ReportResult, { report: 'per-case' | 'sipas' | 'quick' }>;
export type AnyGroup = PerCaseGroup | SipasGroup | QuickGroup;

/** The one figure per group a leader compares: the /18 total, the SIPAS index, or a satisfied share. */
export type Metric = { label: string; max: number; value: (g: AnyGroup) => number | null };

const TIME: readonly Grouping[] = ['month', 'quarter'];
export const isTime = (g: Grouping): boolean => TIME.includes(g);

/** The quick questionnaire's headline question: "overall" where it has one, else its first satisfaction question. */
const headlineQuestion = (groups: readonly QuickGroup[]): string | null => {
  const ids = [...new Set(groups.flatMap((g) => Object.keys(g.satisfied)))];
  return ids.includes('overall') ? 'overall' : (ids[0] ?? null);
};

export const metricOf = (result: AggregateResult, t: Translate): Metric | null => {
  if (result.report === 'per-case') {
    const max = result.groups[0]?.max ?? 18;
    return { label: t('reports.charts.metricTotal', { max }), max, value: (g) => ('total' in g ? g.total : null) };
  }
  if (result.report === 'sipas')
    return { label: t('reports.charts.metricIndex'), max: 100, value: (g) => ('elements' in g ? g.index : null) };
  const q = headlineQuestion(result.groups);
  if (q === null) return null;
  return {
    label: t('reports.charts.metricSatisfied', { question: q }),
    max: 100,
    value: (g) => ('satisfied' in g ? (g.satisfied[q] ?? null) : null),
  };
};

/** A group's name on a chart or in a table: its labels (or ids) for these groupings, joined. */
export const groupName = (g: GroupBase, dims: readonly Grouping[], whole: string): string =>
  dims.length === 0 ? whole : dims.map((d) => g.labels[d] ?? g.key[d] ?? '–').join(' · ');

export type TrendData = {
  time: Grouping;
  periods: string[];
  series: { name: string; values: (number | null)[] }[];
  /** Series there were before the chart kept the first few. */
  seriesTotal: number;
};

export const MAX_SERIES = 8;

/** Figures per period (and per other grouping, one line each), from a result grouped by month or quarter. */
export const trendData = (result: AggregateResult, metric: Metric, whole: string): TrendData | null => {
  const by = result.filters.by;
  const time = by.find(isTime);
  if (time === undefined) return null;
  const others = by.filter((b) => b !== time);
  const groups: readonly AnyGroup[] = result.groups;
  const periods = [...new Set(groups.map((g) => g.key[time] ?? ''))].filter((p) => p !== '').sort();
  if (periods.length < 2) return null;
  const names = [...new Set(groups.map((g) => groupName(g, others, whole)))];
  const series = names.slice(0, MAX_SERIES).map((name) => ({
    name: others.length === 0 ? metric.label : name,
    values: periods.map((p) => {
      const g = groups.find((x) => x.key[time] === p && groupName(x, others, whole) === name);
      return g ? metric.value(g) : null;
    }),
  }));
  return { time, periods, series, seriesTotal: names.length };
};

/** A level of a distribution: the answer value it counts and what to call it. */
export type Level = { value: string; label: string };
export type DistributionRow = { item: string; counts: number[]; valid: number };
export type DistributionData = {
  /** What each row is (indicator, element, question), as the table's first column heading. */
  itemHeading: string;
  levels: Level[];
  rows: DistributionRow[];
};

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

/**
 * Per-case: cases at 0, 1 and 2 points per indicator, over every group (the groups split the cases). An
 * indicator whose question changed between versions has a row per version, as in the summary table.
 */
const perCaseDistribution = (groups: readonly PerCaseGroup[], t: Translate): DistributionData => {
  const rows = indicatorColumns(groups).flatMap((c) => {
    const from = groups.flatMap((g) => {
      const i = indicatorInColumn(g, c);
      return i && i.source === 'cases' ? [i] : [];
    });
    const counts = ([0, 1, 2] as const).map((p) => sum(from.map((i) => i.counts[p])));
    const valid = sum(from.map((i) => i.valid));
    const item =
      c.version === null
        ? t('reports.col.indicatorN', { n: c.indicator })
        : t('reports.col.indicatorNVersion', { n: c.indicator, version: c.version });
    return valid > 0 ? [{ item, counts, valid }] : [];
  });
  return {
    itemHeading: t('reports.col.indicator'),
    levels: ['0', '1', '2'].map((p) => ({ value: p, label: t('reports.col.points', { p }) })),
    rows,
  };
};

const FIVE = ['1', '2', '3', '4', '5'] as const;

/** SIPAS: answers at each of the five levels per element (its questions' answers together). */
const sipasDistribution = (groups: readonly SipasGroup[], t: Translate, locale: ConsoleLocale): DistributionData => {
  const elements = groups[0]?.elements ?? [];
  const rows = elements.flatMap((e) => {
    const figures = groups.flatMap((g) => e.questions.map((q) => g.questions[q]).filter((f) => f !== undefined));
    const counts = FIVE.map((v) => sum(figures.map((f) => f.counts[v] ?? 0)));
    const valid = sum(counts);
    return valid > 0 ? [{ item: e.name ? pickText(e.name, locale) : e.id, counts, valid }] : [];
  });
  return {
    itemHeading: t('reports.col.element'),
    levels: FIVE.map((v) => ({ value: v, label: t(`reports.levels.${v}`) })),
    rows,
  };
};

/** Quick: answers at each value of every satisfaction question. */
const quickDistribution = (groups: readonly QuickGroup[], t: Translate): DistributionData => {
  const ids = [...new Set(groups.flatMap((g) => Object.keys(g.satisfied)))];
  const values = [
    ...new Set(groups.flatMap((g) => ids.flatMap((q) => Object.keys(g.questions[q]?.counts ?? {})))),
  ].sort((a, b) => Number(a) - Number(b));
  const rows = ids.flatMap((q) => {
    const counts = values.map((v) => sum(groups.map((g) => g.questions[q]?.counts[v] ?? 0)));
    const valid = sum(counts);
    return valid > 0 ? [{ item: q, counts, valid }] : [];
  });
  return {
    itemHeading: t('reports.col.question'),
    levels: values.map((v) => ({ value: v, label: t('reports.col.level', { level: v }) })),
    rows,
  };
};

export const distributionData = (result: AggregateResult, t: Translate, locale: ConsoleLocale): DistributionData =>
  result.report === 'per-case'
    ? perCaseDistribution(result.groups, t)
    : result.report === 'sipas'
      ? sipasDistribution(result.groups, t, locale)
      : quickDistribution(result.groups, t);

export type ComparisonData = { grouping: Grouping; rows: { name: string; value: number | null }[] };

/** Groups side by side (units, officers, procedures…): only when grouped by exactly one thing that is not time. */
export const comparisonData = (result: AggregateResult, metric: Metric): ComparisonData | null => {
  const by = result.filters.by;
  const grouping = by[0];
  if (by.length !== 1 || grouping === undefined || isTime(grouping) || result.groups.length < 2) return null;
  const groups: readonly AnyGroup[] = result.groups;
  return { grouping, rows: groups.map((g) => ({ name: groupName(g, by, ''), value: metric.value(g) })) };
};
