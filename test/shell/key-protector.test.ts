// The device key wrapped by Electron's safeStorage (fake OS store), through the core's real key files.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { deviceKeyPath, ensureDeviceKey, readDeviceKey } from '../../electron/core/sync/device-key.ts';
import { SAFE_STORAGE_PROTECTOR, safeStorageProtector } from '../../electron/shell/key-protector.ts';
import { tempDir } from '../support/tmp.ts';
import { fakeSafeStorage, resetFakes } from './fake-electron.ts';

const cleanups: (() => void)[] = [];
afterEach(() => {
  cleanups.splice(0).forEach((c) => c());
  resetFakes();
});
const dataDir = (): string => {
  const t = tempDir('kiosk-key-');
  cleanups.push(t.cleanup);
  return t.dir;
};

describe('safeStorageProtector', () => {
  it('wraps the private key: the file holds no key in clear, and the kiosk reads it back', () => {
    const protector = safeStorageProtector(fakeSafeStorage, 'win32')!;
    expect(protector.name).toBe(SAFE_STORAGE_PROTECTOR);
    const dir = dataDir();
    const made = ensureDeviceKey(dir, 'dev-1', protector);
    const file = JSON.parse(readFileSync(deviceKeyPath(dir), 'utf8')) as Record<string, unknown>;
    expect(file).toMatchObject({ protectedBy: SAFE_STORAGE_PROTECTOR });
    expect(file.privateKey).toBeUndefined();
    expect(readFileSync(deviceKeyPath(dir), 'utf8')).not.toContain(made.privateKey);
    expect(readDeviceKey(dir, 'dev-1', protector)).toEqual(made);
  });

  it('outside the app (kioskctl), a wrapped key is refused with the way out named', () => {
    const dir = dataDir();
    ensureDeviceKey(dir, 'dev-1', safeStorageProtector(fakeSafeStorage, 'linux')!);
    expect(() => readDeviceKey(dir, 'dev-1')).toThrow(/protected by electron-safeStorage.*admin panel/);
  });

  it('a key made before (by kioskctl enroll, unwrapped) is still read by the app', () => {
    const dir = dataDir();
    const made = ensureDeviceKey(dir, 'dev-1');
    expect(readDeviceKey(dir, 'dev-1', safeStorageProtector(fakeSafeStorage, 'linux'))).toEqual(made);
  });

  it('is not offered where the OS store protects nothing', () => {
    fakeSafeStorage.backend = 'basic_text';
    expect(safeStorageProtector(fakeSafeStorage, 'linux')).toBeUndefined();
    expect(safeStorageProtector(fakeSafeStorage, 'win32')).toBeDefined();
    fakeSafeStorage.available = false;
    expect(safeStorageProtector(fakeSafeStorage, 'win32')).toBeUndefined();
  });
});
