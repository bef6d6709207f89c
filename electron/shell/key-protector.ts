import type { SafeStorage } from 'electron';
import type { KeyProtector } from '../core/sync/device-key.ts';

export const SAFE_STORAGE_PROTECTOR = 'electron-safeStorage';

type SafeStorageLike = Pick<
  SafeStorage,
  'isEncryptionAvailable' | 'encryptString' | 'decryptString' | 'getSelectedStorageBackend'
>;

/**
 * The device's private key wrapped by the operating system's secret store (DPAPI on Windows, the
 * Keychain on macOS, libsecret/kwallet on Linux), so a copied data dir cannot sign batches elsewhere.
 * None where the store gives no real protection: Linux's "basic_text" fallback is a fixed key, and
 * with no store at all the key stays a 0600 file, as kioskctl writes it. Must be asked after app ready.
 */
export const safeStorageProtector = (
  safeStorage: SafeStorageLike,
  platform: NodeJS.Platform = process.platform,
): KeyProtector | undefined => {
  if (!safeStorage.isEncryptionAvailable()) return undefined;
  if (platform === 'linux' && ['basic_text', 'unknown'].includes(safeStorage.getSelectedStorageBackend()))
    return undefined;
  return {
    name: SAFE_STORAGE_PROTECTOR,
    // The key is base64url text: encryptString round-trips it exactly.
    protect: (plain) => safeStorage.encryptString(plain.toString('utf8')),
    unprotect: (wrapped) => Buffer.from(safeStorage.decryptString(wrapped), 'utf8'),
  };
};
