import type { Database } from 'better-sqlite3';
import { DEFAULT_SETTINGS } from '../../../shared/settings.ts';
import { verifyPin } from './pin-hash.ts';
import { type PinRole, getPinHash } from './settings.ts';

/** scrypt costs ~50 ms: remember the answer for each stored hash (a new PIN is a new salt, so a new key). */
const memo = new Map<string, boolean>();

/**
 * The roles whose PIN is still the published demo default. No stored PIN counts as the demo one:
 * the kiosk stores the demo PINs at its first start.
 */
export const demoPinRoles = (db: Database): PinRole[] =>
  (['staff', 'admin'] as const).filter((role) => {
    const stored = getPinHash(db, role);
    if (!stored) return true;
    const key = `${stored.salt}:${stored.hash}`;
    let demo = memo.get(key);
    if (demo === undefined) {
      demo = verifyPin(DEFAULT_SETTINGS[role === 'staff' ? 'staffPin' : 'adminPin'], stored);
      if (memo.size > 64) memo.clear();
      memo.set(key, demo);
    }
    return demo;
  });
