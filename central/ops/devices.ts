import { z } from 'zod';
import { DeviceId } from '../../shared/sync.ts';
import { Int, NullableTimestamp, Timestamp, firstRow, parseRows } from '../db/rows.ts';
import type { Queryable } from '../db/types.ts';

const DeviceRow = z.object({
  id: z.string(),
  unit_id: z.string(),
  public_key: z.string(),
  revoked_at: NullableTimestamp,
});
export type DeviceRecord = { id: string; unitId: string; publicKey: string; revokedAt: Date | null };

export const findDevice = async (db: Queryable, id: string): Promise<DeviceRecord | undefined> => {
  if (!DeviceId.safeParse(id).success) return undefined;
  const row = firstRow(
    DeviceRow,
    await db.query('SELECT id, unit_id, public_key, revoked_at FROM devices WHERE id = $1', [id]),
  );
  return row && { id: row.id, unitId: row.unit_id, publicKey: row.public_key, revokedAt: row.revoked_at };
};

/** What `centralctl devices --json` prints per device. */
export const DeviceReport = z.object({
  id: z.string(),
  unit: z.string(),
  label: z.string().nullable(),
  appVersion: z.string(),
  enrolledAt: z.string(),
  revoked: z.boolean(),
  revokedAt: z.string().nullable(),
  /** Responses stored (distinct ids). */
  responses: z.number().int(),
  /** Highest H such that central holds every seq 1..H. */
  highestContiguousSeq: z.number().int(),
  /** Highest seq held at all: above highestContiguousSeq means there are gaps. */
  highestSeq: z.number().int(),
  duplicates: z.number().int(),
  conflicts: z.number().int(),
  /** Responses set aside as invalid (centralctl refused); their seqs count as held. */
  refused: z.number().int(),
  batches: z.number().int(),
  lastBatchAt: z.string().nullable(),
  lastHeartbeatAt: z.string().nullable(),
  lastHeartbeat: z.unknown().nullable(),
  clockDriftMs: z.number().int().nullable(),
});
export type DeviceReport = z.infer<typeof DeviceReport>;

const ReportRow = z.object({
  id: z.string(),
  unit_id: z.string(),
  label: z.string().nullable(),
  app_version: z.string(),
  enrolled_at: Timestamp,
  revoked_at: NullableTimestamp,
  responses: Int,
  highest_contiguous_seq: Int,
  highest_seq: Int,
  duplicates: Int,
  conflicts: Int,
  refused: Int,
  batches: Int,
  last_batch_at: NullableTimestamp,
  last_heartbeat_at: NullableTimestamp,
  last_heartbeat: z.unknown(),
  clock_drift_ms: Int.nullable(),
});

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

const REPORT_SQL = `
      SELECT d.id, d.unit_id, d.label, d.app_version, d.enrolled_at, d.revoked_at,
             coalesce(p.responses, 0) AS responses, coalesce(p.highest_contiguous_seq, 0) AS highest_contiguous_seq,
             coalesce((SELECT max(seq) FROM received_seqs r WHERE r.device_id = d.id), 0) AS highest_seq,
             coalesce(p.duplicates, 0) AS duplicates, coalesce(p.conflicts, 0) AS conflicts, coalesce(p.refused, 0) AS refused, coalesce(p.batches, 0) AS batches,
             p.last_batch_at, d.last_heartbeat_at, d.last_heartbeat, d.clock_drift_ms
        FROM devices d LEFT JOIN device_progress p ON p.device_id = d.id`;

const toReport = (r: z.infer<typeof ReportRow>): DeviceReport => ({
  id: r.id,
  unit: r.unit_id,
  label: r.label,
  appVersion: r.app_version,
  enrolledAt: r.enrolled_at.toISOString(),
  revoked: r.revoked_at !== null,
  revokedAt: iso(r.revoked_at),
  responses: r.responses,
  highestContiguousSeq: r.highest_contiguous_seq,
  highestSeq: r.highest_seq,
  duplicates: r.duplicates,
  conflicts: r.conflicts,
  refused: r.refused,
  batches: r.batches,
  lastBatchAt: iso(r.last_batch_at),
  lastHeartbeatAt: iso(r.last_heartbeat_at),
  lastHeartbeat: r.last_heartbeat ?? null,
  clockDriftMs: r.clock_drift_ms,
});

export const listDevices = async (db: Queryable): Promise<DeviceReport[]> =>
  parseRows(ReportRow, await db.query(`${REPORT_SQL} ORDER BY d.unit_id, d.enrolled_at, d.id`)).map(toReport);

/** One device's report (the console's device page), without reading every other device. */
export const findDeviceReport = async (db: Queryable, id: string): Promise<DeviceReport | undefined> => {
  if (!DeviceId.safeParse(id).success) return undefined;
  const row = firstRow(ReportRow, await db.query(`${REPORT_SQL} WHERE d.id = $1`, [id]));
  return row && toReport(row);
};

export type RevokeOutcome = 'revoked' | 'already_revoked' | 'unknown_device';

/** Revokes a device: its batches, heartbeats and config requests are refused with 403 from now on. */
export const revokeDevice = async (db: Queryable, id: string, now: Date = new Date()): Promise<RevokeOutcome> => {
  const r = await db.query('UPDATE devices SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL', [id, now]);
  if (r.rowCount > 0) return 'revoked';
  return (await findDevice(db, id)) ? 'already_revoked' : 'unknown_device';
};

/** Lifts a revocation (a device revoked by mistake); the kiosk resumes at its next retry. */
export const unrevokeDevice = async (
  db: Queryable,
  id: string,
): Promise<'unrevoked' | 'not_revoked' | 'unknown_device'> => {
  const r = await db.query('UPDATE devices SET revoked_at = NULL WHERE id = $1 AND revoked_at IS NOT NULL', [id]);
  if (r.rowCount > 0) return 'unrevoked';
  return (await findDevice(db, id)) ? 'not_revoked' : 'unknown_device';
};
