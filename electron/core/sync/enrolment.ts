import { readFileSync } from 'node:fs';
import type { Database } from 'better-sqlite3';
import { z } from 'zod';
import { DeviceId, EnrolmentCode, PROTOCOL_VERSION } from '../../../shared/sync.ts';
import { ensureDeviceId } from '../device.ts';
import { type AuditActor, audit } from '../store/audit.ts';
import { getSetting } from '../store/settings.ts';
import { readState, writeState } from '../store/state.ts';
import { centralKeyFingerprint, centralKeyRefusal, demoPinsRefusal, plainHttpRefusal } from './central-trust.ts';
import { type CallFailure, createCentralClient, normaliseCentralUrl, type Timeouts } from './client.ts';
import { type KeyProtector, ensureDeviceKey } from './device-key.ts';
import { createHttpClient } from './http.ts';
import { clearLastError } from './sync-store.ts';
import { errorMessage } from '../../../shared/error-message.ts';

/** What the kiosk remembers of its enrolment (state table, key "sync.enrolment"). */
export const Enrolment = z.object({
  centralUrl: z.string().url(),
  deviceId: DeviceId,
  unit: z.object({ id: z.string(), name: z.string() }),
  /** Central's Ed25519 key (raw, base64url): configuration must be signed by it. */
  centralPublicKey: z.string().length(43),
  /** This device's public key as registered. */
  publicKey: z.string().length(43),
  enrolledAt: z.iso.datetime(),
});
export type Enrolment = z.infer<typeof Enrolment>;

export const ENROLMENT_KEY = 'sync.enrolment';

export const readEnrolment = (db: Database): Enrolment | undefined => readState(db, ENROLMENT_KEY, Enrolment);

/** The app version reported to central: package.json's, else the environment's, else 0.0.0. */
export const appVersion = (() => {
  let cached: string | undefined;
  return (): string => {
    if (cached) return cached;
    try {
      const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
        version?: unknown;
      };
      cached = typeof pkg.version === 'string' ? pkg.version : undefined;
    } catch {
      // packaged builds may not ship package.json next to the core
    }
    cached ??= process.env.npm_package_version ?? '0.0.0';
    return cached;
  };
})();

export type EnrolOptions = {
  db: Database;
  dataDir: string;
  centralUrl: string;
  code: string;
  label?: string;
  appVersion?: string;
  protector?: KeyProtector;
  timeouts?: Partial<Timeouts>;
  now?: () => number;
  /** Who enrolled, for the audit log (default kioskctl; the admin panel passes admin). */
  actor?: AuditActor;
};

export type EnrolResult =
  | { ok: true; enrolment: Enrolment; retried: boolean }
  | { ok: false; code: string; message: string; status: number | null; failure?: CallFailure };

const ENROL_MEANINGS: Record<string, string> = {
  enrolment_code_invalid:
    'the code is unknown, expired, or already used by another kiosk: issue a new one (centralctl enrol-code)',
  device_exists:
    'central already knows this device with another key (the key file was lost or replaced): revoke the old registration on central, then enrol again',
  unsupported_protocol: 'central speaks another protocol version: update the kiosk or central',
  invalid_body: 'central refused the request',
};

/**
 * What refuses an enrolment before anything is sent: the kiosk is enrolled already (re-enrolment
 * takes a deliberate reset, enrolment-reset.ts: a panel at the counter must not be able to point the
 * kiosk elsewhere), the published demo PINs still open the panels, or the URL is plain http to
 * another machine and IT has not allowed that for a LAN.
 */
const enrolmentRefusal = (db: Database, base: URL): { ok: false; code: string; message: string } | null => {
  const current = readEnrolment(db);
  if (current)
    return {
      ok: false,
      code: 'already_enrolled',
      message:
        `this kiosk is already enrolled with ${current.unit.name} at ${current.centralUrl}: to enrol it elsewhere, ` +
        'reset its enrolment first (admin panel, Enrolment tab, with the admin PIN; or kioskctl reset-enrolment)',
    };
  const demo = demoPinsRefusal(db, 'enrol');
  if (demo) return { ok: false, ...demo };
  const http = plainHttpRefusal(base, getSetting(db, 'allowPlainHttpLan'));
  if (http) return { ok: false, code: 'plain_http', message: http };
  return null;
};

/**
 * Enrols the kiosk: makes (or reuses) the device key pair, registers the public key with central
 * using a one-time code, and remembers central's URL, the unit and central's public key (refused when
 * IT pinned another). Safe to repeat after a lost answer: the same key and code give the same enrolment.
 */
export const enrol = async (options: EnrolOptions): Promise<EnrolResult> => {
  const codeParsed = EnrolmentCode.safeParse(options.code.trim().toUpperCase());
  if (!codeParsed.success)
    return {
      ok: false,
      code: 'invalid_code',
      message: `"${options.code}": ${codeParsed.error.issues[0]?.message}`,
      status: null,
    };
  let base: URL;
  try {
    base = normaliseCentralUrl(options.centralUrl);
  } catch (e) {
    return { ok: false, code: 'invalid_url', message: errorMessage(e), status: null };
  }
  const refused = enrolmentRefusal(options.db, base);
  if (refused) return { ...refused, status: null };
  const deviceId = ensureDeviceId(options.db);
  const key = ensureDeviceKey(options.dataDir, deviceId, options.protector);
  const http = createHttpClient();
  try {
    const client = createCentralClient({ centralUrl: base.href, http, timeouts: options.timeouts, now: options.now });
    const result = await client.enrol({
      protocol: PROTOCOL_VERSION,
      code: codeParsed.data,
      deviceId,
      publicKey: key.publicKey,
      appVersion: options.appVersion ?? appVersion(),
      ...(options.label ? { label: options.label.slice(0, 120) } : {}),
    });
    if (!result.ok) {
      const meaning = ENROL_MEANINGS[result.code];
      return {
        ok: false,
        code: result.code,
        status: result.status,
        message: meaning ? `${result.message} (${meaning})` : result.message,
        failure: result,
      };
    }
    const untrusted = centralKeyRefusal(options.db, result.response.centralPublicKey);
    if (untrusted) {
      audit(options.db, options.actor ?? 'kioskctl', 'enrol_refused', {
        centralUrl: base.href,
        code: untrusted.code,
        centralKeyFingerprint: centralKeyFingerprint(result.response.centralPublicKey),
      });
      return { ok: false, ...untrusted, status: result.status };
    }
    if (result.response.deviceId !== deviceId) {
      return {
        ok: false,
        code: 'bad_reply',
        status: result.status,
        message: `central enrolled device ${result.response.deviceId}, not this kiosk (${deviceId})`,
      };
    }
    const enrolment: Enrolment = {
      centralUrl: base.href,
      deviceId,
      unit: result.response.unit,
      centralPublicKey: result.response.centralPublicKey,
      publicKey: key.publicKey,
      enrolledAt: new Date((options.now ?? Date.now)()).toISOString(),
    };
    options.db
      .transaction(() => {
        writeState(options.db, ENROLMENT_KEY, enrolment);
        clearLastError(options.db);
        audit(options.db, options.actor ?? 'kioskctl', 'enrolled', {
          centralUrl: enrolment.centralUrl,
          unit: enrolment.unit,
          retried: result.status === 200,
        });
      })
      .immediate();
    return { ok: true, enrolment, retried: result.status === 200 };
  } finally {
    http.close();
  }
};
