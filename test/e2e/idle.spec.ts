import type { Page } from '@playwright/test';
import { test, expect, answer, typeKeys } from './support/host.ts';
import { shareHost } from './support/shared-host.ts';

const shared = shareHost({ settings: { idleSeconds: '10', countdownSeconds: '3' } });

/** Playwright's clock skips the quiet time (10 s) and the countdown (3 s); the first test waits them out for real. */
const idleOut = async (page: Page) => {
  await page.clock.fastForward(10_500);
  await expect(page.getByTestId('idle-prompt')).toBeVisible();
  await page.clock.fastForward(3_500);
  await expect(page.getByTestId('attract-start')).toBeVisible();
};

test('idle mid-survey: prompt with a countdown, abandoned record stored, attract screen back', async ({ page }) => {
  test.setTimeout(45_000);
  await shared.open(page);
  const since = shared.lastSeq();
  await page.getByTestId('attract-start').click();
  await answer(page, '4');
  await expect(page.getByTestId('idle-prompt')).toBeVisible({ timeout: 15_000 });
  await expect(page.getByTestId('idle-countdown')).toHaveText(/^[1-3]$/);
  await expect(page.getByTestId('attract-start')).toBeVisible({ timeout: 10_000 });
  const [r] = await shared.responsesAfter(since, 1);
  expect(r).toMatchObject({ status: 'abandoned', questionnaireId: 'quick', procedureCode: '2.000815', locale: 'vi' });
  expect(r!.answers).toEqual({ overall: 4 });
});

test('the next person gets neither the language nor the half-typed comment of the one who walked away', async ({
  page,
}) => {
  await page.clock.install();
  await shared.open(page);
  const since = shared.lastSeq();
  await page.locator('[data-testid="language-option"][data-locale="en"]').click();
  await page.getByTestId('attract-start').click();
  await answer(page, '3');
  await answer(page, '3');
  await answer(page, '2');
  await typeKeys(page, 'half');
  await expect(page.getByTestId('comment-input')).toHaveValue('half');
  await idleOut(page);
  await expect(page.locator('html')).toHaveAttribute('lang', 'vi');
  const [gone] = await shared.responsesAfter(since, 1);
  expect(gone).toMatchObject({
    status: 'abandoned',
    locale: 'en',
    answers: { overall: 3, attitude: 3, time: 2, comment: 'half' },
  });

  await page.getByTestId('attract-start').click();
  await expect(page.getByText('Nhìn chung, ông/bà có hài lòng', { exact: false })).toBeVisible();
  await answer(page, '5');
  await answer(page, '5');
  await answer(page, '2');
  await expect(page.getByTestId('comment-input')).toHaveValue('');
  await expect(page.getByTestId('comment-counter')).toContainText('0/500');
  await expect(page.locator('[data-testid="keyboard-key"][data-key="telex"]')).toHaveAttribute('aria-pressed', 'true');
  await page.getByTestId('survey-submit').click();
  await expect(page.getByTestId('thank-you')).toBeVisible();
  const [nextOne] = await shared.responsesAfter(gone!.seq, 1);
  expect(nextOne).toMatchObject({ status: 'complete', locale: 'vi' });
  expect(nextOne!.answers).toEqual({ overall: 5, attitude: 5, time: 2 });
});

test('a touch on the prompt continues the survey where it was, nothing stored until submit', async ({ page }) => {
  await page.clock.install();
  await shared.open(page);
  const since = shared.lastSeq();
  await page.getByTestId('attract-start').click();
  await answer(page, '2');
  await answer(page, '4');
  await page.clock.fastForward(10_500);
  await expect(page.getByTestId('idle-prompt')).toBeVisible();
  await page.getByTestId('idle-continue').click();
  await expect(page.getByTestId('idle-prompt')).toBeHidden();
  await expect(page.getByTestId('survey-progress')).toContainText('Câu 3/5');
  expect(shared.lastSeq()).toBe(since);
  await answer(page, '1');
  await answer(page, 'tre-hen', { advance: false });
  await page.getByTestId('survey-next').click();
  await page.getByTestId('survey-submit').click();
  await expect(page.getByTestId('thank-you')).toBeVisible();
  const [r] = await shared.responsesAfter(since, 1);
  expect(r).toMatchObject({ status: 'complete', answers: { overall: 2, attitude: 4, time: 1, problems: ['tre-hen'] } });
});

test('with abandonedPolicy "discard" an idle survey leaves no record, and the sequence stays gap-free', async ({
  page,
}) => {
  shared.setting('abandonedPolicy', '"discard"');
  try {
    await page.clock.install();
    await shared.open(page);
    const since = shared.lastSeq();
    await page.getByTestId('attract-start').click();
    await answer(page, '1');
    await idleOut(page);
    // The attract screen comes back only after the core answered the abandon call.
    expect(shared.lastSeq()).toBe(since);
    await page.getByTestId('attract-start').click();
    await answer(page, '5');
    await answer(page, '5');
    await answer(page, '2');
    await page.getByTestId('survey-submit').click();
    await expect(page.getByTestId('thank-you')).toBeVisible();
    const [r] = await shared.responsesAfter(since, 1);
    expect(r).toMatchObject({ seq: since + 1, status: 'complete' });
  } finally {
    shared.setting('abandonedPolicy', '"keep"');
  }
});

test('"Exit" asks first; leaving stores the partial answers as abandoned', async ({ page }) => {
  await shared.open(page);
  const since = shared.lastSeq();
  await page.getByTestId('attract-start').click();
  await answer(page, '3');
  await page.getByTestId('survey-exit').click();
  await page.getByTestId('exit-no').click();
  await expect(page.getByTestId('exit-confirm')).toBeHidden();
  await expect(page.getByTestId('survey-progress')).toContainText('Câu 2/4');
  await page.getByTestId('survey-exit').click();
  await page.getByTestId('exit-yes').click();
  await expect(page.getByTestId('attract-start')).toBeVisible();
  const [r] = await shared.responsesAfter(since, 1);
  expect(r).toMatchObject({ status: 'abandoned', answers: { overall: 3 } });
});

test('language and display chosen on the attract screen go back to the defaults when nobody starts', async ({
  page,
}) => {
  await page.clock.install();
  await shared.open(page);
  const html = page.locator('html');
  await page.locator('[data-testid="language-option"][data-locale="en"]').click();
  await page.getByTestId('toggle-large-text').click();
  await expect(html).toHaveAttribute('lang', 'en');
  await page.clock.fastForward(10_500);
  await expect(html).toHaveAttribute('lang', 'vi');
  await expect(html).toHaveAttribute('data-text', 'normal');
  await expect(page.getByTestId('attract-start')).toHaveText('Bắt đầu đánh giá');
});
