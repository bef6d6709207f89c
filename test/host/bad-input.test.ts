// Hostile and malformed input for every KioskApi method, through dispatch() (the entry point both
// transports use) and through the HTTP host: each is refused with a typed error, and the database is
// exactly as it was before.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KioskCore, openKioskCore } from '../../electron/core/kiosk-core.ts';
import { createHostServer } from '../../electron/host/server.ts';
import {
  type ApiErrorCode,
  KIOSK_METHODS,
  type KioskMethod,
  type Result,
  dispatch,
  kioskApi,
} from '../../shared/api.ts';
import { buildAnswers, call, fakeClock, okValue, silentLog, snapshotDb } from '../support/kiosk.ts';
import { tempDir } from '../support/tmp.ts';
import { adminCases } from './admin-bad-input.ts';
import { adminLanCases } from './admin-lan-bad-input.ts';

type Expect = { code: ApiErrorCode; /** an issue path the error must name (invalid_input only) */ path?: string };
type Case = { name: string; input: () => unknown; expect: Expect };

const UNKNOWN_UUID = '01890000-0000-7000-8000-000000000000';
const HUGE = 'x'.repeat(1_000_000);
const COMMENT_100K = 'Góp ý '.repeat(17_000).slice(0, 100_000);
/** JSON.parse makes "__proto__" an own key, as it would arrive over the wire. */
const protoObject = (inner: string) => JSON.parse(`{"__proto__": ${inner}}`) as Record<string, unknown>;

let t: { dir: string; cleanup: () => void };
let core: KioskCore;
let session: string;
let adminSession: string;
/** A live draft per questionnaire, so answer checks (not just "unknown draft") are what refuses. */
const drafts: Record<'per-case' | 'quick' | 'sipas', string> = { 'per-case': '', quick: '', sipas: '' };
let quickFull: Record<string, unknown>;
let perCaseFull: Record<string, unknown>;
let sipasNo: Record<string, unknown>;

beforeAll(async () => {
  t = tempDir('kiosk-bad-input-');
  core = openKioskCore({ dataDir: t.dir, clock: fakeClock(), log: silentLog });
  session = okValue(await call(core, 'staffUnlock', { pin: '1357' })).session;
  adminSession = okValue(await call(core, 'adminUnlock', { pin: '924680' })).session;
  for (const [qid, code] of [
    ['per-case', '1.001193'],
    ['quick', '1.001776'],
    ['sipas', '1.001612'],
  ] as const) {
    okValue(await call(core, 'setAssignment', { session, procedureCode: code }));
    const b = okValue(await call(core, 'beginResponse', {}));
    expect(b.questionnaire.id).toBe(qid);
    drafts[qid] = b.draftId;
    if (qid === 'quick') quickFull = buildAnswers(b.questionnaire, { fixed: { overall: 5 }, optional: 'never' });
    if (qid === 'per-case') perCaseFull = buildAnswers(b.questionnaire, { optional: 'never' });
    if (qid === 'sipas') sipasNo = buildAnswers(b.questionnaire, { fixed: { 'da-gop-y': false }, optional: 'never' });
  }
  expect(Object.keys(quickFull)).toEqual(['overall', 'attitude', 'time']);
});

afterAll(() => {
  core?.close();
  t?.cleanup();
});

const invalid = (path: string): Expect => ({ code: 'invalid_input', path });
const ROOT = invalid('(root)');

/** Inputs no method accepts: wrong shapes, hostile keys. (null/undefined mean "no input" and are the empty object.) */
const generic: Case[] = [
  { name: 'an array', input: () => [], expect: ROOT },
  { name: 'an array of an object', input: () => [{}], expect: ROOT },
  { name: 'a string', input: () => 'getKioskState', expect: ROOT },
  { name: 'a number', input: () => 42, expect: ROOT },
  { name: 'a boolean', input: () => true, expect: ROOT },
  { name: 'an extra key', input: () => ({ evil: 1 }), expect: ROOT },
  { name: 'a "__proto__" key', input: () => protoObject('{"isAdmin": true}'), expect: ROOT },
  { name: 'a "constructor" key', input: () => ({ constructor: { prototype: { isAdmin: true } } }), expect: ROOT },
  { name: 'a huge key', input: () => ({ [HUGE]: 1 }), expect: ROOT },
  { name: 'a SQL-ish key', input: () => ({ "x'); DROP TABLE responses;--": 1 }), expect: ROOT },
];

const draftCases = (method: 'submitResponse' | 'abandonResponse'): Case[] => {
  const complete = method === 'submitResponse';
  const q = () => drafts.quick;
  const withAnswers =
    (answers: unknown, draftId = q, locale = 'vi') =>
    () => ({ draftId: draftId(), locale, answers });
  return [
    { name: 'null', input: () => null, expect: invalid('draftId') },
    { name: 'no answers', input: () => ({ draftId: q(), locale: 'vi' }), expect: invalid('answers') },
    { name: 'no locale', input: () => ({ draftId: q(), answers: quickFull }), expect: invalid('locale') },
    {
      name: 'extra key next to a valid draft',
      input: () => ({ draftId: q(), locale: 'vi', answers: quickFull, seq: 1 }),
      expect: ROOT,
    },
    {
      name: '"__proto__" next to a valid draft',
      input: () => ({ ...protoObject('{"seq": 1}'), draftId: q(), locale: 'vi', answers: quickFull }),
      expect: ROOT,
    },
    { name: 'non-UUID draftId', input: withAnswers(quickFull, () => 'not-a-uuid'), expect: invalid('draftId') },
    {
      name: 'upper-case UUID draftId',
      input: withAnswers(quickFull, () => q().toUpperCase()),
      expect: invalid('draftId'),
    },
    { name: 'SQL-ish draftId', input: withAnswers(quickFull, () => "1' OR '1'='1"), expect: invalid('draftId') },
    { name: 'draftId with a NUL', input: withAnswers(quickFull, () => `${q()}\u0000`), expect: invalid('draftId') },
    {
      name: 'numeric draftId',
      input: withAnswers(quickFull, () => 12345 as unknown as string),
      expect: invalid('draftId'),
    },
    { name: 'huge draftId', input: withAnswers(quickFull, () => HUGE), expect: invalid('draftId') },
    {
      name: 'unknown (never begun) draft',
      input: withAnswers(quickFull, () => UNKNOWN_UUID),
      expect: { code: 'draft_unknown' },
    },
    { name: 'locale not enabled on this kiosk', input: withAnswers(quickFull, q, 'fr'), expect: invalid('locale') },
    { name: 'malformed locale', input: withAnswers(quickFull, q, 'vi_VN'), expect: invalid('locale') },
    { name: 'upper-case locale', input: withAnswers(quickFull, q, 'VI'), expect: invalid('locale') },
    {
      name: 'SQL-ish locale',
      input: withAnswers(quickFull, q, "vi'; DELETE FROM responses;--"),
      expect: invalid('locale'),
    },
    { name: 'empty locale', input: withAnswers(quickFull, q, ''), expect: invalid('locale') },
    { name: 'answers as an array', input: withAnswers([5, 5, 3]), expect: invalid('answers') },
    { name: 'answers as a string', input: withAnswers('overall=5'), expect: invalid('answers') },
    { name: 'answers null', input: withAnswers(null), expect: invalid('answers') },
    {
      name: 'scale value above range',
      input: withAnswers({ ...quickFull, overall: 6 }),
      expect: invalid('answers.overall'),
    },
    {
      name: 'scale value below range',
      input: withAnswers({ ...quickFull, overall: 0 }),
      expect: invalid('answers.overall'),
    },
    {
      name: 'negative scale value',
      input: withAnswers({ ...quickFull, attitude: -1 }),
      expect: invalid('answers.attitude'),
    },
    { name: '3-level scale given 4', input: withAnswers({ ...quickFull, time: 4 }), expect: invalid('answers.time') },
    {
      name: 'fractional scale value',
      input: withAnswers({ ...quickFull, overall: 4.5 }),
      expect: invalid('answers.overall'),
    },
    {
      name: 'huge scale value',
      input: withAnswers({ ...quickFull, overall: 1e308 }),
      expect: invalid('answers.overall'),
    },
    {
      name: 'scale value as a string',
      input: withAnswers({ ...quickFull, overall: '5' }),
      expect: invalid('answers.overall'),
    },
    {
      name: 'scale value as a boolean',
      input: withAnswers({ ...quickFull, overall: true }),
      expect: invalid('answers.overall'),
    },
    {
      name: 'scale value null',
      input: withAnswers({ ...quickFull, overall: null }),
      expect: invalid('answers.overall'),
    },
    {
      name: 'scale value as an object',
      input: withAnswers({ ...quickFull, overall: { valueOf: 5 } }),
      expect: invalid('answers.overall'),
    },
    {
      name: 'answer to a follow-up that was not shown',
      input: withAnswers({ ...quickFull, problems: ['cho-lau'] }),
      expect: invalid('answers.problems'),
    },
    {
      name: 'answer to an unknown question',
      input: withAnswers({ ...quickFull, bonus: 5 }),
      expect: invalid('answers.bonus'),
    },
    {
      name: 'SQL-ish question id',
      input: withAnswers({ ...quickFull, "overall'--": 5 }),
      expect: invalid("answers.overall'--"),
    },
    {
      name: '"constructor" as a question id',
      input: withAnswers({ ...quickFull, constructor: 5 }),
      expect: invalid('answers.constructor'),
    },
    {
      name: '"toString" as a question id',
      input: withAnswers({ ...quickFull, toString: 'x' }),
      expect: invalid('answers.toString'),
    },
    {
      name: 'answers from another questionnaire',
      input: () => ({ draftId: q(), locale: 'vi', answers: perCaseFull }),
      // per-case v2 asks the citizen from indicator 3 on (1 comes only from the case's facts)
      expect: invalid('answers.so-lan-lien-he'),
    },
    {
      name: 'multi-choice with an unknown option',
      input: withAnswers({ ...quickFull, overall: 1, problems: ['hacked'] }),
      expect: invalid('answers.problems'),
    },
    {
      name: 'multi-choice empty',
      input: withAnswers({ ...quickFull, overall: 2, problems: [] }),
      expect: invalid('answers.problems'),
    },
    {
      name: 'multi-choice with a repeat',
      input: withAnswers({ ...quickFull, overall: 2, problems: ['cho-lau', 'cho-lau'] }),
      expect: invalid('answers.problems'),
    },
    {
      name: 'multi-choice as a string',
      input: withAnswers({ ...quickFull, overall: 2, problems: 'cho-lau' }),
      expect: invalid('answers.problems'),
    },
    {
      name: 'comment with a NUL',
      input: withAnswers({ ...quickFull, comment: 'tốt\u0000' }),
      expect: invalid('answers.comment'),
    },
    {
      name: 'comment with an escape sequence',
      input: withAnswers({ ...quickFull, comment: 'ok \u001b[2J' }),
      expect: invalid('answers.comment'),
    },
    {
      name: 'comment with DEL',
      input: withAnswers({ ...quickFull, comment: 'ok\u007f' }),
      expect: invalid('answers.comment'),
    },
    {
      name: 'comment of only spaces',
      input: withAnswers({ ...quickFull, comment: '   \n ' }),
      expect: invalid('answers.comment'),
    },
    {
      name: 'comment over the question limit (501 chars)',
      input: withAnswers({ ...quickFull, comment: 'a'.repeat(501) }),
      expect: invalid('answers.comment'),
    },
    {
      name: '100k-char comment',
      input: withAnswers({ ...quickFull, comment: COMMENT_100K }),
      expect: invalid('answers.comment'),
    },
    {
      name: 'comment as a number',
      input: withAnswers({ ...quickFull, comment: 12 }),
      expect: invalid('answers.comment'),
    },
    {
      name: 'too many answers',
      input: withAnswers(Object.fromEntries(Array.from({ length: 61 }, (_, i) => [`q${i}`, 1]))),
      expect: invalid('answers'),
    },
    {
      name: 'a 65-char question id',
      input: withAnswers({ ...quickFull, ['q'.repeat(65)]: 1 }),
      expect: invalid(`answers.${'q'.repeat(65)}`),
    },
    // Refused at the answers object itself, whether or not the draft is complete (shared/answers.ts).
    {
      name: '"__proto__" smuggling a required answer',
      input: withAnswers({ ...protoObject('{"overall": 5}'), attitude: 4, time: 2 }),
      expect: invalid('answers'),
    },
    {
      name: 'per-case indicator out of range',
      input: withAnswers({ ...perCaseFull, 'so-lan-lien-he': 3 }, () => drafts['per-case']),
      expect: invalid('answers.so-lan-lien-he'),
    },
    {
      name: 'yes/no as a number',
      input: withAnswers({ ...sipasNo, 'da-gop-y': 1 }, () => drafts.sipas),
      expect: invalid('answers.da-gop-y'),
    },
    {
      name: 'sipas follow-up answered after "no"',
      input: withAnswers({ ...sipasNo, 'gop-y-de-dang': 4 }, () => drafts.sipas),
      expect: invalid('answers.gop-y-de-dang'),
    },
    ...(complete
      ? [
          {
            name: 'a required answer missing',
            input: withAnswers({ overall: 5, time: 2 }),
            expect: invalid('answers.attitude'),
          },
          { name: 'no answers at all', input: withAnswers({}), expect: invalid('answers.overall') },
          {
            name: 'a shown follow-up left unanswered',
            input: withAnswers({ ...quickFull, overall: 1 }),
            expect: invalid('answers.problems'),
          },
        ]
      : []),
  ];
};

const badSessions: Case[] = [
  { name: 'no session', input: () => ({}), expect: invalid('session') },
  { name: 'null', input: () => null, expect: invalid('session') },
  { name: 'empty session', input: () => ({ session: '' }), expect: invalid('session') },
  { name: 'short session', input: () => ({ session: 'abc' }), expect: invalid('session') },
  { name: 'session with "/" and "="', input: () => ({ session: 'aaaaaaaaaaaaaaaa/=' }), expect: invalid('session') },
  { name: 'SQL-ish session', input: () => ({ session: "' OR 1=1 --aaaaaaaaaaaa" }), expect: invalid('session') },
  { name: 'huge session', input: () => ({ session: HUGE }), expect: invalid('session') },
  { name: 'numeric session', input: () => ({ session: 1234567890123456 }), expect: invalid('session') },
  { name: 'session as an object', input: () => ({ session: { $ne: null } }), expect: invalid('session') },
  {
    name: 'a well-formed session never issued',
    input: () => ({ session: 'A'.repeat(32) }),
    expect: { code: 'session_expired' },
  },
];

const withSessionCases = (extra: Record<string, unknown>): Case[] =>
  badSessions.map((c) => ({
    ...c,
    input: () => {
      const base = c.input();
      return base === null ? null : { ...(base as object), ...extra };
    },
  }));

const procedureCodeCases = (method: 'setAssignment' | 'toggleFavourite'): Case[] => {
  const s =
    (procedureCode: unknown, more: Record<string, unknown> = {}) =>
    () => ({ session, procedureCode, ...more });
  const cases: Case[] = [
    { name: 'missing procedure code', input: () => ({ session }), expect: invalid('procedureCode') },
    { name: 'short procedure code', input: s('1.00119'), expect: invalid('procedureCode') },
    { name: 'procedure code with a trailing space', input: s('1.001193 '), expect: invalid('procedureCode') },
    { name: 'lower-case extended code', input: s('2.000908.000.00.00.h61'), expect: invalid('procedureCode') },
    {
      name: 'SQL-ish procedure code',
      input: s("1.001193'; DROP TABLE responses;--"),
      expect: invalid('procedureCode'),
    },
    { name: 'procedure code with a NUL', input: s('1.001193\u0000'), expect: invalid('procedureCode') },
    { name: 'numeric procedure code', input: s(1.001193), expect: invalid('procedureCode') },
    { name: 'procedure code as an array', input: s(['1.001193']), expect: invalid('procedureCode') },
    { name: 'huge procedure code', input: s(HUGE), expect: invalid('procedureCode') },
    { name: 'well-formed code not in the catalog', input: s('9.999999'), expect: { code: 'not_found' } },
    { name: 'extended code not in the catalog', input: s('2.000908.000.00.00.H61'), expect: { code: 'not_found' } },
    { name: 'extra key', input: s('1.001193', { favourite: true, seq: 1 }), expect: ROOT },
    ...withSessionCases({ procedureCode: '1.001193' }),
  ];
  if (method === 'toggleFavourite') return cases;
  return [
    ...cases,
    { name: 'empty case number', input: s('1.001193', { caseNumber: '' }), expect: invalid('caseNumber') },
    { name: 'case number with a space', input: s('1.001193', { caseNumber: 'HS 001' }), expect: invalid('caseNumber') },
    {
      name: 'path-like case number',
      input: s('1.001193', { caseNumber: '../../etc/passwd' }),
      expect: invalid('caseNumber'),
    },
    {
      name: 'SQL-ish case number',
      input: s('1.001193', { caseNumber: "1' OR '1'='1" }),
      expect: invalid('caseNumber'),
    },
    {
      name: 'case number with a NUL',
      input: s('1.001193', { caseNumber: 'HS001\u0000' }),
      expect: invalid('caseNumber'),
    },
    {
      name: '41-char case number',
      input: s('1.001193', { caseNumber: 'A'.repeat(41) }),
      expect: invalid('caseNumber'),
    },
    { name: 'numeric case number', input: s('1.001193', { caseNumber: 12345 }), expect: invalid('caseNumber') },
    {
      name: 'case number with Vietnamese letters',
      input: s('1.001193', { caseNumber: 'HỒSƠ-01' }),
      expect: invalid('caseNumber'),
    },
    { name: 'malformed officer id', input: s('1.001193', { officerId: 'cb 01' }), expect: invalid('officerId') },
    { name: 'unknown officer', input: s('1.001193', { officerId: 'cb99' }), expect: { code: 'not_found' } },
    { name: 'malformed counter id', input: s('1.001193', { counterId: '<script>' }), expect: invalid('counterId') },
    { name: 'unknown counter', input: s('1.001193', { counterId: 'q9' }), expect: { code: 'not_found' } },
  ];
};

/** Every method must be listed: the Record type makes a new method a compile error until it has cases. */
const perMethod: Record<KioskMethod, () => Case[]> = {
  getKioskState: () => [],
  awaitInvitation: () => [
    { name: 'no knownId', input: () => ({ waitMs: 0 }), expect: invalid('knownId') },
    { name: 'a knownId that is no UUIDv7', input: () => ({ knownId: 'x' }), expect: invalid('knownId') },
    { name: 'a UUIDv4 knownId', input: () => ({ knownId: crypto.randomUUID() }), expect: invalid('knownId') },
    { name: 'a negative wait', input: () => ({ knownId: null, waitMs: -1 }), expect: invalid('waitMs') },
    { name: 'a wait of an hour', input: () => ({ knownId: null, waitMs: 3_600_000 }), expect: invalid('waitMs') },
    { name: 'a fractional wait', input: () => ({ knownId: null, waitMs: 1.5 }), expect: invalid('waitMs') },
  ],
  getCatalog: () => [],
  beginResponse: () => [
    { name: 'a draftId of its own choosing', input: () => ({ draftId: UNKNOWN_UUID }), expect: ROOT },
  ],
  submitResponse: () => draftCases('submitResponse'),
  abandonResponse: () => draftCases('abandonResponse'),
  staffUnlock: () =>
    [
      ['no pin', {}],
      ['null', null],
      ['empty pin', { pin: '' }],
      ['3-digit pin', { pin: '135' }],
      ['9-digit pin', { pin: '135713571' }],
      ['letters', { pin: 'abcd' }],
      ['numeric pin', { pin: 1357 }],
      ['pin with a space', { pin: '1357 ' }],
      ['full-width digits', { pin: '１３５７' }],
      ['Arabic-Indic digits', { pin: '١٣٥٧' }],
      ['pin with a NUL', { pin: '1357\u0000' }],
      ['pin with a newline', { pin: '1357\n' }],
      ['SQL-ish pin', { pin: "1' OR '1'='1" }],
      ['huge pin', { pin: '1'.repeat(1_000_000) }],
      ['pin as an array', { pin: ['1357'] }],
      ['pin as an object', { pin: { toString: '1357' } }],
      ['right pin with an extra key', { pin: '1357', role: 'admin' }],
    ].map(([name, input]) => ({
      name: name as string,
      input: () => input,
      expect: (input !== null && typeof input === 'object' && 'role' in input ? ROOT : invalid('pin')) as Expect,
    })),
  staffLock: () => badSessions.filter((c) => c.expect.code === 'invalid_input'),
  staffContext: () => badSessions,
  setAssignment: () => procedureCodeCases('setAssignment'),
  toggleFavourite: () => procedureCodeCases('toggleFavourite'),
  readAloudClips: () => [],
  // A clip is named by the SHA-256 of its audio: anything else (a path above all) is refused by the schema.
  readAloudClip: () => [
    { name: 'path traversal', input: () => ({ audioSha256: '../../kiosk.sqlite' }), expect: invalid('audioSha256') },
    { name: 'upper-case hex', input: () => ({ audioSha256: 'A'.repeat(64) }), expect: invalid('audioSha256') },
    { name: '63 hex digits', input: () => ({ audioSha256: 'a'.repeat(63) }), expect: invalid('audioSha256') },
    {
      name: 'hex with a suffix',
      input: () => ({ audioSha256: `${'a'.repeat(64)}.clip` }),
      expect: invalid('audioSha256'),
    },
    { name: 'no such clip', input: () => ({ audioSha256: 'a'.repeat(64) }), expect: { code: 'not_found' } },
    { name: 'extra key', input: () => ({ audioSha256: 'a'.repeat(64), path: '/etc' }), expect: ROOT },
  ],
  ...adminCases({ admin: () => adminSession, staff: () => session, dataDir: () => t.dir }),
  ...adminLanCases({ admin: () => adminSession, staff: () => session, dataDir: () => t.dir }),
};

const expectRefused = (r: Result<unknown>, e: Expect): void => {
  expect(r.ok, JSON.stringify(r).slice(0, 400)).toBe(false);
  if (r.ok) return;
  expect(r.error.code).toBe(e.code);
  expect(r.error.message.length).toBeGreaterThan(0);
  if (r.error.code === 'invalid_input') {
    expect(r.error.issues.length).toBeGreaterThan(0);
    if (e.path !== undefined) expect(r.error.issues.map((i) => i.path)).toContain(e.path);
  }
};

describe('dispatch: malformed and hostile input for every method', () => {
  it('covers every method of the contract', () => {
    expect(Object.keys(perMethod).sort()).toEqual([...KIOSK_METHODS].sort());
    for (const m of KIOSK_METHODS) {
      // Every generic case is really invalid for the method's schema (no accidental "valid" row).
      for (const c of generic) expect(kioskApi[m].input.safeParse(c.input()).success, `${m}: ${c.name}`).toBe(false);
    }
    // Methods that take arguments have their own table of bad ones.
    for (const m of KIOSK_METHODS) {
      const takesArgs = Object.keys((kioskApi[m].input as unknown as { shape: object }).shape).length > 0;
      if (takesArgs) expect(perMethod[m]().length, m).toBeGreaterThanOrEqual(5);
    }
  });

  for (const method of KIOSK_METHODS) {
    describe(method, () => {
      const cases = () => [...generic, ...perMethod[method]()];
      // Names are known only after the module loads; list them lazily through one test per case index.
      const count = generic.length + perMethod[method]().length;
      for (let i = 0; i < count; i++) {
        it(`case ${i + 1}: ${[...generic, ...perMethod[method]()][i]!.name}`, async () => {
          const c = cases()[i]!;
          const before = snapshotDb(core.db);
          const r = await dispatch(core, method, c.input());
          expectRefused(r, c.expect);
          expect(snapshotDb(core.db)).toEqual(before);
        });
      }
    });
  }

  it('an unknown method is a typed not_found, whatever its name', async () => {
    const before = snapshotDb(core.db);
    for (const name of [
      'deleteAll',
      '__proto__',
      'constructor',
      'toString',
      'hasOwnProperty',
      '',
      'getKioskState ',
      'GETKIOSKSTATE',
      HUGE,
    ]) {
      const r = await dispatch(core, name, {});
      expectRefused(r, { code: 'not_found' });
      if (!r.ok) expect(r.error.message.length).toBeLessThan(200);
    }
    expect(snapshotDb(core.db)).toEqual(before);
  });

  it('schema-invalid PINs do not count towards the lockout', async () => {
    for (const pin of ['', '12', 'abcd', '１３５７', '1357\u0000']) await dispatch(core, 'staffUnlock', { pin });
    const r = await dispatch(core, 'staffUnlock', { pin: '97531' });
    expectRefused(r, { code: 'bad_pin' });
    if (!r.ok && r.error.code === 'bad_pin') expect(r.error.attemptsLeft).toBe(2);
    okValue((await dispatch(core, 'staffUnlock', { pin: '1357' })) as Result<unknown>);
  });

  // zod's record parser drops an own "__proto__" key; shared/answers.ts refuses it before that.
  it('an abandon whose answers carry a "__proto__" key is refused', async () => {
    const b = okValue(await call(core, 'beginResponse', {}));
    const before = snapshotDb(core.db);
    const r = await dispatch(core, 'abandonResponse', {
      draftId: b.draftId,
      locale: 'vi',
      answers: protoObject('{"bonus": 5}'),
    });
    expectRefused(r, { code: 'invalid_input' });
    expect(snapshotDb(core.db)).toEqual(before);
  });

  it('a valid draft still submits after all that, with exactly the answers given (control)', async () => {
    const before = snapshotDb(core.db).responses!.count;
    const answers = { ...quickFull, comment: "O'Brien'); DROP TABLE responses;-- \u{1F44D} Tốt" };
    const r = okValue(
      (await dispatch(core, 'submitResponse', { draftId: drafts.quick, locale: 'vi', answers })) as Result<{
        id: string;
        seq: number;
      }>,
    );
    expect(r.seq).toBe(before + 1);
    const row = core.db.prepare('SELECT answers FROM responses WHERE id = ?').get(r.id) as { answers: string };
    expect(JSON.parse(row.answers)).toEqual(answers);
  });
});

describe('HTTP host: requests that never reach the API', () => {
  const TOKEN = 'test-token-0123456789abcdef';
  let app: FastifyInstance;
  beforeAll(async () => {
    app = createHostServer({ handlers: core, rendererDir: '/nonexistent/renderer', token: TOKEN });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
  });

  const post = (method: string, opts: { headers?: Record<string, string>; payload?: string | object } = {}) =>
    app.inject({
      method: 'POST',
      url: `/api/${method}`,
      headers: { host: '127.0.0.1:4780', 'x-kiosk-token': TOKEN, 'content-type': 'application/json', ...opts.headers },
      payload: opts.payload ?? {},
    });

  const validSubmit = async () => {
    const b = okValue(await call(core, 'beginResponse', {}));
    return { draftId: b.draftId, locale: 'vi', answers: buildAnswers(b.questionnaire) };
  };

  it('control: the right token, host and origin reach the API', async () => {
    const r = await post('getKioskState', { headers: { origin: 'http://127.0.0.1:4780' } });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ ok: true, value: { deviceId: core.deviceId } });
    const bare = await app.inject({
      method: 'POST',
      url: '/api/getCatalog',
      headers: { host: 'localhost:4780', 'x-kiosk-token': TOKEN },
    });
    expect(bare.statusCode).toBe(200);
    expect(bare.json()).toMatchObject({ ok: true });
  });

  type Bad = { name: string; status: number; request: () => ReturnType<typeof post> };
  const bad: Bad[] = [
    {
      name: 'no token',
      status: 401,
      request: async () => post('submitResponse', { headers: { 'x-kiosk-token': '' }, payload: await validSubmit() }),
    },
    {
      name: 'no token header at all',
      status: 401,
      request: async () =>
        app.inject({
          method: 'POST',
          url: '/api/submitResponse',
          headers: { host: '127.0.0.1', 'content-type': 'application/json' },
          payload: await validSubmit(),
        }),
    },
    {
      name: 'wrong token, same length',
      status: 401,
      request: async () =>
        post('submitResponse', {
          headers: { 'x-kiosk-token': TOKEN.replace(/.$/, 'X') },
          payload: await validSubmit(),
        }),
    },
    {
      name: 'wrong token, longer',
      status: 401,
      request: async () =>
        post('submitResponse', { headers: { 'x-kiosk-token': `${TOKEN}x` }, payload: await validSubmit() }),
    },
    {
      name: 'token in the query string only',
      status: 401,
      request: async () =>
        app.inject({ method: 'POST', url: `/api/getKioskState?token=${TOKEN}`, headers: { host: '127.0.0.1' } }),
    },
    {
      name: 'wrong Host (DNS rebinding)',
      status: 403,
      request: async () =>
        post('submitResponse', { headers: { host: 'evil.example:4780' }, payload: await validSubmit() }),
    },
    {
      name: 'Host that only starts with localhost',
      status: 403,
      request: async () =>
        post('submitResponse', { headers: { host: 'localhost.evil.example' }, payload: await validSubmit() }),
    },
    {
      name: 'Host of the LAN address',
      status: 403,
      request: async () => post('getKioskState', { headers: { host: '192.168.1.20:4780' } }),
    },
    {
      name: 'foreign Origin',
      status: 403,
      request: async () =>
        post('submitResponse', { headers: { origin: 'http://evil.example' }, payload: await validSubmit() }),
    },
    {
      name: 'Origin "null" (sandboxed frame, file://)',
      status: 403,
      request: async () => post('submitResponse', { headers: { origin: 'null' }, payload: await validSubmit() }),
    },
    {
      name: 'Origin on another port',
      status: 403,
      request: async () =>
        post('submitResponse', { headers: { origin: 'http://127.0.0.1:9999' }, payload: await validSubmit() }),
    },
    { name: 'broken JSON', status: 400, request: async () => post('submitResponse', { payload: '{"draftId": ' }) },
    {
      name: 'JSON with "__proto__"',
      status: 400,
      request: async () => post('submitResponse', { payload: `{"__proto__": {"x": 1}, "draftId": "${UNKNOWN_UUID}"}` }),
    },
    {
      name: 'text/plain body',
      status: 415,
      request: async () =>
        post('submitResponse', {
          headers: { 'content-type': 'text/plain' },
          payload: JSON.stringify(await validSubmit()),
        }),
    },
    {
      name: 'form-encoded body',
      status: 415,
      request: async () =>
        post('getKioskState', { headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'a=1' }),
    },
    {
      name: 'body over the limit',
      status: 413,
      request: async () => {
        const v = await validSubmit();
        return post('submitResponse', {
          payload: JSON.stringify({ ...v, answers: { ...v.answers, comment: 'ố'.repeat(200_000) } }),
        });
      },
    },
    {
      name: 'GET instead of POST',
      status: 404,
      request: async () =>
        app.inject({
          method: 'GET',
          url: '/api/getKioskState',
          headers: { host: '127.0.0.1', 'x-kiosk-token': TOKEN },
        }),
    },
  ];

  for (const b of bad) {
    it(`${b.name} → HTTP ${b.status}, nothing stored`, async () => {
      const before = snapshotDb(core.db);
      const r = await b.request();
      expect(r.statusCode).toBe(b.status);
      expect(r.body).not.toContain('"ok":true');
      expect(snapshotDb(core.db)).toEqual(before);
    });
  }

  it('an unknown method is a typed not_found (HTTP 200), nothing stored', async () => {
    const before = snapshotDb(core.db);
    for (const name of ['dropTables', 'constructor', '__proto__', 'toString', 'submitResponse.bak']) {
      const r = await post(encodeURIComponent(name));
      expect(r.statusCode, name).toBe(200);
      expect(r.json(), name).toMatchObject({ ok: false, error: { code: 'not_found' } });
    }
    expect(snapshotDb(core.db)).toEqual(before);
  });

  it('invalid input over HTTP is the same typed invalid_input, naming the field', async () => {
    const before = snapshotDb(core.db);
    const v = await validSubmit();
    const r = await post('submitResponse', { payload: { ...v, answers: { ...v.answers, 'tong-thoi-gian': 7 } } });
    expect(r.statusCode).toBe(200);
    const body = r.json() as Result<unknown>;
    expectRefused(body, invalid('answers.tong-thoi-gian'));
    expect(snapshotDb(core.db)).toEqual(before);
    // and the same draft, corrected, is stored: the refusal did not burn it
    const ok = await post('submitResponse', { payload: v });
    expect(ok.json()).toMatchObject({ ok: true, value: { id: v.draftId } });
  });
});
