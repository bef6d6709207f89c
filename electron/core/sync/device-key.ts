import {
  chmodSync,
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import {
  type KeyPairB64,
  newKeyPair,
  privateKeyFrom,
  publicKeyFrom,
  signBytes,
  verifyBytes,
} from '../../../shared/node/signing.ts';
import { errorMessage } from '../../../shared/error-message.ts';

/**
 * The device's Ed25519 key pair, made at enrolment and kept in DATA_DIR/device-key.json (mode 0600).
 * The private key never leaves the kiosk. A `KeyProtector` lets the Electron shell wrap it with
 * safeStorage (DPAPI, Keychain, libsecret) without the core importing electron.
 */
export type KeyProtector = {
  /** Recorded in the file so a key wrapped by one protector is not handed to another. */
  readonly name: string;
  protect: (plain: Buffer) => Buffer;
  unprotect: (wrapped: Buffer) => Buffer;
};

export const DEVICE_KEY_FILE = 'device-key.json';
export const deviceKeyPath = (dataDir: string): string => join(dataDir, DEVICE_KEY_FILE);

const KeyFile = z.object({
  format: z.literal('kiosk-device-key'),
  version: z.literal(1),
  deviceId: z.string().min(1),
  publicKey: z.string().length(43),
  /** PKCS#8 DER, base64url; absent when `protectedBy` is set. */
  privateKey: z.string().min(1).optional(),
  protectedBy: z.string().min(1).optional(),
  /** The protector's output, base64url. */
  wrappedPrivateKey: z.string().min(1).optional(),
  createdAt: z.iso.datetime(),
});
type KeyFile = z.infer<typeof KeyFile>;

export class DeviceKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeviceKeyError';
  }
}

/** Writes a file durably: temp file (0600) + fsync, rename over the target, fsync the directory. */
export const writeFileDurably = (file: string, data: Uint8Array | string, mode = 0o644): void => {
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  const fd = openSync(tmp, 'wx', mode);
  try {
    writeSync(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  closeSync(fd);
  try {
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  fsyncDir(dirname(file));
};

/** fsync a directory so a rename in it is durable; not possible on Windows, where it is a no-op. */
export const fsyncDir = (dir: string): void => {
  if (process.platform === 'win32') return;
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
};

export type DeviceKey = KeyPairB64 & { deviceId: string };

export const readDeviceKey = (dataDir: string, deviceId: string, protector?: KeyProtector): DeviceKey | undefined => {
  const file = deviceKeyPath(dataDir);
  if (!existsSync(file)) return undefined;
  if (process.platform !== 'win32' && (statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  let parsed: KeyFile;
  try {
    parsed = KeyFile.parse(JSON.parse(readFileSync(file, 'utf8')));
  } catch (e) {
    throw new DeviceKeyError(`${file} is not a device key file: ${errorMessage(e)}`);
  }
  if (parsed.deviceId !== deviceId)
    throw new DeviceKeyError(`${file} belongs to device ${parsed.deviceId}, not ${deviceId}`);
  let privateKey: string;
  if (parsed.protectedBy) {
    if (!protector || protector.name !== parsed.protectedBy || !parsed.wrappedPrivateKey) {
      throw new DeviceKeyError(
        `${file} is protected by ${parsed.protectedBy}, which is not available here (kioskctl runs outside the kiosk app: use the kiosk's admin panel to sync or export)`,
      );
    }
    privateKey = protector.unprotect(Buffer.from(parsed.wrappedPrivateKey, 'base64url')).toString('utf8');
  } else {
    if (!parsed.privateKey) throw new DeviceKeyError(`${file} has no private key`);
    privateKey = parsed.privateKey;
  }
  // A key file whose halves do not belong together would sign batches central can never verify.
  const probe = Buffer.from('kiosk-key-check');
  if (!verifyBytes(probe, signBytes(probe, privateKeyFrom(privateKey)), publicKeyFrom(parsed.publicKey))) {
    throw new DeviceKeyError(`${file}: the private key does not match the public key`);
  }
  return { deviceId, publicKey: parsed.publicKey, privateKey };
};

export const writeDeviceKey = (dataDir: string, key: DeviceKey, protector?: KeyProtector, now = new Date()): void => {
  const body: KeyFile = {
    format: 'kiosk-device-key',
    version: 1,
    deviceId: key.deviceId,
    publicKey: key.publicKey,
    createdAt: now.toISOString(),
    ...(protector
      ? {
          protectedBy: protector.name,
          wrappedPrivateKey: protector.protect(Buffer.from(key.privateKey, 'utf8')).toString('base64url'),
        }
      : { privateKey: key.privateKey }),
  };
  writeFileDurably(deviceKeyPath(dataDir), `${JSON.stringify(body, null, 2)}\n`, 0o600);
};

/** The device key, made (and stored, 0600) when there is none yet. Enrolment retries reuse it. */
export const ensureDeviceKey = (dataDir: string, deviceId: string, protector?: KeyProtector): DeviceKey => {
  const existing = readDeviceKey(dataDir, deviceId, protector);
  if (existing) return existing;
  const key = { ...newKeyPair(), deviceId };
  writeDeviceKey(dataDir, key, protector);
  return key;
};
