import type { Database } from 'better-sqlite3';
import { setSetting } from '../../electron/core/store/settings.ts';

/**
 * PINs a kiosk gets before it goes to a counter. An enrolled kiosk refuses to enrol, and holds sync,
 * while the published demo PINs still open its panels; tests of enrolment and sync set these first.
 */
export const OFFICE_STAFF_PIN = '482916';
export const OFFICE_ADMIN_PIN = '730519';

export const setOfficePins = (db: Database): void => {
  for (const [key, pin] of [
    ['adminPin', OFFICE_ADMIN_PIN],
    ['staffPin', OFFICE_STAFF_PIN],
  ] as const) {
    const r = setSetting(db, key, pin);
    if (!r.ok) throw new Error(`${key}: ${r.message}`);
  }
};
