import type { Database } from 'better-sqlite3';
import { z } from 'zod';
import { uuidv7 } from '../../shared/ids.ts';
import { readState, writeState } from './store/state.ts';

/** The kiosk's own id, made once at first start; enrolment registers it with the central service. */
export const ensureDeviceId = (db: Database): string => {
  const existing = readState(db, 'deviceId', z.string().min(1));
  if (existing) return existing;
  const id = uuidv7();
  writeState(db, 'deviceId', id);
  return id;
};
