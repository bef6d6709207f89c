import type { LocalizedText } from '../../../shared/locale.ts';
import type { GradeBand } from '../../../shared/questionnaire.ts';
import {
  bandFor,
  gradedTotal,
  competitionRanks,
  indicatorFigures,
  perCaseTotal,
  quartersTouched,
  unitIndicatorFigure,
} from '../../../shared/reports/formulas.ts';
import type { ReportQuery } from '../../../shared/reports/query.ts';
import type { GroupKey, PerCaseGroup, PerCaseIndicator } from '../../../shared/reports/result.ts';
import type { ReportSettings } from '../../../shared/reports/settings.ts';
import type { CountsResult, GroupCounts } from './counts.ts';
import type { Definitions } from './definitions.ts';
import { groupBase } from './group-base.ts';
import type { Labels } from './labels.ts';
import {
  indicatorSplitNote,
  perCaseNote,
  rankNote,
  unitEntryMissingNote,
  unitEntryNote,
  unitLevelNote,
} from './notes.ts';
import type { UnitEntries } from './unit-indicators.ts';

export type PerCaseContext = {
  query: ReportQuery;
  units: readonly string[];
  settings: ReportSettings;
  labels: Labels;
  defs: Definitions;
  unitEntries: UnitEntries;
};

const pad = (n: number): string => String(n).padStart(2, '0');

/** The days a group covers: the report's range, narrowed to the group's month or quarter. */
export const groupPeriod = (key: GroupKey, from: string, to: string): { from: string; to: string } => {
  let start = from;
  let end = to;
  const narrow = (first: string, last: string): void => {
    if (first > start) start = first;
    if (last < end) end = last;
  };
  if (key.month) {
    const [y, m] = key.month.split('-').map(Number) as [number, number];
    narrow(`${key.month}-01`, `${key.month}-${pad(new Date(Date.UTC(y, m, 0)).getUTCDate())}`);
  }
  if (key.quarter) {
    const y = Number(key.quarter.slice(0, 4));
    const q = Number(key.quarter.slice(6));
    const lastMonth = q * 3;
    narrow(
      `${y}-${pad(lastMonth - 2)}-01`,
      `${y}-${pad(lastMonth)}-${pad(new Date(Date.UTC(y, lastMonth, 0)).getUTCDate())}`,
    );
  }
  return { from: start, to: end };
};

/**
 * The unit a group describes, when it describes one unit as a whole: keyed by unit, or the report covers
 * a single unit; and not split by field, procedure, officer or counter (a unit's own indicator describes
 * the unit, not one procedure or one officer).
 */
const unitOfGroup = (key: GroupKey, ctx: PerCaseContext): string | null => {
  if (ctx.query.by.some((g) => g === 'field' || g === 'procedure' || g === 'officer' || g === 'counter')) return null;
  return key.unit ?? (ctx.units.length === 1 ? ctx.units[0]! : null);
};

/**
 * The question keys a group reports for each indicator. Grouped by questionnaire version, a group holds
 * one version's responses, so it reports that version's questions only: version 1's group does not carry
 * version 2's reworded question as an empty second figure for the same indicator (which would withhold
 * its total), and each group's total is its own version's.
 */
const keysOfGroup = (
  g: GroupCounts,
  byIndicator: Map<number, string[]>,
  counts: CountsResult,
): Map<number, string[]> => {
  const version = g.key.version;
  if (version === undefined) return byIndicator;
  const mine = (key: string): boolean => counts.keyVersions.get(key)?.has(Number(version)) ?? false;
  return new Map(
    [...byIndicator].map(([n, keys]) => [n, keys.filter(mine)] as const).filter(([, keys]) => keys.length > 0),
  );
};

/** The per-case indicator each reported question key feeds. */
const indicatorKeys = (counts: CountsResult): Map<number, string[]> => {
  const out = new Map<number, string[]>();
  for (const [key, { question }] of counts.questions) {
    if (question.feeds?.instrument !== 'per-case' || question.type !== 'indicator') continue;
    out.set(question.feeds.indicator, [...(out.get(question.feeds.indicator) ?? []), key].sort());
  }
  return out;
};

/** The bands: the questionnaires' own `grading` when every per-case questionnaire present has the same, else the settings'. */
const bandsFor = (counts: CountsResult, ctx: PerCaseContext): GradeBand[] => {
  const present = new Set([...counts.groups.values()].flatMap((g) => [...g.versions]));
  const gradings = new Set(
    [...present].map((k) => JSON.stringify(ctx.defs.get(k)?.grading ?? null)).filter((g) => g !== 'null'),
  );
  const only = [...gradings][0];
  return gradings.size === 1 && only !== undefined ? (JSON.parse(only) as GradeBand[]) : ctx.settings.perCaseBands;
};

/** A note said once however many groups give it, keyed (and later sorted) by its English text. */
const addNote = (notes: Map<string, LocalizedText>, n: LocalizedText): void => {
  notes.set(n['en'] ?? n['vi'] ?? '', n);
};

const indicatorsOfGroup = (
  g: GroupCounts,
  byIndicator: Map<number, string[]>,
  ctx: PerCaseContext,
  notes: Map<string, LocalizedText>,
): PerCaseIndicator[] => {
  const unit = unitOfGroup(g.key, ctx);
  const period = groupPeriod(g.key, ctx.query.from, ctx.query.to);
  const numbers = new Set([...byIndicator.keys(), ...(unit ? ctx.settings.unitLevelIndicators : [])]);
  const out: PerCaseIndicator[] = [];
  for (const indicator of [...numbers].sort((a, b) => a - b)) {
    const fromCases: PerCaseIndicator[] = (byIndicator.get(indicator) ?? []).map((question) => ({
      indicator,
      question,
      ...indicatorFigures(g.answers.get(question) ?? {}),
      source: 'cases',
    }));
    const entries =
      unit && ctx.settings.unitLevelIndicators.includes(indicator)
        ? ctx.unitEntries.get(unit)?.get(indicator)
        : undefined;
    const figure = entries ? unitIndicatorFigure(entries, quartersTouched(period.from, period.to)) : null;
    if (!figure) {
      out.push(...fromCases);
      continue;
    }
    const base = fromCases.length === 1 ? fromCases[0]! : { indicator, question: null, ...indicatorFigures({}) };
    out.push({ ...base, mean: figure.mean, source: figure.source });
    if (unit === null) continue; // entries are only looked up for a group that is one unit
    addNote(notes, unitEntryNote(unit, indicator, figure.source === 'unit-verified', figure.quartersUsed));
    if (figure.quartersMissing.length > 0)
      addNote(notes, unitEntryMissingNote(unit, indicator, figure.quartersMissing));
  }
  return out;
};

/** Per-case groups: indicator figures, total (sum of indicator means), band and, grouped by unit or officer alone, rank. */
export const perCaseGroups = (
  counts: CountsResult,
  ordered: readonly GroupCounts[],
  ctx: PerCaseContext,
  notes: LocalizedText[],
): PerCaseGroup[] => {
  const byIndicator = indicatorKeys(counts);
  const bands = bandsFor(counts, ctx);
  const extra = new Map<string, LocalizedText>();
  const groups = ordered.map((g): PerCaseGroup => {
    const indicators = indicatorsOfGroup(g, keysOfGroup(g, byIndicator, counts), ctx, extra);
    const numbers = new Set(indicators.map((i) => i.indicator));
    const oneEach = numbers.size === indicators.length;
    const total = oneEach ? perCaseTotal(indicators.map((i) => i.mean)) : null;
    const max = 2 * numbers.size;
    return {
      ...groupBase(g, counts, ctx.labels, ctx.settings, ctx.query.includeFlagged),
      indicators,
      total,
      max,
      band: bandFor(gradedTotal(total, max, ctx.settings.partialTotals), bands, ctx.settings.decimals),
    };
  });
  const [only] = ctx.query.by;
  if (ctx.query.by.length === 1 && (only === 'unit' || only === 'officer')) {
    // Ranked by the graded total: a unit that asks fewer indicators (version 2, out of 8) is ranked on the
    // same 18-point scale as one that asks nine (with partialTotals 'none' it is graded, so ranked, not at all).
    const ranks = competitionRanks(
      groups.map((g) => gradedTotal(g.total, g.max, ctx.settings.partialTotals)),
      ctx.settings.decimals,
      ctx.settings.rankTiesOn,
    );
    groups.forEach((g, i) => {
      const rank = ranks[i];
      if (rank !== undefined) g.rank = rank;
    });
    notes.push(rankNote(ctx.settings));
  }
  notes.push(perCaseNote(ctx.settings, bands));
  if (ctx.settings.unitLevelIndicators.length > 0) notes.push(unitLevelNote(ctx.settings.unitLevelIndicators));
  // Grouped by version every group has its own version's total: the note would say otherwise.
  if (!ctx.query.by.includes('version') && [...byIndicator.values()].some((keys) => keys.length > 1))
    notes.push(indicatorSplitNote());
  notes.push(...[...extra].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, n]) => n));
  return groups;
};
