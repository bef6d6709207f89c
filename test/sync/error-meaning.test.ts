import { expect, test } from 'vitest';
import { describeSyncError } from '../../electron/core/sync/status.ts';

test("a sync error code named like an Object.prototype member gets the generic meaning, not the prototype's", () => {
  for (const code of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
    const meaning = describeSyncError(code, 400);
    expect(meaning, code).toEqual({
      meaning: 'central refused the request (400)',
      action: expect.stringMatching(/check the central URL/),
      stopped: true,
    });
  }
  expect(describeSyncError('device_revoked', 403).meaning).not.toMatch(/central refused the request/);
});
