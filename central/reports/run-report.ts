import { quartersTouched } from '../../shared/reports/formulas.ts';
import type { ReportQuery } from '../../shared/reports/query.ts';
import type { ReportResult } from '../../shared/reports/result.ts';
import type { ReportSettings } from '../../shared/reports/settings.ts';
import type { Queryable } from '../db/types.ts';
import { drainBeforeReport } from './drain.ts';
import { loadReportSettings } from './settings-store.ts';
import { checkQuery } from './engine/access.ts';
import { type CountsResult, readCounts } from './engine/counts.ts';
import { loadDefinitions, questionnairesServing, servesReport } from './engine/definitions.ts';
import { totalCounts } from './engine/group-base.ts';
import { loadLabels, loadUnitNames } from './engine/labels.ts';
import { commentList, perCaseList } from './engine/lists.ts';
import { perCaseGroups } from './engine/per-case.ts';
import { orderedGroups } from './engine/ordered-groups.ts';
import { needsDaily, planSegments } from './engine/plan.ts';
import { quickGroups, sipasGroups } from './engine/sipas-quick.ts';
import { loadUnitEntries } from './engine/unit-indicators.ts';

export { ReportRequestError, type ReportViewer } from './engine/errors.ts';
import type { ReportViewer } from './engine/errors.ts';

/**
 * `forceDaily` reads every day from report_daily even where whole months could come from report_monthly:
 * for tests that check the planner's mixed read against the plain one.
 */
export type RunReportOptions = { viewer: ReportViewer | null; now: Date; forceDaily?: boolean };

/**
 * Computes one report: checks the query and the viewer's rights (ReportRequestError with a message for the
 * person otherwise), adds every batch still queued to the report tables (central/reports/drain.ts), reads
 * the aggregates with one statement (lists: report_facts, paged), and computes each figure with
 * shared/reports/formulas.ts. docs/reports.md describes every figure.
 */
export const runReport = async (
  db: Queryable,
  query: ReportQuery,
  options: RunReportOptions,
): Promise<ReportResult> => {
  const settings = await loadReportSettings(db);
  const checked = await checkQuery(db, query, options.viewer, settings);
  // Batches acked before this report was asked for may still be queued (report_pending): add them
  // first, so every report shows every acked batch at once, not when the server's job gets to it.
  const notDrained = await drainBeforeReport(db);
  const result = await computeReport(db, checked, settings, options);
  if (notDrained !== undefined) result.notes.push(notDrained);
  return result;
};

const computeReport = async (
  db: Queryable,
  checked: Awaited<ReturnType<typeof checkQuery>>,
  settings: ReportSettings,
  options: RunReportOptions,
): Promise<ReportResult> => {
  const q = checked.query;
  const defs = await loadDefinitions(db);
  const questionnaires = questionnairesServing(defs, q.report, q.questionnaire);
  const unitNames = await loadUnitNames(db, checked.units);
  const common = {
    filters: { ...q, units: checked.units, unitNames: Object.fromEntries(unitNames) },
    generatedAt: options.now.toISOString(),
  };
  const listContext = {
    query: q,
    units: checked.units,
    questionnaires,
    settings,
    defs,
    showOfficers: checked.showOfficers,
  };
  if (q.report === 'per-case-list') {
    const { splitIndicators, ...list } = await perCaseList(db, listContext);
    const notes = listNotes(q);
    if (splitIndicators.length > 0)
      notes.push(
        `Indicator(s) ${splitIndicators.join(', ')} changed between the questionnaire versions listed: their columns are not summed and no mean total is given; filter one version for them.`,
      );
    return { ...common, report: 'per-case-list', notes, ...list };
  }
  if (q.report === 'comments') {
    const list = await commentList(db, listContext);
    return { ...common, report: 'comments', notes: listNotes(q), ...list };
  }
  const segments = planSegments(q.from, q.to, options.forceDaily === true || needsDaily(q));
  const counts = await readCounts(db, segments, { ...q, units: checked.units, questionnaires }, defs, (k) => {
    const d = defs.get(k);
    return d === undefined || servesReport(d, q.report);
  });
  const ordered = await orderedGroups(db, counts, q, checked.units);
  const labels = await loadLabels(db, checked.units, unitNames);
  const notes = countNotes(counts, q);
  const totals = totalCounts(ordered, q.includeFlagged);
  if (q.report === 'sipas') {
    const groups = sipasGroups(counts, ordered, { query: q, settings, labels, defs }, notes);
    return { ...common, report: 'sipas', notes, totals, groups };
  }
  if (q.report === 'quick') {
    const groups = quickGroups(counts, ordered, { query: q, settings, labels, defs }, notes);
    return { ...common, report: 'quick', notes, totals, groups };
  }
  const quarters = quartersTouched(q.from, q.to);
  const unitEntries = await loadUnitEntries(
    db,
    checked.units,
    settings.unitLevelIndicators,
    quarters[0]!,
    quarters.at(-1)!,
  );
  const groups = perCaseGroups(
    counts,
    ordered,
    { query: q, units: checked.units, settings, labels, defs, unitEntries },
    notes,
  );
  return { ...common, report: 'per-case', notes, totals, groups };
};

const flaggedNote = (q: ReportQuery): string =>
  q.includeFlagged
    ? 'Flagged responses (rapid repeat, clock suspect) are included in the figures, as asked.'
    : 'Flagged responses (rapid repeat, clock suspect) are counted apart ("flagged") and left out of every figure.';

const countNotes = (counts: CountsResult, q: ReportQuery): string[] => {
  const notes = [
    `Period ${q.from} to ${q.to}, by the respondent's time of submitting in Asia/Ho_Chi_Minh (UTC+7).`,
    flaggedNote(q),
    'Answers of abandoned responses are not in the figures; completion = complete / (complete + abandoned) × 100.',
  ];
  if (counts.split.length > 0)
    notes.push(
      `Changed between questionnaire versions, so reported apart per version as id@v<version>: ${counts.split.join(', ')}.`,
    );
  if (counts.unknownVersions.length > 0)
    notes.push(
      `Unknown questionnaire versions (responses counted, answers left out): ${counts.unknownVersions.join(', ')}.`,
    );
  return notes;
};

const listNotes = (q: ReportQuery): string[] => [
  `Period ${q.from} to ${q.to}, by the respondent's time of submitting in Asia/Ho_Chi_Minh (UTC+7).`,
  flaggedNote(q),
];
