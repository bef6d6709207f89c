import { expect } from 'vitest';
import { z } from 'zod';
import { Int } from '../../central/db/rows.ts';
import type { CentralDb } from '../../central/index.ts';
import { SyncErrorBody, type SyncErrorCode } from '../../shared/sync.ts';

/** Asserts status, protocol error code and (when given) the field; returns the parsed body. */
export const expectSyncError = async (
  res: Response,
  status: number,
  code: SyncErrorCode,
  field?: string,
): Promise<SyncErrorBody> => {
  const text = await res.text();
  expect({ status: res.status, text }).toMatchObject({ status });
  const body = SyncErrorBody.parse(JSON.parse(text));
  expect(body.error).toBe(code);
  expect(body.message.length).toBeGreaterThan(10);
  if (field !== undefined) expect(body.field).toBe(field);
  return body;
};

const Counts = z.object({ devices: Int, responses: Int, conflicts: Int, batches: Int, codes_used: Int });
export type TableCounts = z.infer<typeof Counts>;

/** Row counts of everything an ingest or an enrolment could write: "nothing stored" means these do not move. */
export const tableCounts = async (db: CentralDb): Promise<TableCounts> =>
  Counts.parse(
    (
      await db.query(`SELECT (SELECT count(*) FROM devices) AS devices, (SELECT count(*) FROM responses) AS responses,
                             (SELECT count(*) FROM conflicts) AS conflicts, (SELECT count(*) FROM batches) AS batches,
                             (SELECT count(*) FROM enrolment_codes WHERE used_by IS NOT NULL) AS codes_used`)
    ).rows[0],
  );
