// Follow-up contacts on the kiosk (issue 12), through dispatch() as the touch UI calls it, against a real
// SQLite file: stored sealed with its response or not at all, never in clear anywhere the kiosk writes.
import { appendFileSync, existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { responses as kioskctlResponses } from '../../electron/cli/commands.ts';
import { writeChoice } from '../../electron/core/assignment.ts';
import { databasePath, openKioskCore } from '../../electron/core/kiosk-core.ts';
import { createBatchBuilder } from '../../electron/core/sync/batch-builder.ts';
import { ensureDeviceKey } from '../../electron/core/sync/device-key.ts';
import { exportBatches } from '../../electron/core/sync/offline.ts';
import type { Answers } from '../../shared/answers.ts';
import { CONSENT_TEXT_VERSION } from '../../shared/follow-up-offer.ts';
import { type ContactKeyPair, newContactKeyPair, openContact } from '../../shared/node/contact-seal.ts';
import { privateKeyFrom } from '../../shared/node/signing.ts';
import { BatchEnvelope, type PublishedConfig, Signed } from '../../shared/sync.ts';
import { call, errorOf, fakeClock, okValue, rowCount } from '../support/kiosk.ts';
import { tempDir } from '../support/tmp.ts';

const cleanups: (() => void)[] = [];
afterEach(() =>
  cleanups
    .splice(0)
    .reverse()
    .forEach((c) => c()),
);

/** Chứng thực bản sao từ bản chính: the quick questionnaire (overall satisfaction5 feeds csat). */
const QUICK = '2.000815';
const PHONE_TYPED = '091 234 5678';
const PHONE = '0912345678';
const NAME = 'Nguyễn Thị Lan';
const LOW: Answers = { overall: 2, attitude: 3, time: 1, problems: ['cho-lau'] };
const consent = { textVersion: CONSENT_TEXT_VERSION, accepted: true };

/** A kiosk whose log goes to a file (as the shell's does), running a configuration with central's contact key. */
const setup = (options: { contactKey?: boolean } = {}) => {
  const t = tempDir('kiosk-follow-up-');
  cleanups.push(t.cleanup);
  const logFile = join(t.dir, 'main.log');
  const clock = fakeClock();
  const core = openKioskCore({
    dataDir: t.dir,
    clock,
    log: (level, message, data) => appendFileSync(logFile, `${level} ${message} ${JSON.stringify(data ?? null)}\n`),
  });
  cleanups.push(() => core.close());
  const central: ContactKeyPair = newContactKeyPair();
  const published: PublishedConfig = {
    version: 'central-7',
    publishedAt: '2026-03-01T00:00:00.000Z',
    bundle: core.config().bundle,
    ...(options.contactKey !== false && { contactKey: { keyId: central.keyId, publicKey: central.publicKey } }),
  };
  expect(core.applyPublishedConfig(published).ok).toBe(true);
  writeChoice(core.db, {
    procedureCode: QUICK,
    caseNumber: null,
    officerId: null,
    counterId: null,
    setAt: '2026-03-01T00:00:00.000Z',
  });
  return { dir: t.dir, logFile, clock, core, central };
};

const begin = async (core: ReturnType<typeof setup>['core']) => okValue(await call(core, 'beginResponse', {}));

/** Every place the kiosk writes bytes: the database, its WAL, its log, and what an export put on the stick. */
const bytesOf = (files: string[]): Buffer =>
  Buffer.concat(files.filter((f) => existsSync(f)).map((f) => readFileSync(f)));

/** The search is over the right bytes: the consent record (in clear by design) is in them. */
const expectContactRowIn = (haystack: Buffer) =>
  expect(haystack.includes(Buffer.from(CONSENT_TEXT_VERSION, 'utf8'))).toBe(true);

const expectAbsent = (haystack: Buffer, where: string) => {
  for (const needle of [PHONE, PHONE_TYPED, '912345678', NAME, 'Thị Lan'])
    expect(haystack.includes(Buffer.from(needle, 'utf8')), `"${needle}" found in ${where}`).toBe(false);
};

describe('follow-up contact on the kiosk', () => {
  it('a low rating with a contact: the response and its sealed contact are stored together, open only with central’s key, and the batch carries them', async () => {
    const { dir, core, central, clock } = setup();
    const draft = await begin(core);
    expect(draft.followUp).toBe(true);
    clock.advance(30_000);
    const stored = okValue(
      await call(core, 'submitResponse', {
        draftId: draft.draftId,
        locale: 'vi',
        answers: LOW,
        contact: { details: { phone: PHONE_TYPED, name: NAME }, consent },
      }),
    );
    expect(rowCount(core.db, 'responses')).toBe(1);
    const row = core.db.prepare('SELECT response_id, body FROM follow_up_contacts').get() as {
      response_id: string;
      body: string;
    };
    expect(row.response_id).toBe(stored.id);
    const contact = JSON.parse(row.body) as { responseId: string; consent: unknown; sealed: never };
    expect(contact.consent).toEqual({
      purpose: 'follow-up',
      textVersion: CONSENT_TEXT_VERSION,
      locale: 'vi',
      givenAt: new Date(clock.now()).toISOString(),
    });
    // Only central's private key opens it, and only for this response.
    expect(openContact(central, stored.id, contact.sealed)).toEqual({ phone: PHONE, name: NAME });
    expect(() => openContact(newContactKeyPair(), stored.id, contact.sealed)).toThrow();

    // The sync batch carries the contact beside its response.
    const key = ensureDeviceKey(dir, core.deviceId);
    const batch = await createBatchBuilder({
      db: core.db,
      deviceId: core.deviceId,
      privateKey: privateKeyFrom(key.privateKey),
    }).build(1, 1);
    const signed = Signed.parse(JSON.parse(gunzipSync(batch.body).toString('utf8')));
    const envelope = BatchEnvelope.parse(JSON.parse(Buffer.from(signed.payload, 'base64url').toString('utf8')));
    expect(envelope.contacts).toHaveLength(1);
    expect(openContact(central, stored.id, envelope.contacts![0]!.sealed)).toEqual({ phone: PHONE, name: NAME });
  });

  it('the number and the name are found in clear nowhere: SQLite file, WAL, log, kioskctl responses, .kbatch export', async () => {
    const { dir, core, logFile, clock } = setup();
    for (let i = 0; i < 3; i++) {
      const draft = await begin(core);
      clock.advance(60_000);
      const contact = i === 1 ? { details: { phone: PHONE_TYPED, name: NAME }, consent } : undefined;
      const input = { draftId: draft.draftId, locale: 'vi', answers: LOW, contact };
      if (i === 1) {
        // The disk refuses the first try: the failure is logged (with the draft, never the contact).
        core.db.pragma('query_only = ON');
        expect(errorOf(await call(core, 'submitResponse', input)).code).toBe('storage_unavailable');
        core.db.pragma('query_only = OFF');
      }
      okValue(await call(core, 'submitResponse', input));
    }
    expect(readFileSync(logFile, 'utf8')).toMatch(/response not stored/);
    // A refused one too (a name too long): its text must not reach the log or the file either.
    const refused = await begin(core);
    const longName = `${NAME} ${'x'.repeat(200)}`;
    errorOf(
      await call(core, 'submitResponse', {
        draftId: refused.draftId,
        locale: 'vi',
        answers: LOW,
        contact: { details: { phone: PHONE, name: longName }, consent },
      }),
    );
    expect(rowCount(core.db, 'follow_up_contacts')).toBe(1);

    const db = databasePath(dir);
    expect(existsSync(`${db}-wal`)).toBe(true);
    expectContactRowIn(bytesOf([db, `${db}-wal`]));
    expectAbsent(bytesOf([db, `${db}-wal`]), 'the SQLite file or its WAL');
    expectAbsent(
      Buffer.from(kioskctlResponses(core.db, 0).text + JSON.stringify(kioskctlResponses(core.db, 0).out)),
      'kioskctl responses',
    );

    const usb = tempDir('kiosk-usb-');
    cleanups.push(usb.cleanup);
    ensureDeviceKey(dir, core.deviceId);
    const exported = await exportBatches({ db: core.db, deviceId: core.deviceId, dataDir: dir, outDir: usb.dir });
    expect(exported.ok).toBe(true);
    const kbatch = readdirSync(usb.dir).filter((f) => f.endsWith('.kbatch'));
    expect(kbatch).toHaveLength(1);
    const body = readFileSync(join(usb.dir, kbatch[0]!));
    const signedJson = gunzipSync(body);
    const payload = Buffer.from((JSON.parse(signedJson.toString('utf8')) as { payload: string }).payload, 'base64url');
    expectContactRowIn(payload);
    expectAbsent(Buffer.concat([body, signedJson, payload]), 'the .kbatch export');

    core.close();
    expectContactRowIn(bytesOf([db]));
    expectAbsent(bytesOf([db, `${db}-wal`, logFile]), 'the SQLite file after checkpoint, or the log');
  });

  const badContacts: [string, unknown, RegExp][] = [
    ['a malformed number', { details: { phone: '12345' }, consent }, /Vietnamese phone number/],
    ['a number with letters', { details: { phone: '09a2345678' }, consent }, /Vietnamese phone number/],
    ['no consent at all', { details: { phone: PHONE } }, /consent/],
    ['a consent not accepted', { details: { phone: PHONE }, consent: { ...consent, accepted: false } }, /accept/],
    ['a consent to another text', { details: { phone: PHONE }, consent: { ...consent, textVersion: 'v0' } }, /text/],
    ['a 10 KB name', { details: { phone: PHONE, name: 'Lan '.repeat(2_560) }, consent }, /at most 80/],
  ];
  for (const [what, contact, message] of badContacts) {
    it(`${what}: a clear message, nothing stored, and the same survey can still be sent without a contact`, async () => {
      const { core } = setup();
      const draft = await begin(core);
      const input = { draftId: draft.draftId, locale: 'vi', answers: LOW };
      const err = errorOf(await call(core, 'submitResponse', { ...input, contact }));
      expect(err.code).toBe('invalid_input');
      const issues = err.code === 'invalid_input' ? err.issues : [];
      expect(issues.some((i) => i.path.startsWith('contact') && message.test(`${i.path}: ${i.message}`))).toBe(true);
      expect(rowCount(core.db, 'responses')).toBe(0);
      expect(rowCount(core.db, 'follow_up_contacts')).toBe(0);
      okValue(await call(core, 'submitResponse', input));
      expect(rowCount(core.db, 'follow_up_contacts')).toBe(0);
    });
  }

  it('refused when not offered: no contact key from central, or answers that do not call for it; nothing stored', async () => {
    const without = setup({ contactKey: false });
    const draft = await begin(without.core);
    expect(draft.followUp).toBe(false);
    const contact = { details: { phone: PHONE }, consent };
    const err = errorOf(
      await call(without.core, 'submitResponse', { draftId: draft.draftId, locale: 'vi', answers: LOW, contact }),
    );
    expect(err).toMatchObject({ code: 'invalid_input', message: /does not take follow-up contacts/ });
    expect(rowCount(without.core.db, 'responses')).toBe(0);

    const { core } = setup();
    const happy = await begin(core);
    const satisfied = { overall: 5, attitude: 5, time: 3 };
    const refused = errorOf(
      await call(core, 'submitResponse', { draftId: happy.draftId, locale: 'vi', answers: satisfied, contact }),
    );
    expect(refused).toMatchObject({ code: 'invalid_input', message: /do not call for a follow-up/ });
    expect(rowCount(core.db, 'responses')).toBe(0);
    // An abandoned survey never carries a contact: the method has no such field.
    const abandoned = errorOf(
      await call(core, 'abandonResponse', { draftId: happy.draftId, locale: 'vi', answers: LOW, contact }),
    );
    expect(abandoned.code).toBe('invalid_input');
    expect(rowCount(core.db, 'follow_up_contacts')).toBe(0);
  });

  it('a survey keeps the contact key it began with: a configuration without one published meanwhile does not drop the contact', async () => {
    const { core, central } = setup();
    const draft = await begin(core);
    const published = { version: 'central-8', publishedAt: '2026-03-02T00:00:00.000Z', bundle: core.config().bundle };
    expect(core.applyPublishedConfig(published).ok).toBe(true);
    expect(core.config().contactKey).toBeUndefined();
    const contact = { details: { phone: PHONE }, consent };
    const stored = okValue(
      await call(core, 'submitResponse', { draftId: draft.draftId, locale: 'en', answers: LOW, contact }),
    );
    const body = (core.db.prepare('SELECT body FROM follow_up_contacts').get() as { body: string }).body;
    const sealed = JSON.parse(body) as { sealed: never; consent: { locale: string } };
    expect(sealed.consent.locale).toBe('en');
    expect(openContact(central, stored.id, sealed.sealed)).toEqual({ phone: PHONE });
    expect((await begin(core)).followUp).toBe(false);
  });
});
