import type { Page } from '@playwright/test';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { test, expect, answer, holdStaffOpen, enterPin, kioskctl, QUICK_PROCEDURE } from './support/host.ts';
import { shareHost } from './support/shared-host.ts';

const shared = shareHost();

const option = (page: Page, code: string) => page.locator(`[data-testid="procedure-option"][data-code="${code}"]`);
const shownCodes = (page: Page) =>
  page.getByTestId('procedure-option').evaluateAll((els) => els.map((e) => e.getAttribute('data-code')));
const search = async (page: Page, text: string) => {
  await page.getByTestId('procedure-search').fill(text);
  await expect(page.getByTestId('procedure-search')).toHaveValue(text);
};

test('staff switch with PIN: diacritic-free search, case number, officer and counter; the next response carries them all', async ({
  page,
}) => {
  await shared.open(page);
  const since = shared.lastSeq();
  await holdStaffOpen(page);
  await enterPin(page, '1357');
  await expect(page.getByTestId('staff-current')).toHaveAttribute('data-code', QUICK_PROCEDURE);

  // "dang ky khai sinh" finds "Thủ tục đăng ký khai sinh" (and the re-registration), in its field's group.
  for (const q of ['dang ky khai sinh', 'ĐĂNG KÝ KHAI SINH', 'Dang Ky Khai  Sinh']) {
    await search(page, q);
    expect((await shownCodes(page)).sort()).toEqual(['1.001193', '1.004884']);
  }
  await expect(page.locator('.picker-section', { has: option(page, '1.001193') }).locator('h3')).toHaveText('Hộ tịch');
  await search(page, '1.000894');
  expect(await shownCodes(page)).toEqual(['1.000894']);
  await search(page, 'khong co thu tuc nay');
  await expect(page.getByText('Không tìm thấy thủ tục nào.')).toBeVisible();
  await search(page, 'khai sinh');
  await option(page, '1.001193').click();
  await expect(option(page, '1.001193')).toHaveAttribute('aria-pressed', 'true');

  // The unit's code has letters: the pad's "ABC" page types them.
  const caseNumber = '000.00.26.H61-2611';
  const letterKey = page.locator('[data-testid="case-key"][data-key="letters"]');
  for (const k of caseNumber) {
    const isLetter = /[A-Z]/.test(k);
    if (isLetter !== ((await letterKey.getAttribute('aria-pressed')) === 'true')) await letterKey.click();
    await page.locator(`[data-testid="case-key"][data-key="${k}"]`).click();
  }
  await expect(page.getByTestId('staff-case-number')).toHaveValue(caseNumber);
  await page.locator('[data-testid="case-key"][data-key="back"]').click();
  await page.locator('[data-testid="case-key"][data-key="1"]').click();
  await page.locator('[data-testid="staff-officer"][data-id="cb02"]').click();
  await page.locator('[data-testid="staff-counter"][data-id="q2"]').click();
  await page.getByTestId('staff-apply').click();
  await expect(page.getByTestId('staff-toast')).toContainText('Thủ tục đăng ký khai sinh');
  await expect(page.getByTestId('staff-panel')).toBeHidden();
  await expect(page.getByTestId('attract-procedure')).toHaveAttribute('data-code', '1.001193');
  await expect(page.getByTestId('attract-procedure')).toContainText('Hộ tịch');
  expect(kioskctl(shared.dataDir, 'status')).toMatchObject({
    procedure: { code: '1.001193', field: 'ho-tich' },
    caseNumber,
    officerId: 'cb02',
    counterId: 'q2',
  });
  const [entry] = shared.audit().filter((e) => e.action === 'set_assignment');
  expect(entry).toMatchObject({
    actor: 'staff',
    details: { procedureCode: '1.001193', caseNumber, officerId: 'cb02', counterId: 'q2' },
  });

  await page.getByTestId('attract-start').click();
  // per-case v2 without facts: indicators 3, 4, 7, then convenience and overall (three levels)
  const points = ['2', '1', '0', '2', '3'];
  for (const p of points) await answer(page, p);
  await expect(page.getByTestId('comment-input')).toBeVisible();
  await page.getByTestId('survey-submit').click();
  await expect(page.getByTestId('thank-you')).toBeVisible();
  const [r] = await shared.responsesAfter(since, 1);
  expect(r).toMatchObject({
    questionnaireId: 'per-case',
    procedureCode: '1.001193',
    fieldCode: 'ho-tich',
    caseNumber,
    officerId: 'cb02',
    counterId: 'q2',
    status: 'complete',
  });
  expect(r!.answers['so-lan-lien-he']).toBe(2);
  expect(r!.answers['thai-do-can-bo']).toBe(0);
  expect(r!.answers['danh-gia-tong-the']).toBe(3);
});

test('a switch made mid-survey (Ctrl+Alt+S) leaves the citizen on screen alone and applies to the next one', async ({
  page,
}) => {
  shared.setProcedure(QUICK_PROCEDURE);
  await shared.open(page);
  const since = shared.lastSeq();
  await page.getByTestId('attract-start').click();
  await answer(page, '4');
  await page.keyboard.press('Control+Alt+KeyS');
  await enterPin(page, '1357');
  await search(page, 'chung thuc chu ky');
  await option(page, '2.000884').click();
  await page.getByTestId('staff-apply').click();
  await expect(page.getByTestId('staff-panel')).toBeHidden();
  // The same respondent carries on with the quick questionnaire.
  await expect(page.getByTestId('survey-progress')).toContainText('Câu 2/4');
  await answer(page, '4');
  await answer(page, '2');
  await page.getByTestId('survey-submit').click();
  await expect(page.getByTestId('thank-you')).toBeVisible();
  await page.getByTestId('thank-you-done').click();
  await expect(page.getByTestId('attract-procedure')).toHaveAttribute('data-code', '2.000884');
  await page.getByTestId('attract-start').click();
  await page.getByTestId('survey-exit').click();
  await expect(page.getByTestId('attract-start')).toBeVisible();
  const [current, nextOne] = await shared.responsesAfter(since, 2);
  expect(current).toMatchObject({
    questionnaireId: 'quick',
    procedureCode: QUICK_PROCEDURE,
    status: 'complete',
    answers: { overall: 4, attitude: 4, time: 2 },
  });
  expect(nextOne).toMatchObject({
    questionnaireId: 'per-case',
    procedureCode: '2.000884',
    fieldCode: 'chung-thuc',
    status: 'abandoned',
  });
});

test('favourites, then recently used procedures, come first; favourites are kept', async ({ page }) => {
  // Used so far, newest last: 1.001193 (staff), 2.000815 and 2.000884 (the test above), then 1.000656 here (kioskctl counts too).
  shared.setProcedure('1.000656');
  await shared.open(page);
  await page.keyboard.press('Control+Alt+KeyS');
  await enterPin(page, '1357');
  const sections = page.locator('.picker-section');
  await expect(sections.first()).toHaveClass(/picker-recent/);
  const recent = await sections
    .first()
    .getByTestId('procedure-option')
    .evaluateAll((els) => els.map((e) => e.getAttribute('data-code')));
  expect(recent.slice(0, 4)).toEqual(['1.000656', '2.000884', '2.000815', '1.001193']);

  await page.locator('[data-testid="favourite-toggle"][data-code="2.001019"]').first().click();
  await expect(sections.first()).toHaveClass(/picker-favourites/);
  await expect(sections.first().getByTestId('procedure-option')).toHaveCount(1);
  await expect(sections.first().getByTestId('procedure-option')).toHaveAttribute('data-code', '2.001019');
  await expect(sections.nth(1)).toHaveClass(/picker-recent/);
  // Each procedure shows once: a favourite is not repeated in its field's group.
  await expect(option(page, '2.001019')).toHaveCount(1);
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('staff-panel')).toBeHidden();

  await page.keyboard.press('Control+Alt+KeyS');
  await enterPin(page, '1357');
  await expect(sections.first()).toHaveClass(/picker-favourites/);
  await expect(sections.first().getByTestId('procedure-option')).toHaveAttribute('data-code', '2.001019');
  // The favourite filters with the search too.
  await search(page, 'di chuc');
  await expect(sections.first()).toHaveClass(/picker-favourites/);
  await search(page, 'khai tu');
  await expect(sections.first()).toHaveClass(/picker-recent/);
  await page.locator('[data-testid="favourite-toggle"][data-code="1.000656"]').click();
  await search(page, '');
  await expect(sections.first().getByTestId('procedure-option')).toHaveCount(2);
  await page.getByTestId('staff-close').click();
});

test('the staff panel closes itself when left idle, on the PIN pad and inside; the PIN is asked again', async ({
  page,
}) => {
  await page.clock.install();
  await shared.open(page);
  await page.keyboard.press('Control+Alt+KeyS');
  await expect(page.getByTestId('pin-input')).toBeVisible();
  await page.clock.fastForward(61_000);
  await expect(page.getByTestId('staff-panel')).toBeHidden();
  await expect(page.getByTestId('staff-open')).toBeAttached();

  await page.keyboard.press('Control+Alt+KeyS');
  await enterPin(page, '1357');
  await expect(page.getByTestId('procedure-search')).toBeVisible();
  await page.clock.fastForward(30_000);
  await page.getByTestId('search-keyboard').click();
  // A touch restarts the wait: 30 s later the panel is still open.
  await page.clock.fastForward(40_000);
  await expect(page.getByTestId('procedure-search')).toBeVisible();
  await page.clock.fastForward(61_000);
  await expect(page.getByTestId('staff-panel')).toBeHidden();
  await page.keyboard.press('Control+Alt+KeyS');
  await expect(page.getByTestId('pin-input')).toBeVisible();
  await expect(page.getByTestId('procedure-search')).toHaveCount(0);
  await page.getByTestId('staff-close').click();
});

test('wrong PINs lock the panel, each further one locks it twice as long; every one is audited; the right PIN afterwards works', async ({
  page,
}) => {
  await page.clock.install();
  await shared.open(page);
  await page.keyboard.press('Control+Alt+KeyS');
  const error = page.getByTestId('staff-error');
  await enterPin(page, '1111');
  await expect(error).toContainText('Còn 2 lần thử');
  await enterPin(page, '2222');
  await expect(error).toContainText('Còn 1 lần thử');
  await enterPin(page, '3333');
  await expect(error).toContainText('Tạm khoá');
  await expect(error).toContainText(/0:(30|29)/);
  await expect(page.locator('[data-testid="pin-key"][data-key="1"]')).toBeDisabled();
  await expect(page.getByTestId('procedure-search')).toHaveCount(0);

  // Waiting out the 30 s: the core's clock is real, so its lock is moved into the past, the page's clock forward.
  const db = new Database(join(shared.dataDir, 'kiosk.sqlite'));
  const expire = () =>
    db.prepare("UPDATE state SET value = json_set(value, '$.lockedUntil', 0) WHERE key = 'lockout:staff'").run();
  try {
    expire();
    await page.clock.fastForward(31_000);
    await expect(page.locator('[data-testid="pin-key"][data-key="1"]')).toBeEnabled();
    await expect(error).toBeEmpty();
    await enterPin(page, '4444');
    await expect(error).toContainText(/1:00|0:59/);
    expire();
    await page.clock.fastForward(61_000);
    // Closed by itself meanwhile (idle): reopen; a wrong PIN now locks for 2 minutes.
    await page.keyboard.press('Control+Alt+KeyS');
    await enterPin(page, '5555');
    await expect(error).toContainText(/2:00|1:59/);
    const failures = shared
      .audit()
      .filter((e) => e.action === 'pin_failed')
      .map((e) => e.details['lockedForMs'])
      .reverse();
    expect(failures).toEqual([0, 0, 30_000, 60_000, 120_000]);

    expire();
    await page.clock.fastForward(121_000);
    await page.keyboard.press('Control+Alt+KeyS');
    await enterPin(page, '1357');
    await expect(page.getByTestId('procedure-search')).toBeVisible();
    expect(shared.audit()[0]).toMatchObject({ actor: 'staff', action: 'unlock' });
  } finally {
    db.close();
  }
});
