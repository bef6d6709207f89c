// kioskctl as IT runs it (the real bin, a separate process) against a data directory that a live
// kiosk core, here in the test process, has open.
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LATEST_SCHEMA_VERSION } from '../../electron/core/db/migrations.ts';
import { type KioskCore, databasePath, openKioskCore } from '../../electron/core/kiosk-core.ts';
import { listResponses } from '../../electron/core/store/responses.ts';
import type { StoredResponse } from '../../shared/response.ts';
import {
  buildAnswers,
  call,
  errorOf,
  fakeClock,
  kioskctl,
  kioskctlAsync,
  okValue,
  prng,
  silentLog,
} from '../support/kiosk.ts';
import { tempDir } from '../support/tmp.ts';

/** Each kioskctl run is a fresh Node process (~0.5 s, several seconds on a loaded machine). */
const SLOW = 120_000;

let t: { dir: string; cleanup: () => void };
let core: KioskCore;
const clock = fakeClock();
const ids: string[] = [];

const json = <T>(r: { code: number | null; stdout: string; stderr: string }): T => {
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as T;
};

const respond = async (status: 'complete' | 'abandoned', seed: number) => {
  clock.advance(60_000);
  const b = okValue(await call(core, 'beginResponse', {}));
  const answers = buildAnswers(b.questionnaire, { rng: prng(seed), limit: status === 'abandoned' ? 1 : undefined });
  if (status === 'complete')
    return okValue(await call(core, 'submitResponse', { draftId: b.draftId, locale: 'vi', answers })).id;
  return okValue(await call(core, 'abandonResponse', { draftId: b.draftId, locale: 'vi', answers })).id!;
};

const auditRows = (action: string) =>
  (
    core.db
      .prepare("SELECT actor, details FROM audit_log WHERE action = ? AND actor = 'kioskctl' ORDER BY id")
      .all(action) as { actor: string; details: string }[]
  ).map((r) => JSON.parse(r.details) as Record<string, unknown>);

beforeAll(async () => {
  t = tempDir('kiosk-ctl-');
  core = openKioskCore({ dataDir: t.dir, clock, log: silentLog });
  for (const [i, s] of (['complete', 'complete', 'abandoned', 'complete'] as const).entries())
    ids.push(await respond(s, i));
});

afterAll(() => {
  core?.close();
  t?.cleanup();
});

describe('kioskctl status and responses', { timeout: SLOW }, () => {
  it('status --json reports the live kiosk: device, counts by status, last seq, procedure and field, database path', () => {
    const s = json<Record<string, unknown>>(kioskctl(t.dir, 'status', '--json'));
    expect(s).toMatchObject({
      deviceId: core.deviceId,
      databasePath: databasePath(t.dir),
      schemaVersion: LATEST_SCHEMA_VERSION,
      counts: { complete: 3, abandoned: 1, total: 4 },
      lastSeq: 4,
      configVersion: core.config().version,
      procedure: { code: '1.001193', field: 'ho-tich' },
      caseNumber: null,
    });
    const text = kioskctl(t.dir, 'status');
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(core.deviceId);
    expect(text.stdout).toMatch(/responses\s+4 \(3 complete, 1 abandoned\), last seq 4/);
  });

  it('responses --json lists every stored response exactly as stored; --since skips up to that seq', () => {
    const all = json<StoredResponse[]>(kioskctl(t.dir, 'responses', '--json'));
    expect(all).toEqual(listResponses(core.db, core.deviceId));
    expect(all.map((r) => [r.seq, r.id])).toEqual(ids.map((id, i) => [i + 1, id]));
    expect(all.map((r) => r.status)).toEqual(['complete', 'complete', 'abandoned', 'complete']);
    const since = json<StoredResponse[]>(kioskctl(t.dir, 'responses', '--since', '2', '--json'));
    expect(since.map((r) => r.seq)).toEqual([3, 4]);
    expect(json<StoredResponse[]>(kioskctl(t.dir, 'responses', '--since', '4', '--json'))).toEqual([]);
    for (const bad of ['-1', 'abc', '1.5', '']) {
      const r = kioskctl(t.dir, 'responses', `--since=${bad}`);
      expect(r.code, bad).toBe(2);
      expect(r.stderr).toMatch(/--since takes a sequence number/);
    }
  });

  it('refuses a directory without a kiosk database, saying where it looked', () => {
    const empty = tempDir('kiosk-ctl-empty-');
    try {
      const r = kioskctl(empty.dir, 'status');
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`no kiosk database at ${databasePath(empty.dir)}`);
    } finally {
      empty.cleanup();
    }
  });
});

describe('kioskctl output and command names', { timeout: SLOW }, () => {
  it('a stored text with terminal escapes, C1 and bidi controls prints escaped, as text and as JSON', () => {
    const hostile = 'Xã\u001b[2J\u009b31m\u202eevil';
    const before = kioskctl(t.dir, 'config', 'get', 'officeName').stdout.trimEnd();
    expect(kioskctl(t.dir, 'config', 'set', 'officeName', hostile).code).toBe(0);
    const text = kioskctl(t.dir, 'config', 'get', 'officeName');
    expect(text.code).toBe(0);
    expect(text.stdout).toBe('Xã\\u001b[2J\\u009b31m\\u202eevil\n');
    const json = kioskctl(t.dir, 'config', 'get', 'officeName', '--json');
    expect(['\u001b', '\u009b', '\u202e'].filter((c) => json.stdout.includes(c))).toEqual([]);
    // The escapes are JSON's own: the value reads back exactly.
    expect((JSON.parse(json.stdout) as { value: string }).value).toBe(hostile);
    expect(kioskctl(t.dir, 'config', 'set', 'officeName', before).code).toBe(0);
  });

  it('names of Object.prototype are unknown commands (exit 2), with or without a kiosk database', () => {
    const empty = tempDir('kiosk-ctl-names-');
    try {
      for (const dir of [t.dir, empty.dir])
        for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
          const r = kioskctl(dir, name);
          expect(r.code, name).toBe(2);
          expect(r.stderr).toContain(`unknown command "${name}"`);
        }
    } finally {
      empty.cleanup();
    }
  });
});

describe('kioskctl set-procedure', { timeout: SLOW }, () => {
  it("changes what the live core's next beginResponse gets, and is audited", async () => {
    const before = okValue(await call(core, 'beginResponse', {}));
    expect(before.assignment.procedureCode).toBe('1.001193');
    const r = kioskctl(t.dir, 'set-procedure', '1.001612', '--case', 'HS-2026/0042', '--json');
    const out = json<Record<string, unknown>>(r);
    expect(out).toMatchObject({
      procedureCode: '1.001612',
      fieldCode: 'dang-ky-kinh-doanh',
      questionnaireId: 'sipas',
      caseNumber: 'HS-2026/0042',
    });

    const next = okValue(await call(core, 'beginResponse', {}));
    expect(next.assignment).toMatchObject({
      procedureCode: '1.001612',
      caseNumber: 'HS-2026/0042',
      questionnaireId: 'sipas',
    });
    expect(next.questionnaire.id).toBe('sipas');
    // The respondent who began before the switch keeps the old procedure.
    const stored = okValue(
      await call(core, 'submitResponse', {
        draftId: before.draftId,
        locale: 'vi',
        answers: buildAnswers(before.questionnaire),
      }),
    );
    expect(listResponses(core.db, core.deviceId).find((x) => x.id === stored.id)).toMatchObject({
      procedureCode: '1.001193',
      caseNumber: null,
    });
    const s2 = okValue(
      await call(core, 'submitResponse', {
        draftId: next.draftId,
        locale: 'vi',
        answers: buildAnswers(next.questionnaire),
      }),
    );
    expect(listResponses(core.db, core.deviceId).find((x) => x.id === s2.id)).toMatchObject({
      procedureCode: '1.001612',
      caseNumber: 'HS-2026/0042',
    });

    expect(auditRows('set_assignment').at(-1)).toMatchObject({ procedureCode: '1.001612', caseNumber: 'HS-2026/0042' });
    expect(json<{ procedure: { code: string } }>(kioskctl(t.dir, 'status', '--json')).procedure.code).toBe('1.001612');
    // The staff panel sees it as recent.
    const session = okValue(await call(core, 'staffUnlock', { pin: '1357' })).session;
    expect(okValue(await call(core, 'staffContext', { session })).recent[0]).toBe('1.001612');
  });

  it('--facts sets the case facts the next respondent is evaluated with; status shows them', async () => {
    const facts = { dueAt: '2026-12-10T17:00:00+07:00', returnedAt: '2026-12-08T09:00:00+07:00', returnVisits: 0 };
    const out = json<Record<string, unknown>>(
      kioskctl(t.dir, 'set-procedure', '1.001193', '--case', 'HS-F-1', '--facts', JSON.stringify(facts), '--json'),
    );
    expect(out).toMatchObject({ caseNumber: 'HS-F-1', facts, questionnaireId: 'per-case' });
    expect(json<{ caseFacts: unknown }>(kioskctl(t.dir, 'status', '--json')).caseFacts).toEqual(facts);
    const b = okValue(await call(core, 'beginResponse', {}));
    expect(b.assignment.facts).toEqual(facts);
    expect(b.questionnaire.questions.map((x) => x.id)).not.toContain('tong-thoi-gian');
    expect(b.questionnaire.questions.map((x) => x.id)).not.toContain('so-lan-lien-he');
  });

  it('without --case clears the case number', async () => {
    json(kioskctl(t.dir, 'set-procedure', '2.000815', '--json'));
    const b = okValue(await call(core, 'beginResponse', {}));
    expect(b.assignment).toMatchObject({ procedureCode: '2.000815', caseNumber: null, questionnaireId: 'quick' });
  });

  it('refuses a malformed or unknown code, or a bad case number, with a clear message and changes nothing', async () => {
    const auditBefore = auditRows('set_assignment').length;
    const before = okValue(await call(core, 'getKioskState', {})).assignment;
    const cases: [string[], number, RegExp][] = [
      [['set-procedure', '1.0011'], 2, /"1\.0011": expected a procedure code/],
      [['set-procedure', "1.001193'; DROP TABLE responses;--"], 2, /expected a procedure code/],
      [['set-procedure', '9.999999'], 1, /no procedure 9\.999999 in the kiosk's catalog/],
      [['set-procedure', '1.001193', '--case', 'HS 01'], 2, /--case "HS 01": expected a case number/],
      [['set-procedure', '1.001193', '--case', '../x'], 2, /--case "\.\.\/x"/],
      [['set-procedure', '1.001193', '--case', 'A'.repeat(41)], 2, /--case/],
      [['set-procedure'], 2, /set-procedure takes one procedure code/],
      [['set-procedure', '1.001193', '1.000894'], 2, /set-procedure takes one procedure code/],
      [['set-procedure', '1.001193', '--case', 'HS-1', '--facts', '{"dueAt":'], 2, /--facts: expected JSON/],
      [['set-procedure', '1.001193', '--case', 'HS-1', '--facts', '{"returnVisits":-1}'], 2, /--facts: returnVisits: /],
      [['set-procedure', '1.001193', '--case', 'HS-1', '--facts', '{"due":"x"}'], 2, /--facts: .*due/],
      [['set-procedure', '1.001193', '--facts', '{"returnVisits":0}'], 2, /--facts needs --case/],
    ];
    const results = await Promise.all(cases.map(([args]) => kioskctlAsync(t.dir, ...args)));
    for (const [i, [args, code, message]] of cases.entries()) {
      const r = results[i]!;
      expect(r.code, args.join(' ')).toBe(code);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.stdout).toBe('');
    }
    expect(auditRows('set_assignment')).toHaveLength(auditBefore);
    expect(okValue(await call(core, 'getKioskState', {})).assignment).toEqual(before);
  });
});

describe('kioskctl verify', { timeout: SLOW }, () => {
  it('passes on a good database and fails naming the missing seq after a row is deleted', () => {
    const good = kioskctl(t.dir, 'verify');
    expect(good.code, good.stderr).toBe(0);
    const n = listResponses(core.db, core.deviceId).length;
    expect(good.stdout).toContain(`ok: ${n} responses, sequence 1..${n} without gaps`);
    expect(json<{ ok: boolean; problems: string[] }>(kioskctl(t.dir, 'verify', '--json'))).toMatchObject({
      ok: true,
      problems: [],
    });

    // Someone deletes a row behind the kiosk's back (work on a copy of the data dir, so the live core is untouched).
    const copy = tempDir('kiosk-ctl-gap-');
    try {
      core.db.exec(`VACUUM INTO '${databasePath(copy.dir).replace(/'/g, "''")}'`);
      const raw = new Database(databasePath(copy.dir));
      raw.prepare('DELETE FROM responses WHERE seq = 3').run();
      raw.close();
      const bad = kioskctl(copy.dir, 'verify');
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/sequence gap: 3\.\.3 missing/);
      const badJson = kioskctl(copy.dir, 'verify', '--json');
      expect(badJson.code).toBe(1);
      expect(JSON.parse(badJson.stderr)).toMatchObject({ ok: false, problems: ['sequence gap: 3..3 missing'] });

      const raw2 = new Database(databasePath(copy.dir));
      raw2.prepare('DELETE FROM responses WHERE seq IN (4, 5)').run();
      raw2.close();
      expect(kioskctl(copy.dir, 'verify').stderr).toMatch(/sequence gap: 3\.\.5 missing/);
    } finally {
      copy.cleanup();
    }
  });
});

describe('kioskctl config', { timeout: SLOW }, () => {
  it('gets and sets a string setting; the live core uses it', async () => {
    expect(kioskctl(t.dir, 'config', 'get', 'officeName').stdout.trim()).toBe(
      'Trung tâm Phục vụ hành chính công xã (demo)',
    );
    const set = kioskctl(t.dir, 'config', 'set', 'officeName', 'UBND xã Hải Long');
    expect(set.code, set.stderr).toBe(0);
    expect(kioskctl(t.dir, 'config', 'get', 'officeName').stdout.trim()).toBe('UBND xã Hải Long');
    expect(json<{ key: string; value: unknown }>(kioskctl(t.dir, 'config', 'get', 'officeName', '--json'))).toEqual({
      key: 'officeName',
      value: 'UBND xã Hải Long',
    });
    expect(okValue(await call(core, 'getKioskState', {})).settings.officeName).toBe('UBND xã Hải Long');
    // A string setting whose value looks like a number or JSON stays the string typed.
    expect(kioskctl(t.dir, 'config', 'set', 'counterName', '12').code).toBe(0);
    expect(okValue(await call(core, 'getKioskState', {})).settings.counterName).toBe('12');
    expect(kioskctl(t.dir, 'config', 'set', 'counterName', 'true').code).toBe(0);
    expect(kioskctl(t.dir, 'config', 'get', 'counterName', '--json').stdout).toContain('"value": "true"');
    expect(kioskctl(t.dir, 'config', 'set', 'abandonedPolicy', 'discard').code).toBe(0);
    expect(okValue(await call(core, 'getKioskState', {})).settings.abandonedPolicy).toBe('discard');
    expect(kioskctl(t.dir, 'config', 'set', 'abandonedPolicy', 'keep').code).toBe(0);
    const audited = auditRows('config_set');
    expect(audited).toContainEqual({ key: 'officeName', value: 'UBND xã Hải Long' });
  });

  it('gets and sets a number setting; the live core uses it', async () => {
    expect(kioskctl(t.dir, 'config', 'set', 'minSecondsBetweenResponses', '45').code).toBe(0);
    expect(
      json<{ value: unknown }>(kioskctl(t.dir, 'config', 'get', 'minSecondsBetweenResponses', '--json')).value,
    ).toBe(45);
    expect(okValue(await call(core, 'getKioskState', {})).settings.minSecondsBetweenResponses).toBe(45);
  });

  it('gets and sets a JSON array setting', async () => {
    const officers = [
      { id: 'cb01', name: 'Nguyễn Thị Lan' },
      { id: 'cb07', name: 'Lê Văn Hùng' },
    ];
    expect(kioskctl(t.dir, 'config', 'set', 'officers', JSON.stringify(officers)).code).toBe(0);
    expect(JSON.parse(kioskctl(t.dir, 'config', 'get', 'officers').stdout)).toEqual(officers);
    const session = okValue(await call(core, 'staffUnlock', { pin: '1357' })).session;
    expect(okValue(await call(core, 'staffContext', { session })).officers).toEqual(officers);
    expect(
      okValue(await call(core, 'setAssignment', { session, procedureCode: '1.001193', officerId: 'cb07' })).officerId,
    ).toBe('cb07');
    expect(
      errorOf(await call(core, 'setAssignment', { session, procedureCode: '1.001193', officerId: 'cb02' })).code,
    ).toBe('not_found');
    expect(kioskctl(t.dir, 'config', 'set', 'locales', '["vi","en","km"]').code).toBe(0);
    expect(okValue(await call(core, 'getKioskState', {})).settings.locales).toEqual(['vi', 'en', 'km']);
  });

  it('stores a PIN hashed, never shows it, and the new PIN unlocks while the old one does not', async () => {
    const set = kioskctl(t.dir, 'config', 'set', 'staffPin', '0246');
    expect(set.code, set.stderr).toBe(0);
    const get = kioskctl(t.dir, 'config', 'get', 'staffPin');
    expect(get.code).toBe(0);
    expect(get.stdout).not.toContain('0246');
    expect(get.stdout).toMatch(/hashed/);
    expect(kioskctl(t.dir, 'config', 'get', 'staffPin', '--json').stdout).not.toContain('0246');
    const stored = (core.db.prepare("SELECT value FROM settings WHERE key = 'staffPin'").get() as { value: string })
      .value;
    expect(stored).not.toContain('0246');
    expect(JSON.parse(stored)).toMatchObject({ scheme: 'scrypt' });
    expect(JSON.stringify(core.db.prepare('SELECT details FROM audit_log').all())).not.toContain('0246');

    expect(errorOf(await call(core, 'staffUnlock', { pin: '1357' })).code).toBe('bad_pin');
    // Leading zero kept: "0246" is not 246.
    okValue(await call(core, 'staffUnlock', { pin: '0246' }));
    expect(kioskctl(t.dir, 'config', 'set', 'adminPin', '97531864').code).toBe(0);
    expect(kioskctl(t.dir, 'config', 'get', 'adminPin').stdout).not.toContain('97531864');
  });

  it('refuses a PIN the admin panel would refuse, with the reason, and changes nothing', async () => {
    const before = core.db.prepare("SELECT key, value FROM settings WHERE key IN ('staffPin', 'adminPin')").all();
    const cases: [string, string, string, RegExp][] = [
      ['adminPin', '1111', 'too_short', /adminPin: an admin PIN has at least 6 digits/],
      ['adminPin', '111111', 'repeated', /adminPin: a PIN of one repeated digit/],
      ['adminPin', '123456', 'sequence', /adminPin: a PIN of consecutive digits/],
      ['adminPin', '924680', 'demo', /adminPin: this is the published demo PIN/],
      ['staffPin', '9876', 'sequence', /staffPin: a PIN of consecutive digits/],
    ];
    for (const [key, pin, reason, message] of cases) {
      const r = kioskctl(t.dir, 'config', 'set', key, pin);
      expect(r.code, `${key} ${pin}`).toBe(2);
      expect(r.stderr, `${key} ${pin}`).toMatch(message);
      const asJson = kioskctl(t.dir, 'config', 'set', key, pin, '--json');
      expect(JSON.parse(asJson.stderr)).toMatchObject({ reason });
    }
    // The staff PIN may not equal the admin PIN (here the admin PIN becomes one the staff PIN then copies).
    expect(kioskctl(t.dir, 'config', 'set', 'adminPin', '864209').code).toBe(0);
    const same = kioskctl(t.dir, 'config', 'set', 'staffPin', '864209');
    expect(same.code).toBe(2);
    expect(same.stderr).toMatch(/staffPin: the staff PIN and the admin PIN must differ/);
    const after = core.db.prepare("SELECT key, value FROM settings WHERE key IN ('staffPin', 'adminPin')").all();
    expect(after.find((r) => (r as { key: string }).key === 'staffPin')).toEqual(
      before.find((r) => (r as { key: string }).key === 'staffPin'),
    );
    okValue(await call(core, 'adminUnlock', { pin: '864209' }));
    expect(errorOf(await call(core, 'staffUnlock', { pin: '864209' })).code).toBe('bad_pin');
  });

  it('refuses invalid values and unknown keys with exit 2, naming the problem, and changes nothing', async () => {
    const settingsBefore = core.db.prepare('SELECT key, value FROM settings ORDER BY key').all();
    const cases: [string[], RegExp][] = [
      [['config', 'set', 'idleSeconds', '5'], /idleSeconds: .*>=10/],
      [['config', 'set', 'idleSeconds', 'abc'], /idleSeconds: .*expected number/i],
      [['config', 'set', 'idleSeconds', '12.5'], /idleSeconds: .*int/i],
      [['config', 'set', 'abandonedPolicy', 'delete'], /abandonedPolicy: /],
      [['config', 'set', 'locales', '[]'], /locales: .*/],
      [['config', 'set', 'locales', '["vi","English"]'], /locales: .*language tag/],
      [['config', 'set', 'officers', '[{"id":"a b","name":"X"}]'], /officers: /],
      [['config', 'set', 'officers', '{"id":"cb01"}'], /officers: .*array/i],
      [['config', 'set', 'officeName', ' '], /officeName: /],
      [['config', 'set', 'staffPin', '12'], /staffPin: .*4 to 8 digits/],
      [['config', 'set', 'staffPin', '12ab'], /staffPin: .*4 to 8 digits/],
      [['config', 'set', 'staffPin', '1234567890'], /staffPin: .*4 to 8 digits/],
      [['config', 'set', 'openingHours', '[{"days":[8],"from":"07:30","to":"11:30"}]'], /openingHours: /],
      [['config', 'set', 'openingHours', '[{"days":[1],"from":"11:30","to":"07:30"}]'], /from must be before to/],
      [['config', 'set', 'noSuchKey', '1'], /unknown setting "noSuchKey"/],
      [['config', 'get', 'noSuchKey'], /unknown setting "noSuchKey"/],
      [['config', 'get'], /usage: config get KEY/],
      [['config', 'set', 'idleSeconds'], /usage: config get KEY/],
    ];
    // Refusals write nothing, so they can run side by side.
    const results = await Promise.all(cases.map(([args]) => kioskctlAsync(t.dir, ...args)));
    for (const [i, [args, message]] of cases.entries()) {
      expect(results[i]!.code, args.join(' ')).toBe(2);
      expect(results[i]!.stderr, args.join(' ')).toMatch(message);
    }
    expect(core.db.prepare('SELECT key, value FROM settings ORDER BY key').all()).toEqual(settingsBefore);
  });
});
