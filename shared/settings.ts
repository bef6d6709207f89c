import { z } from 'zod';
import { INVITATION_TTL } from './invitation.ts';
import { LocaleCode } from './locale.ts';

/** "HH:MM" on a 24-hour clock. */
const ClockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM');

/** Opening hours: for each listed weekday (1 = Monday .. 7 = Sunday), the open intervals. */
export const OpeningHours = z.array(
  z
    .object({ days: z.array(z.number().int().min(1).max(7)).min(1), from: ClockTime, to: ClockTime })
    .refine((x) => x.from < x.to, 'from must be before to'),
);
export type OpeningHours = z.infer<typeof OpeningHours>;

export const Pin = z.string().regex(/^\d{4,8}$/, 'a PIN is 4 to 8 digits');

/**
 * Settings IT adjusts, with their types and defaults. PINs are write-only: the store keeps a
 * scrypt hash and never gives the PIN back.
 */
export const settingSchemas = {
  officeName: z.string().trim().min(1).max(120),
  counterName: z.string().trim().min(1).max(60),
  idleSeconds: z.number().int().min(10).max(600),
  countdownSeconds: z.number().int().min(3).max(120),
  thankYouSeconds: z.number().int().min(2).max(60),
  minSecondsBetweenResponses: z.number().int().min(0).max(600),
  abandonedPolicy: z.enum(['keep', 'discard']),
  locales: z.array(LocaleCode).min(1).max(12),
  staffSessionSeconds: z.number().int().min(15).max(1800),
  openingHours: OpeningHours,
  /** Officers and counters staff can pick from in the staff panel; optional on a response. */
  officers: z
    .array(z.object({ id: z.string().regex(/^[A-Za-z0-9_.-]{1,32}$/), name: z.string().trim().min(1).max(80) }))
    .max(200),
  counters: z
    .array(z.object({ id: z.string().regex(/^[A-Za-z0-9_.-]{1,32}$/), name: z.string().trim().min(1).max(80) }))
    .max(100),
  staffPin: Pin,
  adminPin: Pin,
  /**
   * SHA-256 (hex) of the central public key this kiosk may enrol with, pinned by IT at install
   * (kioskctl config set, which also takes the key itself); null trusts the key central sends.
   * Never part of a configuration central publishes (PublicSettings).
   */
  centralKeyFingerprint: z
    .string()
    .regex(/^[0-9a-f]{64}$/, 'expected the SHA-256 fingerprint of the central key (64 hex digits)')
    .nullable(),
  /** Enrolment over plain http:// to a host other than this PC; off unless IT allows it for a LAN. */
  allowPlainHttpLan: z.boolean(),
  /**
   * A second evaluation of a case number this kiosk already has: refused politely (the default, as the
   * provincial systems do), or stored with the repeatCase flag for the reports to count once.
   */
  repeatCasePolicy: z.enum(['refuse', 'flag']),
  // The LAN bridge (issue 11): a paired counter PC on the office's network sends invitations to this kiosk.
  /** Off by default: the kiosk listens on the network only when IT turns this on. */
  lanBridgeEnabled: z.boolean(),
  /** The address to listen on: 0.0.0.0 for every interface, or this PC's own LAN address. */
  lanBridgeHost: z.union([z.ipv4(), z.ipv6()], {
    error: 'expected an IP address of this PC, or 0.0.0.0 for all of them',
  }),
  lanBridgePort: z.number().int().min(1024).max(65535),
  // Issue 15, per kiosk (admin panel or kioskctl; never published by central, which configures a whole unit):
  /**
   * The accessible layout: on a portrait screen everything the citizen touches sits in the lower part
   * (reachable from a wheelchair), with wider gaps between targets, and the idle wait doubles.
   */
  accessibleLayout: z.boolean(),
  /**
   * Picture-first on the quick questionnaire: big faces and icons carry the meaning, the words come
   * smaller below them, and read-aloud starts by itself (for citizens who read little).
   */
  pictureFirst: z.boolean(),
  // Counter bridge (issue 11), kiosk invitations:
  /** How long an invitation made on this kiosk (kioskctl invite) waits for its citizen when none is named. */
  invitationTtlSeconds: z.number().int().min(INVITATION_TTL.minSeconds).max(INVITATION_TTL.maxSeconds),
  // Read-aloud (issue 15): how loud and how fast the "Đọc to" button speaks, for clips and voices alike.
  /** 0 (silent) to 1 (the device's full volume). */
  readAloudVolume: z.number().min(0).max(1),
  /** Speaking rate: 1 is normal, 0.5 half speed for slow listeners, 2 double. */
  readAloudRate: z.number().min(0.5).max(2),
} as const;

export type SettingKey = keyof typeof settingSchemas;
export type Settings = { [K in SettingKey]: z.infer<(typeof settingSchemas)[K]> };
export const SettingKey = z.enum(Object.keys(settingSchemas) as [SettingKey, ...SettingKey[]]);
export const SECRET_SETTINGS: readonly SettingKey[] = ['staffPin', 'adminPin'];

/** Demo defaults: documented in the README. Change both PINs before a kiosk goes to a counter. */
export const DEFAULT_SETTINGS = {
  officeName: 'Trung tâm Phục vụ hành chính công xã (demo)',
  counterName: 'Quầy 1',
  idleSeconds: 45,
  countdownSeconds: 15,
  thankYouSeconds: 6,
  minSecondsBetweenResponses: 20,
  abandonedPolicy: 'keep',
  locales: ['vi', 'en'],
  staffSessionSeconds: 120,
  openingHours: [
    { days: [1, 2, 3, 4, 5], from: '07:30', to: '11:30' },
    { days: [1, 2, 3, 4, 5], from: '13:30', to: '17:00' },
    { days: [6], from: '07:30', to: '11:30' },
  ],
  officers: [
    { id: 'cb01', name: 'Nguyễn Thị Lan' },
    { id: 'cb02', name: 'Trần Văn Minh' },
  ],
  counters: [
    { id: 'q1', name: 'Quầy 1' },
    { id: 'q2', name: 'Quầy 2' },
  ],
  staffPin: '1357',
  adminPin: '924680',
  centralKeyFingerprint: null,
  allowPlainHttpLan: false,
  repeatCasePolicy: 'refuse',
  // The LAN bridge (issue 11).
  lanBridgeEnabled: false,
  lanBridgeHost: '0.0.0.0',
  lanBridgePort: 4790,
  // Issue 15: both off unless IT turns them on for this kiosk.
  accessibleLayout: false,
  pictureFirst: false,
  // Counter bridge (issue 11), kiosk invitations:
  invitationTtlSeconds: INVITATION_TTL.defaultSeconds,
  // Read-aloud (issue 15): full volume, a little slower than normal speech for older listeners.
  readAloudVolume: 1,
  readAloudRate: 0.9,
} as const satisfies Settings;

/** Settings the citizen-facing screens need; PINs and the like stay in the core. */
export const PublicSettings = z.object({
  officeName: settingSchemas.officeName,
  counterName: settingSchemas.counterName,
  idleSeconds: settingSchemas.idleSeconds,
  countdownSeconds: settingSchemas.countdownSeconds,
  thankYouSeconds: settingSchemas.thankYouSeconds,
  minSecondsBetweenResponses: settingSchemas.minSecondsBetweenResponses,
  abandonedPolicy: settingSchemas.abandonedPolicy,
  locales: settingSchemas.locales,
  // Read-aloud (issue 15).
  readAloudVolume: settingSchemas.readAloudVolume,
  readAloudRate: settingSchemas.readAloudRate,
});
export type PublicSettings = z.infer<typeof PublicSettings>;

/**
 * Display settings of this one kiosk the citizen screens need (issue 15). Kept out of PublicSettings on
 * purpose: a configuration central publishes applies to every kiosk of a unit, and would overwrite what
 * IT set for the one kiosk by the wheelchair-accessible counter.
 */
export const KioskDisplaySettings = z.object({
  accessibleLayout: settingSchemas.accessibleLayout,
  pictureFirst: settingSchemas.pictureFirst,
});
export type KioskDisplaySettings = z.infer<typeof KioskDisplaySettings>;

/** What the citizen screens get: the public settings and this kiosk's display settings. */
export const ScreenSettings = PublicSettings.extend(KioskDisplaySettings.shape);
export type ScreenSettings = z.infer<typeof ScreenSettings>;
