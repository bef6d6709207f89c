import AxeBuilder from '@axe-core/playwright';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Page } from '@playwright/test';
import { test, expect, answer, holdStaffOpen, enterPin } from './support/host.ts';

// The README's pictures are refreshed on purpose (UPDATE_SCREENSHOTS=1 npm run test:e2e); an
// ordinary run writes to the ignored test-results/ so it never dirties the tree.
const SHOTS = resolve(import.meta.dirname, process.env.UPDATE_SCREENSHOTS === '1' ? '../../docs/screenshots' : '../../test-results/screenshots');

const serious = async (page: Page, screen: string) => {
  const result = await new AxeBuilder({ page }).analyze();
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(bad.map((v) => `${screen}: ${v.id} (${v.impact}) ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`)).toEqual([]);
};

const VIEWPORTS = { landscape: { width: 1920, height: 1080 }, portrait: { width: 1080, height: 1920 } } as const;

for (const locale of ['vi', 'en'] as const) {
  for (const [orientation, viewport] of Object.entries(VIEWPORTS)) {
    test(`axe + screenshots: ${locale} ${orientation}`, async ({ kiosk: page }) => {
      test.setTimeout(50_000);
      mkdirSync(SHOTS, { recursive: true });
      await page.setViewportSize(viewport);
      const shot = async (screen: string) => {
        await page.waitForTimeout(300);
        await page.screenshot({ path: `${SHOTS}/${screen}-${locale}-${orientation}.png` });
      };
      const check = locale === 'vi' && orientation === 'landscape';

      await page.locator(`[data-testid="language-option"][data-locale="${locale}"]`).click();
      await expect(page.locator('html')).toHaveAttribute('lang', locale);
      await shot('attract');
      if (check) await serious(page, 'attract');

      await page.getByTestId('attract-start').click();
      await expect(page.getByTestId('survey-progress')).toBeVisible();
      await expect(page.getByTestId('answer-option').first()).toBeVisible();
      await shot('question');
      if (check) await serious(page, 'question');

      await answer(page, '5');
      await answer(page, '5');
      await answer(page, '2');
      await expect(page.getByTestId('comment-input')).toBeVisible();
      await shot('comment');
      if (check) await serious(page, 'comment');

      await page.getByTestId('survey-submit').click();
      await expect(page.getByTestId('thank-you')).toBeVisible();
      await shot('thank-you');
      if (check) await serious(page, 'thank-you');

      await page.getByTestId('thank-you-done').click();
      await expect(page.getByTestId('attract-start')).toBeVisible();
      // Language resets after each respondent; pick it again so the staff screen is in this locale.
      await page.locator(`[data-testid="language-option"][data-locale="${locale}"]`).click();
      await holdStaffOpen(page);
      await enterPin(page, '1357');
      await expect(page.getByTestId('procedure-search')).toBeVisible();
      await shot('staff');
      if (check) await serious(page, 'staff');
    });
  }
}
