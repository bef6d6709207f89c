import type { Page } from '@playwright/test';
import { test, expect, answer, next, typeKeys, enterPin } from './support/host.ts';
import { VIEWPORTS, type ViewportName, axeFindings, layoutProblems, setDisplayMode, settle } from './support/layout.ts';
import { shareHost } from './support/shared-host.ts';

// Long waits are skipped with Playwright's clock (idle prompt); nothing must time out mid-check.
const shared = shareHost({ settings: { thankYouSeconds: '60', idleSeconds: '600', countdownSeconds: '120' } });

/** axe-core runs once per display mode on every screen, each mode on another of the three screen sizes. */
const AXE_MODES = [
  { label: 'normal', text: 'normal', contrast: 'normal', viewport: 'landscape' },
  { label: 'larger text', text: 'large', contrast: 'normal', viewport: 'portrait' },
  { label: 'high contrast', text: 'normal', contrast: 'high', viewport: 'tablet' },
] as const;

/** Layout on every size in both text sizes, then axe in every mode; problems are collected, not thrown, so one run lists them all. */
const checker = (page: Page, problems: string[]) => async (screen: string) => {
  for (const name of Object.keys(VIEWPORTS) as ViewportName[]) {
    for (const text of ['normal', 'large'] as const) {
      await page.setViewportSize(VIEWPORTS[name]);
      await setDisplayMode(page, { text, contrast: 'normal' });
      await settle(page);
      problems.push(...(await layoutProblems(page)).map((p) => `${screen} @ ${name} ${text} text: ${p}`));
    }
  }
  for (const mode of AXE_MODES) {
    await page.setViewportSize(VIEWPORTS[mode.viewport]);
    await setDisplayMode(page, mode);
    await settle(page);
    problems.push(...(await axeFindings(page, `${screen} @ ${mode.label}`)));
  }
  await page.setViewportSize(VIEWPORTS.landscape);
  await setDisplayMode(page, { text: 'normal', contrast: 'normal' });
};

test('every screen holds on 1920x1080, 1080x1920 and 1280x800 in both text sizes, and passes axe in every display mode', async ({
  page,
}) => {
  test.setTimeout(300_000);
  const problems: string[] = [];
  const check = checker(page, problems);
  await page.clock.install();
  await page.setViewportSize(VIEWPORTS.landscape);
  await shared.open(page);
  await check('attract');

  await page.getByTestId('attract-start').click();
  await expect(page.getByTestId('answer-option').first()).toBeVisible();
  await check('satisfaction5');
  await answer(page, '2');
  await answer(page, '3');
  await check('satisfaction3');
  await answer(page, '1');
  // overall = 2: the follow-up multi-choice question.
  await answer(page, 'cho-lau', { advance: false });
  await check('multi-choice follow-up');
  await next(page);
  await expect(page.getByTestId('comment-input')).toBeVisible();
  await typeKeys(page, 'Toots');
  await expect(page.getByTestId('comment-input')).toHaveValue('Tốt');
  await check('comment with keyboard');

  await page.getByTestId('survey-exit').click();
  await expect(page.getByTestId('exit-confirm')).toBeVisible();
  await check('exit confirm');
  await page.getByTestId('exit-no').click();

  await page.clock.fastForward(600_000);
  await expect(page.getByTestId('idle-prompt')).toBeVisible();
  await check('idle prompt');
  await page.getByTestId('idle-continue').click();
  await expect(page.getByTestId('idle-prompt')).toBeHidden();

  await page.getByTestId('survey-submit').click();
  await expect(page.getByTestId('thank-you')).toBeVisible();
  await check('thank-you');
  await page.getByTestId('thank-you-done').click();
  await expect(page.getByTestId('attract-start')).toBeVisible();

  await page.keyboard.press('Control+Alt+KeyS');
  await expect(page.getByTestId('pin-input')).toBeVisible();
  await check('PIN pad');
  await enterPin(page, '1357');
  await expect(page.getByTestId('procedure-search')).toBeVisible();
  await check('staff workspace');
  await page.getByTestId('search-keyboard').click();
  await check('staff workspace with search keyboard');
  await page.getByTestId('staff-close').click();

  await page.keyboard.press('Control+Alt+KeyS');
  for (const pin of ['1111', '2222', '3333']) {
    await enterPin(page, pin);
    await expect(page.getByTestId('staff-error')).not.toBeEmpty();
  }
  await expect(page.locator('[data-testid="pin-key"][data-key="1"]')).toBeDisabled();
  await check('PIN lockout');
  await page.keyboard.press('Escape');

  shared.setProcedure('1.001193');
  await page.reload();
  await page.getByTestId('attract-start').click();
  await expect(page.locator('[data-testid="answer-option"][data-value="0"]')).toBeVisible();
  await check('per-case indicator');

  shared.setProcedure('1.001612');
  await page.reload();
  await page.getByTestId('attract-start').click();
  for (let i = 0; i < 13; i++) await answer(page, '4');
  await expect(page.locator('[data-testid="answer-option"][data-value="true"]')).toBeVisible();
  await check('SIPAS yes/no');

  expect(problems).toEqual([]);
});
