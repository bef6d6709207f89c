import type { Database } from 'better-sqlite3';
import { EMBEDDED_CONFIG_DIR, loadConfigDir } from '../../../shared/node/config-loader.ts';
import type { PublishedConfig } from '../../../shared/sync.ts';
import { readChoice, resolveAssignment } from '../assignment.ts';
import { ensureDeviceId } from '../device.ts';
import { lastGoodConfig } from '../store/config-store.ts';
import { type ConfigApplyResult, applyPublishedConfigToDb, loadPublishedConfig } from './published-config.ts';

/**
 * What the sync engine needs from the kiosk it runs in. Two implementations: a running kiosk core
 * (hostFromCore in ../sync-host.ts, next to the core: config applies live, between respondents), and
 * a bare database (hostFromDb below: kioskctl, which may run while the kiosk does; a config it pulls
 * is stored and used from the next start). Nothing in this folder imports the core or admin/.
 */
export type SyncHost = {
  readonly db: Database;
  readonly deviceId: string;
  readonly dataDir: string;
  /** The configuration version the kiosk runs now (heartbeat, If-None-Match). */
  configVersion: () => string;
  /** The procedure staff have selected (heartbeat). */
  procedureCode: () => string | null;
  applyPublishedConfig: (published: PublishedConfig) => ConfigApplyResult;
};

/** The configuration a kiosk using this database runs (or will run at its next start). */
const storedConfig = (db: Database) => {
  const published = loadPublishedConfig(db);
  if (published) return published;
  const kept = lastGoodConfig(db);
  if (kept) return kept;
  const embedded = loadConfigDir(EMBEDDED_CONFIG_DIR);
  return embedded.ok ? { version: embedded.config.version, bundle: embedded.config.bundle } : undefined;
};

export const hostFromDb = (db: Database, dataDir: string): SyncHost => ({
  db,
  deviceId: ensureDeviceId(db),
  dataDir,
  configVersion: () => storedConfig(db)?.version ?? 'unknown',
  procedureCode: () => {
    const config = storedConfig(db);
    if (!config) return readChoice(db)?.procedureCode ?? null;
    try {
      return resolveAssignment(config.bundle, readChoice(db)).assignment.procedureCode;
    } catch {
      return null;
    }
  },
  applyPublishedConfig: (published) => applyPublishedConfigToDb(db, published),
});
