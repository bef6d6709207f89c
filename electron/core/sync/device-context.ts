import type { KeyObject } from 'node:crypto';
import { privateKeyFrom } from '../../../shared/node/signing.ts';
import { type BatchBuilder, type BatchLimits, createBatchBuilder } from './batch-builder.ts';
import { type CentralClient, type DeviceSigner, type Timeouts, createCentralClient } from './client.ts';
import type { SyncClock } from './clock.ts';
import { DeviceKeyError, type KeyProtector, readDeviceKey } from './device-key.ts';
import { syncHold } from './central-trust.ts';
import { type Enrolment, readEnrolment } from './enrolment.ts';
import type { SyncHost } from './host.ts';
import { type HttpClient, createHttpClient } from './http.ts';
import { type PassFailure, localFailure } from './pass-result.ts';

/** What a pass needs to talk to central as this device: its enrolment, key, client and batch builder. */
export type DeviceContext = {
  enrolment: Enrolment;
  privateKey: KeyObject;
  signer: DeviceSigner;
  client: CentralClient;
  builder: BatchBuilder;
};

export type DeviceContexts = {
  /** The context for the current enrolment (built again when it changed), a failure, or undefined when not enrolled. */
  current: () => DeviceContext | PassFailure | undefined;
  /** Releases the connections; the next current() opens new ones. */
  close: () => void;
};

export const deviceContexts = (options: {
  host: SyncHost;
  clock: SyncClock;
  protector?: KeyProtector;
  timeouts?: Partial<Timeouts>;
  limits?: Partial<BatchLimits>;
  pageSize?: number;
}): DeviceContexts => {
  const { host, clock } = options;
  let http: HttpClient | undefined;
  let cached: DeviceContext | undefined;

  const current = (): DeviceContext | PassFailure | undefined => {
    const enrolment = readEnrolment(host.db);
    if (!enrolment) return undefined;
    const held = syncHold(host.db, enrolment); // demo PINs, or a central key other than the pinned one
    if (held) return localFailure(held.code, held.message);
    const same =
      cached &&
      cached.enrolment.enrolledAt === enrolment.enrolledAt &&
      cached.enrolment.centralUrl === enrolment.centralUrl &&
      cached.enrolment.publicKey === enrolment.publicKey;
    if (same && cached) return cached;
    let key;
    try {
      key = readDeviceKey(host.dataDir, host.deviceId, options.protector);
    } catch (e) {
      return localFailure('device_key', e instanceof DeviceKeyError ? e.message : String(e));
    }
    if (!key) return localFailure('device_key', `no device key in ${host.dataDir}; enrol again`);
    if (key.publicKey !== enrolment.publicKey)
      return localFailure('device_key', 'the device key file does not match the enrolled key; enrol again');
    const privateKey = privateKeyFrom(key.privateKey);
    http ??= createHttpClient();
    cached = {
      enrolment,
      privateKey,
      signer: { deviceId: host.deviceId, privateKey },
      client: createCentralClient({
        centralUrl: enrolment.centralUrl,
        http,
        timeouts: options.timeouts,
        now: clock.now,
      }),
      builder: createBatchBuilder({
        db: host.db,
        deviceId: host.deviceId,
        privateKey,
        limits: options.limits,
        pageSize: options.pageSize,
        now: clock.now,
      }),
    };
    return cached;
  };

  return {
    current,
    close: () => {
      http?.close();
      http = undefined;
      cached = undefined;
    },
  };
};
