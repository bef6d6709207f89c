// centralctl for the counter bridge (issue 11): integration keys, placing a kiosk at a counter, and an
// invitation from the command line reaching the kiosk's stream.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, onTestFinished, test } from 'vitest';
import { runCommand } from '../../central/cli/commands.ts';
import type { TestCentral } from '../support/central.ts';
import { enrolled } from '../support/central.ts';
import { tempDir } from '../support/tmp.ts';
import { sharedCentral } from './backends.ts';
import { PROCEDURE, openStream, postInvitation } from './bridge-support.ts';

const ctl = async (central: TestCentral, args: string[], cwd = process.cwd()) => {
  let stdout = '';
  let stderr = '';
  const code = await runCommand(args, {
    db: central.db,
    centralKey: () => central.centralKey,
    cwd,
    out: (t) => (stdout += t),
    err: (t) => (stderr += t),
    now: () => new Date(),
  });
  return { code, stdout, stderr };
};

// PGlite only: the commands run the same SQL on both backends (the API tests cover PostgreSQL).
const central = sharedCentral('pglite');

test('integration-key create prints the secret once; list shows it without; revoke refuses it at once', async () => {
  await ctl(central(), ['device-counter', (await enrolled(central())).id, 'quay-k']);
  const created = await ctl(central(), ['integration-key', 'create', '--label', 'Một cửa tỉnh', '--unit', 'default']);
  expect(created.code).toBe(0);
  const secret = created.stdout.trim();
  expect(secret).toMatch(/^kb_[A-Za-z0-9_-]{43}$/);
  const list = await ctl(central(), ['integration-key', 'list', '--json']);
  expect(list.stdout).not.toContain(secret);
  const [key] = JSON.parse(list.stdout) as { id: string; label: string; unitIds: string[] }[];
  expect(key).toMatchObject({ label: 'Một cửa tỉnh', unitIds: ['default'] });
  const body = { unitId: 'default', counterId: 'quay-k', caseNumber: 'HS-K', procedureCode: PROCEDURE() };
  expect((await postInvitation(central(), secret, body)).status).toBe(201);
  expect((await ctl(central(), ['integration-key', 'revoke', key!.id])).code).toBe(0);
  expect((await postInvitation(central(), secret, body)).status).toBe(401);
  expect((await ctl(central(), ['integration-key', 'revoke', key!.id])).code).toBe(1);
  expect((await ctl(central(), ['integration-key', 'create', '--label', 'x', '--unit', 'no-such-unit'])).code).toBe(1);
});

test('device-counter places a kiosk; invite reaches its stream; bad options are named', async () => {
  const kiosk = await enrolled(central());
  expect((await ctl(central(), ['device-counter', kiosk.id, 'quay 1'])).code).toBe(2);
  expect((await ctl(central(), ['device-counter', 'no-such-device', 'quay-1'])).code).toBe(1);
  expect((await ctl(central(), ['device-counter', kiosk.id, 'quay-c'])).stdout).toContain('quay-c');
  const stream = await openStream(central(), kiosk);
  try {
    const { dir, cleanup } = tempDir('facts-');
    onTestFinished(cleanup);
    writeFileSync(join(dir, 'facts.json'), JSON.stringify({ timesReturned: 0 }));
    const args = ['invite', '--unit', 'default', '--counter', 'quay-c', '--case', 'HS-CLI', '--procedure', PROCEDURE()];
    const badCase = await ctl(central(), [...args.slice(0, 6), 'HS CLI', ...args.slice(7)]);
    expect(badCase).toMatchObject({ code: 2, stderr: expect.stringContaining('--case') });
    const badFacts = await ctl(central(), [...args, '--facts', 'facts.json'], dir);
    expect(badFacts).toMatchObject({ code: 2, stderr: expect.stringContaining('--facts') });
    const wrongProc = await ctl(central(), [...args.slice(0, 8), '9.999999']);
    expect(wrongProc).toMatchObject({ code: 1, stderr: expect.stringContaining('9.999999') });
    const sent = await ctl(central(), [...args, '--officer', 'cb-1', '--ttl', '60']);
    expect(sent.code).toBe(0);
    const [got] = await stream.waitFor(1);
    expect(got).toMatchObject({ id: sent.stdout.trim(), caseNumber: 'HS-CLI', officerId: 'cb-1' });
    expect((await ctl(central(), ['device-counter', kiosk.id, '--clear'])).stdout).toContain('no counter');
  } finally {
    stream.close();
  }
});
