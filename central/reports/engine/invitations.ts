import { z } from 'zod';
import type { LocalizedText } from '../../../shared/locale.ts';
import type { Grouping, ReportQuery } from '../../../shared/reports/query.ts';
import type { GroupKey, InvitationFigures, InvitationGroup } from '../../../shared/reports/result.ts';
import { Int, parseRows } from '../../db/rows.ts';
import type { Queryable } from '../../db/types.ts';
import { ReportRequestError } from './errors.ts';
import { type Labels, labelsOf } from './labels.ts';
import { Params } from './plan.ts';

/**
 * The invitations report (issue 11): invitations sent, answered and expired, and the response rate
 * (answered / sent), per unit, counter, officer, procedure, month or quarter, read from the case bridge's
 * `bridge_invitations` (central migration 11). An invitation counts in the period of the day it was
 * created (Asia/Ho_Chi_Minh, UTC+7); one replaced by a newer invitation for the same case is left out,
 * the newer one stands for the case. A central without that table yet reports no invitations (a note
 * says so) rather than failing.
 */

/** Groupings an invitation has (it names no field: a procedure's field is in the catalogue, not here). */
const GROUP_EXPRESSIONS: Partial<Record<Grouping, string>> = {
  unit: 'i.unit_id',
  procedure: `coalesce(i.procedure_code, '')`,
  officer: `coalesce(i.officer_id, '')`,
  counter: `coalesce(i.counter_id, '')`,
  month: `to_char(${vietnamDay('i.created_at')}, 'YYYY-MM')`,
  quarter: `to_char(${vietnamDay('i.created_at')}, 'YYYY') || '-Q' || to_char(${vietnamDay('i.created_at')}, 'Q')`,
};

function vietnamDay(column: string): string {
  return `((${column} AT TIME ZONE 'UTC') + interval '7 hours')::date`;
}

const Row = z.object({
  g0: z.string().nullable(),
  g1: z.string().nullable(),
  sent: Int,
  answered: Int,
  expired: Int,
});

export const INVITATIONS_NOTE: LocalizedText = {
  vi: 'Lời mời tính theo ngày tạo (giờ Việt Nam); lời mời đã được thay bằng lời mời mới cho cùng hồ sơ không tính. Tỷ lệ phản hồi = đã trả lời / đã gửi.',
  en: 'Invitations count by the day they were created (Vietnam time); one replaced by a newer invitation for the same case is not counted. Response rate = answered / sent.',
};

export const invitationFigures = (sent: number, answered: number, expired: number): InvitationFigures => ({
  sent,
  answered,
  expired,
  open: sent - answered - expired,
  responsePercent: sent === 0 ? null : (answered / sent) * 100,
});

/** Refuses what an invitation cannot be grouped or filtered by, before any database work. */
export const checkInvitationsQuery = (q: ReportQuery): void => {
  const unsupported = q.by.filter((g) => GROUP_EXPRESSIONS[g] === undefined);
  if (unsupported.includes('version'))
    throw new ReportRequestError(
      'bad_query',
      'the invitations report cannot be grouped by questionnaire version (an invitation is sent before any questionnaire is answered)',
    );
  if (unsupported.length > 0 || q.field !== undefined)
    throw new ReportRequestError(
      'bad_query',
      `the invitations report cannot be grouped or filtered by field${unsupported.length > 0 ? ` (asked: ${unsupported.join(', ')})` : ''}`,
    );
};

export type InvitationsResult = { totals: InvitationFigures; groups: InvitationGroup[]; notes: LocalizedText[] };

export const invitationGroups = async (
  db: Queryable,
  q: ReportQuery,
  units: readonly string[],
  labels: Labels,
): Promise<InvitationsResult> => {
  checkInvitationsQuery(q);
  const p = new Params();
  const where = [
    `i.unit_id = ANY(${p.add(units)}::text[])`,
    `${vietnamDay('i.created_at')} BETWEEN ${p.add(q.from)}::date AND ${p.add(q.to)}::date`,
    `i.status <> 'replaced'`,
  ];
  if (q.procedure !== undefined) where.push(`i.procedure_code = ${p.add(q.procedure)}`);
  if (q.officer !== undefined) where.push(`i.officer_id = ${p.add(q.officer)}`);
  if (q.counter !== undefined) where.push(`i.counter_id = ${p.add(q.counter)}`);
  const groups = q.by.map((g) => GROUP_EXPRESSIONS[g]!);
  const rows = parseRows(
    Row,
    await db.query(
      `SELECT ${groups[0] ?? 'NULL'} AS g0, ${groups[1] ?? 'NULL'} AS g1, count(*)::int AS sent,
              (count(*) FILTER (WHERE i.status = 'answered'))::int AS answered,
              (count(*) FILTER (WHERE i.status = 'expired'))::int AS expired
         FROM bridge_invitations i
        WHERE ${where.join(' AND ')}
        GROUP BY 1, 2 ORDER BY 1, 2`,
      p.values,
    ),
  );
  const out: InvitationGroup[] = rows.map((r) => {
    const key: GroupKey = {};
    q.by.forEach((g, i) => (key[g] = (i === 0 ? r.g0 : r.g1) ?? ''));
    return { key, labels: labelsOf(key, labels), ...invitationFigures(r.sent, r.answered, r.expired) };
  });
  const sum = (f: (g: InvitationGroup) => number) => out.reduce((t, g) => t + f(g), 0);
  return {
    totals: invitationFigures(
      sum((g) => g.sent),
      sum((g) => g.answered),
      sum((g) => g.expired),
    ),
    groups: out,
    notes: [INVITATIONS_NOTE],
  };
};
