import type { LocalizedText } from '../locale.ts';
import type { Grouping, ReportQuery } from './query.ts';

/**
 * What a report computes, the same object the console renders, `centralctl report --format json`
 * prints and the exports flatten. Shares are percentages (0-100) and means are unrounded: rounding to
 * `settings.decimals` happens only where figures are shown (tables, CSV, XLSX, print).
 * docs/reports.md has an example of each.
 */

/** A group's key: one entry per grouping asked for ({} when ungrouped: the one group is the whole selection). */
export type GroupKey = Partial<Record<Grouping, string>>;

/** Counts of one question in one group. */
export type QuestionFigures = {
  /** Count of each answer value ('0'..'5', 'true'/'false', an option value). */
  counts: Record<string, number>;
  /** Answers counted (complete responses that answered it). */
  valid: number;
  /** Mean of a numeric scale's answers; null for other types or no answers. */
  mean: number | null;
  /** Satisfaction scales: share of valid answers at or above `settings.satisfiedFrom`. */
  satisfiedPercent?: number | null;
};

/** Response counts that every instrument shows. */
export type ResponseCounts = {
  /** Responses counted in the figures (complete; flagged ones only when includeFlagged). */
  n: number;
  complete: number;
  abandoned: number;
  /** complete / (complete + abandoned) × 100; null when there were none. */
  completionPercent: number | null;
  /** Flagged responses (rapid repeat, clock suspect, repeat evaluation of a case) in the selection, shown apart. */
  flagged: number;
  /** Whether the flagged ones are in `n` and the figures. */
  flaggedIncluded: boolean;
};

export type IndicatorSource = 'cases' | 'unit-verified' | 'unit-self';

export type PerCaseIndicator = {
  indicator: number;
  /** Question id it came from, when from cases. */
  question: string | null;
  /** Cases scored 0, 1, 2 points and their share of valid (percent). */
  counts: { 0: number; 1: number; 2: number };
  shares: { 0: number | null; 1: number | null; 2: number | null };
  valid: number;
  /** Mean points (0..2); from the unit's entry when source is not 'cases'. */
  mean: number | null;
  source: IndicatorSource;
};

export type Band = { label: LocalizedText; min: number };

export type GroupBase = ResponseCounts & {
  key: GroupKey;
  /** Names for the key's ids (unit names, field and procedure names), for display. */
  labels: Partial<Record<Grouping, string>>;
  /** Every question's figures, by question id; a question that changed between versions appears as `id@v<version>`. */
  questions: Record<string, QuestionFigures>;
};

export type PerCaseGroup = GroupBase & {
  indicators: PerCaseIndicator[];
  /** Sum of the indicators' means (at most 2 × indicators, 18 for the nine); null with no data. */
  total: number | null;
  max: number;
  band: Band | null;
  /** Competition rank by total among this report's groups (1, 2, 2, 4), when grouped by unit or officer. */
  rank?: number;
};

export type SipasElement = {
  id: string;
  name: LocalizedText | null;
  /** Mean of the element's questions' satisfied shares (percent), over questions with answers. */
  index: number | null;
  questions: string[];
};

export type SipasGroup = GroupBase & {
  elements: SipasElement[];
  /** Mean of the element indices with data (percent). */
  index: number | null;
};

export type QuickGroup = GroupBase & {
  /** Satisfied share (percent) of each satisfaction question. */
  satisfied: Record<string, number | null>;
  /** Multiple-choice questions (reasons): count of each option chosen. */
  reasons: Record<string, Record<string, number>>;
};

export type PerCaseListRow = {
  responseId: string;
  caseNumber: string | null;
  procedure: string;
  field: string;
  officer: string | null;
  counter: string | null;
  unit: string;
  submittedAt: string;
  questionnaire: string;
  version: number;
  flagged: boolean;
  /** Points per indicator number (null: not answered). */
  points: Record<number, number | null>;
  /**
   * Indicators whose points the kiosk took from the case's facts (answer source "system", per-case
   * version 2) rather than from the citizen; absent when every answer is the citizen's.
   */
  fromFacts?: number[];
  total: number | null;
  band: Band | null;
  /** The overall answer where the questionnaire asks one (its csat question). */
  overall: number | null;
};

export type CommentRow = {
  responseId: string;
  unit: string;
  submittedAt: string;
  questionnaire: string;
  field: string;
  procedure: string;
  officer: string | null;
  score: number | null;
  comment: string;
  flagged: boolean;
};

/**
 * Invitations to evaluate (the case bridge, issue 11) in one group: those sent in the period (by the day
 * they were created, in Asia/Ho_Chi_Minh), and what became of them. An invitation replaced by a newer one
 * for the same case is not counted as sent (the newer one is), so a case is invited once.
 */
export type InvitationFigures = {
  sent: number;
  answered: number;
  expired: number;
  /** Neither answered nor expired yet (waiting or delivered to a kiosk). */
  open: number;
  /** answered / sent × 100; null when none were sent. */
  responsePercent: number | null;
};

export type InvitationGroup = InvitationFigures & {
  key: GroupKey;
  labels: Partial<Record<Grouping, string>>;
};

/**
 * Filters as applied: the query after defaults, plus the units it covered and their names (by id, from the
 * units table, so an export or a print names the units without a database).
 */
export type AppliedFilters = ReportQuery & { units: string[]; unitNames: Record<string, string> };

type Common = {
  filters: AppliedFilters;
  generatedAt: string;
  /**
   * Plain-language notes: formulas used, figures from unit entries, questions split by version, partial
   * figures. Each in Vietnamese (vi: the print layout and the exports) and English (en).
   */
  notes: LocalizedText[];
};

export type ReportResult =
  | (Common & { report: 'per-case'; totals: ResponseCounts; groups: PerCaseGroup[] })
  | (Common & { report: 'sipas'; totals: ResponseCounts; groups: SipasGroup[] })
  | (Common & { report: 'quick'; totals: ResponseCounts; groups: QuickGroup[] })
  | (Common & {
      report: 'per-case-list';
      rows: PerCaseListRow[];
      total: number;
      /** Column sums and means over every row matching (not only this page). */
      sums: Record<number, number>;
      means: Record<number, number | null>;
      totalMean: number | null;
    })
  | (Common & { report: 'comments'; rows: CommentRow[]; total: number })
  | (Common & { report: 'invitations'; totals: InvitationFigures; groups: InvitationGroup[] });
