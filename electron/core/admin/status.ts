import type { Database } from 'better-sqlite3';
import { z } from 'zod';
import type { AdminJob, AdminStatus } from '../../../shared/admin.ts';
import { getSetting } from '../store/settings.ts';
import { demoPinRoles } from '../store/demo-pins.ts';
import { readState } from '../store/state.ts';
import { centralKeyFingerprint } from '../sync/central-trust.ts';
import type { SyncEngine } from '../sync/engine.ts';
import { appVersion, readEnrolment } from '../sync/enrolment.ts';
import { readStatus } from '../sync/status.ts';
import { freeBytesOf } from './export-targets.ts';
import type { JobRegistry } from './jobs.ts';
import { LAST_EXPORT_KEY } from './work.ts';

/**
 * The admin panel's status page: device, enrolment, trust settings, sync state, last export and the
 * latest jobs, read fresh on every poll. Read-only: nothing here changes the kiosk.
 */

export type StatusDeps = {
  db: Database;
  dataDir: string;
  deviceId: string;
  engine: SyncEngine;
  configVersion: () => string;
};

const LastExport = z.object({
  at: z.string(),
  target: z.string(),
  files: z.number().int(),
  responses: z.number().int(),
});

/** The newest sync and export job, as copies the transport may send as they are. */
export const latestJobs = (jobs: JobRegistry): AdminJob[] =>
  (['sync', 'export'] as const).flatMap((k) => jobs.latest(k) ?? []).map((j) => jobs.snapshot(j));

export const readAdminStatus = async (d: StatusDeps, jobs: JobRegistry): Promise<AdminStatus> => {
  // The background loop's live view when it runs; the stored view (what kioskctl shows) otherwise.
  const s = d.engine.running ? d.engine.status() : readStatus(d.db);
  const syncing = jobs.latest('sync')?.state === 'running';
  const e = readEnrolment(d.db);
  return {
    device: {
      deviceId: d.deviceId,
      appVersion: appVersion(),
      configVersion: d.configVersion(),
      dataDir: d.dataDir,
      freeDiskBytes: await freeBytesOf(d.dataDir),
      responses: s.lastSeq,
    },
    enrolment: e
      ? {
          centralUrl: e.centralUrl,
          unit: e.unit,
          enrolledAt: e.enrolledAt,
          centralKeyFingerprint: centralKeyFingerprint(e.centralPublicKey),
        }
      : null,
    trust: {
      pinnedCentralKey: getSetting(d.db, 'centralKeyFingerprint'),
      allowPlainHttpLan: getSetting(d.db, 'allowPlainHttpLan'),
      demoPins: demoPinRoles(d.db),
    },
    sync: {
      state: syncing ? 'syncing' : s.state,
      engineRunning: d.engine.running,
      queueDepth: s.queueDepth,
      lastSeq: s.lastSeq,
      ackedThrough: s.ackedThrough,
      attempts: s.attempts,
      lastAttemptAt: s.lastAttemptAt,
      lastSuccessAt: s.lastSuccessAt,
      lastHeartbeatAt: s.lastHeartbeatAt,
      nextAttemptAt: s.nextAttemptAt,
      clockDriftMs: s.clockDriftMs,
      conflicts: s.conflicts,
      lastError: s.lastError,
      configRefused: s.configRefused,
    },
    lastExport: readState(d.db, LAST_EXPORT_KEY, LastExport) ?? null,
    jobs: latestJobs(jobs),
  };
};
