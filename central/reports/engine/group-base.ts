import {
  completionPercent,
  satisfiedShare,
  satisfiedThreshold,
  scaleMean,
  validOf,
} from '../../../shared/reports/formulas.ts';
import type { GroupBase, QuestionFigures, ResponseCounts } from '../../../shared/reports/result.ts';
import type { ReportSettings } from '../../../shared/reports/settings.ts';
import type { CountsResult, GroupCounts } from './counts.ts';
import { type Labels, labelsOf } from './labels.ts';

const isScale = (type: string): boolean => type === 'satisfaction5' || type === 'satisfaction3' || type === 'indicator';

/** Figures of one question: counts, answers counted, mean of a scale, satisfied share of a satisfaction scale. */
export const questionFigures = (
  counts: Record<string, number>,
  type: string,
  satisfiedFrom: ReportSettings['satisfiedFrom'],
): QuestionFigures => {
  const figures: QuestionFigures = { counts, valid: validOf(counts), mean: isScale(type) ? scaleMean(counts) : null };
  const from = satisfiedThreshold(type as 'satisfaction5', satisfiedFrom);
  if (from !== null) figures.satisfiedPercent = satisfiedShare(counts, from);
  return figures;
};

export const responseCounts = (
  g: Pick<GroupCounts, 'complete' | 'abandoned' | 'flagged'>,
  includeFlagged: boolean,
): ResponseCounts => ({
  n: g.complete,
  complete: g.complete,
  abandoned: g.abandoned,
  completionPercent: completionPercent(g.complete, g.abandoned),
  flagged: g.flagged,
  flaggedIncluded: includeFlagged,
});

/** Sums of every group's response counts (the groups partition the selection). */
export const totalCounts = (groups: readonly GroupCounts[], includeFlagged: boolean): ResponseCounts =>
  responseCounts(
    groups.reduce(
      (t, g) => ({
        complete: t.complete + g.complete,
        abandoned: t.abandoned + g.abandoned,
        flagged: t.flagged + g.flagged,
      }),
      {
        complete: 0,
        abandoned: 0,
        flagged: 0,
      },
    ),
    includeFlagged,
  );

/** What every instrument's group carries: key, names, response counts and each question's figures. */
export const groupBase = (
  g: GroupCounts,
  counts: CountsResult,
  labels: Labels,
  settings: ReportSettings,
  includeFlagged: boolean,
): GroupBase => {
  const questions: Record<string, QuestionFigures> = {};
  for (const [key, answers] of [...g.answers].sort(([a], [b]) => a.localeCompare(b))) {
    const def = counts.questions.get(key);
    if (def) questions[key] = questionFigures(answers, def.question.type, settings.satisfiedFrom);
  }
  return { key: g.key, labels: labelsOf(g.key, labels), ...responseCounts(g, includeFlagged), questions };
};
