import { z } from 'zod';
import { publicKeyProblem } from '../../shared/node/signing.ts';
import type { EnrolRequest, EnrolResponse } from '../../shared/sync.ts';
import { SyncError } from '../errors.ts';
import { NullableTimestamp, Timestamp, firstRow } from '../db/rows.ts';
import type { CentralDb } from '../db/types.ts';
import { findDevice } from './devices.ts';
import { codeHash } from './enrolment-codes.ts';
import { getUnit } from './units.ts';

const CodeRow = z.object({
  unit_id: z.string(),
  expires_at: Timestamp,
  used_by: z.string().nullable(),
  used_at: NullableTimestamp,
});

export type EnrolOutcome = { status: 200 | 201; body: EnrolResponse };

/** Refuses a key that is malformed, off the curve, non-canonical or of small order (a weak key). */
const assertEd25519 = (publicKey: string): void => {
  const problem = publicKeyProblem(publicKey);
  if (problem)
    throw new SyncError('invalid_body', `publicKey is not a usable Ed25519 public key: ${problem}`, {
      field: 'publicKey',
    });
};

/**
 * Enrols a device with a one-time code, in one transaction (the code row is locked, so two kiosks
 * racing for one code cannot both win). A retry by the device that used the code, with the same
 * key, gets the same answer with 200.
 */
export const enrolDevice = async (
  db: CentralDb,
  req: EnrolRequest,
  centralPublicKey: string,
  now: Date,
): Promise<EnrolOutcome> => {
  assertEd25519(req.publicKey);
  return db.transaction(async (tx) => {
    const answer = async (status: 200 | 201, unitId: string): Promise<EnrolOutcome> => {
      const unit = await getUnit(tx, unitId);
      if (!unit) throw new Error(`unit ${unitId} vanished`);
      return { status, body: { deviceId: req.deviceId, unit, centralPublicKey, serverTime: now.toISOString() } };
    };
    const code = firstRow(
      CodeRow,
      await tx.query(
        'SELECT unit_id, expires_at, used_by, used_at FROM enrolment_codes WHERE code_hash = $1 FOR UPDATE',
        [codeHash(req.code)],
      ),
    );
    if (!code)
      throw new SyncError(
        'enrolment_code_invalid',
        'unknown enrolment code; ask IT for a new one (centralctl enrol-code)',
        { field: 'code' },
      );
    const existing = await findDevice(tx, req.deviceId);
    if (existing && existing.publicKey !== req.publicKey) {
      throw new SyncError(
        'device_exists',
        `device ${req.deviceId} is already enrolled with another key; revoke it and give the kiosk a new device id, or restore its key`,
        { field: 'deviceId' },
      );
    }
    if (existing?.revokedAt)
      throw new SyncError(
        'device_revoked',
        `device ${req.deviceId} was revoked on ${existing.revokedAt.toISOString()}`,
      );
    // A retry: this device used this code (its first answer was lost).
    if (existing && code.used_by === req.deviceId) return answer(200, existing.unitId);
    if (code.used_by !== null) {
      throw new SyncError(
        'enrolment_code_invalid',
        `this enrolment code was already used${code.used_at ? ` on ${code.used_at.toISOString()}` : ''}; codes are single-use`,
        { field: 'code' },
      );
    }
    if (code.expires_at.getTime() <= now.getTime()) {
      throw new SyncError(
        'enrolment_code_invalid',
        `this enrolment code expired on ${code.expires_at.toISOString()}; ask IT for a new one`,
        { field: 'code' },
      );
    }
    if (existing) {
      // Already enrolled with this key (say its answer was lost and IT gave it a new code): answer
      // again and leave the new code unused. Enrolment does not move a device to another unit.
      if (existing.unitId === code.unit_id) return answer(200, existing.unitId);
      throw new SyncError(
        'device_exists',
        `device ${req.deviceId} is already enrolled in unit "${existing.unitId}"; enrolment does not move a device to another unit`,
        {
          field: 'deviceId',
        },
      );
    }
    const inserted = await tx.query(
      `INSERT INTO devices (id, unit_id, public_key, label, app_version, enrolled_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING`,
      [req.deviceId, code.unit_id, req.publicKey, req.label ?? null, req.appVersion, now],
    );
    // A concurrent enrolment of the same id with another code won the race.
    if (inserted.rowCount === 0)
      throw new SyncError('device_exists', `device ${req.deviceId} is already enrolled`, { field: 'deviceId' });
    await tx.query('INSERT INTO device_progress (device_id) VALUES ($1)', [req.deviceId]);
    await tx.query('UPDATE enrolment_codes SET used_by = $2, used_at = $3 WHERE code_hash = $1', [
      codeHash(req.code),
      req.deviceId,
      now,
    ]);
    return answer(201, code.unit_id);
  });
};
