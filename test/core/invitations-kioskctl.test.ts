// kioskctl invite / invitations (issue 11): IT's way to invite the next citizen, against a running core.
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../electron/cli/kioskctl.ts';
import { type KioskCore, openKioskCore } from '../../electron/core/kiosk-core.ts';
import { CASE_FACTS, PER_CASE_PROCEDURE } from '../support/invitations.ts';
import { call, kioskctlAsync, okValue, rowCount, silentLog } from '../support/kiosk.ts';
import { tempDir } from '../support/tmp.ts';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

let template: { dir: string; cleanup: () => void };
beforeAll(() => {
  template = tempDir('kioskctl-invite-template-');
  openKioskCore({ dataDir: template.dir, log: silentLog }).close();
});
afterAll(() => template.cleanup());

const setup = (): { core: KioskCore; dir: string } => {
  const t = tempDir('kioskctl-invite-');
  cleanups.push(t.cleanup);
  copyFileSync(join(template.dir, 'kiosk.sqlite'), join(t.dir, 'kiosk.sqlite'));
  const core = openKioskCore({ dataDir: t.dir, log: silentLog });
  cleanups.push(() => core.close());
  return { core, dir: t.dir };
};

const ctl = (dir: string, ...args: string[]) => run([...args, '--data-dir', dir, '--json']);

describe('kioskctl invite', () => {
  it('invites: prints the id and status, the running kiosk shows it, invitations lists it', async () => {
    const { core, dir } = setup();
    const factsFile = join(dir, 'facts.json');
    writeFileSync(factsFile, JSON.stringify(CASE_FACTS));
    const out = ctl(dir, 'invite', '--case', 'HS-77', '--procedure', PER_CASE_PROCEDURE, '--officer', 'cb02');
    expect(out.exitCode, out.text).toBe(0);
    const { id, status } = out.out as { id: string; status: string };
    expect(status).toBe('delivered');
    const state = okValue(await call(core, 'getKioskState', {}));
    expect(state.invitation).toMatchObject({ id, caseNumber: 'HS-77', officerId: 'cb02' });
    expect(state.assignment).toMatchObject({ procedureCode: PER_CASE_PROCEDURE, counterId: 'q1' }); // first counter
    // With facts from a file and a counter named: the next one replaces it.
    const second = ctl(dir, 'invite', '--case', 'HS-78', '--procedure', PER_CASE_PROCEDURE, '--counter', 'q2');
    expect(second.exitCode, second.text).toBe(0);
    const withFacts = ctl(dir, 'invite', '--case', 'HS-79', '--procedure', PER_CASE_PROCEDURE, '--facts', factsFile);
    expect(withFacts.exitCode, withFacts.text).toBe(0);
    expect(okValue(await call(core, 'getKioskState', {})).assignment.facts).toEqual(CASE_FACTS);
    const list = ctl(dir, 'invitations');
    expect((list.out as { caseNumber: string; status: string }[]).map((r) => [r.caseNumber, r.status])).toEqual([
      ['HS-79', 'delivered'],
      ['HS-78', 'replaced'],
      ['HS-77', 'replaced'],
    ]);
  });

  it('refuses bad input naming the flag, and an unknown procedure (stored as refused, never shown)', async () => {
    const { core, dir } = setup();
    expect(ctl(dir, 'invite', '--procedure', PER_CASE_PROCEDURE).exitCode).toBe(2);
    const badCase = ctl(dir, 'invite', '--case', 'HS 1', '--procedure', PER_CASE_PROCEDURE);
    expect([badCase.exitCode, badCase.text]).toEqual([2, expect.stringMatching(/^error: --case/)]);
    const badTtl = ctl(dir, 'invite', '--case', 'HS-1', '--procedure', PER_CASE_PROCEDURE, '--ttl', '5');
    expect([badTtl.exitCode, badTtl.text]).toEqual([2, expect.stringMatching(/--ttl/)]);
    const badOfficer = ctl(dir, 'invite', '--case', 'HS-1', '--procedure', PER_CASE_PROCEDURE, '--officer', 'a b');
    expect([badOfficer.exitCode, badOfficer.text]).toEqual([2, expect.stringMatching(/^error: --officer/)]);
    expect(rowCount(core.db, 'invitations')).toBe(0);
    const unknown = ctl(dir, 'invite', '--case', 'HS-1', '--procedure', '9.999999');
    expect([unknown.exitCode, unknown.text]).toEqual([1, expect.stringMatching(/9\.999999 is not in this kiosk/)]);
    expect((ctl(dir, 'invitations').out as { status: string }[]).map((r) => r.status)).toEqual(['refused']);
    expect(okValue(await call(core, 'getKioskState', {})).invitation).toBeNull();
  });

  it('from its own process, wakes the running kiosk screen that waits for an invitation', async () => {
    const { core, dir } = setup();
    const waiting = call(core, 'awaitInvitation', { knownId: null, waitMs: 15_000 });
    const r = await kioskctlAsync(dir, 'invite', '--case', 'HS-80', '--procedure', PER_CASE_PROCEDURE, '--json');
    expect(r.code, r.stderr).toBe(0);
    const { id } = JSON.parse(r.stdout) as { id: string };
    const sent = performance.now();
    expect(okValue(await waiting).invitation?.id).toBe(id);
    expect(performance.now() - sent).toBeLessThan(1_000);
  });
});
