// The admin panel's rows of test/host/bad-input.test.ts: malformed and hostile input for every
// admin method, each refused with a typed error before anything is written. The core under test is
// not enrolled, so the enrolment-dependent refusals (not_enrolled) are part of the table too.
import { join } from 'node:path';
import type { AdminMethod } from '../../electron/core/admin/handlers.ts';
import type { ApiErrorCode } from '../../shared/api.ts';

export type Expect = {
  code: ApiErrorCode;
  /** an issue path the error must name (invalid_input only) */ path?: string;
};
export type Case = { name: string; input: () => unknown; expect: Expect };

export type AdminCaseContext = {
  /** An admin session from adminUnlock with the admin PIN. */
  admin: () => string;
  /** A staff session: valid, but not for admin methods. */
  staff: () => string;
  dataDir: () => string;
};

const HUGE = 'x'.repeat(1_000_000);
const invalid = (path: string): Expect => ({ code: 'invalid_input', path });
const ROOT = invalid('(root)');
const expired: Expect = { code: 'session_expired' };

/** Bad admin sessions; `extra` completes an otherwise valid input. */
export const badSessions = (c: AdminCaseContext, extra: () => Record<string, unknown> = () => ({})): Case[] => {
  const s = (session: unknown) => () => ({ ...extra(), session });
  return [
    { name: 'no session', input: () => extra(), expect: invalid('session') },
    { name: 'empty session', input: s(''), expect: invalid('session') },
    { name: 'short session', input: s('abc'), expect: invalid('session') },
    { name: 'session with "/" and "="', input: s('aaaaaaaaaaaaaaaa/='), expect: invalid('session') },
    { name: 'SQL-ish session', input: s("' OR 1=1 --aaaaaaaaaaaa"), expect: invalid('session') },
    { name: 'huge session', input: s(HUGE), expect: invalid('session') },
    { name: 'session as an object', input: s({ $ne: null }), expect: invalid('session') },
    { name: 'a well-formed session never issued', input: s('A'.repeat(32)), expect: expired },
    // The staff PIN must never open the admin panel's methods.
    { name: 'a live staff session', input: () => ({ ...extra(), session: c.staff() }), expect: expired },
  ];
};

const pinCases = (): Case[] =>
  (
    [
      ['no pin', {}],
      ['empty pin', { pin: '' }],
      ['3-digit pin', { pin: '924' }],
      ['9-digit pin', { pin: '924680924' }],
      ['letters', { pin: 'abcdef' }],
      ['numeric pin', { pin: 924680 }],
      ['full-width digits', { pin: '９２４６８０' }],
      ['pin with a NUL', { pin: '924680\u0000' }],
      ['SQL-ish pin', { pin: "1' OR '1'='1" }],
      ['huge pin', { pin: '9'.repeat(1_000_000) }],
      ['pin as an array', { pin: ['924680'] }],
    ] as const
  ).map(([name, input]) => ({ name, input: () => input, expect: invalid('pin') }));

export const adminCases = (c: AdminCaseContext): Record<AdminMethod, () => Case[]> => {
  const a = (more: Record<string, unknown>) => () => ({ session: c.admin(), ...more });
  const enrol = { centralUrl: 'http://127.0.0.1:9/', code: 'ABCD-EFGH-JKLM' };
  const exportTo = (target: unknown) => a({ target });
  const setting = (more: Record<string, unknown>) => a(more);
  const hours = (openingHours: unknown) => a({ openingHours });
  const weekday = { days: [1, 2, 3, 4, 5], from: '07:30', to: '11:30' };
  return {
    adminUnlock: () => [
      ...pinCases(),
      { name: 'right pin with an extra key', input: () => ({ pin: '924680', role: 'staff' }), expect: ROOT },
    ],
    adminLock: () => badSessions(c).filter((x) => x.expect.code === 'invalid_input'),
    adminStatus: () => [...badSessions(c), { name: 'extra key', input: a({ verbose: true }), expect: ROOT }],
    adminEnrol: () => [
      ...badSessions(c, () => enrol),
      { name: 'missing URL', input: a({ code: enrol.code }), expect: invalid('centralUrl') },
      { name: 'missing code', input: a({ centralUrl: enrol.centralUrl }), expect: invalid('code') },
      {
        name: 'URL that is not a URL',
        input: a({ ...enrol, centralUrl: 'khaosat tinh' }),
        expect: invalid('centralUrl'),
      },
      { name: 'ftp URL', input: a({ ...enrol, centralUrl: 'ftp://127.0.0.1/' }), expect: invalid('centralUrl') },
      {
        name: 'javascript: URL',
        input: a({ ...enrol, centralUrl: 'javascript:alert(1)' }),
        expect: invalid('centralUrl'),
      },
      { name: 'file: URL', input: a({ ...enrol, centralUrl: 'file:///etc/passwd' }), expect: invalid('centralUrl') },
      { name: 'URL of spaces', input: a({ ...enrol, centralUrl: '   ' }), expect: invalid('centralUrl') },
      {
        name: 'huge URL',
        input: a({ ...enrol, centralUrl: `http://127.0.0.1/${HUGE}` }),
        expect: invalid('centralUrl'),
      },
      { name: 'URL as a number', input: a({ ...enrol, centralUrl: 8080 }), expect: invalid('centralUrl') },
      { name: 'short code', input: a({ ...enrol, code: 'ABCD-EFGH' }), expect: invalid('code') },
      { name: 'code with a symbol', input: a({ ...enrol, code: 'ABCD-EFGH-JKL!' }), expect: invalid('code') },
      { name: 'code with Vietnamese letters', input: a({ ...enrol, code: 'ĐĐĐĐ-EFGH-JKLM' }), expect: invalid('code') },
      { name: 'code with a NUL', input: a({ ...enrol, code: 'ABCD-EFGH-JKLM\u0000' }), expect: invalid('code') },
      { name: 'SQL-ish code', input: a({ ...enrol, code: "' OR 1=1 --" }), expect: invalid('code') },
      { name: 'huge code', input: a({ ...enrol, code: HUGE }), expect: invalid('code') },
      { name: 'code as an array', input: a({ ...enrol, code: ['ABCD', 'EFGH', 'JKLM'] }), expect: invalid('code') },
      { name: 'extra key', input: a({ ...enrol, unitId: 'x' }), expect: ROOT },
    ],
    adminResetEnrolment: () => [
      ...badSessions(c, () => ({ pin: '924680' })),
      ...pinCases().map((x) => ({ ...x, input: () => ({ session: c.admin(), ...(x.input() as object) }) })),
      { name: 'extra key', input: a({ pin: '924680', force: true }), expect: ROOT },
      // The right PIN on a kiosk that is not enrolled: nothing to reset.
      { name: 'not enrolled', input: a({ pin: '924680' }), expect: { code: 'not_enrolled' } },
    ],
    adminSyncNow: () => [
      ...badSessions(c),
      { name: 'extra key', input: a({ force: true }), expect: ROOT },
      { name: 'not enrolled', input: a({}), expect: { code: 'not_enrolled' } },
    ],
    adminJob: () => [
      ...badSessions(c, () => ({ jobId: 'AAAAAAAAAAAAAAAA' })),
      { name: 'no job id', input: a({}), expect: invalid('jobId') },
      { name: 'short job id', input: a({ jobId: 'abc' }), expect: invalid('jobId') },
      { name: 'path-like job id', input: a({ jobId: '../../../etc/passwd' }), expect: invalid('jobId') },
      { name: 'numeric job id', input: a({ jobId: 12345678 }), expect: invalid('jobId') },
      { name: 'huge job id', input: a({ jobId: HUGE }), expect: invalid('jobId') },
      {
        name: 'a well-formed job never started',
        input: a({ jobId: 'AAAAAAAAAAAAAAAA' }),
        expect: { code: 'not_found' },
      },
    ],
    adminListExportTargets: () => [...badSessions(c), { name: 'extra key', input: a({ root: '/' }), expect: ROOT }],
    adminExport: () => [
      ...badSessions(c, () => ({ target: c.dataDir() })),
      { name: 'no target', input: a({}), expect: invalid('target') },
      { name: 'empty target', input: exportTo(''), expect: invalid('target') },
      { name: 'target with a NUL', input: exportTo('/tmp/usb\u0000'), expect: invalid('target') },
      { name: 'target with a newline', input: exportTo('/tmp/usb\n/etc'), expect: invalid('target') },
      { name: 'target over 1024 characters', input: exportTo(`/${'a'.repeat(1024)}`), expect: invalid('target') },
      { name: 'target as a number', input: exportTo(42), expect: invalid('target') },
      { name: 'target as an array', input: exportTo(['/tmp']), expect: invalid('target') },
      { name: 'relative target', input: exportTo('usb/kbatch'), expect: { code: 'target_unusable' } },
      { name: 'dot-relative target', input: exportTo('../../etc'), expect: { code: 'target_unusable' } },
      {
        name: 'target under a missing folder',
        input: exportTo('/nonexistent-kiosk-usb/deeper/kbatch'),
        expect: { code: 'target_unusable' },
      },
      {
        name: 'target that is a file',
        input: () => ({ session: c.admin(), target: join(c.dataDir(), 'kiosk.sqlite') }),
        expect: { code: 'target_unusable' },
      },
      {
        name: 'a usable folder, but not enrolled',
        input: () => ({ session: c.admin(), target: c.dataDir() }),
        expect: { code: 'not_enrolled' },
      },
      { name: 'extra key', input: () => ({ session: c.admin(), target: c.dataDir(), fromSeq: 1 }), expect: ROOT },
    ],
    adminAuditLog: () => [
      ...badSessions(c),
      { name: 'before 0', input: a({ before: 0 }), expect: invalid('before') },
      { name: 'negative before', input: a({ before: -5 }), expect: invalid('before') },
      { name: 'fractional before', input: a({ before: 1.5 }), expect: invalid('before') },
      { name: 'before as a string', input: a({ before: '10' }), expect: invalid('before') },
      { name: 'huge before', input: a({ before: 1e300 }), expect: invalid('before') },
      { name: 'limit 0', input: a({ limit: 0 }), expect: invalid('limit') },
      { name: 'limit 101', input: a({ limit: 101 }), expect: invalid('limit') },
      { name: 'limit "all"', input: a({ limit: 'all' }), expect: invalid('limit') },
      { name: 'SQL-ish limit', input: a({ limit: '1; DROP TABLE audit_log' }), expect: invalid('limit') },
      { name: 'extra key', input: a({ actor: 'admin' }), expect: ROOT },
    ],
    adminChangePin: () => [
      ...badSessions(c, () => ({ role: 'staff', newPin: '864209' })),
      { name: 'no role', input: a({ newPin: '864209' }), expect: invalid('role') },
      { name: 'unknown role', input: a({ role: 'root', newPin: '864209' }), expect: invalid('role') },
      { name: 'no new PIN', input: a({ role: 'staff' }), expect: invalid('newPin') },
      { name: '3-digit PIN', input: a({ role: 'staff', newPin: '864' }), expect: invalid('newPin') },
      { name: '9-digit PIN', input: a({ role: 'admin', newPin: '864209753' }), expect: invalid('newPin') },
      { name: 'PIN with letters', input: a({ role: 'staff', newPin: '86a4' }), expect: invalid('newPin') },
      { name: 'numeric PIN', input: a({ role: 'staff', newPin: 8642 }), expect: invalid('newPin') },
      { name: 'full-width PIN', input: a({ role: 'staff', newPin: '８６４２' }), expect: invalid('newPin') },
      { name: 'PIN of one repeated digit', input: a({ role: 'staff', newPin: '1111' }), expect: { code: 'pin_rule' } },
      { name: 'PIN counting up', input: a({ role: 'staff', newPin: '1234' }), expect: { code: 'pin_rule' } },
      { name: 'PIN counting down', input: a({ role: 'admin', newPin: '987654' }), expect: { code: 'pin_rule' } },
      { name: 'admin PIN of 5 digits', input: a({ role: 'admin', newPin: '86420' }), expect: { code: 'pin_rule' } },
      { name: 'the demo staff PIN', input: a({ role: 'staff', newPin: '1357' }), expect: { code: 'pin_rule' } },
      { name: 'the demo admin PIN', input: a({ role: 'admin', newPin: '924680' }), expect: { code: 'pin_rule' } },
      {
        name: 'a staff PIN equal to the admin PIN',
        input: a({ role: 'staff', newPin: '924680' }),
        expect: { code: 'pin_rule' },
      },
      { name: 'extra key', input: a({ role: 'staff', newPin: '864209', currentPin: '1357' }), expect: ROOT },
    ],
    adminGetSettings: () => [...badSessions(c), { name: 'extra key', input: a({ keys: ['adminPin'] }), expect: ROOT }],
    adminSetSettings: () => [
      ...badSessions(c, () => ({ idleSeconds: 60 })),
      { name: 'nothing to change', input: a({}), expect: ROOT },
      { name: 'a PIN through settings', input: a({ adminPin: '864209' }), expect: ROOT },
      { name: "office name (not the panel's to set)", input: a({ officeName: 'x' }), expect: ROOT },
      { name: 'idle 9 s', input: setting({ idleSeconds: 9 }), expect: invalid('idleSeconds') },
      { name: 'idle 601 s', input: setting({ idleSeconds: 601 }), expect: invalid('idleSeconds') },
      { name: 'fractional idle', input: setting({ idleSeconds: 45.5 }), expect: invalid('idleSeconds') },
      { name: 'idle as a string', input: setting({ idleSeconds: '45' }), expect: invalid('idleSeconds') },
      { name: 'idle null', input: setting({ idleSeconds: null }), expect: invalid('idleSeconds') },
      { name: 'countdown 2 s', input: setting({ countdownSeconds: 2 }), expect: invalid('countdownSeconds') },
      { name: 'countdown 121 s', input: setting({ countdownSeconds: 121 }), expect: invalid('countdownSeconds') },
      { name: 'layout as a string', input: setting({ accessibleLayout: 'true' }), expect: invalid('accessibleLayout') },
      { name: 'picture-first as 1', input: setting({ pictureFirst: 1 }), expect: invalid('pictureFirst') },
      {
        name: 'a valid idle with a bad countdown (nothing applied)',
        input: setting({ idleSeconds: 60, countdownSeconds: 500 }),
        expect: invalid('countdownSeconds'),
      },
      {
        name: 'opening hours not an array',
        input: hours({ days: [1], from: '07:30', to: '11:30' }),
        expect: invalid('openingHours'),
      },
      { name: 'day 8', input: hours([{ ...weekday, days: [8] }]), expect: invalid('openingHours.0.days.0') },
      { name: 'day 0', input: hours([{ ...weekday, days: [0] }]), expect: invalid('openingHours.0.days.0') },
      { name: 'no days', input: hours([{ ...weekday, days: [] }]), expect: invalid('openingHours.0.days') },
      { name: 'a day twice', input: hours([{ ...weekday, days: [1, 1] }]), expect: invalid('openingHours.0.days') },
      {
        name: 'time without a leading zero',
        input: hours([{ ...weekday, from: '7:30' }]),
        expect: invalid('openingHours.0.from'),
      },
      { name: 'time 24:00', input: hours([{ ...weekday, to: '24:00' }]), expect: invalid('openingHours.0.to') },
      {
        name: 'from after to',
        input: hours([{ ...weekday, from: '17:00', to: '07:30' }]),
        expect: invalid('openingHours.0'),
      },
      {
        name: 'overlapping intervals',
        input: hours([weekday, { days: [5, 6], from: '11:00', to: '12:00' }]),
        expect: invalid('openingHours.1'),
      },
      {
        name: 'an extra key in an interval',
        input: hours([{ ...weekday, label: 'sáng' }]),
        expect: invalid('openingHours.0'),
      },
      {
        name: '22 intervals',
        input: hours(
          Array.from({ length: 22 }, (_, i) => ({
            days: [1 + (i % 7)],
            from: `0${i % 10}:00`.slice(-5),
            to: `0${i % 10}:30`.slice(-5),
          })),
        ),
        expect: invalid('openingHours'),
      },
    ],
  };
};
