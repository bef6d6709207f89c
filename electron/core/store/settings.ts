import type { Database, Statement } from 'better-sqlite3';
import {
  DEFAULT_SETTINGS,
  SECRET_SETTINGS,
  type SettingKey,
  type Settings,
  settingSchemas,
} from '../../../shared/settings.ts';
import { type PinHash, PinHash as PinHashSchema, hashPin } from './pin-hash.ts';
import { type PinRefusal, pinRefusal } from './pin-rules.ts';

type PublicKey = Exclude<SettingKey, 'staffPin' | 'adminPin'>;
export type StoredSettings = { [K in PublicKey]: Settings[K] };
export type PinRole = 'staff' | 'admin';

const isSecret = (key: SettingKey): boolean => SECRET_SETTINGS.includes(key);

const readRaw = (db: Database, key: string): unknown => {
  const row = db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined;
  return row ? (JSON.parse(row.value) as unknown) : undefined;
};

const writeRaw = (db: Database, key: string, value: unknown): void => {
  db.prepare(
    `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
  ).run(key, JSON.stringify(value), new Date().toISOString());
};

/** Reads one non-secret setting, falling back to its default when unset or no longer valid. */
export const getSetting = <K extends PublicKey>(db: Database, key: K): Settings[K] => {
  const parsed = settingSchemas[key].safeParse(readRaw(db, key));
  return (parsed.success ? parsed.data : DEFAULT_SETTINGS[key]) as Settings[K];
};

const PUBLIC_KEYS = Object.keys(settingSchemas).filter((k): k is PublicKey => !isSecret(k as SettingKey));

const parseOrDefault = <K extends PublicKey>(key: K, raw: string | undefined): Settings[K] => {
  const parsed = settingSchemas[key].safeParse(raw === undefined ? undefined : (JSON.parse(raw) as unknown));
  return (parsed.success ? parsed.data : DEFAULT_SETTINGS[key]) as Settings[K];
};

/**
 * A reader of every non-secret setting for a long-lived connection. It reads the table on every call
 * (kioskctl may change a setting from another process) with one statement prepared once, and parses a
 * value again only when its stored JSON changed: a submit runs this before its commit, so it should
 * not pay a dozen statement preparations and schema validations to learn the same values.
 * Parsed values are shared between calls (as the defaults always were): treat them as read-only.
 */
export const settingsReader = (db: Database): (() => StoredSettings) => {
  const all = db.prepare(
    `SELECT key, value FROM settings WHERE key IN (${PUBLIC_KEYS.map(() => '?').join(', ')})`,
  ) as Statement<string[], { key: string; value: string }>;
  const parsed = new Map<PublicKey, { raw: string | undefined; value: unknown }>();
  return () => {
    const raw = new Map(all.all(...PUBLIC_KEYS).map((r) => [r.key, r.value]));
    const out: Record<string, unknown> = {};
    for (const key of PUBLIC_KEYS) {
      const text = raw.get(key);
      let memo = parsed.get(key);
      if (!memo || memo.raw !== text) {
        memo = { raw: text, value: parseOrDefault(key, text) };
        parsed.set(key, memo);
      }
      out[key] = memo.value;
    }
    return out as StoredSettings;
  };
};

export const getAllSettings = (db: Database): StoredSettings => settingsReader(db)();

export type SetSettingResult = { ok: true } | { ok: false; message: string; pinRule?: PinRefusal['reason'] };

const pinKey = (role: PinRole): SettingKey => (role === 'staff' ? 'staffPin' : 'adminPin');
const otherRole = (role: PinRole): PinRole => (role === 'staff' ? 'admin' : 'staff');

/**
 * Validates and writes a setting; PINs are stored only as scrypt hashes, and only when they meet the
 * PIN rules (store/pin-rules.ts): every path that sets a PIN comes through here.
 */
export const setSetting = (db: Database, key: SettingKey, value: unknown): SetSettingResult => {
  const parsed = settingSchemas[key].safeParse(value);
  if (!parsed.success)
    return {
      ok: false,
      message: parsed.error.issues.map((i) => `${i.path.join('.') || key}: ${i.message}`).join('; '),
    };
  if (isSecret(key)) {
    const role: PinRole = key === 'staffPin' ? 'staff' : 'admin';
    const pin = parsed.data as string;
    const refused = pinRefusal(role, pin, getPinHash(db, otherRole(role)));
    if (refused) return { ok: false, message: refused.message, pinRule: refused.reason };
    writeRaw(db, key, hashPin(pin));
    return { ok: true };
  }
  writeRaw(db, key, parsed.data);
  return { ok: true };
};

export const getPinHash = (db: Database, role: PinRole): PinHash | undefined => {
  const parsed = PinHashSchema.safeParse(readRaw(db, pinKey(role)));
  return parsed.success ? parsed.data : undefined;
};

/** First start: store the demo PINs hashed, so the database never holds a PIN in clear. */
export const ensureDefaultPins = (db: Database): void => {
  for (const role of ['staff', 'admin'] as const) {
    if (!getPinHash(db, role))
      writeRaw(db, pinKey(role), hashPin(DEFAULT_SETTINGS[pinKey(role) as 'staffPin' | 'adminPin']));
  }
};
