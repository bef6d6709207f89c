import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Page } from '@playwright/test';
import { test, expect, answer, next, typeKeys } from './support/host.ts';
import { VIEWPORTS, axeFindings, layoutProblems, setDisplayMode, settle } from './support/layout.ts';
import { shareHost } from './support/shared-host.ts';

// Issue 15: the accessible layout IT turns on per kiosk, the idle time that a slow reader can always
// extend, and picture-first on the quick questionnaire. README pictures are refreshed on purpose
// (UPDATE_SCREENSHOTS=1); an ordinary run writes them to the ignored test-results/.
const SHOTS = resolve(
  import.meta.dirname,
  process.env.UPDATE_SCREENSHOTS === '1' ? '../../docs/screenshots' : '../../test-results/screenshots',
);

const shared = shareHost({ settings: { thankYouSeconds: '60', idleSeconds: '600', countdownSeconds: '120' } });

/** What the accessible layout promises on a portrait screen (renderer/styles/accessible.css). */
const LOWER_PART = 0.4; // every target starts below the top 40 % of the screen: it sits in the lower 60 %
const MIN_GAP = 24; // px between two targets
const MIN_KEY_GAP = 12; // px between two keys of the on-screen keyboard
const MIN_SIZE = 72; // px, any target's height (answers and back/next/start: 80 px; keyboard keys: 64 px)
const BIG_TARGETS = ['answer-option', 'survey-next', 'survey-back', 'survey-submit', 'attract-start'];

type Target = { name: string; key: boolean; big: boolean; top: number; bottom: number; left: number; right: number };

/** Every button, input and text box the citizen can touch now (in front: inside an open dialog if any). */
const touchTargets = (page: Page): Promise<Target[]> =>
  page.evaluate((big) => {
    const front = document.querySelector('.modal-backdrop') ?? document.body;
    return [...front.querySelectorAll('button, input, textarea')]
      .filter((el) => {
        const r = el.getBoundingClientRect();
        return r.width > 0 && r.height > 0 && !el.classList.contains('staff-corner') && !el.closest('[hidden]');
      })
      .map((el) => {
        const r = el.getBoundingClientRect();
        const id = el.getAttribute('data-testid') ?? el.className;
        const key = el.getAttribute('data-key') ?? el.getAttribute('data-value') ?? '';
        return {
          name: `${id}${key ? `=${key}` : ''} "${(el.textContent ?? '').trim().slice(0, 20)}"`,
          key: el.classList.contains('key'),
          big: big.includes(el.getAttribute('data-testid') ?? ''),
          top: r.top,
          bottom: r.bottom,
          left: r.left,
          right: r.right,
        };
      });
  }, BIG_TARGETS);

/** Where the targets on screen break the accessible layout's promises; empty when they hold. */
const reachProblems = async (page: Page, screen: string): Promise<string[]> => {
  const vh = VIEWPORTS.portrait.height;
  const targets = await touchTargets(page);
  expect(targets.length, `${screen}: no targets found`).toBeGreaterThan(0);
  const out: string[] = [];
  for (const t of targets) {
    if (t.top < vh * LOWER_PART)
      out.push(`${screen}: ${t.name} starts at y ${Math.round(t.top)}, above ${vh * LOWER_PART}`);
    const min = t.key ? 64 : t.big ? 80 : MIN_SIZE;
    if (t.bottom - t.top < min - 0.5)
      out.push(`${screen}: ${t.name} is ${Math.round(t.bottom - t.top)} px tall (< ${min})`);
  }
  targets.forEach((a, i) => {
    for (const b of targets.slice(i + 1)) {
      const dx = Math.max(a.left - b.right, b.left - a.right, 0);
      const dy = Math.max(a.top - b.bottom, b.top - a.bottom, 0);
      const gap = Math.max(dx, dy);
      const min = a.key && b.key ? MIN_KEY_GAP : MIN_GAP;
      if (gap < min - 0.5) out.push(`${screen}: ${a.name} and ${b.name} are ${gap.toFixed(1)} px apart (< ${min})`);
    }
  });
  return out;
};

/**
 * Reach and layout (nothing cut off or spilling) on this screen in both text sizes (a citizen may ask for
 * larger text on this kiosk too), layout on a 1280×800 landscape screen, axe, and a picture of it.
 */
const checker =
  (page: Page, problems: string[], shots: string) =>
  async (screen: string, shoot = false) => {
    for (const text of ['large', 'normal'] as const) {
      await setDisplayMode(page, { text, contrast: 'normal' });
      await settle(page);
      problems.push(...(await reachProblems(page, `${screen} ${text} text`)));
      problems.push(...(await layoutProblems(page)).map((p) => `${screen} ${text} text: ${p}`));
    }
    // Landscape keeps its placement but gets the wider gaps: still nothing cut off on the smallest screen.
    await page.setViewportSize(VIEWPORTS.tablet);
    await settle(page);
    problems.push(...(await layoutProblems(page)).map((p) => `${screen} 1280x800: ${p}`));
    await page.setViewportSize(VIEWPORTS.portrait);
    await settle(page);
    problems.push(...(await axeFindings(page, `${screen} (${shots})`)));
    if (shoot) await page.screenshot({ path: `${SHOTS}/${shots}-${screen}-vi-portrait.png` });
  };

/** Loads the page again, so the touch UI reads the settings just changed (a new page reads them anyway). */
const reopen = async (page: Page) => {
  await page.reload();
  await expect(page.getByTestId('attract-start')).toBeVisible({ timeout: 15_000 });
};

const display = (layout: boolean, pictures: boolean) => {
  shared.setting('accessibleLayout', String(layout));
  shared.setting('pictureFirst', String(pictures));
};

test.beforeAll(() => mkdirSync(SHOTS, { recursive: true }));

test('accessible layout, portrait: everything the citizen touches is in the lower part, big and apart; axe clean', async ({
  page,
}) => {
  test.setTimeout(60_000);
  display(true, false);
  const problems: string[] = [];
  const check = checker(page, problems, 'accessible');
  await page.clock.install();
  await page.setViewportSize(VIEWPORTS.portrait);
  await shared.open(page);
  await expect(page.locator('html')).toHaveAttribute('data-layout', 'accessible');
  await check('attract', true);

  await page.getByTestId('attract-start').click();
  await expect(page.getByTestId('answer-option').first()).toBeVisible();
  await check('satisfaction5', true);
  await answer(page, '2');
  await answer(page, '3');
  await check('satisfaction3');
  await answer(page, '1');
  await answer(page, 'cho-lau', { advance: false });
  await check('multi-choice');
  await next(page);
  await typeKeys(page, 'Toots');
  await expect(page.getByTestId('comment-input')).toHaveValue('Tốt');
  await check('comment', true);

  await page.getByTestId('survey-exit').click();
  await expect(page.getByTestId('exit-confirm')).toBeVisible();
  await check('exit-confirm');
  await page.getByTestId('exit-no').click();
  await page.clock.fastForward(1_200_500);
  await expect(page.getByTestId('idle-prompt')).toBeVisible();
  await check('idle-prompt');
  await page.getByTestId('idle-continue').click();

  await page.getByTestId('survey-submit').click();
  await expect(page.getByTestId('thank-you')).toBeVisible();
  await check('thank-you');
  expect(problems).toEqual([]);
});

test('the standard layout keeps its look, which the checks above tell apart: targets closer than 24 px', async ({
  page,
}) => {
  display(false, false);
  await page.setViewportSize(VIEWPORTS.portrait);
  await shared.open(page);
  await expect(page.locator('html')).toHaveAttribute('data-layout', 'standard');
  await page.getByTestId('attract-start').click();
  await expect(page.getByTestId('answer-option').first()).toBeVisible();
  await settle(page);
  const problems = await reachProblems(page, 'satisfaction5');
  expect(problems).toContainEqual(expect.stringMatching(/answer-option=1 .* starts at y \d+, above 768/));
  expect(problems).toContainEqual(expect.stringMatching(/px apart \(< 24\)/));
});

/** Starts a survey and waits out the quiet time and countdown the way a citizen who stopped would see it. */
const idleTimes = async (page: Page) => {
  await page.clock.install();
  await shared.open(page);
  await page.getByTestId('attract-start').click();
  await answer(page, '4');
};

test.describe('idle time a slow reader can extend', () => {
  test.beforeEach(() => {
    shared.setting('idleSeconds', '10');
    shared.setting('countdownSeconds', '3');
  });
  test.afterAll(() => {
    shared.setting('idleSeconds', '600');
    shared.setting('countdownSeconds', '120');
  });

  test('standard layout: the prompt after 10 s, a 3 s countdown', async ({ page }) => {
    display(false, false);
    await idleTimes(page);
    await page.clock.fastForward(10_500);
    await expect(page.getByTestId('idle-prompt')).toBeVisible();
    await expect(page.getByTestId('idle-countdown')).toHaveText('3');
  });

  test('accessible layout: the quiet time doubles (prompt after 20 s, not 10), the countdown stays 3 s', async ({
    page,
  }) => {
    display(true, false);
    await idleTimes(page);
    await page.clock.fastForward(10_500);
    await expect(page.getByTestId('idle-prompt')).toBeHidden();
    await page.clock.fastForward(10_000);
    await expect(page.getByTestId('idle-prompt')).toBeVisible();
    await expect(page.getByTestId('idle-countdown')).toHaveText('3');
    // Still asks first: a touch continues, and the next quiet spell waits the doubled time again.
    await page.getByTestId('idle-continue').click();
    await page.clock.fastForward(15_000);
    await expect(page.getByTestId('idle-prompt')).toBeHidden();
  });

  test('picture-first (read aloud to everyone): the countdown doubles to 6 s before the survey is left', async ({
    page,
  }) => {
    display(false, true);
    await idleTimes(page);
    await page.clock.fastForward(10_500);
    await expect(page.getByTestId('idle-prompt')).toBeVisible();
    await expect(page.getByTestId('idle-countdown')).toHaveText('6');
    await page.clock.fastForward(4_000);
    await expect(page.getByTestId('idle-prompt')).toBeVisible();
    await page.clock.fastForward(2_500);
    await expect(page.getByTestId('attract-start')).toBeVisible();
  });
});

/** Each answer on screen: its picture (face or icon) comes first, big, and its words after it, smaller. */
const picturesFirst = (page: Page, picture: string) =>
  page.locator('[data-testid="answer-option"]').evaluateAll(
    (buttons, sel) =>
      buttons.map((b) => {
        const pic = b.querySelector(sel);
        const label = b.querySelector('.answer-label');
        if (!pic || !label) return { ok: false, why: `${b.getAttribute('data-value')}: no picture or no label` };
        const p = pic.getBoundingClientRect();
        const l = label.getBoundingClientRect();
        const before = (pic.compareDocumentPosition(label) & Node.DOCUMENT_POSITION_FOLLOWING) !== 0;
        const labelPx = parseFloat(getComputedStyle(label).fontSize);
        return {
          // First in reading order, above the words, and big: at least 48 px and three times the words' size.
          ok: before && p.bottom <= l.top + 0.5 && p.height >= Math.max(48, 3 * labelPx),
          why: `${b.getAttribute('data-value')}: picture ${Math.round(p.top)}..${Math.round(p.bottom)}, words ${Math.round(l.top)}..${Math.round(l.bottom)}`,
          labelPx,
        };
      }),
    picture,
  );

test('picture-first on the quick questionnaire: faces and pictures first, words smaller below; axe clean', async ({
  page,
}) => {
  test.setTimeout(60_000);
  const problems: string[] = [];
  const standardLabel = async () => {
    display(false, false);
    await shared.open(page);
    await page.getByTestId('attract-start').click();
    const px = await page
      .locator('[data-testid="answer-option"] .answer-label')
      .first()
      .evaluate((l) => parseFloat(getComputedStyle(l).fontSize));
    await page.getByTestId('survey-exit').click();
    return px;
  };
  await page.setViewportSize(VIEWPORTS.landscape);
  const wordsPx = await standardLabel();

  display(false, true);
  await reopen(page);
  await expect(page.locator('html')).not.toHaveAttribute('data-picture-first');
  await page.getByTestId('attract-start').click();
  await expect(page.locator('html')).toHaveAttribute('data-picture-first', 'on');
  await expect(page.getByTestId('answer-option')).toHaveCount(5);
  await settle(page);
  for (const face of await picturesFirst(page, 'svg.face')) {
    expect(face.ok, face.why).toBe(true);
    expect(face.labelPx).toBeLessThan(wordsPx);
  }
  problems.push(...(await axeFindings(page, 'faces')), ...(await layoutProblems(page)));
  await page.screenshot({ path: `${SHOTS}/picture-first-faces-vi-landscape.png` });
  await answer(page, '2');
  await answer(page, '3');
  await answer(page, '1');
  await expect(page.getByTestId('option-picture')).toHaveCount(8);
  await settle(page);
  for (const reason of await picturesFirst(page, 'svg.option-picture')) expect(reason.ok, reason.why).toBe(true);
  problems.push(...(await axeFindings(page, 'reasons')), ...(await layoutProblems(page)));
  await page.screenshot({ path: `${SHOTS}/picture-first-reasons-vi-landscape.png` });

  // With the accessible layout too, on a portrait screen: still within reach, still clean.
  display(true, true);
  await page.setViewportSize(VIEWPORTS.portrait);
  await reopen(page);
  await page.getByTestId('attract-start').click();
  await expect(page.getByTestId('answer-option')).toHaveCount(5);
  await checker(page, problems, 'picture-first')('faces', true);
  await answer(page, '2');
  await answer(page, '3');
  await answer(page, '1');
  await checker(page, problems, 'picture-first')('reasons', true);
  await page.getByTestId('survey-exit').click();
  await page.getByTestId('exit-yes').click();
  expect(problems).toEqual([]);
});

test('picture-first leaves the per-case questionnaire in words: its questions are about facts', async ({ page }) => {
  display(false, true);
  shared.setProcedure('1.001193');
  try {
    await shared.open(page);
    await page.getByTestId('attract-start').click();
    await expect(page.getByTestId('answer-option').first()).toBeVisible();
    await expect(page.locator('html')).not.toHaveAttribute('data-picture-first');
    await expect(page.getByTestId('option-picture')).toHaveCount(0);
  } finally {
    shared.setProcedure('2.000815');
  }
});

test('IT turns the accessible layout on in the admin panel; the attract screen follows without a restart', async ({
  page,
}) => {
  display(false, false);
  await page.setViewportSize(VIEWPORTS.portrait);
  await shared.open(page);
  await expect(page.locator('html')).toHaveAttribute('data-layout', 'standard');
  await page.keyboard.press('Control+Alt+KeyA');
  await page.locator('[data-testid="admin-pin-input"]').waitFor();
  for (const d of '924680') await page.locator(`[data-testid="pin-key"][data-key="${d}"]`).click();
  await page.locator('[data-testid="pin-key"][data-key="ok"]').click();
  await page.getByTestId('admin-tab-settings').click();
  const layout = page.getByTestId('admin-accessibleLayout');
  await expect(layout).toHaveAttribute('aria-checked', 'false');
  await layout.click();
  await expect(layout).toHaveAttribute('aria-checked', 'true');
  await page.getByTestId('admin-settings-save').click();
  await expect(page.getByTestId('admin-settings-result')).not.toHaveClass(/is-error/);
  await page.getByTestId('admin-close').click();
  // The attract screen reads the kiosk's state every few seconds.
  await expect(page.locator('html')).toHaveAttribute('data-layout', 'accessible', { timeout: 10_000 });
  expect(shared.audit().find((e) => e.actor === 'admin' && e.action === 'settings_changed')?.details).toEqual({
    accessibleLayout: { from: false, to: true },
  });
  display(false, false);
});
