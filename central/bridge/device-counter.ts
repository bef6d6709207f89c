import { StaffRef } from '../../shared/response.ts';
import type { Queryable } from '../db/types.ts';

/** A counter id as kiosks and invitations carry it (letters, digits, "_", ".", "-"; up to 32). */
export const CounterId = StaffRef;

export type PlaceOutcome = 'placed' | 'cleared' | 'unknown_device';

/**
 * Places a device at a counter (or nowhere, with null): central then pushes that counter's
 * invitations to it. The open streams notice at the next invitation; no reconnect needed.
 */
export const setDeviceCounter = async (
  db: Queryable,
  deviceId: string,
  counterId: string | null,
): Promise<PlaceOutcome> => {
  const counter = counterId === null ? null : CounterId.parse(counterId);
  const r = await db.query('UPDATE devices SET counter_id = $2 WHERE id = $1', [deviceId, counter]);
  if (r.rowCount === 0) return 'unknown_device';
  return counter === null ? 'cleared' : 'placed';
};
