import type { ApiError } from '../../../shared/api.ts';

/**
 * i18n keys by the codes the core sends (sync states and errors, enrolment and export failures,
 * audit actions), so the panel speaks Vietnamese as well as the core's English. An unknown code
 * falls back to the core's own words: a new code never leaves IT with nothing to read.
 */

export const STATE_KEYS = {
  not_enrolled: 'admin.state.not_enrolled',
  idle: 'admin.state.idle',
  syncing: 'admin.state.syncing',
  retrying: 'admin.state.retrying',
  needs_attention: 'admin.state.needs_attention',
  stopped: 'admin.state.stopped',
} as const;

/** What a sync error means and what IT does about it (electron/core/sync/status.ts has the English originals). */
export const SYNC_ERROR_KEYS = {
  network: ['admin.syncError.network', 'admin.syncAction.network'],
  timeout: ['admin.syncError.timeout', 'admin.syncAction.timeout'],
  server_error: ['admin.syncError.server_error', 'admin.syncAction.server_error'],
  internal: ['admin.syncError.server_error', 'admin.syncAction.server_error'],
  rate_limited: ['admin.syncError.rate_limited', 'admin.syncAction.rate_limited'],
  bad_reply: ['admin.syncError.bad_reply', 'admin.syncAction.bad_reply'],
  too_large: ['admin.syncError.too_large', 'admin.syncAction.too_large'],
  device_revoked: ['admin.syncError.device_revoked', 'admin.syncAction.device_revoked'],
  unknown_device: ['admin.syncError.unknown_device', 'admin.syncAction.unknown_device'],
  bad_signature: ['admin.syncError.bad_signature', 'admin.syncAction.bad_signature'],
  invalid_body: ['admin.syncError.invalid_body', 'admin.syncAction.invalid_body'],
  unsupported_protocol: ['admin.syncError.unsupported_protocol', 'admin.syncAction.unsupported_protocol'],
  not_enrolled: ['admin.syncError.not_enrolled', 'admin.syncAction.not_enrolled'],
  device_key: ['admin.syncError.device_key', 'admin.syncAction.device_key'],
  response_invalid: ['admin.syncError.response_invalid', 'admin.syncAction.response_invalid'],
  response_too_large: ['admin.syncError.response_too_large', 'admin.syncAction.response_too_large'],
  sequence_gap: ['admin.syncError.sequence_gap', 'admin.syncAction.sequence_gap'],
  demo_pins: ['admin.syncError.demo_pins', 'admin.syncAction.demo_pins'],
  central_key_mismatch: ['admin.syncError.central_key_mismatch', 'admin.syncAction.central_key_mismatch'],
} as const;

export type SyncErrorCode = keyof typeof SYNC_ERROR_KEYS;
export const isKnownSyncError = (code: string): code is SyncErrorCode => Object.hasOwn(SYNC_ERROR_KEYS, code);

type Reason<C extends ApiError['code']> = Extract<ApiError, { code: C; reason: string }>['reason'];

export const ENROL_ERROR_KEYS = {
  invalid_url: 'admin.enrolError.invalid_url',
  invalid_code: 'admin.enrolError.invalid_code',
  unreachable: 'admin.enrolError.unreachable',
  not_central: 'admin.enrolError.not_central',
  code_rejected: 'admin.enrolError.code_rejected',
  device_exists: 'admin.enrolError.device_exists',
  device_revoked: 'admin.enrolError.device_revoked',
  unsupported_protocol: 'admin.enrolError.unsupported_protocol',
  server_error: 'admin.enrolError.server_error',
  refused: 'admin.enrolError.refused',
  already_enrolled: 'admin.enrolError.already_enrolled',
  demo_pins: 'admin.enrolError.demo_pins',
  plain_http: 'admin.enrolError.plain_http',
  central_key_mismatch: 'admin.enrolError.central_key_mismatch',
} as const satisfies Record<Reason<'enrol_failed'>, string>;

export const TARGET_ERROR_KEYS = {
  not_absolute: 'admin.targetError.not_absolute',
  missing: 'admin.targetError.missing',
  not_directory: 'admin.targetError.not_directory',
  not_writable: 'admin.targetError.not_writable',
} as const satisfies Record<Reason<'target_unusable'>, string>;

export const PIN_RULE_KEYS = {
  too_short: 'admin.pinRule.too_short',
  repeated: 'admin.pinRule.repeated',
  sequence: 'admin.pinRule.sequence',
  demo: 'admin.pinRule.demo',
  same_as_other: 'admin.pinRule.same_as_other',
} as const satisfies Record<Reason<'pin_rule'>, string>;

export const AUDIT_ACTION_KEYS = {
  unlock: 'admin.auditAction.unlock',
  lock: 'admin.auditAction.lock',
  pin_failed: 'admin.auditAction.pin_failed',
  pin_refused_locked: 'admin.auditAction.pin_refused_locked',
  set_assignment: 'admin.auditAction.set_assignment',
  config_set: 'admin.auditAction.config_set',
  enrolled: 'admin.auditAction.enrolled',
  enrol_failed: 'admin.auditAction.enrol_failed',
  config_applied: 'admin.auditAction.config_applied',
  config_refused: 'admin.auditAction.config_refused',
  sync_now: 'admin.auditAction.sync_now',
  sync_done: 'admin.auditAction.sync_done',
  export_started: 'admin.auditAction.export_started',
  export_done: 'admin.auditAction.export_done',
  pin_changed: 'admin.auditAction.pin_changed',
  settings_changed: 'admin.auditAction.settings_changed',
  enrol_refused: 'admin.auditAction.enrol_refused',
  enrolment_reset: 'admin.auditAction.enrolment_reset',
  enrolment_reset_refused: 'admin.auditAction.enrolment_reset_refused',
  lan_pairing_code: 'admin.auditAction.lan_pairing_code',
  lan_client_paired: 'admin.auditAction.lan_client_paired',
  lan_client_revoked: 'admin.auditAction.lan_client_revoked',
} as const;

export const AUDIT_ACTOR_KEYS = {
  staff: 'admin.auditActor.staff',
  admin: 'admin.auditActor.admin',
  system: 'admin.auditActor.system',
  kioskctl: 'admin.auditActor.kioskctl',
} as const;

/** Weekday numbers of the opening hours (1 = Monday .. 7 = Sunday) and their short names. */
export const DAY_KEYS = [
  [1, 'admin.day.d1'],
  [2, 'admin.day.d2'],
  [3, 'admin.day.d3'],
  [4, 'admin.day.d4'],
  [5, 'admin.day.d5'],
  [6, 'admin.day.d6'],
  [7, 'admin.day.d7'],
] as const;

const lookup = <T extends Record<string, string>>(table: T, code: string): T[keyof T] | null =>
  Object.hasOwn(table, code) ? table[code as keyof T] : null;
export const auditActionKey = (action: string) => lookup(AUDIT_ACTION_KEYS, action);
export const auditActorKey = (actor: string) => lookup(AUDIT_ACTOR_KEYS, actor);
