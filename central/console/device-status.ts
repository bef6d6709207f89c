import { Heartbeat } from '../../shared/sync.ts';
import type { DeviceReport } from '../ops/devices.ts';

/** What the registry highlights about a device, from its last heartbeat and what central holds. */
export type DeviceStatus = {
  heartbeat: Heartbeat | null;
  /** No heartbeat for longer than the stale limit. */
  stale: boolean;
  /** Enrolled but never sent a heartbeat. */
  neverSeen: boolean;
  /** Clock differs from the server's by more than the drift limit. */
  drifting: boolean;
  /** Central holds a seq above a missing one. */
  gaps: boolean;
  /** The kiosk reported unsent responses. */
  behind: boolean;
  /** Runs another configuration version than its unit's current one. */
  configOutdated: boolean;
  heartbeatAgeMs: number | null;
};

/** When a device counts as out of contact, and as drifting (ConsoleOptions). */
export type StatusOptions = { staleAfterHours: number; driftWarnSeconds: number };

export const deviceStatus = (
  d: DeviceReport,
  wantedConfig: string | null,
  now: Date,
  limits: StatusOptions,
): DeviceStatus => {
  const parsed = Heartbeat.safeParse(d.lastHeartbeat);
  const heartbeat = parsed.success ? parsed.data : null;
  const age = d.lastHeartbeatAt ? now.getTime() - Date.parse(d.lastHeartbeatAt) : null;
  return {
    heartbeat,
    stale: !d.revoked && age !== null && age > limits.staleAfterHours * 3_600_000,
    neverSeen: !d.revoked && age === null,
    drifting: !d.revoked && d.clockDriftMs !== null && Math.abs(d.clockDriftMs) > limits.driftWarnSeconds * 1000,
    gaps: d.highestSeq > d.highestContiguousSeq,
    behind: (heartbeat?.queueDepth ?? 0) > 0,
    configOutdated: heartbeat !== null && wantedConfig !== null && heartbeat.configVersion !== wantedConfig,
    heartbeatAgeMs: age,
  };
};

/** "3 h 05 min", "45 s", "2 d 4 h": short, for tables. */
export const shortDuration = (ms: number): { d: number; h: number; m: number; s: number } => {
  const total = Math.max(0, Math.round(ms / 1000));
  return {
    d: Math.floor(total / 86400),
    h: Math.floor((total % 86400) / 3600),
    m: Math.floor((total % 3600) / 60),
    s: total % 60,
  };
};
