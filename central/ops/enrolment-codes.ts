import { randomInt } from 'node:crypto';
import { sha256Hex } from '../../shared/node/signing.ts';
import type { Queryable } from '../db/types.ts';
import { getUnit } from './units.ts';

/** No 0/O, 1/I/L: codes are read off a screen and typed on a kiosk's touch keyboard. */
const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
export const DEFAULT_CODE_HOURS = 72;

export const newCode = (): string => {
  const group = (): string => Array.from({ length: 4 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
  return `${group()}-${group()}-${group()}`;
};

/** Codes are stored as their SHA-256 only. */
export const codeHash = (code: string): string => sha256Hex(code.trim().toUpperCase());

export class UnknownUnitError extends Error {
  constructor(readonly unitId: string) {
    super(`unknown unit "${unitId}"`);
    this.name = 'UnknownUnitError';
  }
}

export type IssuedCode = { code: string; unitId: string; expiresAt: Date };

/** Issues a one-time enrolment code for a unit, valid for `hours` (default 72). */
export const createEnrolmentCode = async (
  db: Queryable,
  options: { unitId: string; hours?: number; now?: Date },
): Promise<IssuedCode> => {
  const now = options.now ?? new Date();
  const hours = options.hours ?? DEFAULT_CODE_HOURS;
  if (!(hours > 0 && hours <= 24 * 365)) throw new RangeError('hours must be between 0 and 8760');
  if (!(await getUnit(db, options.unitId))) throw new UnknownUnitError(options.unitId);
  const code = newCode();
  const expiresAt = new Date(now.getTime() + hours * 3_600_000);
  await db.query('INSERT INTO enrolment_codes (code_hash, unit_id, created_at, expires_at) VALUES ($1, $2, $3, $4)', [
    codeHash(code),
    options.unitId,
    now,
    expiresAt,
  ]);
  return { code, unitId: options.unitId, expiresAt };
};
