// The LAN bridge section's rows of test/host/bad-input.test.ts (issue 11): malformed and hostile input
// for every adminLan* method, refused with a typed error before anything is written.
import type { AdminLanMethod } from '../../electron/core/lan-bridge/admin-handlers.ts';
import { type AdminCaseContext, type Case, type Expect, badSessions } from './admin-bad-input.ts';

const invalid = (path: string): Expect => ({ code: 'invalid_input', path });
const ROOT = invalid('(root)');

export const adminLanCases = (c: AdminCaseContext): Record<AdminLanMethod, () => Case[]> => {
  const a = (more: Record<string, unknown>) => () => ({ session: c.admin(), ...more });
  return {
    adminLanStatus: () => [...badSessions(c), { name: 'extra key', input: a({ tokens: true }), expect: ROOT }],
    adminLanSetEnabled: () => [
      ...badSessions(c, () => ({ enabled: true })),
      { name: 'missing enabled', input: a({}), expect: invalid('enabled') },
      { name: 'enabled as a string', input: a({ enabled: 'true' }), expect: invalid('enabled') },
      { name: 'enabled as a number', input: a({ enabled: 1 }), expect: invalid('enabled') },
      { name: 'a port through it', input: a({ enabled: true, port: 80 }), expect: ROOT },
    ],
    adminLanNewCode: () => [
      ...badSessions(c),
      { name: 'a code of its own choosing', input: a({ code: '12345678' }), expect: ROOT },
    ],
    adminLanRevoke: () => [
      ...badSessions(c, () => ({ clientId: 'c1' })),
      { name: 'missing client', input: a({}), expect: invalid('clientId') },
      { name: 'empty client', input: a({ clientId: '' }), expect: invalid('clientId') },
      { name: 'huge client', input: a({ clientId: 'x'.repeat(100_000) }), expect: invalid('clientId') },
      { name: 'client as an object', input: a({ clientId: { $ne: null } }), expect: invalid('clientId') },
      { name: 'a client never paired', input: a({ clientId: 'c1' }), expect: { code: 'not_found' } },
      { name: 'extra key', input: a({ clientId: 'c1', all: true }), expect: ROOT },
    ],
  };
};
