import type { Page } from '@playwright/test';
import { test, expect, answer, next, typeKeys, QUICK_PROCEDURE } from './support/host.ts';
import { shareHost } from './support/shared-host.ts';

// One host for the file: each test reads back only the responses stored after it began.
const shared = shareHost();

const heading = (page: Page) => page.getByRole('heading', { level: 1 });
const submit = async (page: Page) => {
  await page.getByTestId('survey-submit').click();
  await expect(page.getByTestId('thank-you')).toBeVisible();
};

test('full quick survey, with a changed answer: the stored response carries the answers, questionnaire version, procedure and field', async ({
  page,
}) => {
  await shared.open(page);
  const since = shared.lastSeq();
  await expect(page.getByText('Trung tâm Phục vụ hành chính công xã (demo)')).toBeVisible();
  await expect(page.locator('.counter-name')).toHaveText('Quầy 1');
  await expect(page.getByTestId('attract-procedure')).toHaveAttribute('data-code', QUICK_PROCEDURE);
  await expect(page.getByTestId('attract-procedure')).toContainText('Chứng thực bản sao từ bản chính');
  await expect(page.getByTestId('attract-procedure')).toContainText('Chứng thực');

  await page.getByTestId('attract-start').click();
  await expect(page.getByTestId('survey-progress')).toContainText('Câu 1/4');
  await expect(page.getByTestId('survey-back')).toHaveCount(0);
  await answer(page, '5');
  await answer(page, '4');
  // Back to "attitude": the earlier choice is shown, and a new one replaces it.
  await page.getByTestId('survey-back').click();
  await expect(heading(page)).toContainText('thái độ phục vụ');
  await expect(page.locator('[data-testid="answer-option"][data-value="4"]')).toHaveAttribute('aria-pressed', 'true');
  await answer(page, '3');
  await answer(page, '2');
  await expect(page.getByTestId('comment-input')).toBeVisible();
  await expect(page.getByTestId('survey-progress')).toContainText('Câu 4/4');
  await submit(page);
  const [r] = await shared.responsesAfter(since, 1);
  expect(r).toMatchObject({
    questionnaireId: 'quick',
    questionnaireVersion: 1,
    procedureCode: QUICK_PROCEDURE,
    fieldCode: 'chung-thuc',
    caseNumber: null,
    status: 'complete',
    locale: 'vi',
    answers: { overall: 5, attitude: 3, time: 2 },
  });
  expect(Object.keys(r!.answers).sort()).toEqual(['attitude', 'overall', 'time']);
});

test('overall rated 2 shows the follow-up question and stores its answer', async ({ page }) => {
  await shared.open(page);
  const since = shared.lastSeq();
  await page.getByTestId('attract-start').click();
  await answer(page, '2');
  await answer(page, '3');
  await answer(page, '1');
  // Follow-up "problems" (multi) appears only because overall <= 2.
  await expect(page.getByText('Ông/bà chưa hài lòng về điều gì?', { exact: false })).toBeVisible();
  await expect(page.getByTestId('survey-progress')).toContainText('Câu 4/5');
  await answer(page, 'cho-lau', { advance: false });
  await answer(page, 'huong-dan', { advance: false });
  await next(page);
  await expect(page.getByTestId('comment-input')).toBeVisible();
  await submit(page);
  const [r] = await shared.responsesAfter(since, 1);
  expect(r!.status).toBe('complete');
  expect(r!.answers.overall).toBe(2);
  expect([...(r!.answers.problems as string[])].sort()).toEqual(['cho-lau', 'huong-dan']);
});

test('changing overall from 2 to 4 hides the follow-up again and its answer is not stored', async ({ page }) => {
  await shared.open(page);
  const since = shared.lastSeq();
  await page.getByTestId('attract-start').click();
  await answer(page, '2');
  await answer(page, '4');
  await answer(page, '1');
  await answer(page, 'thai-do', { advance: false });
  for (let i = 0; i < 3; i++) await page.getByTestId('survey-back').click();
  await expect(heading(page)).toContainText('Nhìn chung');
  await answer(page, '4');
  await answer(page, '4');
  await answer(page, '1');
  await expect(page.getByTestId('comment-input')).toBeVisible();
  await expect(page.getByTestId('survey-progress')).toContainText('Câu 4/4');
  await submit(page);
  const [r] = await shared.responsesAfter(since, 1);
  expect(r!.answers).toEqual({ overall: 4, attitude: 4, time: 1 });
});

test('full per-case survey (version 2, no case facts): the five answers of the citizen and the comment typed with the diacritics row are stored', async ({
  page,
}) => {
  shared.setProcedure('2.000908');
  try {
    await shared.open(page);
    const since = shared.lastSeq();
    await expect(page.getByTestId('attract-procedure')).toContainText('Cấp bản sao từ sổ gốc');
    await page.getByTestId('attract-start').click();
    // Indicator 1 comes only from the case's facts: without them it is neither asked nor stored.
    await expect(page.getByTestId('survey-progress')).toContainText('Câu 1/6');
    const points = [2, 1, 0, 3, 1];
    for (const p of points) await answer(page, String(p));
    await expect(page.getByTestId('comment-input')).toBeVisible();
    // No Telex: letters, the shaped "ô" and the acute tone button.
    await page.locator('[data-testid="keyboard-key"][data-key="telex"]').click();
    for (const k of ['t', 'ô', 't', 'tone-1'])
      await page.locator(`[data-testid="keyboard-key"][data-key="${k}"]`).click();
    await expect(page.getByTestId('comment-input')).toHaveValue('tốt');
    await submit(page);
    const [r] = await shared.responsesAfter(since, 1);
    expect(r).toMatchObject({
      questionnaireId: 'per-case',
      questionnaireVersion: 2,
      procedureCode: '2.000908',
      fieldCode: 'chung-thuc',
      status: 'complete',
    });
    const ids = ['so-lan-lien-he', 'so-co-quan-lien-he', 'thai-do-can-bo', 'muc-do-thuan-tien', 'danh-gia-tong-the'];
    expect(r!.answers).toEqual({ ...Object.fromEntries(ids.map((id, i) => [id, points[i]])), comment: 'tốt' });
    expect(r!.sources).toEqual(Object.fromEntries([...ids, 'comment'].map((id) => [id, 'citizen'])));
  } finally {
    shared.setProcedure(QUICK_PROCEDURE);
  }
});

test('full SIPAS survey (five elements): "yes, I gave feedback" adds its three questions, all 18 answers stored', async ({
  page,
}) => {
  shared.setProcedure('1.001612');
  try {
    await shared.open(page);
    const since = shared.lastSeq();
    await page.getByTestId('attract-start').click();
    const criteria = [5, 4, 3, 2, 1, 5, 4, 3, 2, 1, 5, 4, 3];
    for (const v of criteria) await answer(page, String(v));
    await expect(page.getByTestId('survey-progress')).toContainText('Câu 14/16');
    await answer(page, 'true');
    await expect(page.getByTestId('survey-progress')).toContainText('Câu 15/19');
    for (const v of [4, 5, 3, 4]) await answer(page, String(v));
    await expect(page.getByTestId('comment-input')).toBeVisible();
    await expect(page.getByTestId('survey-submit')).toBeEnabled();
    await submit(page);
    const [r] = await shared.responsesAfter(since, 1);
    expect(r).toMatchObject({
      questionnaireId: 'sipas',
      questionnaireVersion: 1,
      procedureCode: '1.001612',
      fieldCode: 'dang-ky-kinh-doanh',
      status: 'complete',
    });
    const ids = [
      'tiep-can-cho-ngoi',
      'tiep-can-trang-thiet-bi',
      'thu-tuc-niem-yet',
      'thu-tuc-thanh-phan-ho-so',
      'thu-tuc-phi-le-phi',
      'thu-tuc-thoi-han',
      'cong-chuc-lich-su',
      'cong-chuc-giai-dap',
      'cong-chuc-huong-dan',
      'cong-chuc-tuan-thu',
      'ket-qua-dung-quy-dinh',
      'ket-qua-day-du',
      'ket-qua-chinh-xac',
    ];
    expect(r!.answers).toEqual({
      ...Object.fromEntries(ids.map((id, i) => [id, criteria[i]])),
      'da-gop-y': true,
      'gop-y-de-dang': 4,
      'gop-y-tich-cuc': 5,
      'gop-y-thong-bao': 3,
      overall: 4,
    });
  } finally {
    shared.setProcedure(QUICK_PROCEDURE);
  }
});

test('comment typed with Telex on the keyboard is stored exactly', async ({ page }) => {
  await shared.open(page);
  const since = shared.lastSeq();
  const expected = 'Cán bộ hướng dẫn rất tận tình';
  await page.getByTestId('attract-start').click();
  await answer(page, '5');
  await answer(page, '5');
  await answer(page, '2');
  await typeKeys(page, 'Cans booj huwowngs daanx raats taanj tinhf');
  await expect(page.getByTestId('comment-input')).toHaveValue(expected);
  await submit(page);
  const [r] = await shared.responsesAfter(since, 1);
  expect(r!.answers.comment).toBe(expected);
});

test('the comment stops at its 500-character limit and says so; exactly 500 are stored', async ({ page }) => {
  await shared.open(page);
  const since = shared.lastSeq();
  await page.getByTestId('attract-start').click();
  await answer(page, '4');
  await answer(page, '4');
  await answer(page, '2');
  const input = page.getByTestId('comment-input');
  // 498 characters through the text area (a physical keyboard), the rest on the on-screen keys.
  const start = 'Tốt '.repeat(124) + 'ab';
  await input.fill(start);
  await expect(page.getByTestId('comment-counter')).toContainText('498/500');
  // Letters Telex leaves alone: two fit, the other two are refused.
  for (const k of ['b', 'c', 'k', 'm']) await page.locator(`[data-testid="keyboard-key"][data-key="${k}"]`).click();
  await expect(input).toHaveValue(`${start}bc`);
  await expect(page.getByTestId('comment-counter')).toContainText('500/500');
  await expect(page.getByText('Đã đủ 500 ký tự.')).toBeVisible();
  await submit(page);
  const [r] = await shared.responsesAfter(since, 1);
  expect([...(r!.answers.comment as string)].length).toBe(500);
  expect(r!.answers.comment).toBe(`${start}bc`);
});

test('English, larger text and high contrast for one respondent; the next one starts in Vietnamese at normal size', async ({
  page,
}) => {
  await shared.open(page);
  const since = shared.lastSeq();
  const html = page.locator('html');
  await expect(html).toHaveAttribute('lang', 'vi');
  await page.locator('[data-testid="language-option"][data-locale="en"]').click();
  await page.getByTestId('toggle-large-text').click();
  await page.getByTestId('toggle-contrast').click();
  await expect(html).toHaveAttribute('lang', 'en');
  await expect(html).toHaveAttribute('data-text', 'large');
  await expect(html).toHaveAttribute('data-contrast', 'high');
  await expect(page.getByTestId('attract-start')).toHaveText('Start the survey');
  await page.getByTestId('attract-start').click();
  await expect(page.getByText('Overall, how satisfied are you', { exact: false })).toBeVisible();
  await expect(page.locator('[data-testid="answer-option"][data-value="5"]')).toContainText('Very satisfied');
  await expect(html).toHaveAttribute('data-text', 'large');
  await answer(page, '5');
  await answer(page, '5');
  await answer(page, '2');
  await submit(page);
  await page.getByTestId('thank-you-done').click();
  await expect(page.getByTestId('attract-start')).toBeVisible();
  await expect(html).toHaveAttribute('lang', 'vi');
  await expect(html).toHaveAttribute('data-text', 'normal');
  await expect(html).toHaveAttribute('data-contrast', 'normal');
  await page.getByTestId('attract-start').click();
  await expect(page.getByText('Nhìn chung, ông/bà có hài lòng', { exact: false })).toBeVisible();
  await answer(page, '4');
  await answer(page, '4');
  await answer(page, '1');
  await submit(page);
  const rs = await shared.responsesAfter(since, 2);
  expect(rs.map((r) => r.locale)).toEqual(['en', 'vi']);
});

test('responses closer together than the minimum are flagged as rapid repeats, never dropped', async ({ page }) => {
  const quick = async () => {
    await page.getByTestId('attract-start').click();
    await answer(page, '5');
    await answer(page, '5');
    await answer(page, '2');
    await submit(page);
    await page.getByTestId('thank-you-done').click();
    await expect(page.getByTestId('attract-start')).toBeVisible();
  };
  shared.setting('minSecondsBetweenResponses', '600');
  try {
    await shared.open(page);
    const since = shared.lastSeq();
    await quick();
    await expect(page.getByTestId('attract-rapid')).toBeVisible();
    await quick();
    const [first, second] = await shared.responsesAfter(since, 2);
    expect(first!.status).toBe('complete');
    expect(second).toMatchObject({
      status: 'complete',
      flags: { rapidRepeat: true },
      answers: { overall: 5, attitude: 5, time: 2 },
    });
    expect(second!.seq).toBe(first!.seq + 1);

    shared.setting('minSecondsBetweenResponses', '0');
    await page.reload();
    await expect(page.getByTestId('attract-start')).toBeVisible();
    await expect(page.getByTestId('attract-rapid')).toHaveCount(0);
    await quick();
    const [third] = await shared.responsesAfter(second!.seq, 1);
    expect(third!.flags).toMatchObject({ rapidRepeat: false });
  } finally {
    shared.setting('minSecondsBetweenResponses', '20');
  }
});

test('the thank-you screen returns to the attract screen by itself', async ({ page }) => {
  shared.setting('thankYouSeconds', '2');
  try {
    await shared.open(page);
    await page.locator('[data-testid="language-option"][data-locale="en"]').click();
    await page.getByTestId('attract-start').click();
    await answer(page, '3');
    await answer(page, '3');
    await answer(page, '2');
    await submit(page);
    await expect(page.getByTestId('attract-start')).toBeVisible({ timeout: 6_000 });
    await expect(page.locator('html')).toHaveAttribute('lang', 'vi');
  } finally {
    shared.setting('thankYouSeconds', '6');
  }
});
