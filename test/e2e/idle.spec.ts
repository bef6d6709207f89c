import { test, expect, answer, waitForResponses } from './support/host.ts';

test.use({ hostConfig: { idleSeconds: '10', countdownSeconds: '3' } });

test('idle mid-survey: prompt, abandoned record stored, attract screen back', async ({ kiosk: page, host }) => {
  test.setTimeout(45_000);
  await page.getByTestId('attract-start').click();
  await answer(page, '4');
  await expect(page.getByTestId('idle-prompt')).toBeVisible({ timeout: 15_000 });
  await expect(page.getByTestId('attract-start')).toBeVisible({ timeout: 10_000 });
  const r = (await waitForResponses(host.dataDir, (r) => r.length === 1))[0]!;
  expect(r.status).toBe('abandoned');
  expect(r.answers).toMatchObject({ overall: 4 });
});
