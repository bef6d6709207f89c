// The LAN bridge (issue 11) in the system Chromium: IT turns it on and shows a pairing code in the kiosk's
// admin panel; a counter PC's browser opens the kiosk's send page, is refused a wrong code, pairs with the
// right one and sees the kiosk's procedures; IT revokes it and the PC is refused and asked to pair again.
// Then the whole way in: a paired PC sends an invitation, the kiosk shows it, a citizen rates the case, the
// stored response carries it, and the PC's page follows the status to "answered".
import AxeBuilder from '@axe-core/playwright';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { openKioskCore } from '../../electron/core/kiosk-core.ts';
import { setSetting } from '../../electron/core/store/settings.ts';
import { freePort } from '../support/lan-bridge.ts';
import {
  type Host,
  answer,
  enterPin,
  expect,
  holdStaffOpen,
  kioskctl,
  startHost,
  stopHost,
  test,
} from './support/host.ts';

const ADMIN_PIN = '924680';

const openAdminLan = async (page: Page): Promise<void> => {
  await holdStaffOpen(page);
  await page.getByTestId('admin-open').click();
  await expect(page.getByTestId('admin-pin-input')).toBeVisible();
  await enterPin(page, ADMIN_PIN);
  await page.getByTestId('admin-tab-lan').click();
  await expect(page.getByTestId('admin-lan')).toBeVisible();
};

const seriousFindings = async (page: Page) =>
  (await new AxeBuilder({ page }).analyze()).violations.filter(
    (v) => v.impact === 'serious' || v.impact === 'critical',
  );

test.describe('LAN bridge pairing', () => {
  let host: Host;
  let dataDir: string;
  test.beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'kiosk-e2e-lan-'));
    // Prepared in this process (no host start just to create the database): loopback, a free port, still off.
    const core = openKioskCore({ dataDir, log: () => {} });
    setSetting(core.db, 'lanBridgeHost', '127.0.0.1');
    setSetting(core.db, 'lanBridgePort', await freePort());
    core.close();
    host = await startHost(dataDir);
  });
  test.afterAll(async () => {
    if (host) await stopHost(host);
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('pair a counter PC with a code from the admin panel, then revoke it', async ({ page, context }) => {
    await page.goto(host.url);
    await expect(page.getByTestId('attract-start')).toBeVisible({ timeout: 15_000 });
    await openAdminLan(page);
    await expect(page.getByTestId('admin-lan-state')).toHaveAttribute('data-enabled', 'false');
    await page.getByTestId('admin-lan-toggle').click();
    await expect(page.getByTestId('admin-lan-state')).toHaveAttribute('data-listening', 'true');
    const url = (await page.getByTestId('admin-lan-url').first().textContent())!.trim();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);

    await page.getByTestId('admin-lan-new-code').click();
    const code = (await page.getByTestId('admin-lan-code').getAttribute('data-code'))!;
    expect(code).toMatch(/^\d{8}$/);
    expect(await seriousFindings(page)).toEqual([]);

    // The counter PC: its own browser tab on the kiosk's LAN address.
    const pc = await context.newPage();
    await pc.goto(url);
    await expect(pc.locator('#pair')).toBeVisible();
    expect(await seriousFindings(pc)).toEqual([]);
    const wrong = String((Number(code) + 1) % 100_000_000).padStart(8, '0');
    await pc.locator('#code').fill(wrong);
    await pc.locator('#label').fill('Quầy 1 - máy cán bộ');
    await pc.locator('#pair button[type="submit"]').click();
    await expect(pc.locator('#notice')).toHaveText('Mã ghép nối không đúng. Còn 4 lần thử.');

    await pc.locator('#code').fill(code);
    await pc.locator('#pair button[type="submit"]').click();
    await expect(pc.locator('#send')).toBeVisible();
    await expect(pc.locator('#notice')).toHaveText('Đã ghép nối. Máy này có thể gửi lời mời.');
    await expect(pc.locator('#procedure option').first()).toHaveText(/^\d\.\d{6} — \S/);
    await expect(pc.locator('#paired-label')).toHaveText('Quầy 1 - máy cán bộ');
    expect(await seriousFindings(pc)).toEqual([]);

    // The admin panel lists the PC (it refreshes by itself); the code is gone once used.
    await expect(page.getByTestId('admin-lan-client')).toHaveCount(1);
    await expect(page.getByTestId('admin-lan-client')).toContainText('Quầy 1 - máy cán bộ');
    await expect(page.getByTestId('admin-lan-code')).toHaveCount(0);
    await page.getByTestId('admin-lan-revoke').click();
    await expect(page.getByTestId('admin-lan-client')).toHaveAttribute('data-revoked', 'true');

    // Revoked: the PC's next send is refused, nothing reaches the kiosk, and it is asked to pair again.
    await pc.locator('#case').fill('HS-2026-000123');
    await pc.locator('#send button[type="submit"]').click();
    await expect(pc.locator('#pair')).toBeVisible();
    await expect(pc.locator('#notice')).toHaveText(
      'Máy này chưa được ghép nối (hoặc đã bị thu hồi). Hãy ghép nối lại.',
    );
    expect(await pc.evaluate(() => localStorage.getItem('lanBridge'))).toBeNull();
  });

  test('a paired PC sends an invitation; the kiosk shows it, the citizen rates it, the PC sees it answered', async ({
    page,
    context,
  }) => {
    await page.goto(host.url);
    await expect(page.getByTestId('attract-start')).toBeVisible({ timeout: 15_000 });
    // IT's other way in: kioskctl (the bridge picks up the setting within a few seconds).
    kioskctl(dataDir, 'config', 'set', 'lanBridgeEnabled', 'true');
    const pairing = kioskctl(dataDir, 'lan-pair') as { code: string; port: number };
    const pc = await context.newPage();
    await expect(async () => {
      await pc.goto(`http://127.0.0.1:${pairing.port}/`);
    }).toPass({ timeout: 10_000 });
    await pc.locator('#code').fill(pairing.code);
    await pc.locator('#label').fill('Quầy 2 - máy cán bộ');
    await pc.locator('#pair button[type="submit"]').click();
    await expect(pc.locator('#send')).toBeVisible();

    await pc.locator('#case').fill('HS-LAN-0001');
    await pc.locator('#procedure').selectOption('1.001193');
    await pc.locator('#officer').fill('cb07');
    await pc.locator('#send button[type="submit"]').click();
    await expect(pc.locator('#last-case')).toHaveText('HS-LAN-0001');
    await expect(pc.locator('#last-status')).toHaveText('đang chờ công dân đánh giá');

    const banner = page.getByTestId('attract-invitation');
    await expect(banner).toContainText('Mời ông/bà đánh giá hồ sơ HS-LAN-0001', { timeout: 5_000 });
    await page.getByTestId('attract-start').click();
    // Without facts every per-case v2 question a citizen can judge is asked; answer until the end.
    for (let i = 0; i < 8 && !(await page.getByTestId('survey-submit').isVisible()); i++) await answer(page, '1');
    await page.getByTestId('survey-submit').click();
    await expect(page.getByTestId('thank-you')).toBeVisible();
    await expect(pc.locator('#last-status')).toHaveText('công dân đã đánh giá', { timeout: 5_000 });

    const [latest] = kioskctl(dataDir, 'invitations') as { source: string; status: string; responseId: string }[];
    expect(latest).toMatchObject({ source: 'lan', status: 'answered' });
    const responses = kioskctl(dataDir, 'responses') as Record<string, unknown>[];
    expect(responses.at(-1)).toMatchObject({
      id: latest!.responseId,
      questionnaireId: 'per-case',
      questionnaireVersion: 2,
      procedureCode: '1.001193',
      caseNumber: 'HS-LAN-0001',
      officerId: 'cb07',
    });
  });
});
