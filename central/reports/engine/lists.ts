import { z } from 'zod';
import {
  type VersionedQuestion,
  bandFor,
  gradedTotal,
  reportedQuestionKeys,
} from '../../../shared/reports/formulas.ts';
import type { ReportQuery } from '../../../shared/reports/query.ts';
import type { CommentRow, PerCaseListRow } from '../../../shared/reports/result.ts';
import type { ReportSettings } from '../../../shared/reports/settings.ts';
import { Int, Timestamp, parseRows, firstRow } from '../../db/rows.ts';
import type { Queryable } from '../../db/types.ts';
import { type Definitions, definitionKey } from './definitions.ts';
import { foldText } from '../../../shared/reports/fold.ts';
import { containsPattern } from './fold.ts';
import { Params } from './plan.ts';

export type ListContext = {
  query: ReportQuery;
  units: readonly string[];
  questionnaires: readonly string[];
  settings: ReportSettings;
  defs: Definitions;
  showOfficers: boolean;
};

/** WHERE conditions on report_facts (alias f) shared by both lists. */
const factConditions = (ctx: ListContext, p: Params): string[] => {
  const q = ctx.query;
  const where = [
    `f.unit_id = ANY(${p.add(ctx.units)}::text[])`,
    `f.day BETWEEN ${p.add(q.from)}::date AND ${p.add(q.to)}::date`,
    `f.questionnaire_id = ANY(${p.add(ctx.questionnaires)}::text[])`,
  ];
  if (q.field !== undefined) where.push(`f.field_code = ${p.add(q.field)}`);
  if (q.procedure !== undefined) where.push(`f.procedure_code = ${p.add(q.procedure)}`);
  if (q.officer !== undefined) where.push(`f.officer_id = ${p.add(q.officer)}`);
  if (q.counter !== undefined) where.push(`f.counter_id = ${p.add(q.counter)}`);
  if (q.version !== undefined) where.push(`f.version = ${p.add(q.version)}`);
  if (!q.includeFlagged) where.push('NOT f.flagged');
  return where;
};

const Count = z.object({ n: Int });

const FactRow = z.object({
  response_id: z.string(),
  case_number: z.string().nullable(),
  procedure_code: z.string(),
  field_code: z.string(),
  officer_id: z.string(),
  counter_id: z.string(),
  unit_id: z.string(),
  submitted_at: Timestamp,
  questionnaire_id: z.string(),
  version: Int,
  flagged: z.boolean(),
  score: z.coerce.number().nullable(),
  comment: z.string().nullable(),
  answers: z.unknown(),
  sources: z.unknown().optional(),
});

const orNull = (id: string): string | null => (id === '' ? null : id);

/** The per-case indicator questions of a version: indicator number → question id; and its overall (csat) question. */
const perCaseShape = (defs: Definitions, id: string, version: number) => {
  const q = defs.get(definitionKey(id, version));
  const indicators = new Map<number, string>();
  let overall: string | null = null;
  for (const question of q?.questions ?? []) {
    if (question.feeds?.instrument === 'per-case' && question.type === 'indicator')
      indicators.set(question.feeds.indicator, question.id);
    if (question.feeds?.instrument === 'csat') overall = question.id;
  }
  return { indicators, overall, bands: q?.grading };
};

/** The indicators whose answer's stored source is "system" (taken from the case's facts). */
const factIndicators = (sources: unknown, indicators: ReadonlyMap<number, string>): number[] => {
  if (typeof sources !== 'object' || sources === null) return [];
  const s = sources as Record<string, unknown>;
  return [...indicators].filter(([, id]) => s[id] === 'system').map(([n]) => n);
};

const answerNumber = (answers: unknown, id: string | null): number | null => {
  if (id === null || typeof answers !== 'object' || answers === null) return null;
  const v = (answers as Record<string, unknown>)[id];
  return typeof v === 'number' ? v : null;
};

/** A per-case list's rows matching the query: complete evaluations only (an abandoned one has no total). */
const perCaseWhere = (ctx: ListContext, p: Params): string => {
  const where = [...factConditions(ctx, p), 'f.complete'];
  if (ctx.query.search) {
    const term = p.add(containsPattern(ctx.query.search));
    const folded = p.add(containsPattern(foldText(ctx.query.search)));
    where.push(`(f.case_number ILIKE ${term} OR f.comment_folded ILIKE ${folded})`);
  }
  return where.join(' AND ');
};

export type PerCaseList = {
  rows: PerCaseListRow[];
  total: number;
  sums: Record<number, number>;
  means: Record<number, number | null>;
  totalMean: number | null;
  /** Indicators left out of the sums because their question changed between the versions listed. */
  splitIndicators: number[];
};

/**
 * One row per evaluation, newest first, paged; column sums and means over EVERY matching row (not only
 * the page), counted in SQL from the stored answers. A row's total is the sum of its answered indicators;
 * its band only when every indicator of its questionnaire is answered. totalMean = Σ row totals / rows.
 */
export const perCaseList = async (db: Queryable, ctx: ListContext): Promise<PerCaseList> => {
  const p = new Params();
  const where = perCaseWhere(ctx, p);
  const page = parseRows(
    FactRow,
    await db.query(
      `SELECT f.response_id::text AS response_id, f.case_number, f.procedure_code, f.field_code, f.officer_id, f.counter_id,
              f.unit_id, f.submitted_at, f.questionnaire_id, f.version, f.flagged, f.score, f.comment, r.body->'answers' AS answers,
              r.body->'sources' AS sources
         FROM report_facts f JOIN responses r ON r.device_id = f.device_id AND r.response_id = f.response_id
        WHERE ${where} ORDER BY f.submitted_at DESC, f.response_id DESC LIMIT ${p.add(ctx.query.limit)} OFFSET ${p.add(ctx.query.offset)}`,
      p.values,
    ),
  );
  const rows = page.map((f): PerCaseListRow => {
    const shape = perCaseShape(ctx.defs, f.questionnaire_id, f.version);
    const points: Record<number, number | null> = {};
    for (const [n, id] of shape.indicators) points[n] = answerNumber(f.answers, id);
    const answered = Object.values(points).filter((v): v is number => v !== null);
    const total = answered.length === 0 ? null : answered.reduce((a, b) => a + b, 0);
    const complete = answered.length === shape.indicators.size;
    const fromFacts = factIndicators(f.sources, shape.indicators);
    return {
      responseId: f.response_id,
      caseNumber: f.case_number,
      procedure: f.procedure_code,
      field: f.field_code,
      officer: ctx.showOfficers ? orNull(f.officer_id) : null,
      counter: orNull(f.counter_id),
      unit: f.unit_id,
      submittedAt: f.submitted_at.toISOString(),
      questionnaire: f.questionnaire_id,
      version: f.version,
      flagged: f.flagged,
      points,
      total,
      band: complete
        ? bandFor(
            gradedTotal(total, 2 * shape.indicators.size, ctx.settings.partialTotals),
            shape.bands ?? ctx.settings.perCaseBands,
            ctx.settings.decimals,
          )
        : null,
      overall: answerNumber(f.answers, shape.overall),
      ...(fromFacts.length > 0 ? { fromFacts } : {}),
    };
  });
  return { rows, ...(await perCaseColumnFigures(db, ctx)) };
};

const AnswerCount = z.object({
  questionnaire_id: z.string(),
  version: Int,
  question: z.string(),
  value: z.string(),
  n: Int,
});

/** Sums and means of each indicator column, and the row count, over all matching rows. */
const perCaseColumnFigures = async (db: Queryable, ctx: ListContext): Promise<Omit<PerCaseList, 'rows'>> => {
  const p = new Params();
  const where = perCaseWhere(ctx, p);
  const total =
    firstRow(Count, await db.query(`SELECT count(*) AS n FROM report_facts f WHERE ${where}`, p.values))?.n ?? 0;
  const counts = parseRows(
    AnswerCount,
    await db.query(
      `SELECT f.questionnaire_id, f.version, a.key AS question, a.value #>> '{}' AS value, count(*) AS n
         FROM report_facts f JOIN responses r ON r.device_id = f.device_id AND r.response_id = f.response_id,
              jsonb_each(r.body->'answers') a
        WHERE ${where} AND jsonb_typeof(a.value) = 'number'
        GROUP BY 1, 2, 3, 4`,
      p.values,
    ),
  );
  const split = splitIndicators(ctx.defs, counts);
  const sums: Record<number, number> = {};
  const answered: Record<number, number> = {};
  for (const c of counts) {
    const shape = perCaseShape(ctx.defs, c.questionnaire_id, c.version);
    const indicator = [...shape.indicators].find(([, id]) => id === c.question)?.[0];
    if (indicator === undefined || split.includes(indicator)) continue;
    sums[indicator] = (sums[indicator] ?? 0) + Number(c.value) * c.n;
    answered[indicator] = (answered[indicator] ?? 0) + c.n;
  }
  const means: Record<number, number | null> = {};
  for (const k of Object.keys(sums).map(Number)) means[k] = answered[k] ? sums[k]! / answered[k] : null;
  const grand = Object.values(sums).reduce((a, b) => a + b, 0);
  const totalMean = total === 0 || split.length > 0 ? null : grand / total;
  return { total, sums, means, totalMean, splitIndicators: split };
};

/**
 * Indicators whose question changed between the versions in the list (the version rule of formulas.ts):
 * their column is not summed, and no mean total is given, since that would add up answers to different
 * questions.
 */
const splitIndicators = (
  defs: Definitions,
  counts: readonly { questionnaire_id: string; version: number }[],
): number[] => {
  const present = [...new Set(counts.map((c) => definitionKey(c.questionnaire_id, c.version)))];
  const versioned: VersionedQuestion[] = present.flatMap((k) => {
    const q = defs.get(k);
    if (!q) return [];
    return q.questions
      .filter((x) => x.feeds?.instrument === 'per-case')
      .map((question) => ({ questionnaire: q.id, version: q.version, question }));
  });
  const { split } = reportedQuestionKeys(versioned);
  return [
    ...new Set(
      versioned.flatMap((v) =>
        split.includes(v.question.id) && v.question.feeds?.instrument === 'per-case'
          ? [v.question.feeds.indicator]
          : [],
      ),
    ),
  ].sort((a, b) => a - b);
};

/**
 * Comments: responses with free text, matching the filters and, with `search`, containing the words
 * folded (case and Vietnamese diacritics ignored, đ = d); lowest score first (no score last), then newest.
 */
export const commentList = async (db: Queryable, ctx: ListContext): Promise<{ rows: CommentRow[]; total: number }> => {
  const p = new Params();
  const where = [...factConditions(ctx, p), 'f.comment IS NOT NULL'];
  if (ctx.query.search) where.push(`f.comment_folded ILIKE ${p.add(containsPattern(foldText(ctx.query.search)))}`);
  const total =
    firstRow(Count, await db.query(`SELECT count(*) AS n FROM report_facts f WHERE ${where.join(' AND ')}`, p.values))
      ?.n ?? 0;
  const rows = parseRows(
    FactRow,
    await db.query(
      `SELECT f.response_id::text AS response_id, f.case_number, f.procedure_code, f.field_code, f.officer_id, f.counter_id,
              f.unit_id, f.submitted_at, f.questionnaire_id, f.version, f.flagged, f.score, f.comment, NULL AS answers
         FROM report_facts f WHERE ${where.join(' AND ')}
        ORDER BY f.score ASC NULLS LAST, f.submitted_at DESC, f.response_id DESC
        LIMIT ${p.add(ctx.query.limit)} OFFSET ${p.add(ctx.query.offset)}`,
      p.values,
    ),
  );
  return {
    total,
    rows: rows.map((f) => ({
      responseId: f.response_id,
      unit: f.unit_id,
      submittedAt: f.submitted_at.toISOString(),
      questionnaire: f.questionnaire_id,
      field: f.field_code,
      procedure: f.procedure_code,
      officer: ctx.showOfficers ? orNull(f.officer_id) : null,
      score: f.score,
      comment: f.comment ?? '',
      flagged: f.flagged,
    })),
  };
};
