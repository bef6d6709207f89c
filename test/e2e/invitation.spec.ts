import { test, expect, answer, kioskctl, QUICK_PROCEDURE } from './support/host.ts';
import { shareHost } from './support/shared-host.ts';
import { FACTS_ON_TIME, SOURCES_WITH_FACTS } from './support/per-case-v2.ts';

// A counter-bridge invitation (issue 11), sent with kioskctl from its own process as IT (or a test)
// would: it appears on the attract screen at once, the citizen rates the per-case v2 survey, and the
// stored response carries the case, procedure, field, officer, counter and who gave each indicator.
const shared = shareHost();

const CASE = 'HS-INV-0001';

const invite = (...args: string[]): { id: string; status: string } =>
  kioskctl(shared.dataDir, 'invite', '--procedure', '1.001193', ...args);

test('an invitation shows on the attract screen at once; the citizen rates the case; the response carries it all', async ({
  page,
}) => {
  await shared.open(page);
  await expect(page.getByTestId('attract-procedure')).toHaveAttribute('data-code', QUICK_PROCEDURE);
  await expect(page.getByTestId('attract-invitation')).toHaveCount(0);
  const since = shared.lastSeq();

  const sent = invite('--case', CASE, '--officer', 'cb02', '--counter', 'q2', '--facts', JSON.stringify(FACTS_ON_TIME));
  expect(sent.status).toBe('delivered');
  const after = Date.now();
  const banner = page.getByTestId('attract-invitation');
  await expect(banner).toHaveAttribute('data-invitation-id', sent.id, { timeout: 1_500 });
  // Well before the next 4-second poll: the long poll woke the screen.
  expect(Date.now() - after).toBeLessThan(1_500);
  await expect(banner).toContainText(`Mời ông/bà đánh giá hồ sơ ${CASE}`);
  await expect(page.getByTestId('attract-procedure')).toHaveAttribute('data-code', '1.001193');
  await expect(page.getByTestId('attract-procedure')).toContainText('đăng ký khai sinh');

  await page.getByTestId('attract-start').click();
  // Indicators 1 (time against the deadline) and 3 (returns) come from the facts: not asked.
  await expect(page.getByTestId('survey-progress')).toContainText('Câu 1/5');
  await expect(page.getByText('Tổng thời gian giải quyết')).toHaveCount(0);
  await answer(page, '1'); // agencies contacted
  await answer(page, '2'); // attitude
  await answer(page, '3'); // convenience
  await answer(page, '2'); // overall
  await page.getByTestId('survey-submit').click();
  await expect(page.getByTestId('thank-you')).toBeVisible();

  const [r] = await shared.responsesAfter(since, 1);
  expect(r).toMatchObject({
    questionnaireId: 'per-case',
    questionnaireVersion: 2,
    procedureCode: '1.001193',
    fieldCode: 'ho-tich',
    caseNumber: CASE,
    officerId: 'cb02',
    counterId: 'q2',
    status: 'complete',
    sources: SOURCES_WITH_FACTS,
  });
  const [latest] = kioskctl(shared.dataDir, 'invitations') as { id: string; status: string; responseId: string }[];
  expect(latest).toMatchObject({ id: sent.id, status: 'answered', responseId: r!.id });

  // Answered: the invitation is gone and the kiosk is back on staff's choice for the next person.
  await page.getByTestId('thank-you-done').click();
  await expect(page.getByTestId('attract-invitation')).toHaveCount(0);
  await expect(page.getByTestId('attract-procedure')).toHaveAttribute('data-code', QUICK_PROCEDURE);
});

test('the next invitation replaces the one on screen', async ({ page }) => {
  await shared.open(page);
  const first = invite('--case', 'HS-INV-0002');
  await expect(page.getByTestId('attract-invitation')).toHaveAttribute('data-invitation-id', first.id);
  const second = invite('--case', 'HS-INV-0003');
  await expect(page.getByTestId('attract-invitation')).toHaveAttribute('data-invitation-id', second.id);
  await expect(page.getByTestId('attract-invitation')).toContainText('HS-INV-0003');
  const list = kioskctl(shared.dataDir, 'invitations', '--limit', '2') as { id: string; status: string }[];
  expect(list.map((i) => [i.id, i.status])).toEqual([
    [second.id, 'delivered'],
    [first.id, 'replaced'],
  ]);
});
