import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import type { AdminSettings } from '../../../shared/admin.ts';
import type { KioskHandlers, Result } from '../../../shared/api.ts';
import type { StaffAuth } from '../staff-auth.ts';
import { audit, auditPage } from '../store/audit.ts';
import { type StoredSettings, setSetting } from '../store/settings.ts';
import { resetEnrolment } from '../sync/enrolment-reset.ts';
import type { Timeouts } from '../sync/client.ts';
import type { BatchLimits } from '../sync/batch-builder.ts';
import type { KeyProtector } from '../sync/device-key.ts';
import type { SyncEngine } from '../sync/engine.ts';
import { readEnrolment } from '../sync/enrolment.ts';
import { adminEnrol } from './enrol.ts';
import { type TargetScan, listRemovableTargets } from './export-targets.ts';
import { type JobRegistry, createJobRegistry } from './jobs.ts';
import { readAdminStatus } from './status.ts';
import { type WorkDeps, startExport, startSync } from './work.ts';
import { errorMessage } from '../../../shared/error-message.ts';

/**
 * The admin panel's handlers (shared/admin.ts). The admin PIN opens a session through the same
 * StaffAuth as the staff panel, so the lockout rules and their audit entries are the same code; the
 * session is extended by every call and ends when the panel is left idle. Every change is audited.
 */

export type AdminMethod =
  | 'adminUnlock'
  | 'adminLock'
  | 'adminStatus'
  | 'adminEnrol'
  | 'adminResetEnrolment'
  | 'adminSyncNow'
  | 'adminJob'
  | 'adminListExportTargets'
  | 'adminExport'
  | 'adminAuditLog'
  | 'adminChangePin'
  | 'adminGetSettings'
  | 'adminSetSettings';
export type AdminHandlers = Pick<KioskHandlers, AdminMethod>;

export type AdminDeps = {
  db: Database;
  dataDir: string;
  deviceId: string;
  auth: StaffAuth;
  sessionMs: () => number;
  settings: () => StoredSettings;
  engine: SyncEngine;
  configVersion: () => string;
  now: () => number;
  log: (level: 'warn' | 'error', message: string, data?: Record<string, unknown>) => void;
  protector?: KeyProtector;
  limits?: Partial<BatchLimits>;
  exportTargets?: TargetScan;
  enrolTimeouts?: Partial<Timeouts>;
};

const adminSettingsOf = (s: StoredSettings): AdminSettings => ({
  openingHours: s.openingHours,
  idleSeconds: s.idleSeconds,
  countdownSeconds: s.countdownSeconds,
  accessibleLayout: s.accessibleLayout,
  pictureFirst: s.pictureFirst,
});

/** The settings the admin panel changes, in the order their changes are written and audited. */
const ADMIN_SETTING_KEYS = [
  'openingHours',
  'idleSeconds',
  'countdownSeconds',
  'accessibleLayout',
  'pictureFirst',
] as const satisfies readonly (keyof AdminSettings)[];

type WithAdmin = <T>(session: string, run: () => Result<T> | Promise<Result<T>>) => Result<T> | Promise<Result<T>>;

/** What each group of handlers shares: the deps, the session gate, the job registry and the job runner's deps. */
type HandlerContext = { d: AdminDeps; withAdmin: WithAdmin; jobs: JobRegistry; work: WorkDeps };

const sessionHandlers = ({
  d,
  withAdmin,
  jobs,
}: HandlerContext): Pick<AdminHandlers, 'adminUnlock' | 'adminLock' | 'adminStatus'> => ({
  adminUnlock: ({ pin }) => d.auth.unlock('admin', pin, d.sessionMs()),
  adminLock: ({ session }) => {
    if (d.auth.check(session, 'admin', d.sessionMs())) audit(d.db, 'admin', 'lock');
    d.auth.lock(session);
    return { ok: true, value: {} };
  },
  adminStatus: ({ session }) => withAdmin(session, async () => ({ ok: true, value: await readAdminStatus(d, jobs) })),
});

const enrolmentHandlers = ({
  d,
  withAdmin,
}: HandlerContext): Pick<AdminHandlers, 'adminEnrol' | 'adminResetEnrolment'> => ({
  adminEnrol: ({ session, centralUrl, code }) =>
    withAdmin(session, () =>
      adminEnrol(
        { db: d.db, dataDir: d.dataDir, protector: d.protector, timeouts: d.enrolTimeouts, now: d.now },
        centralUrl,
        code,
      ),
    ),
  adminResetEnrolment: ({ session, pin }) =>
    withAdmin(session, () => {
      // Nothing to reset: refused before the PIN is checked (and a lockout counted, or an unlock audited).
      if (!readEnrolment(d.db))
        return { ok: false, error: { code: 'not_enrolled', message: 'this kiosk is not enrolled' } };
      // The admin PIN again, through the same lockout as the panel's own PIN pad.
      const confirmed = d.auth.unlock('admin', pin, d.sessionMs());
      if (!confirmed.ok) return confirmed;
      d.auth.lock(confirmed.value.session);
      const r = resetEnrolment(d.db, 'admin');
      if (r.ok) return { ok: true, value: { previous: r.previous } };
      return r.code === 'unsent_responses'
        ? { ok: false, error: { code: 'unsent_responses', message: r.message, unsent: r.unsent } }
        : { ok: false, error: { code: 'not_enrolled', message: r.message } };
    }),
});

const jobHandlers = ({
  d,
  withAdmin,
  jobs,
  work,
}: HandlerContext): Pick<AdminHandlers, 'adminSyncNow' | 'adminJob' | 'adminListExportTargets' | 'adminExport'> => ({
  adminSyncNow: ({ session }) => withAdmin(session, () => startSync(work)),
  adminJob: ({ session, jobId }) =>
    withAdmin(session, () => {
      const job = jobs.get(jobId);
      return job
        ? { ok: true, value: jobs.snapshot(job) }
        : { ok: false, error: { code: 'not_found', message: `no job ${jobId} (the kiosk may have restarted)` } };
    }),
  adminListExportTargets: ({ session }) =>
    withAdmin(session, async () => ({
      ok: true,
      value: { targets: await listRemovableTargets(d.exportTargets), suggestedFolder: join(d.dataDir, 'exports') },
    })),
  adminExport: ({ session, target }) => withAdmin(session, () => startExport(work, target)),
});

const auditHandlers = ({ d, withAdmin }: HandlerContext): Pick<AdminHandlers, 'adminAuditLog'> => ({
  adminAuditLog: ({ session, before, limit }) =>
    withAdmin(session, () => ({ ok: true, value: auditPage(d.db, { before, limit }) })),
});

const pinAndSettingsHandlers = ({
  d,
  withAdmin,
}: HandlerContext): Pick<AdminHandlers, 'adminChangePin' | 'adminGetSettings' | 'adminSetSettings'> => ({
  adminChangePin: ({ session, role, newPin }) =>
    withAdmin(session, () => {
      // The store applies the PIN rules (store/pin-rules.ts), the same for kioskctl and this panel.
      const refused = d.db
        .transaction(() => {
          const set = setSetting(d.db, role === 'staff' ? 'staffPin' : 'adminPin', newPin);
          if (!set.ok) return set;
          d.auth.resetLockout(role);
          audit(d.db, 'admin', 'pin_changed', { role });
          return null;
        })
        .immediate();
      if (!refused) {
        // Sync held for a demo PIN resumes now rather than after the engine's refusal wait.
        d.engine.wake();
        return { ok: true, value: { role } };
      }
      if (refused.pinRule)
        return { ok: false, error: { code: 'pin_rule', reason: refused.pinRule, message: refused.message } };
      // The contract checked the format already: anything else is a bug, not the caller's input.
      throw new Error(refused.message);
    }),
  adminGetSettings: ({ session }) => withAdmin(session, () => ({ ok: true, value: adminSettingsOf(d.settings()) })),
  adminSetSettings: ({ session, ...wanted }) =>
    withAdmin(session, () => {
      const before = adminSettingsOf(d.settings());
      const changes: Record<string, { from: unknown; to: unknown }> = {};
      d.db
        .transaction(() => {
          for (const key of ADMIN_SETTING_KEYS) {
            const value = wanted[key];
            if (value === undefined) continue;
            const set = setSetting(d.db, key, value);
            // Validated by the contract already; a refusal here is a bug, and must roll the others back.
            if (!set.ok) throw new Error(set.message);
            if (JSON.stringify(before[key]) !== JSON.stringify(value)) changes[key] = { from: before[key], to: value };
          }
          if (Object.keys(changes).length > 0) audit(d.db, 'admin', 'settings_changed', changes);
        })
        .immediate();
      return { ok: true, value: adminSettingsOf(d.settings()) };
    }),
});

export const createAdminHandlers = (d: AdminDeps): AdminHandlers => {
  const jobs = createJobRegistry();
  const work: WorkDeps = {
    db: d.db,
    dataDir: d.dataDir,
    deviceId: d.deviceId,
    engine: d.engine,
    jobs,
    now: d.now,
    protector: d.protector,
    limits: d.limits,
    onError: (message: string, e: unknown) => d.log('error', `${message}: ${errorMessage(e)}`),
  };

  const withAdmin: WithAdmin = (session, run) =>
    d.auth.check(session, 'admin', d.sessionMs())
      ? run()
      : {
          ok: false,
          error: { code: 'session_expired', message: 'the admin session has ended; enter the admin PIN again' },
        };

  const c: HandlerContext = { d, withAdmin, jobs, work };
  return {
    ...sessionHandlers(c),
    ...enrolmentHandlers(c),
    ...jobHandlers(c),
    ...auditHandlers(c),
    ...pinAndSettingsHandlers(c),
  };
};
