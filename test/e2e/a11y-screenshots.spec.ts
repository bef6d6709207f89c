import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { test, expect, answer, holdStaffOpen, enterPin } from './support/host.ts';
import { VIEWPORTS, type ViewportName, axeFindings, settle } from './support/layout.ts';
import { shareHost } from './support/shared-host.ts';

// The README's pictures are refreshed on purpose (UPDATE_SCREENSHOTS=1 npm run test:e2e); an
// ordinary run writes to the ignored test-results/ so it never dirties the tree.
const SHOTS = resolve(
  import.meta.dirname,
  process.env.UPDATE_SCREENSHOTS === '1' ? '../../docs/screenshots' : '../../test-results/screenshots',
);

// A long thank-you so the screen stays put while it is photographed three times.
const shared = shareHost({ settings: { thankYouSeconds: '60' } });

// Every screen in every mode and size is checked by layout.spec.ts (in Vietnamese); here each screen
// is photographed on the three sizes, and checked with axe in the other language too.
for (const locale of ['vi', 'en'] as const) {
  test(`screenshots (1920x1080, 1080x1920, 1280x800) and axe: ${locale}`, async ({ page }) => {
    test.setTimeout(90_000);
    mkdirSync(SHOTS, { recursive: true });
    const findings: string[] = [];
    const shoot = async (screen: string) => {
      for (const name of Object.keys(VIEWPORTS) as ViewportName[]) {
        await page.setViewportSize(VIEWPORTS[name]);
        await settle(page);
        await page.screenshot({ path: `${SHOTS}/${screen}-${locale}-${name}.png` });
      }
      await page.setViewportSize(VIEWPORTS.landscape);
      if (locale === 'en') findings.push(...(await axeFindings(page, screen)));
    };

    await page.setViewportSize(VIEWPORTS.landscape);
    await shared.open(page);
    await page.locator(`[data-testid="language-option"][data-locale="${locale}"]`).click();
    await expect(page.locator('html')).toHaveAttribute('lang', locale);
    await shoot('attract');

    await page.getByTestId('attract-start').click();
    await expect(page.getByTestId('survey-progress')).toBeVisible();
    await expect(page.getByTestId('answer-option').first()).toBeVisible();
    await shoot('question');

    await answer(page, '5');
    await answer(page, '5');
    await answer(page, '2');
    await expect(page.getByTestId('comment-input')).toBeVisible();
    await shoot('comment');

    await page.getByTestId('survey-submit').click();
    await expect(page.getByTestId('thank-you')).toBeVisible();
    await shoot('thank-you');

    await page.getByTestId('thank-you-done').click();
    await expect(page.getByTestId('attract-start')).toBeVisible();
    // Language resets after each respondent; pick it again so the staff screen is in this locale.
    await page.locator(`[data-testid="language-option"][data-locale="${locale}"]`).click();
    await holdStaffOpen(page);
    await enterPin(page, '1357');
    await expect(page.getByTestId('procedure-search')).toBeVisible();
    await shoot('staff');
    expect(findings).toEqual([]);
  });
}
