import type { LocalizedText } from '../../shared/locale.ts';
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
import { invitationGroups } from './engine/invitations.ts';
import { commentList, perCaseList } from './engine/lists.ts';
import { perCaseGroups } from './engine/per-case.ts';
import { orderedGroups } from './engine/ordered-groups.ts';
import {
  abandonedNote,
  flaggedNote,
  listSplitIndicatorsNote,
  periodNote,
  splitQuestionsNote,
  unknownVersionsNote,
} from './engine/notes.ts';
import { chooseRollups, needsDaily, planSegments } from './engine/plan.ts';
import { subtreesOf } from './engine/subtrees.ts';
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
    if (splitIndicators.length > 0) notes.push(listSplitIndicatorsNote(splitIndicators));
    return { ...common, report: 'per-case-list', notes, ...list };
  }
  if (q.report === 'comments') {
    const list = await commentList(db, listContext);
    return { ...common, report: 'comments', notes: listNotes(q), ...list };
  }
  if (q.report === 'invitations') {
    const labels = await loadLabels(db, checked.units, unitNames);
    const { notes, ...figures } = await invitationGroups(db, q, checked.units, labels);
    return { ...common, report: 'invitations', notes: [periodNote(q), ...notes], ...figures };
  }
  const planned = planSegments(q.from, q.to, options.forceDaily === true || needsDaily(q));
  const segments = options.forceDaily === true ? planned : chooseRollups(planned, q, await subtreesOf(db, q));
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

const countNotes = (counts: CountsResult, q: ReportQuery): LocalizedText[] => {
  const notes = [periodNote(q), flaggedNote(q), abandonedNote()];
  if (counts.split.length > 0) notes.push(splitQuestionsNote(counts.split));
  if (counts.unknownVersions.length > 0) notes.push(unknownVersionsNote(counts.unknownVersions));
  return notes;
};

const listNotes = (q: ReportQuery): LocalizedText[] => [periodNote(q), flaggedNote(q)];
