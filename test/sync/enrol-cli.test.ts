import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { progressBar, runSyncCommand } from '../../electron/cli/sync-commands.ts';
import { DeviceKeyError, deviceKeyPath, readDeviceKey } from '../../electron/core/sync/device-key.ts';
import { enrol, readEnrolment } from '../../electron/core/sync/enrolment.ts';
import { resetEnrolment } from '../../electron/core/sync/enrolment-reset.ts';
import { queueDepth } from '../../electron/core/sync/sync-store.ts';
import { newKeyPair } from '../../shared/node/signing.ts';
import { kioskctl } from '../support/kiosk.ts';
import { tempDir } from '../support/tmp.ts';
import { type TestKiosk, insertBacklog, openTestKiosk, useCentralForFile } from './support/kiosk.ts';

const suite = useCentralForFile();
const { cleanups } = suite;
const kiosk = (): TestKiosk => {
  const k = openTestKiosk();
  cleanups.push(() => k.close());
  return k;
};
const sink = (isTTY = false) => {
  const chunks: string[] = [];
  return { chunks, write: (s: string) => chunks.push(s), isTTY, columns: 80 };
};

describe('enrolment', () => {
  it('makes a key pair (private key 0600), registers it, and remembers central, unit and key', async () => {
    const k = kiosk();
    const code = await suite.central.enrolmentCode();
    const r = await enrol({ db: k.db, dataDir: k.dataDir, centralUrl: suite.central.url, code, label: 'Quầy 1' });
    expect(r).toMatchObject({
      ok: true,
      retried: false,
      enrolment: {
        deviceId: k.deviceId,
        unit: suite.central.defaultUnit,
        centralPublicKey: suite.central.centralKey.publicKey,
      },
    });
    if (process.platform !== 'win32') expect(statSync(deviceKeyPath(k.dataDir)).mode & 0o777).toBe(0o600);
    const key = readDeviceKey(k.dataDir, k.deviceId)!;
    expect(readEnrolment(k.db)).toMatchObject({ centralUrl: `${suite.central.url}/`, publicKey: key.publicKey });
    // Enrolled: enrolling again is refused before central is asked (issue 14.4), until a reset.
    const refused = await enrol({ db: k.db, dataDir: k.dataDir, centralUrl: suite.central.url, code });
    expect(refused).toMatchObject({ ok: false, code: 'already_enrolled', status: null });
    // A retry after a lost answer (same code, same key: central has it, the kiosk has not) is accepted
    // as the same enrolment; a reset stands for the lost answer here.
    expect(resetEnrolment(k.db, 'kioskctl')).toMatchObject({ ok: true });
    const again = await enrol({ db: k.db, dataDir: k.dataDir, centralUrl: suite.central.url, code });
    expect(again).toMatchObject({ ok: true, retried: true });
    expect(readDeviceKey(k.dataDir, k.deviceId)!.publicKey).toBe(key.publicKey);
  });

  it('explains a refused code, and checks its shape before asking central', async () => {
    const k = kiosk();
    const used = await suite.central.enrolmentCode();
    const other = kiosk();
    expect((await enrol({ db: other.db, dataDir: other.dataDir, centralUrl: suite.central.url, code: used })).ok).toBe(
      true,
    );
    const r = await enrol({ db: k.db, dataDir: k.dataDir, centralUrl: suite.central.url, code: used });
    expect(r).toMatchObject({ ok: false, code: 'enrolment_code_invalid', status: 403 });
    expect(!r.ok && r.message).toMatch(/already used.*issue a new one/s);
    expect(await enrol({ db: k.db, dataDir: k.dataDir, centralUrl: suite.central.url, code: 'abc' })).toMatchObject({
      ok: false,
      code: 'invalid_code',
    });
    expect(await enrol({ db: k.db, dataDir: k.dataDir, centralUrl: 'ftp://x', code: used })).toMatchObject({
      ok: false,
      code: 'invalid_url',
    });
    expect(await enrol({ db: k.db, dataDir: k.dataDir, centralUrl: 'http://127.0.0.1:9', code: used })).toMatchObject({
      ok: false,
      code: 'network',
    });
    expect(readEnrolment(k.db)).toBeUndefined();
  });

  it('refuses a key file that is damaged or belongs to another device', async () => {
    const k = kiosk();
    writeFileSync(deviceKeyPath(k.dataDir), '{"format":"kiosk-device-key"}');
    expect(() => readDeviceKey(k.dataDir, k.deviceId)).toThrow(DeviceKeyError);
    const t = tempDir();
    cleanups.push(t.cleanup);
    const { ensureDeviceKey } = await import('../../electron/core/sync/device-key.ts');
    ensureDeviceKey(t.dir, 'someone-else');
    expect(() => readDeviceKey(t.dir, k.deviceId)).toThrow(/belongs to device someone-else/);
    // Halves that do not belong together are caught too.
    const file = JSON.parse(readFileSync(deviceKeyPath(t.dir), 'utf8')) as { publicKey: string; deviceId: string };
    writeFileSync(
      deviceKeyPath(t.dir),
      JSON.stringify({ ...file, deviceId: k.deviceId, publicKey: newKeyPair().publicKey }),
    );
    expect(() => readDeviceKey(t.dir, k.deviceId)).toThrow(/does not match/);
  });

  it("keeps the private key wrapped by a protector when one is given (the shell's safeStorage hook)", async () => {
    const k = kiosk();
    const { ensureDeviceKey } = await import('../../electron/core/sync/device-key.ts');
    const xor = (b: Buffer) => Buffer.from(b.map((x) => x ^ 0x5a));
    const protector = { name: 'test-xor', protect: xor, unprotect: xor };
    const key = ensureDeviceKey(k.dataDir, k.deviceId, protector);
    const file = readFileSync(deviceKeyPath(k.dataDir), 'utf8');
    expect(file).not.toContain(key.privateKey);
    expect(JSON.parse(file)).toMatchObject({ protectedBy: 'test-xor' });
    expect(readDeviceKey(k.dataDir, k.deviceId, protector)!.privateKey).toBe(key.privateKey);
    expect(() => readDeviceKey(k.dataDir, k.deviceId)).toThrow(/protected by test-xor/);
  });
});

describe('kioskctl enroll / sync / sync-status', () => {
  it('enrolls, syncs with a progress bar and a summary, and shows the status', async () => {
    const k = kiosk();
    insertBacklog(k.core, 2_100);
    const base = { 'data-dir': k.dataDir, json: false };
    const before = await runSyncCommand('sync-status', [], base, sink());
    expect(before.text).toMatch(/not enrolled/);
    const notYet = await runSyncCommand('sync', [], base, sink());
    expect(notYet.exitCode).toBe(1);
    expect(notYet.text).toMatch(/not_enrolled.*\n.*\n.*kioskctl enroll/s);

    const enrolled = await runSyncCommand(
      'enroll',
      [],
      { ...base, central: suite.central.url, code: await suite.central.enrolmentCode() },
      sink(),
    );
    expect(enrolled).toMatchObject({ exitCode: 0 });
    expect(enrolled.text).toContain(`device   ${k.deviceId}`);

    const plain = sink(false);
    const synced = await runSyncCommand('sync', [], base, plain);
    expect(synced.exitCode).toBe(0);
    expect(synced.text).toMatch(/^sent 2,100 responses in 3 batch\(es\): 2,100 inserted, 0 duplicates, 0 conflicts/);
    expect(synced.text).toMatch(/queue\s+0 waiting; acknowledged through seq 2,100/);
    // Not a terminal: one plain line per step, no carriage returns.
    const lines = plain.chunks.join('');
    expect(lines).not.toContain('\r');
    expect(lines).toMatch(/ 47% 1,000\/2,100 responses \(seq 1\.\.1000 acknowledged\)\n/);
    expect(lines).toMatch(/100% 2,100\/2,100 responses/);
    expect(queueDepth(k.db)).toBe(0);

    const status = await runSyncCommand('sync-status', [], base, sink());
    expect(status.text).toMatch(/queue\s+0 waiting; acknowledged through seq 2,100 of 2,100/);
    expect(status.text).toMatch(/last sync\s+\d{4}-/);
    expect(status.out).toMatchObject({ enrolled: true, queueDepth: 0, lastError: null });
  });

  it('takes the code from --code-file or from a prompt on a terminal, so it stays out of shell history', async () => {
    const byFile = kiosk();
    const t = tempDir();
    cleanups.push(t.cleanup);
    const codeFile = join(t.dir, 'code.txt');
    writeFileSync(codeFile, `\n  ${(await suite.central.enrolmentCode()).toLowerCase()}  \r\n`);
    const base = { 'data-dir': byFile.dataDir, json: false, central: suite.central.url };
    const fromFile = await runSyncCommand('enroll', [], { ...base, 'code-file': codeFile }, sink());
    expect(fromFile.exitCode, fromFile.text).toBe(0);
    expect(readEnrolment(byFile.db)).toMatchObject({ unit: suite.central.defaultUnit });

    const byPrompt = kiosk();
    const stdin = Object.assign(new PassThrough(), { isTTY: true });
    const err = sink();
    const typed = runSyncCommand('enroll', [], { ...base, 'data-dir': byPrompt.dataDir }, err, { stdin });
    stdin.end(`${await suite.central.enrolmentCode()}\n`);
    expect((await typed).exitCode).toBe(0);
    expect(err.chunks.join('')).toMatch(/enrolment code \(from the central console\): /);
    expect(readEnrolment(byPrompt.db)).toMatchObject({ unit: suite.central.defaultUnit });

    const both = await runSyncCommand('enroll', [], { ...base, code: 'X', 'code-file': codeFile }, sink());
    expect(both).toMatchObject({ exitCode: 2, text: expect.stringMatching(/either with --code or with --code-file/) });
    const missing = await runSyncCommand('enroll', [], { ...base, 'code-file': join(t.dir, 'nope') }, sink());
    expect(missing).toMatchObject({ exitCode: 2, text: expect.stringMatching(/cannot read the enrolment code from/) });
  });

  it('without a code and without a terminal, says how to give one (the real bin, stdin a pipe)', () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const r = kioskctl(t.dir, 'enroll', '--central', suite.central.url);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /no enrolment code: pass --code-file PATH \(or --code CODE\), or run kioskctl in a terminal/,
    );
    expect(existsSync(join(t.dir, 'kiosk.sqlite'))).toBe(false);
  });

  it('draws a bar redrawn in place on a terminal', () => {
    const tty = sink(true);
    const bar = progressBar(tty, 10);
    bar.update(0, 4, 'start');
    bar.update(2, 4, 'half');
    bar.update(4, 4, 'done');
    bar.end();
    expect(tty.chunks[0]).toMatch(/^\r\[-{10}\] {3}0% start/);
    expect(tty.chunks[1]).toMatch(/^\r\[#{5}-{5}\] {2}50% half/);
    expect(tty.chunks[2]).toMatch(/^\r\[#{10}\] 100% done/);
    expect(tty.chunks.at(-1)).toBe('\n');
    expect(tty.chunks.slice(0, 3).every((c) => c.length === 80)).toBe(true);
  });

  it('reports usage errors with exit code 2', async () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    expect((await runSyncCommand('enroll', [], { 'data-dir': t.dir, json: false }, sink())).exitCode).toBe(2);
    expect((await runSyncCommand('export', [], { 'data-dir': t.dir, json: false }, sink())).exitCode).toBe(2);
    expect(
      (await runSyncCommand('upload', [], { 'data-dir': t.dir, json: false, central: 'http://x' }, sink())).exitCode,
    ).toBe(2);
    expect((await runSyncCommand('sync', [], { 'data-dir': t.dir, json: false }, sink())).text).toMatch(
      /no kiosk database/,
    );
  });
});
