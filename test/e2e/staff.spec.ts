import { test, expect, answer, holdStaffOpen, enterPin, kioskctl, waitForResponses } from './support/host.ts';

test('staff switches to birth registration with a case number; next response uses per-case', async ({ kiosk: page, host }) => {
  await holdStaffOpen(page);
  await enterPin(page, '1357');
  await page.getByTestId('procedure-search').fill('dang ky khai sinh');
  await page.locator('[data-testid="procedure-option"][data-code="1.001193"]').first().click();
  const caseNumber = '20260042';
  for (const k of caseNumber) await page.locator(`[data-testid="case-key"][data-key="${k}"]`).click();
  await expect(page.getByTestId('staff-case-number')).toHaveValue(caseNumber);
  await page.getByTestId('staff-apply').click();
  await expect(page.getByTestId('staff-toast')).toBeVisible();
  await expect(page.getByTestId('staff-panel')).toBeHidden();
  expect(kioskctl(host.dataDir, 'status').procedure.code).toBe('1.001193');

  await page.getByTestId('attract-start').click();
  const points = ['2', '1', '2', '2', '1', '2', '0', '2', '2'];
  for (const p of points) await answer(page, p);
  await expect(page.getByTestId('comment-input')).toBeVisible();
  await page.getByTestId('survey-submit').click();
  await expect(page.getByTestId('thank-you')).toBeVisible();
  const r = (await waitForResponses(host.dataDir, (r) => r.length === 1))[0]!;
  expect(r).toMatchObject({ questionnaireId: 'per-case', procedureCode: '1.001193', fieldCode: 'ho-tich', caseNumber, status: 'complete' });
  expect(r.answers['tong-thoi-gian']).toBe(2);
  expect(r.answers['thai-do-can-bo']).toBe(0);
});

test('three wrong PINs lock the staff panel', async ({ kiosk: page }) => {
  await holdStaffOpen(page);
  for (const pin of ['1111', '2222', '3333']) {
    await enterPin(page, pin);
    await expect(page.getByTestId('staff-error')).not.toBeEmpty();
  }
  await expect(page.getByTestId('staff-error')).toContainText(/khóa|khoá|Locked/i);
  await expect(page.locator('[data-testid="pin-key"][data-key="1"]')).toBeDisabled();
  await expect(page.getByTestId('procedure-search')).toHaveCount(0);
});
