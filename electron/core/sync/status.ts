import type { Database } from 'better-sqlite3';
import { type Enrolment, readEnrolment } from './enrolment.ts';
import { type RefusedConfig, readConfigRefused } from './published-config.ts';
import { ackedThrough, lastSeq, queueDepth, readSyncStatus } from './sync-store.ts';

/**
 * What the sync engine's state means to IT: for the admin panel, `kioskctl sync-status` and the
 * heartbeat. Every error code maps to a sentence and an action; the admin panel may translate by code.
 */

export type ErrorMeaning = { meaning: string; action: string; stopped: boolean };

const MEANINGS: Record<string, ErrorMeaning> = {
  network: {
    meaning: 'central could not be reached (no network, DNS, or the service is down)',
    action: 'nothing: the kiosk keeps trying; answers are safe on the kiosk',
    stopped: false,
  },
  timeout: {
    meaning: 'the link to central stalled or was too slow',
    action: 'nothing: the kiosk keeps trying with smaller waits between tries',
    stopped: false,
  },
  server_error: {
    meaning: 'central failed while handling the request (5xx)',
    action: 'nothing on the kiosk; tell the central operator if it lasts',
    stopped: false,
  },
  internal: {
    meaning: 'central failed while handling the request (5xx)',
    action: 'nothing on the kiosk; tell the central operator if it lasts',
    stopped: false,
  },
  rate_limited: {
    meaning: 'central asked the kiosk to slow down (429)',
    action: 'nothing: the kiosk waits as long as central asked',
    stopped: false,
  },
  bad_reply: {
    meaning: "central's answer did not fit the protocol (a proxy or a wrong URL?)",
    action: 'check the central URL; the kiosk keeps trying',
    stopped: false,
  },
  too_large: {
    meaning: 'central or a proxy in front of it refused the batch size (413)',
    action: 'the kiosk sends smaller batches; raise the proxy body limit (e.g. nginx client_max_body_size) to 5 MB',
    stopped: true,
  },
  device_revoked: {
    meaning: 'central has revoked this kiosk (403)',
    action: 'sending stopped: re-admit the device on central, or enrol again; the kiosk retries every 10 minutes',
    stopped: true,
  },
  unknown_device: {
    meaning: 'central does not know this kiosk (401)',
    action: 'enrol the kiosk again (kioskctl enroll --central URL --code CODE)',
    stopped: true,
  },
  bad_signature: {
    meaning: "central could not verify this kiosk's signature (401)",
    action: 'the device key does not match the registration: enrol again',
    stopped: true,
  },
  invalid_body: {
    meaning: 'central refused the data as malformed (400)',
    action: 'report to the developers with the field named in the message; answers stay on the kiosk',
    stopped: true,
  },
  unsupported_protocol: {
    meaning: 'central and the kiosk speak different protocol versions',
    action: 'update the kiosk app or central',
    stopped: true,
  },
  demo_pins: {
    meaning: 'sync is held: the staff or admin PIN is still the published demo PIN, which anyone can look up',
    action: 'change the PIN (admin panel, PINs tab, or kioskctl config set); sync resumes by itself',
    stopped: true,
  },
  central_key_mismatch: {
    meaning: 'sync is held: the central this kiosk is enrolled with does not have the key pinned on this kiosk',
    action: "check the pinned fingerprint (kioskctl config get centralKeyFingerprint) with central's operator",
    stopped: true,
  },
  not_enrolled: {
    meaning: 'the kiosk is not enrolled with a central service',
    action: 'kioskctl enroll --central URL --code CODE, or export to USB with kioskctl export',
    stopped: true,
  },
  device_key: {
    meaning: "the kiosk's device key file is missing or unreadable",
    action: 'restore device-key.json from backup, or enrol again',
    stopped: true,
  },
  response_invalid: {
    meaning: 'a stored response does not fit the wire schema',
    action: 'report to the developers with the seq in the message; the kiosk retries every 10 minutes',
    stopped: true,
  },
  response_too_large: {
    meaning: 'a stored response alone is larger than a batch may be',
    action: 'report to the developers with the seq in the message',
    stopped: true,
  },
  sequence_gap: {
    meaning: "the kiosk's own sequence has a gap (database damaged or restored)",
    action: 'run kioskctl verify; report to IT',
    stopped: true,
  },
};

export const describeSyncError = (code: string, status: number | null = null): ErrorMeaning => {
  // Own keys only: the code comes from central's answer, and "constructor" is no meaning.
  const known = Object.hasOwn(MEANINGS, code) ? MEANINGS[code] : undefined;
  if (known) return known;
  if (status !== null && status >= 500) return MEANINGS.server_error!;
  if (code.startsWith('http_3'))
    return {
      meaning: 'central answered with a redirect',
      action: 'enrol again with the final URL (https://...)',
      stopped: true,
    };
  return {
    meaning: `central refused the request (${status ?? code})`,
    action: 'check the central URL and the message; the kiosk retries every 10 minutes',
    stopped: true,
  };
};

export type SyncState =
  /** Not enrolled: nothing to send to. */
  | 'not_enrolled'
  /** Enrolled, all sent (or waiting for the next poll). */
  | 'idle'
  /** A pass is running. */
  | 'syncing'
  /** The last attempt failed for a passing reason; the next is scheduled. */
  | 'retrying'
  /** The last attempt was refused (4xx); retried only after the cap. IT should look. */
  | 'needs_attention'
  /** The engine is not running (kioskctl's view, or after stop()). */
  | 'stopped';

export type SyncStatus = {
  state: SyncState;
  enrolled: boolean;
  centralUrl: string | null;
  unit: Enrolment['unit'] | null;
  deviceId: string | null;
  lastSeq: number;
  ackedThrough: number;
  queueDepth: number;
  attempts: number;
  lastAttemptAt: string | null;
  lastSuccessAt: string | null;
  lastHeartbeatAt: string | null;
  nextAttemptAt: string | null;
  clockDriftMs: number | null;
  centralContiguousSeq: number | null;
  lastError: {
    code: string;
    message: string;
    status: number | null;
    at: string;
    meaning: string;
    action: string;
  } | null;
  conflicts: number;
  configRefused: RefusedConfig | null;
};

/** The stored view (no engine needed): what kioskctl shows, and the base of the engine's live status. */
export const readStatus = (db: Database, live?: { state: SyncState; nextAttemptAt?: string | null }): SyncStatus => {
  const enrolment = readEnrolment(db);
  const row = readSyncStatus(db);
  const lastError = row.lastError
    ? { ...row.lastError, ...pick(describeSyncError(row.lastError.code, row.lastError.status)) }
    : null;
  const conflicts = (db.prepare('SELECT COUNT(DISTINCT response_id) AS n FROM sync_conflicts').get() as { n: number })
    .n;
  const stateFromRow: SyncState = !enrolment
    ? 'not_enrolled'
    : lastError
      ? describeSyncError(lastError.code, lastError.status).stopped
        ? 'needs_attention'
        : 'retrying'
      : 'idle';
  return {
    state: live?.state ?? stateFromRow,
    enrolled: !!enrolment,
    centralUrl: enrolment?.centralUrl ?? null,
    unit: enrolment?.unit ?? null,
    deviceId: enrolment?.deviceId ?? null,
    lastSeq: lastSeq(db),
    ackedThrough: ackedThrough(db),
    queueDepth: queueDepth(db),
    attempts: row.attempts,
    lastAttemptAt: row.lastAttemptAt,
    lastSuccessAt: row.lastSuccessAt,
    lastHeartbeatAt: row.lastHeartbeatAt,
    nextAttemptAt: live?.nextAttemptAt !== undefined ? live.nextAttemptAt : row.nextAttemptAt,
    clockDriftMs: row.clockDriftMs,
    centralContiguousSeq: row.centralContiguousSeq,
    lastError,
    conflicts,
    configRefused: readConfigRefused(db) ?? null,
  };
};

const pick = (m: ErrorMeaning) => ({ meaning: m.meaning, action: m.action });
