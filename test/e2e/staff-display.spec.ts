import AxeBuilder from '@axe-core/playwright';
import { test, expect, answer, enterPin, kioskctl, waitForResponses } from './support/host.ts';

// The staff window's view (the Electron shell opens it on the officer's display): same page, ?view=staff-display.
const staffUrl = (kioskUrl: string): string => {
  const u = new URL(kioskUrl);
  u.search = '?view=staff-display';
  return u.toString();
};

test('the staff window switches the kiosk for the next citizen; the kiosk and the stored response follow', async ({
  kiosk: page,
  host,
  context,
}) => {
  const staff = await context.newPage();
  await staff.setViewportSize({ width: 640, height: 720 });
  await staff.goto(staffUrl(host.url));
  const card = staff.getByTestId('staff-display-procedure');
  await expect(card).toHaveAttribute('data-code', '2.000815');

  const axe = await new AxeBuilder({ page: staff }).analyze();
  expect(axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id)).toEqual([]);

  await staff.getByTestId('staff-display-switch').click();
  await enterPin(staff, '1357');
  await staff.getByTestId('procedure-search').fill('dang ky khai sinh');
  await staff.locator('[data-testid="procedure-option"][data-code="1.001193"]').first().click();
  const caseNumber = '20260077';
  for (const k of caseNumber) await staff.locator(`[data-testid="case-key"][data-key="${k}"]`).click();
  await staff.getByTestId('staff-apply').click();
  await expect(staff.getByTestId('staff-panel')).toBeHidden();
  await expect(card).toHaveAttribute('data-code', '1.001193');
  await expect(staff.getByTestId('staff-display-case')).toHaveText(caseNumber);
  await expect(staff.getByTestId('staff-display-note')).toBeVisible();
  expect(kioskctl(host.dataDir, 'status').procedure.code).toBe('1.001193');

  // The citizen's screen picks the switch up by itself (it polls while idle).
  await expect(page.getByTestId('attract-procedure')).toHaveAttribute('data-code', '1.001193', { timeout: 10_000 });
  await page.getByTestId('attract-start').click();
  // per-case v2 without facts: five questions before the comment
  for (const p of ['2', '2', '2', '2', '2']) await answer(page, p);
  await page.getByTestId('survey-submit').click();
  await expect(page.getByTestId('thank-you')).toBeVisible();
  const [r] = await waitForResponses(host.dataDir, (rs) => rs.length === 1);
  expect(r).toMatchObject({
    questionnaireId: 'per-case',
    procedureCode: '1.001193',
    fieldCode: 'ho-tich',
    caseNumber,
    status: 'complete',
  });
});

test('a wrong PIN on the staff window changes nothing', async ({ host, context }) => {
  const staff = await context.newPage();
  await staff.setViewportSize({ width: 640, height: 720 });
  await staff.goto(staffUrl(host.url));
  await staff.getByTestId('staff-display-switch').click();
  await enterPin(staff, '8642');
  await expect(staff.getByTestId('staff-error')).not.toBeEmpty();
  await expect(staff.getByTestId('procedure-search')).toHaveCount(0);
  expect(kioskctl(host.dataDir, 'status').procedure.code).toBe('2.000815');
});
