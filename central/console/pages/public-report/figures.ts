import { ReportQuery, daysInRange } from '../../../../shared/reports/query.ts';
import type { Band, GroupBase, ReportResult } from '../../../../shared/reports/result.ts';
import type { ReportSettings } from '../../../../shared/reports/settings.ts';
import type { Queryable } from '../../../db/types.ts';
import { runReport } from '../../../reports/run-report.ts';

/** How many full months before the current one the public page shows (and the current month so far). */
export const PUBLIC_FULL_MONTHS = 12;

/**
 * One month of a unit's public page. A figure is null when nothing stands behind it or when fewer than
 * `settings.publicMinResponses` responses do (the page shows "—"); counts are null below that threshold too.
 */
export type PublicMonth = {
  /** YYYY-MM */
  month: string;
  /** Responses behind the satisfied share (quick and SIPAS questionnaires), when at or above the threshold. */
  satisfactionResponses: number | null;
  /** Share (percent) of the satisfaction answers of those responses at or above settings.satisfiedFrom. */
  satisfiedPercent: number | null;
  /** Per-case evaluations behind the total, when at or above the threshold. */
  perCaseResponses: number | null;
  /** Per-case total (sum of indicator means), out of `max`. */
  total: number | null;
  band: Band | null;
};

export type PublicFigures = { from: string; to: string; months: PublicMonth[]; max: number };

const pad = (n: number): string => String(n).padStart(2, '0');

/** The calendar day in Asia/Ho_Chi_Minh (UTC+7, no daylight saving) of an instant. */
const vietnamDay = (now: Date): string => new Date(now.getTime() + 7 * 3_600_000).toISOString().slice(0, 10);

/** Months from `count` months before `day`'s month up to `day`'s month, oldest first. */
export const monthsUpTo = (day: string, count: number): string[] => {
  const year = Number(day.slice(0, 4));
  const month = Number(day.slice(5, 7)) - 1;
  return Array.from({ length: count + 1 }, (_, i) => {
    const d = new Date(Date.UTC(year, month - count + i, 1));
    return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}`;
  });
};

/**
 * The public page's period: the last PUBLIC_FULL_MONTHS full months and the current month up to today, in
 * Vietnam's time; shortened from the oldest month should the province's maxRangeDays be shorter.
 */
export const publicPeriod = (now: Date, maxRangeDays: number): { from: string; to: string; months: string[] } => {
  const to = vietnamDay(now);
  let months = monthsUpTo(to, PUBLIC_FULL_MONTHS);
  while (months.length > 1 && daysInRange(`${months[0]!}-01`, to) > maxRangeDays) months = months.slice(1);
  return { from: `${months[0]!}-01`, to, months };
};

/** Σ satisfied answers and Σ valid answers over a group's satisfaction questions (those with a satisfied share). */
const satisfactionAnswers = (g: GroupBase): { satisfied: number; valid: number } => {
  let satisfied = 0;
  let valid = 0;
  for (const q of Object.values(g.questions)) {
    if (q.satisfiedPercent === undefined || q.satisfiedPercent === null || q.valid === 0) continue;
    // satisfiedPercent = satisfied / valid × 100 of whole answers: rounding undoes the float error.
    satisfied += Math.round((q.satisfiedPercent * q.valid) / 100);
    valid += q.valid;
  }
  return { satisfied, valid };
};

const byMonth = <G extends GroupBase>(groups: readonly G[]): Map<string, G> =>
  new Map(groups.flatMap((g) => (g.key.month === undefined ? [] : [[g.key.month, g] as const])));

type Of<K extends ReportResult['report']> = Extract<ReportResult, { report: K }>;

/**
 * A unit's public figures per month, the unit with every unit under it, flagged responses left out: three
 * reports of the engine (quick, SIPAS, per-case) grouped by month, so the page shows exactly what the
 * console's reports show for the same months. The satisfied share pools the satisfaction answers of the
 * quick and SIPAS questionnaires (docs/reports.md, "Public page").
 */
export const publicFigures = async (
  db: Queryable,
  unitId: string,
  settings: ReportSettings,
  now: Date,
): Promise<PublicFigures> => {
  const { from, to, months } = publicPeriod(now, settings.maxRangeDays);
  const run = async <K extends 'quick' | 'sipas' | 'per-case'>(report: K): Promise<Of<K>> =>
    (await runReport(db, ReportQuery.parse({ report, from, to, unit: unitId, withSubunits: true, by: ['month'] }), {
      viewer: null,
      now,
    })) as Of<K>;
  const [quick, sipas, perCase] = [await run('quick'), await run('sipas'), await run('per-case')];
  const quickMonths = byMonth(quick.groups);
  const sipasMonths = byMonth(sipas.groups);
  const perCaseMonths = byMonth(perCase.groups);
  const min = settings.publicMinResponses;
  const max = perCase.groups[0]?.max ?? 18;
  return {
    from,
    to,
    max,
    months: months.map((month) => {
      const parts = [quickMonths.get(month), sipasMonths.get(month)].filter((g) => g !== undefined);
      const responses = parts.reduce((s, g) => s + g.n, 0);
      const answers = parts
        .map(satisfactionAnswers)
        .reduce((s, a) => ({ satisfied: s.satisfied + a.satisfied, valid: s.valid + a.valid }), {
          satisfied: 0,
          valid: 0,
        });
      const shown = responses >= min && answers.valid > 0;
      const pc = perCaseMonths.get(month);
      const pcShown = pc !== undefined && pc.n >= min && pc.total !== null;
      return {
        month,
        satisfactionResponses: shown ? responses : null,
        satisfiedPercent: shown ? (answers.satisfied / answers.valid) * 100 : null,
        perCaseResponses: pcShown ? pc.n : null,
        total: pcShown ? pc.total : null,
        band: pcShown ? pc.band : null,
      };
    }),
  };
};
