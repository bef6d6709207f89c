import { z } from 'zod';
import { Int, Timestamp, parseRows } from '../db/rows.ts';
import type { Queryable } from '../db/types.ts';

/** A response central set aside as invalid (central/ingest/validate-responses.ts), as IT sees it. */
export const RefusedResponse = z.object({
  deviceId: z.string(),
  unit: z.string(),
  seq: z.number().int(),
  responseId: z.string(),
  reason: z.enum(['unknown_questionnaire', 'invalid_answers']),
  detail: z.string(),
  questionnaire: z.string(),
  receivedAt: z.string(),
  /** The response as the device signed it (canonical JSON). */
  body: z.unknown(),
});
export type RefusedResponse = z.infer<typeof RefusedResponse>;

const Row = z.object({
  device_id: z.string(),
  unit_id: z.string(),
  seq: Int,
  response_id: z.string(),
  reason: RefusedResponse.shape.reason,
  detail: z.string(),
  received_at: Timestamp,
  body: z.unknown(),
});

const questionnaireOf = (body: unknown): string => {
  const b = z.object({ questionnaireId: z.string(), questionnaireVersion: z.number() }).safeParse(body);
  return b.success ? `${b.data.questionnaireId} v${b.data.questionnaireVersion}` : '?';
};

/** Newest first; optionally one device's or one unit's. */
export const listRefused = async (
  db: Queryable,
  filter: { deviceId?: string; unitId?: string; limit?: number } = {},
): Promise<RefusedResponse[]> => {
  const rows = parseRows(
    Row,
    await db.query(
      `SELECT r.device_id, d.unit_id, r.seq, r.response_id::text AS response_id, r.reason, r.detail, r.received_at, r.body
         FROM refused_responses r JOIN devices d ON d.id = r.device_id
        WHERE ($1::text IS NULL OR r.device_id = $1) AND ($2::text IS NULL OR d.unit_id = $2)
        ORDER BY r.received_at DESC, r.device_id, r.seq DESC
        LIMIT $3`,
      [filter.deviceId ?? null, filter.unitId ?? null, filter.limit ?? 1000],
    ),
  );
  return rows.map((r) => ({
    deviceId: r.device_id,
    unit: r.unit_id,
    seq: r.seq,
    responseId: r.response_id,
    reason: r.reason,
    detail: r.detail,
    questionnaire: questionnaireOf(r.body),
    receivedAt: r.received_at.toISOString(),
    body: r.body,
  }));
};
