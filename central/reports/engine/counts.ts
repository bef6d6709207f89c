import { z } from 'zod';
import type { Question } from '../../../shared/questionnaire.ts';
import { questionSource, reportedQuestionKeys, type VersionedQuestion } from '../../../shared/reports/formulas.ts';
import type { Grouping } from '../../../shared/reports/query.ts';
import type { GroupKey } from '../../../shared/reports/result.ts';
import { Int, parseRows } from '../../db/rows.ts';
import type { Queryable } from '../../db/types.ts';
import { type Definitions, definitionKey } from './definitions.ts';
import type { Segment, CountsFilter } from './plan.ts';
import { countsStatement } from './plan.ts';

/** One group's raw counts, questions already under their reported keys (the version rule applied). */
export type GroupCounts = {
  key: GroupKey;
  complete: number;
  abandoned: number;
  flagged: number;
  /** Answer counts by reported question key, then by value. */
  answers: Map<string, Record<string, number>>;
  /** The (id, version)s whose answers are in this group. */
  versions: Set<string>;
};

export type CountsResult = {
  groups: Map<string, GroupCounts>;
  /** Definition of each reported question key (the first version's: all versions under one key are equal). */
  questions: Map<string, { question: Question; questionnaire: string; version: number }>;
  /** The questionnaire versions whose answers each reported question key counts. */
  keyVersions: Map<string, Set<number>>;
  /** Question ids reported apart per version. */
  split: string[];
  /** (id, version)s present in the counts but unknown to central (their answers are left out). */
  unknownVersions: string[];
};

const Row = z.object({
  questionnaire_id: z.string(),
  version: Int,
  question_id: z.string(),
  value: z.string(),
  flagged: z.boolean(),
  n: Int,
  g0: z.string().optional(),
  g1: z.string().optional(),
});
type Row = z.infer<typeof Row>;

export const groupKeyString = (key: GroupKey, by: readonly Grouping[]): string =>
  JSON.stringify(by.map((g) => key[g] ?? ''));

const keyOfRow = (row: Row, by: readonly Grouping[]): GroupKey => {
  const key: GroupKey = {};
  by.forEach((g, i) => {
    key[g] = (i === 0 ? row.g0 : row.g1) ?? '';
  });
  return key;
};

export const emptyGroup = (key: GroupKey): GroupCounts => ({
  key,
  complete: 0,
  abandoned: 0,
  flagged: 0,
  answers: new Map(),
  versions: new Set(),
});

/** Reads a report's counts with one statement and sorts them into groups. */
export const readCounts = async (
  db: Queryable,
  segments: readonly Segment[],
  filter: CountsFilter,
  defs: Definitions,
  serves: (defKey: string) => boolean,
): Promise<CountsResult> => {
  const { sql, params } = countsStatement(segments, filter);
  const rows = parseRows(Row, await db.query(sql, params)).filter((r) =>
    serves(definitionKey(r.questionnaire_id, r.version)),
  );
  const present = [...new Set(rows.map((r) => definitionKey(r.questionnaire_id, r.version)))];
  const unknownVersions = present.filter((k) => !defs.has(k)).sort();
  const versioned: VersionedQuestion[] = present.flatMap((k) => {
    const q = defs.get(k);
    return q ? q.questions.map((question) => ({ questionnaire: q.id, version: q.version, question })) : [];
  });
  const { keyOf, split } = reportedQuestionKeys(versioned);
  const questions: CountsResult['questions'] = new Map();
  const keyVersions: CountsResult['keyVersions'] = new Map();
  for (const vq of versioned) {
    const reported = keyOf.get(questionSource(vq.questionnaire, vq.version, vq.question.id));
    if (reported !== undefined) keyVersions.set(reported, (keyVersions.get(reported) ?? new Set()).add(vq.version));
    if (reported !== undefined && !questions.has(reported))
      questions.set(reported, {
        question: vq.question as Question,
        questionnaire: vq.questionnaire,
        version: vq.version,
      });
  }
  const groups = new Map<string, GroupCounts>();
  for (const row of rows) {
    const key = keyOfRow(row, filter.by);
    const id = groupKeyString(key, filter.by);
    const group = groups.get(id) ?? emptyGroup(key);
    groups.set(id, group);
    addRow(group, row, filter.includeFlagged, keyOf);
  }
  return { groups, questions, keyVersions, split, unknownVersions };
};

const addRow = (group: GroupCounts, row: Row, includeFlagged: boolean, keyOf: ReadonlyMap<string, string>): void => {
  if (row.question_id === '_status') {
    if (row.flagged) group.flagged += row.n;
    if (row.flagged && !includeFlagged) return;
    if (row.value === 'complete') group.complete += row.n;
    else if (row.value === 'abandoned') group.abandoned += row.n;
    group.versions.add(definitionKey(row.questionnaire_id, row.version));
    return;
  }
  if (row.flagged && !includeFlagged) return;
  const reported = keyOf.get(questionSource(row.questionnaire_id, row.version, row.question_id));
  if (reported === undefined) return;
  const counts = group.answers.get(reported) ?? {};
  counts[row.value] = (counts[row.value] ?? 0) + row.n;
  group.answers.set(reported, counts);
};
