import { join } from 'node:path';
import { type Page, expect } from '@playwright/test';
import { answer } from './support/host.ts';
import {
  ROOT,
  cleanupTempDirs,
  enrolKioskDir,
  runBin,
  scratchDir,
  startSyncingHost,
  stopProcess,
  test,
} from './support/central-process.ts';
import { FACTS_ON_TIME, SOURCES_WITH_FACTS } from './support/per-case-v2.ts';

// The counter bridge's central way in (issue 11), end to end: a simulated one-stop system calls central's
// counter API with an integration key; the kiosk IT placed at that counter (enrolled, syncing, its outgoing
// stream open) shows the invitation at once; a citizen rates the case; central's copy after sync carries
// the case number, procedure, field, officer, counter and who gave each indicator; the invitation ends
// `answered` on central, naming the response; and a revoked key is refused with nothing stored.

test.afterAll(cleanupTempDirs);

const rateTheCase = async (page: Page) => {
  await page.getByTestId('attract-start').click();
  // Indicators 1 and 3 come from the facts: five questions, not seven.
  await expect(page.getByTestId('survey-progress')).toContainText('Câu 1/5');
  await answer(page, '1'); // agencies contacted
  await answer(page, '2'); // attitude
  await answer(page, '3'); // convenience
  await answer(page, '3'); // overall: the top of three levels (no follow-up is offered)
  await page.getByTestId('survey-submit').click();
  await expect(page.getByTestId('thank-you')).toBeVisible();
};

test('a one-stop system calls central; the kiosk at that counter shows it; the citizen rates it; central has it all', async ({
  central,
  page,
}) => {
  test.setTimeout(120_000);
  const ctl = (...args: string[]) => runBin('centralctl', ['--data-dir', central.dataDir, ...args]);
  const kioskDir = scratchDir('kiosk-e2e-bridge-');
  const deviceId = enrolKioskDir(kioskDir, central.url, central.enrolmentCode);
  const devices = JSON.parse(ctl('devices', '--json')) as { id: string; unit: string }[];
  const unitId = devices.find((d) => d.id === deviceId)!.unit;
  // IT: the unit's catalog published, the kiosk placed at counter q2, a key for the one-stop system.
  ctl('publish-config', join(ROOT, 'assets/config'), '--unit', unitId);
  ctl('device-counter', deviceId, 'q2');
  const secret = ctl('integration-key', 'create', '--label', 'Hệ thống một cửa', '--unit', unitId).trim();
  expect(secret).toMatch(/^kb_/);

  const host = await startSyncingHost(kioskDir);
  try {
    await page.goto(host.url);
    await expect(page.getByTestId('attract-start')).toBeVisible({ timeout: 15_000 });

    const post = (body: unknown, key = secret) =>
      fetch(`${central.url}/v1/counter/invitations`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const res = await post({
      unitId,
      counterId: 'q2',
      caseNumber: 'HS-CEN-0001',
      procedureCode: '1.001193',
      officerId: 'cb03',
      facts: FACTS_ON_TIME,
    });
    expect(res.status).toBe(201);
    const { invitation } = (await res.json()) as { invitation: { id: string } };

    // The kiosk's stream may still be connecting: the invitation is re-sent on connect, so it arrives anyway.
    const banner = page.getByTestId('attract-invitation');
    await expect(banner).toHaveAttribute('data-invitation-id', invitation.id, { timeout: 20_000 });
    await expect(banner).toContainText('Mời ông/bà đánh giá hồ sơ HS-CEN-0001');
    await rateTheCase(page);

    // Central: the invitation answered (the kiosk's status report), and the response after sync.
    const status = async () => {
      const r = await fetch(`${central.url}/v1/counter/invitations/${invitation.id}`, {
        headers: { authorization: `Bearer ${secret}` },
      });
      return ((await r.json()) as { status: string }).status;
    };
    await expect.poll(status, { timeout: 20_000 }).toBe('answered');
    type Exported = Record<string, unknown> & { caseNumber?: string };
    const held = async () =>
      ctl('export-responses', '--format', 'ndjson')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Exported)
        .find((r) => r.caseNumber === 'HS-CEN-0001');
    await expect.poll(held, { timeout: 20_000 }).toBeDefined();
    expect(await held()).toMatchObject({
      unitId,
      questionnaireId: 'per-case',
      questionnaireVersion: 2,
      procedureCode: '1.001193',
      fieldCode: 'ho-tich',
      officerId: 'cb03',
      counterId: 'q2',
      sources: SOURCES_WITH_FACTS,
    });

    // A revoked key: 401 with a clear code, nothing stored, nothing shown.
    const keys = JSON.parse(ctl('integration-key', 'list', '--json')) as { id: string }[];
    ctl('integration-key', 'revoke', keys[0]!.id);
    const refused = await post({ unitId, counterId: 'q2', caseNumber: 'HS-CEN-0002', procedureCode: '1.001193' });
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { error: string }).error).toBe('key_revoked');
    // Answered, the kiosk is back on its attract screen (the thank-you closes by itself) with no invitation.
    await expect(page.getByTestId('attract-start')).toBeVisible({ timeout: 20_000 });
    await expect(page.getByTestId('attract-invitation')).toHaveCount(0);
  } finally {
    await stopProcess(host.proc);
  }
});
