import { z } from 'zod';
import { GradeBand } from '../questionnaire.ts';

/**
 * Grade bands of one provincial system for the per-case total out of 18: >15 Xuất sắc, 12-15 Tốt,
 * 9-12 Khá, 6-9 Trung bình, <6 Yếu. The published ranges overlap at 12 and 9; we give a boundary total
 * to the higher band (12 is Tốt, 9 is Khá), since the source lists each range's lower end first.
 */
export const DEFAULT_PER_CASE_GRADES: GradeBand[] = [
  { min: 16, label: { vi: 'Xuất sắc', en: 'Excellent' } },
  { min: 12, label: { vi: 'Tốt', en: 'Good' } },
  { min: 9, label: { vi: 'Khá', en: 'Fair' } },
  { min: 6, label: { vi: 'Trung bình', en: 'Average' } },
  { min: 0, label: { vi: 'Yếu', en: 'Poor' } },
];

/**
 * The province's report rules. Every rule the public sources leave unconfirmed is here, with the
 * default docs/reports.md explains, never a constant in the report code. Stored in central's
 * report_settings table; a key not stored takes its default.
 */
export const ReportSettings = z.strictObject({
  /**
   * Per-case indicators that describe the unit rather than the case: in a unit's /18 they come from the
   * unit's entries for the period (verified, else self-assessed) where there are any.
   */
  unitLevelIndicators: z.array(z.number().int().min(1).max(20)).max(20).default([5, 8, 9]),
  /** Grade bands of the per-case total, highest first; a questionnaire's own `grading` wins over these. */
  perCaseBands: z.array(GradeBand).min(1).default(DEFAULT_PER_CASE_GRADES),
  /**
   * How a per-case total over fewer than nine indicators (out of less than 18) is graded by the bands,
   * which are written for 18: 'scaled' grades total × 18 / its maximum, 'none' gives it no grade.
   */
  partialTotals: z.enum(['scaled', 'none']).default('scaled'),
  /** Lowest answer that counts as satisfied on each scale (4 = Hài lòng of 5; 2 = Hài lòng of 3). */
  satisfiedFrom: z
    .strictObject({ satisfaction5: z.number().int().min(1).max(5), satisfaction3: z.number().int().min(1).max(3) })
    .default({ satisfaction5: 4, satisfaction3: 2 }),
  /** Decimals shown in tables, exports and the print layout (JSON keeps full precision). */
  decimals: z.number().int().min(0).max(4).default(1),
  /** Units (or officers) whose totals are equal at the shown precision share a rank ("rounded"), or only when exactly equal. */
  rankTiesOn: z.enum(['rounded', 'exact']).default('rounded'),
  /** Longest period one report may cover, in days (a year report is 366 at most). */
  maxRangeDays: z.number().int().min(31).max(3660).default(1096),
  /** Roles that may see figures per officer (grouping or filtering by officer). */
  officerFiguresRoles: z.array(z.enum(['province_admin', 'unit_viewer'])).default(['province_admin']),
  /**
   * The public page of a unit shows a month's figure only when at least this many responses stand behind
   * it ("—" otherwise), so that one citizen's answers cannot be singled out from a small month.
   */
  publicMinResponses: z.number().int().min(1).max(1000).default(5),
});
export type ReportSettings = z.infer<typeof ReportSettings>;

export const DEFAULT_REPORT_SETTINGS: ReportSettings = ReportSettings.parse({});
