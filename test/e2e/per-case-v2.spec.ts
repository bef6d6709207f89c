import { test, expect, answer, QUICK_PROCEDURE } from './support/host.ts';
import { shareHost } from './support/shared-host.ts';
import { SOURCES_WITH_FACTS } from './support/per-case-v2.ts';

// Per-case version 2 with the case's facts (issue 11): set the way the one-stop system (or IT) would,
// with kioskctl; the indicators the facts decide are not asked and are stored with source "system".
const shared = shareHost();

const CASE = 'HS-E2E-0001';
const FACTS = {
  receivedAt: '2026-11-30T08:00:00+07:00',
  dueAt: '2026-12-04T17:00:00+07:00',
  returnedAt: '2026-12-03T09:30:00+07:00',
  returnVisits: 1,
};

test('full per-case v2 survey with facts: indicators 1 and 3 not asked, stored with source "system"; a second evaluation of the case is refused politely', async ({
  page,
}) => {
  shared.setProcedure('1.001193', '--case', CASE, '--facts', JSON.stringify(FACTS));
  try {
    await shared.open(page);
    const since = shared.lastSeq();
    await page.getByTestId('attract-start').click();
    // Four questions and the comment: the time against the deadline and the returns come from the facts.
    await expect(page.getByTestId('survey-progress')).toContainText('Câu 1/5');
    const heading = page.getByRole('heading', { level: 1 });
    await expect(heading).toContainText('bao nhiêu cơ quan');
    await expect(page.getByText('Tổng thời gian giải quyết')).toHaveCount(0);
    await answer(page, '1'); // agencies contacted
    await answer(page, '2'); // attitude
    await expect(heading).toContainText('Mức độ thuận tiện');
    await expect(page.locator('[data-testid="answer-option"]')).toHaveCount(3);
    await answer(page, '3'); // convenience: Rất hài lòng
    await expect(heading).toContainText('Đánh giá tổng thể');
    await answer(page, '2'); // overall: Hài lòng
    await expect(page.getByTestId('comment-input')).toBeVisible();
    await page.getByTestId('survey-submit').click();
    await expect(page.getByTestId('thank-you')).toBeVisible();

    const [r] = await shared.responsesAfter(since, 1);
    expect(r).toMatchObject({
      questionnaireId: 'per-case',
      questionnaireVersion: 2,
      procedureCode: '1.001193',
      caseNumber: CASE,
      status: 'complete',
      answers: {
        'tong-thoi-gian': 2, // returned a day before the due day
        'so-lan-lien-he': 1, // came back once
        'so-co-quan-lien-he': 1,
        'thai-do-can-bo': 2,
        'muc-do-thuan-tien': 3,
        'danh-gia-tong-the': 2,
      },
      sources: SOURCES_WITH_FACTS,
    });

    // The next person taps start on the same case: refused politely, nothing begun or stored.
    await page.getByTestId('thank-you-done').click();
    await page.getByTestId('attract-start').click();
    await expect(page.getByTestId('attract-evaluated')).toContainText(`Hồ sơ ${CASE} đã được đánh giá`);
    await expect(page.getByTestId('survey-progress')).toHaveCount(0);
    await page.waitForTimeout(500);
    expect(shared.lastSeq()).toBe(since + 1);
  } finally {
    shared.setProcedure(QUICK_PROCEDURE);
  }
});
