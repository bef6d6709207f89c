import type { Database } from 'better-sqlite3';
import type { PublishedConfig } from '../../shared/sync.ts';
import type { ActiveConfig } from './active-config.ts';
import { readChoice, resolveAssignment } from './assignment.ts';
import type { SyncHost } from './sync/host.ts';
import type { ConfigApplyResult } from './sync/published-config.ts';

/**
 * What of a running kiosk core the sync engine's host needs. Spelled out here rather than picked
 * from KioskCore so this module (which kiosk-core.ts imports) does not import kiosk-core.ts back:
 * the core depends on the sync engine, never the other way round.
 */
export type CoreForSync = {
  readonly db: Database;
  readonly deviceId: string;
  config: () => ActiveConfig;
  applyPublishedConfig: (published: PublishedConfig) => ConfigApplyResult;
};

/**
 * The sync host of a running kiosk core (the host process): configuration applies live, between
 * respondents. Takes only what it uses, so the core can build its engine before its public object exists.
 */
export const hostFromCore = (core: CoreForSync, dataDir: string): SyncHost => ({
  db: core.db,
  deviceId: core.deviceId,
  dataDir,
  configVersion: () => core.config().version,
  procedureCode: () => {
    try {
      return resolveAssignment(core.config().bundle, readChoice(core.db)).assignment.procedureCode;
    } catch {
      return null;
    }
  },
  applyPublishedConfig: (published) => core.applyPublishedConfig(published),
});
