import { test, expect, answer, next, typeKeys, waitForResponses } from './support/host.ts';

test('full quick survey stores one complete response with the answers', async ({ kiosk: page, host }) => {
  await page.getByTestId('attract-start').click();
  await answer(page, '5');
  await answer(page, '4');
  await answer(page, '2');
  await expect(page.getByTestId('comment-input')).toBeVisible();
  await page.getByTestId('survey-submit').click();
  await expect(page.getByTestId('thank-you')).toBeVisible();
  const r = (await waitForResponses(host.dataDir, (r) => r.length === 1))[0]!;
  expect(r).toMatchObject({ questionnaireId: 'quick', status: 'complete', locale: 'vi', answers: { overall: 5, attitude: 4, time: 2 } });
  expect(Object.keys(r.answers).sort()).toEqual(['attitude', 'overall', 'time']);
});

test('overall rated 2 shows the follow-up question and stores its answer', async ({ kiosk: page, host }) => {
  await page.getByTestId('attract-start').click();
  await answer(page, '2');
  await answer(page, '3');
  await answer(page, '1');
  // Follow-up "problems" (multi) appears only because overall <= 2.
  await expect(page.getByText('Ông/bà chưa hài lòng về điều gì?', { exact: false })).toBeVisible();
  await answer(page, 'cho-lau', { advance: false });
  await answer(page, 'huong-dan', { advance: false });
  await next(page);
  await expect(page.getByTestId('comment-input')).toBeVisible();
  await page.getByTestId('survey-submit').click();
  await expect(page.getByTestId('thank-you')).toBeVisible();
  const r = (await waitForResponses(host.dataDir, (r) => r.length === 1))[0]!;
  expect(r.status).toBe('complete');
  expect(r.answers.overall).toBe(2);
  expect([...(r.answers.problems as string[])].sort()).toEqual(['cho-lau', 'huong-dan']);
});

test('overall rated 4 does not show the follow-up question', async ({ kiosk: page, host }) => {
  await page.getByTestId('attract-start').click();
  await answer(page, '4');
  await answer(page, '4');
  await answer(page, '1');
  await expect(page.getByTestId('comment-input')).toBeVisible();
  await page.getByTestId('survey-submit').click();
  await expect(page.getByTestId('thank-you')).toBeVisible();
  const r = (await waitForResponses(host.dataDir, (r) => r.length === 1))[0]!;
  expect(r.answers.problems).toBeUndefined();
});

test('comment typed with Telex on the keyboard is stored exactly', async ({ kiosk: page, host }) => {
  const expected = 'Cán bộ hướng dẫn rất tận tình';
  await page.getByTestId('attract-start').click();
  await answer(page, '5');
  await answer(page, '5');
  await answer(page, '2');
  await typeKeys(page, 'Cans booj huwowngs daanx raats taanj tinhf');
  await expect(page.getByTestId('comment-input')).toHaveValue(expected);
  await page.getByTestId('survey-submit').click();
  await expect(page.getByTestId('thank-you')).toBeVisible();
  const r = (await waitForResponses(host.dataDir, (r) => r.length === 1))[0]!;
  expect(r.answers.comment).toBe(expected);
});

test('English for one respondent, Vietnamese again for the next', async ({ kiosk: page, host }) => {
  await expect(page.locator('html')).toHaveAttribute('lang', 'vi');
  await page.locator('[data-testid="language-option"][data-locale="en"]').click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await page.getByTestId('attract-start').click();
  await expect(page.getByText('Overall, how satisfied are you', { exact: false })).toBeVisible();
  await answer(page, '5');
  await answer(page, '5');
  await answer(page, '2');
  await page.getByTestId('survey-submit').click();
  await expect(page.getByTestId('thank-you')).toBeVisible();
  await page.getByTestId('thank-you-done').click();
  await expect(page.getByTestId('attract-start')).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'vi');
  await page.getByTestId('attract-start').click();
  await expect(page.getByText('Nhìn chung, ông/bà có hài lòng', { exact: false })).toBeVisible();
  await answer(page, '4');
  await answer(page, '4');
  await answer(page, '1');
  await page.getByTestId('survey-submit').click();
  await expect(page.getByTestId('thank-you')).toBeVisible();
  const rs = await waitForResponses(host.dataDir, (r) => r.length === 2);
  expect(rs.map((r) => r.locale)).toEqual(['en', 'vi']);
});
