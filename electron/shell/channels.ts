import type { KioskMethod } from '../../shared/api.ts';

/**
 * The one IPC channel map, derived from the KioskApi contract: `kiosk:<method>` for every method and
 * nothing else. `satisfies` makes tsc fail when a method is added to shared/api.ts without a channel
 * (missing key) or a channel is invented here (excess key, or a value that is not `kiosk:<key>`).
 * Type-only import: the sandboxed preload bundles this file, and must not pull zod in.
 */
export const KIOSK_CHANNELS = {
  getKioskState: 'kiosk:getKioskState',
  awaitInvitation: 'kiosk:awaitInvitation',
  getCatalog: 'kiosk:getCatalog',
  beginResponse: 'kiosk:beginResponse',
  submitResponse: 'kiosk:submitResponse',
  abandonResponse: 'kiosk:abandonResponse',
  staffUnlock: 'kiosk:staffUnlock',
  staffLock: 'kiosk:staffLock',
  staffContext: 'kiosk:staffContext',
  setAssignment: 'kiosk:setAssignment',
  toggleFavourite: 'kiosk:toggleFavourite',
  readAloudClips: 'kiosk:readAloudClips',
  readAloudClip: 'kiosk:readAloudClip',
  adminUnlock: 'kiosk:adminUnlock',
  adminLock: 'kiosk:adminLock',
  adminStatus: 'kiosk:adminStatus',
  adminEnrol: 'kiosk:adminEnrol',
  adminResetEnrolment: 'kiosk:adminResetEnrolment',
  adminSyncNow: 'kiosk:adminSyncNow',
  adminJob: 'kiosk:adminJob',
  adminListExportTargets: 'kiosk:adminListExportTargets',
  adminExport: 'kiosk:adminExport',
  adminAuditLog: 'kiosk:adminAuditLog',
  adminChangePin: 'kiosk:adminChangePin',
  adminGetSettings: 'kiosk:adminGetSettings',
  adminSetSettings: 'kiosk:adminSetSettings',
  adminLanStatus: 'kiosk:adminLanStatus',
  adminLanSetEnabled: 'kiosk:adminLanSetEnabled',
  adminLanNewCode: 'kiosk:adminLanNewCode',
  adminLanRevoke: 'kiosk:adminLanRevoke',
} as const satisfies { readonly [M in KioskMethod]: `kiosk:${M}` };

export type KioskChannel = (typeof KIOSK_CHANNELS)[KioskMethod];

/** Every method with a channel, in the contract's order of declaration here. */
export const CHANNEL_METHODS = Object.keys(KIOSK_CHANNELS) as KioskMethod[];

/** The name under which the preload exposes the bridge (renderer/api/bridge.ts reads it). */
export const BRIDGE_GLOBAL = 'kioskBridge';
