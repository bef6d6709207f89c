import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from '@playwright/test';
import { EMBEDDED_CONFIG_DIR } from '../../shared/node/config-loader.ts';
import { QUICK_PROCEDURE, answer } from './support/host.ts';
import {
  cleanupTempDirs,
  consoleLogin,
  issueCodeForNewUnit,
  enrolKioskDir,
  runBin,
  scratchDir,
  startSyncingHost,
  stopProcess,
  test,
} from './support/central-process.ts';

test.afterAll(cleanupTempDirs);

type Stored = { questionnaireId: string; questionnaireVersion: number; status: string };
const responses = (dir: string): Stored[] =>
  JSON.parse(runBin('kioskctl', ['responses', '--json', '--data-dir', dir])) as Stored[];

test('a questionnaire version published in the console reaches a syncing kiosk between respondents; the console sees it run it', async ({
  page,
  context,
  central,
}) => {
  test.setTimeout(150_000);
  await consoleLogin(page, central, central.admin.username, central.admin.password);
  const code = await issueCodeForNewUnit(page, central, 'xa-cau-hinh');

  // A kiosk of that unit, enrolled with the code, on the quick questionnaire, its sync engine on.
  const kioskDir = scratchDir('kiosk-config-');
  const deviceId = enrolKioskDir(kioskDir, central.url, code);
  runBin('kioskctl', ['set-procedure', QUICK_PROCEDURE, '--data-dir', kioskDir]);
  const host = await startSyncingHost(kioskDir);
  try {
    const kiosk = await context.newPage();
    await kiosk.goto(host.url);
    await kiosk.getByTestId('attract-start').click();
    const heading = kiosk.getByRole('heading', { level: 1 });
    await expect(heading).toContainText('Nhìn chung, ông/bà có hài lòng');
    // A respondent is on question 1 (version 1) while IT publishes version 2.

    const v2 = JSON.parse(readFileSync(join(EMBEDDED_CONFIG_DIR, 'questionnaires', 'quick.json'), 'utf8')) as {
      version: number;
      questions: { text: { vi: string; en?: string } }[];
    };
    v2.version = 2;
    v2.questions[0]!.text = {
      vi: 'Nhìn chung (bản 2), ông/bà có hài lòng không?',
      en: 'Overall (version 2), are you satisfied?',
    };
    const file = join(kioskDir, 'quick-v2.json');
    writeFileSync(file, JSON.stringify(v2, null, 2));
    await page.goto(`${central.url}/console/config`);
    await page.getByLabel('Dựa trên cấu hình hiện tại của đơn vị').selectOption('xa-cau-hinh');
    await page.getByTestId('config-file').setInputFiles(file);
    await page.getByTestId('config-submit').click();
    await expect(page.getByTestId('config-ok')).toBeVisible();
    await expect(page.getByLabel(/Xã xa-cau-hinh/)).toBeChecked();
    await page.getByTestId('publish-submit').click();
    const published = page.locator('[data-testid="publish-result"][data-unit="xa-cau-hinh"]');
    await expect(published).toHaveAttribute('data-status', 'published');
    const draft = (await page.getByTestId('draft-version').innerText()).trim();
    // Central names its contact key in the version it publishes (central/ops/configs.ts): draft + ".k" + 6 hex.
    const escaped = draft.replace(/[.*+?^$|()[\]{}\\]/g, '\\$&');
    const version = new RegExp(`^${escaped}\\.k[0-9a-f]{6}$`);
    await expect(published).toContainText(draft);

    // The console sees the kiosk switch (its heartbeats report the version it runs)…
    await expect(async () => {
      await page.goto(`${central.url}/console/config`);
      await expect(page.locator(`[data-testid="kiosk-config"][data-device="${deviceId}"]`)).toHaveAttribute(
        'data-running',
        version,
        { timeout: 1_000 },
      );
    }).toPass({ timeout: 30_000 });
    await expect(page.locator(`[data-testid="kiosk-config"][data-device="${deviceId}"]`)).toHaveAttribute(
      'data-state',
      'current',
    );

    // …while the respondent in the middle finishes on version 1.
    await expect(heading).toContainText('Nhìn chung, ông/bà có hài lòng');
    for (const v of ['5', '5', '2']) await answer(kiosk, v);
    await kiosk.getByTestId('survey-submit').click();
    await expect(kiosk.getByTestId('thank-you')).toBeVisible();
    await kiosk.getByTestId('thank-you-done').click();

    // The next respondent gets version 2.
    await kiosk.getByTestId('attract-start').click();
    await expect(heading).toContainText('Nhìn chung (bản 2)');
    for (const v of ['5', '5', '2']) await answer(kiosk, v);
    await kiosk.getByTestId('survey-submit').click();
    await expect(kiosk.getByTestId('thank-you')).toBeVisible();

    const stored = responses(kioskDir);
    expect(stored.map((r) => [r.questionnaireId, r.questionnaireVersion, r.status])).toEqual([
      ['quick', 1, 'complete'],
      ['quick', 2, 'complete'],
    ]);
    // Both reach central over the network: no gaps.
    await expect(async () => {
      await page.goto(`${central.url}/console/devices/${deviceId}`);
      await expect(page.getByTestId('reconcile-status')).toContainText('đủ từ số 1 đến 2', { timeout: 1_000 });
    }).toPass({ timeout: 30_000 });
  } finally {
    await stopProcess(host.proc);
  }
});
