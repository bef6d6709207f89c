import type { ApiError } from '../../shared/api.ts';
import { errorMessage } from '../../shared/error-message.ts';

export type StorageReason = Extract<ApiError, { code: 'storage_unavailable' }>['reason'];

/** Maps SQLite's error codes to what IT must do: free disk, fix permissions/media, or wait. */
export const classifyStorageError = (e: unknown): StorageReason | null => {
  const code = typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : '';
  if (code === 'SQLITE_FULL' || (code.startsWith('SQLITE_IOERR_WRITE') && /ENOSPC|full/i.test(String(e))))
    return 'disk_full';
  if (code.startsWith('SQLITE_READONLY')) return 'read_only';
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return 'busy';
  if (
    code.startsWith('SQLITE_IOERR') ||
    code === 'SQLITE_CANTOPEN' ||
    code.startsWith('SQLITE_CORRUPT') ||
    code === 'SQLITE_NOTADB'
  )
    return 'io_error';
  return null;
};

const EXPLANATIONS: Record<StorageReason, string> = {
  disk_full: 'the disk holding the kiosk data is full; free space on it',
  read_only: 'the kiosk data is read-only (file permissions, a read-only mount or a failing disk)',
  io_error: 'the disk reported an input/output error; check the disk and the data directory',
  busy: 'another program held the database too long; retry, and check for a stuck kioskctl',
};

export const storageError = (
  reason: StorageReason,
  cause: unknown,
): Extract<ApiError, { code: 'storage_unavailable' }> => ({
  code: 'storage_unavailable',
  reason,
  message: `${EXPLANATIONS[reason]} (${errorMessage(cause)})`,
});
