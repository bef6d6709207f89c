import { z } from 'zod';
import { DEFAULT_SETTINGS, OpeningHours, Pin, settingSchemas } from './settings.ts';
import { EnrolmentCode } from './sync.ts';

/**
 * The kiosk admin panel's part of KioskApi (IT's screen: enrolment, sync, USB export, audit log,
 * PINs, opening hours). Spread into `kioskApi` in shared/api.ts; kept here so the contract file stays
 * readable. Every method but adminUnlock takes an admin session, issued by the admin PIN.
 */

export const AdminSession = z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, 'expected an admin session token');
export const PinRole = z.enum(['staff', 'admin']);
export type PinRole = z.infer<typeof PinRole>;

/** The admin PIN guards enrolment, export and every PIN: it must be longer than a staff PIN may be. */
export const ADMIN_PIN_MIN_LENGTH = 6;

export type PinRuleReason = 'too_short' | 'repeated' | 'sequence' | 'demo';

/**
 * The rules a new PIN must meet beyond its format (4-8 digits): no single repeated digit, no straight
 * run up or down (1234, 987654), not the published demo PIN, and an admin PIN of at least
 * ADMIN_PIN_MIN_LENGTH digits. The core also refuses a staff PIN equal to the admin PIN (and back),
 * which only it can check. Shared so the panel can say what is wrong before sending.
 */
export const pinRuleProblem = (role: PinRole, pin: string): PinRuleReason | null => {
  if (role === 'admin' && pin.length < ADMIN_PIN_MIN_LENGTH) return 'too_short';
  if (/^(\d)\1*$/.test(pin)) return 'repeated';
  const steps = [...pin].slice(1).map((d, i) => Number(d) - Number(pin[i]));
  if (steps.every((s) => s === 1) || steps.every((s) => s === -1)) return 'sequence';
  if (pin === DEFAULT_SETTINGS[role === 'staff' ? 'staffPin' : 'adminPin']) return 'demo';
  return null;
};

/** Two intervals of one weekday that overlap are a typing mistake (touching ones, 11:30 to 11:30, are fine). */
export const openingHoursOverlaps = (hours: OpeningHours): { index: number; other: number; day: number }[] => {
  const found: { index: number; other: number; day: number }[] = [];
  for (let i = 0; i < hours.length; i++) {
    for (let j = 0; j < i; j++) {
      const a = hours[i]!;
      const b = hours[j]!;
      const day = a.days.find((d) => b.days.includes(d));
      if (day !== undefined && a.from < b.to && b.from < a.to) found.push({ index: i, other: j, day });
    }
  }
  return found;
};

/**
 * Opening hours as the admin panel sets them: the settings schema, strict (a misspelt key in an
 * interval is an error, not silently dropped), no day twice in an entry, and no overlap.
 */
export const AdminOpeningHours = z
  .array(OpeningHours.element.strict())
  .max(21)
  .superRefine((hours, ctx) => {
    hours.forEach((h, i) => {
      if (new Set(h.days).size !== h.days.length)
        ctx.addIssue({ code: 'custom', path: [i, 'days'], message: 'a day is listed twice' });
    });
    for (const o of openingHoursOverlaps(hours)) {
      ctx.addIssue({ code: 'custom', path: [o.index], message: `overlaps entry ${o.other + 1} on day ${o.day}` });
    }
  });

/** As stored: kioskctl may have set hours the panel would refuse, and the panel must still show them. */
export const AdminSettings = z.object({
  openingHours: OpeningHours,
  idleSeconds: settingSchemas.idleSeconds,
  countdownSeconds: settingSchemas.countdownSeconds,
  accessibleLayout: settingSchemas.accessibleLayout,
  pictureFirst: settingSchemas.pictureFirst,
});
export type AdminSettings = z.infer<typeof AdminSettings>;

const Iso = z.iso.datetime();
const Count = z.number().int().min(0);

export const SyncStateName = z.enum(['not_enrolled', 'idle', 'syncing', 'retrying', 'needs_attention', 'stopped']);

/** A sync failure as IT sees it: central's (or the kiosk's) code and message, and what it means in words. */
export const SyncFailureView = z.object({
  code: z.string(),
  message: z.string(),
  status: z.number().int().nullable(),
  meaning: z.string(),
  action: z.string(),
});

const JobState = z.enum(['running', 'succeeded', 'failed']);
const JobCommon = {
  id: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/),
  state: JobState,
  startedAt: Iso,
  finishedAt: Iso.nullable(),
  /** Responses handled so far, of `total`: what the progress bar shows. */
  done: Count,
  total: Count,
};

export const SyncJob = z.object({
  kind: z.literal('sync'),
  ...JobCommon,
  /** "queued": waiting for the background pass already running (passes never overlap). */
  phase: z.enum(['queued', 'heartbeat', 'config', 'sending', 'acked', 'done']),
  result: z
    .object({
      batches: Count,
      responses: Count,
      inserted: Count,
      duplicates: Count,
      conflicts: Count,
      skippedByCentral: Count,
      queueDepth: Count,
      config: z.enum(['unchanged', 'applied', 'refused', 'failed', 'skipped']),
      configVersion: z.string(),
    })
    .nullable(),
  error: SyncFailureView.nullable(),
});

export const ExportedFileView = z.object({
  name: z.string(),
  seqFrom: z.number().int(),
  seqTo: z.number().int(),
  count: Count,
  bytes: Count,
  sha256: z.string(),
});

export const ExportJob = z.object({
  kind: z.literal('export'),
  ...JobCommon,
  target: z.string(),
  /** "writing": files written and each read back; "checking": every file read again at the end. */
  phase: z.enum(['writing', 'checking', 'done']),
  files: z.array(ExportedFileView),
  bytes: Count,
  /** True once every file was read back and matched what was verified. */
  verified: z.boolean(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
});

export const AdminJob = z.discriminatedUnion('kind', [SyncJob, ExportJob]);
export type AdminJob = z.infer<typeof AdminJob>;
export type SyncJob = z.infer<typeof SyncJob>;
export type ExportJob = z.infer<typeof ExportJob>;

export const AdminStatus = z.object({
  device: z.object({
    deviceId: z.string(),
    appVersion: z.string(),
    configVersion: z.string(),
    dataDir: z.string(),
    freeDiskBytes: z.number().min(0).nullable(),
    responses: Count,
  }),
  enrolment: z
    .object({
      centralUrl: z.string(),
      unit: z.object({ id: z.string(), name: z.string() }),
      enrolledAt: Iso,
      /** SHA-256 (hex) of the central key the kiosk trusts since enrolment. */
      centralKeyFingerprint: z.string(),
    })
    .nullable(),
  /** What the kiosk trusts before enrolling (set at install, kioskctl config), and what holds it back. */
  trust: z.object({
    /** The central key fingerprint IT pinned; null: the key central sends at enrolment is trusted. */
    pinnedCentralKey: z.string().nullable(),
    allowPlainHttpLan: z.boolean(),
    /** Roles still on the published demo PIN: enrolment is refused, and sync held once enrolled. */
    demoPins: z.array(PinRole),
  }),
  sync: z.object({
    state: SyncStateName,
    /** The background loop runs (false when the host disabled it: "sync now" still works). */
    engineRunning: z.boolean(),
    queueDepth: Count,
    lastSeq: Count,
    ackedThrough: Count,
    attempts: Count,
    lastAttemptAt: Iso.nullable(),
    lastSuccessAt: Iso.nullable(),
    lastHeartbeatAt: Iso.nullable(),
    nextAttemptAt: Iso.nullable(),
    clockDriftMs: z.number().nullable(),
    conflicts: Count,
    lastError: SyncFailureView.extend({ at: z.string() }).nullable(),
    configRefused: z
      .object({ version: z.string().nullable(), at: z.string(), problems: z.array(z.string()) })
      .nullable(),
  }),
  lastExport: z.object({ at: z.string(), target: z.string(), files: Count, responses: Count }).nullable(),
  /** The latest sync and export jobs, so a panel reopened mid-export finds its progress. */
  jobs: z.array(AdminJob),
});
export type AdminStatus = z.infer<typeof AdminStatus>;

export const ExportTarget = z.object({
  path: z.string(),
  label: z.string(),
  kind: z.enum(['removable', 'folder']),
  freeBytes: z.number().min(0).nullable(),
  writable: z.boolean(),
});
export type ExportTarget = z.infer<typeof ExportTarget>;

export const AuditEntryView = z.object({
  id: z.number().int().min(1),
  at: z.string(),
  actor: z.string(),
  action: z.string(),
  details: z.record(z.string(), z.unknown()),
});
export type AuditEntryView = z.infer<typeof AuditEntryView>;

/** A path typed on the kiosk: no NUL, bounded; whether it is absolute, exists and is writable is the core's call. */
const TargetPath = z
  .string()
  .min(1)
  .max(1024)
  .refine(
    (p) => ![...p].some((c) => c.charCodeAt(0) < 0x20 || c === '\u007f'),
    'a folder path has no control characters',
  );

/** The central URL as IT types it: http(s) only (the core normalises it further). */
export const CentralUrlInput = z
  .string()
  .trim()
  .min(1)
  .max(2048)
  .refine((raw) => {
    try {
      const u = new URL(raw);
      return (u.protocol === 'https:' || u.protocol === 'http:') && u.hostname !== '';
    } catch {
      return false;
    }
  }, 'expected a central URL such as https://khaosat.example.gov.vn');

/** Typed on a touch keyboard: spaces around it and lower case are forgiven. */
export const EnrolmentCodeInput = z.string().max(64).trim().toUpperCase().pipe(EnrolmentCode);

const session = { session: AdminSession };
const JobId = JobCommon.id;

export const adminApi = {
  adminUnlock: { input: z.object({ pin: Pin }).strict(), output: z.object({ session: AdminSession, expiresAt: Iso }) },
  adminLock: { input: z.object(session).strict(), output: z.object({}) },
  /** Device, enrolment, sync in words, last export, running jobs. */
  adminStatus: { input: z.object(session).strict(), output: AdminStatus },
  adminEnrol: {
    input: z.object({ ...session, centralUrl: CentralUrlInput, code: EnrolmentCodeInput }).strict(),
    output: z.object({
      centralUrl: z.string(),
      unit: z.object({ id: z.string(), name: z.string() }),
      deviceId: z.string(),
      enrolledAt: Iso,
      retried: z.boolean(),
    }),
  },
  /**
   * Forgets the enrolment so the kiosk can be enrolled elsewhere. Takes the admin PIN again (a
   * deliberate act, not a tap in an open panel). Refused (unsent_responses) while any answer is neither
   * acknowledged by central nor in a USB export; nothing is deleted (electron/core/sync/enrolment-reset.ts).
   */
  adminResetEnrolment: {
    input: z.object({ ...session, pin: Pin }).strict(),
    output: z.object({
      previous: z.object({ centralUrl: z.string(), unit: z.object({ id: z.string(), name: z.string() }) }),
    }),
  },
  /** Starts a sync pass (or returns the one already started); poll adminJob for its progress. */
  adminSyncNow: { input: z.object(session).strict(), output: SyncJob },
  adminJob: { input: z.object({ ...session, jobId: JobId }).strict(), output: AdminJob },
  adminListExportTargets: {
    input: z.object(session).strict(),
    output: z.object({ targets: z.array(ExportTarget), suggestedFolder: z.string() }),
  },
  /** Starts writing the unacknowledged responses to `target` as signed .kbatch files; poll adminJob. */
  adminExport: { input: z.object({ ...session, target: TargetPath }).strict(), output: ExportJob },
  adminAuditLog: {
    input: z
      .object({
        ...session,
        before: z.number().int().min(1).optional(),
        limit: z.number().int().min(1).max(100).default(50),
      })
      .strict(),
    output: z.object({ entries: z.array(AuditEntryView), nextBefore: z.number().int().nullable(), total: Count }),
  },
  adminChangePin: {
    input: z.object({ ...session, role: PinRole, newPin: Pin }).strict(),
    output: z.object({ role: PinRole }),
  },
  adminGetSettings: { input: z.object(session).strict(), output: AdminSettings },
  adminSetSettings: {
    input: z
      .object({
        ...session,
        openingHours: AdminOpeningHours.optional(),
        idleSeconds: settingSchemas.idleSeconds.optional(),
        countdownSeconds: settingSchemas.countdownSeconds.optional(),
        accessibleLayout: settingSchemas.accessibleLayout.optional(),
        pictureFirst: settingSchemas.pictureFirst.optional(),
      })
      .strict()
      .refine(({ session: _, ...change }) => Object.values(change).some((v) => v !== undefined), 'nothing to change'),
    output: AdminSettings,
  },
} as const;
