import type { LocalizedText } from '../../../shared/locale.ts';
import {
  satisfiedShare,
  satisfiedThreshold,
  sipasElementIndex,
  sipasOverallIndex,
} from '../../../shared/reports/formulas.ts';
import type { ReportQuery } from '../../../shared/reports/query.ts';
import type { QuickGroup, SipasElement, SipasGroup } from '../../../shared/reports/result.ts';
import type { ReportSettings } from '../../../shared/reports/settings.ts';
import type { CountsResult, GroupCounts } from './counts.ts';
import type { Definitions } from './definitions.ts';
import { groupBase } from './group-base.ts';
import type { Labels } from './labels.ts';
import { quickNote, sipasNote } from './notes.ts';

export type InstrumentContext = { query: ReportQuery; settings: ReportSettings; labels: Labels; defs: Definitions };

type ElementPlan = { id: string; name: LocalizedText | null; questions: string[] };

/** The SIPAS elements of the versions present, in the questionnaires' order, each with its reported question keys. */
const elementPlan = (counts: CountsResult, ctx: InstrumentContext): ElementPlan[] => {
  const present = [...new Set([...counts.groups.values()].flatMap((g) => [...g.versions]))].sort();
  const plan = new Map<string, ElementPlan>();
  for (const k of present)
    for (const e of ctx.defs.get(k)?.elements ?? [])
      if (!plan.has(e.id)) plan.set(e.id, { id: e.id, name: e.name, questions: [] });
  for (const [key, { question }] of counts.questions) {
    if (question.feeds?.instrument !== 'sipas') continue;
    const element = question.feeds.element;
    const entry = plan.get(element) ?? { id: element, name: null, questions: [] };
    plan.set(element, entry);
    if (!entry.questions.includes(key)) entry.questions.push(key);
  }
  return [...plan.values()];
};

/** SIPAS groups: each question's satisfied share, each element's index and the overall index (formulas.ts). */
export const sipasGroups = (
  counts: CountsResult,
  ordered: readonly GroupCounts[],
  ctx: InstrumentContext,
  notes: LocalizedText[],
): SipasGroup[] => {
  const plan = elementPlan(counts, ctx);
  notes.push(sipasNote(ctx.settings));
  return ordered.map((g) => {
    const elements: SipasElement[] = plan.map((e) => {
      const indices = e.questions.map((key) => {
        const def = counts.questions.get(key);
        const from = def ? satisfiedThreshold(def.question.type, ctx.settings.satisfiedFrom) : null;
        return from === null ? null : satisfiedShare(g.answers.get(key) ?? {}, from);
      });
      return { id: e.id, name: e.name, index: sipasElementIndex(indices), questions: [...e.questions] };
    });
    return {
      ...groupBase(g, counts, ctx.labels, ctx.settings, ctx.query.includeFlagged),
      elements,
      index: sipasOverallIndex(elements.map((e) => e.index)),
    };
  });
};

/** Quick groups: satisfied share of each satisfaction question, counts of each reason (multiple-choice) chosen. */
export const quickGroups = (
  counts: CountsResult,
  ordered: readonly GroupCounts[],
  ctx: InstrumentContext,
  notes: LocalizedText[],
): QuickGroup[] => {
  notes.push(quickNote(ctx.settings));
  return ordered.map((g) => {
    const base = groupBase(g, counts, ctx.labels, ctx.settings, ctx.query.includeFlagged);
    const satisfied: Record<string, number | null> = {};
    const reasons: Record<string, Record<string, number>> = {};
    for (const [key, { question }] of [...counts.questions].sort(([a], [b]) => a.localeCompare(b))) {
      if (question.type === 'satisfaction5' || question.type === 'satisfaction3')
        satisfied[key] = base.questions[key]?.satisfiedPercent ?? null;
      else if (question.type === 'multi') reasons[key] = { ...(g.answers.get(key) ?? {}) };
    }
    return { ...base, satisfied, reasons };
  });
};
