import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Page, expect } from '@playwright/test';
import { EMBEDDED_CONFIG_DIR } from '../../shared/node/config-loader.ts';
import { QUICK_PROCEDURE, answer, next } from './support/host.ts';
import { axeFindings, settle } from './support/layout.ts';
import {
  ROOT,
  cleanupTempDirs,
  consoleLogin,
  enrolKioskDir,
  issueCodeForNewUnit,
  runBin,
  scratchDir,
  startSyncingHost,
  stopProcess,
  test,
} from './support/central-process.ts';

test.afterAll(cleanupTempDirs);

const KM_PACK = join(ROOT, 'assets', 'language-packs', 'km.json');
const vi = JSON.parse(readFileSync(join(ROOT, 'renderer', 'i18n', 'vi.json'), 'utf8')) as {
  attract: { start: string };
};
const SHOTS = resolve(
  import.meta.dirname,
  process.env.UPDATE_SCREENSHOTS === '1' ? '../../docs/screenshots' : '../../test-results/screenshots',
);

/** Every string of an object tree (vi.json, a questionnaire's Vietnamese texts). */
const strings = (v: unknown): string[] =>
  typeof v === 'string' ? [v] : v && typeof v === 'object' ? Object.values(v).flatMap(strings) : [];

/**
 * What must not appear on a Khmer screen: each Vietnamese UI string (its fixed parts around
 * {{placeholders}}) and each Vietnamese text of the quick questionnaire and the catalog.
 */
const vietnamese = (() => {
  const quick = JSON.parse(readFileSync(join(EMBEDDED_CONFIG_DIR, 'questionnaires', 'quick.json'), 'utf8')) as unknown;
  const catalog = JSON.parse(readFileSync(join(EMBEDDED_CONFIG_DIR, 'catalog.json'), 'utf8')) as unknown;
  const configTexts = (v: unknown): string[] =>
    Array.isArray(v)
      ? v.flatMap(configTexts)
      : v && typeof v === 'object'
        ? Object.entries(v).flatMap(([k, x]) => (k === 'vi' && typeof x === 'string' ? [x] : configTexts(x)))
        : [];
  const fragments = [...strings(vi), ...configTexts(quick), ...configTexts(catalog)]
    .flatMap((s) => s.split(/\{\{[^}]*\}\}/))
    .map((s) => s.trim())
    // Three letters at least: "Có" or "T2" could be anything; a real Vietnamese string is longer.
    .filter((s) => [...s.matchAll(/\p{L}/gu)].length >= 3);
  return [...new Set(fragments)];
})();

/**
 * Shown as configured, not translated, by design: each language's button names it in itself (so a
 * Vietnamese speaker finds the way back), and the office and counter names are proper names IT types.
 */
const AS_CONFIGURED = '[data-testid="language-option"], .office-name, .counter-name';

/** The text a respondent can see or hear now: rendered text, and the names and hints of visible controls. */
const visibleText = (page: Page): Promise<string[]> =>
  page.evaluate((asConfigured) => {
    let body = document.body.innerText;
    for (const el of document.querySelectorAll<HTMLElement>(asConfigured)) body = body.replace(el.innerText, '');
    const out = [body];
    for (const el of document.querySelectorAll('[aria-label], [placeholder], [title], [alt]')) {
      if (!el.checkVisibility() || el.matches(asConfigured)) continue;
      for (const a of ['aria-label', 'placeholder', 'title', 'alt']) {
        const v = el.getAttribute(a);
        if (v) out.push(v);
      }
    }
    return out;
  }, AS_CONFIGURED);

const expectAllKhmer = async (page: Page, screen: string): Promise<void> => {
  await settle(page);
  const texts = await visibleText(page);
  const found = vietnamese.filter((f) => texts.some((t) => t.includes(f)));
  expect(found, `Vietnamese strings on the ${screen} screen in Khmer`).toEqual([]);
  // The page does show Khmer (not, say, an empty screen).
  expect(texts.join(' ')).toMatch(/[\u1780-\u17ff]/);
};

test('a Khmer language pack published in the console reaches a kiosk: every string in Khmer, a Khmer keyboard, the next respondent in Vietnamese', async ({
  page,
  context,
  central,
}) => {
  test.setTimeout(150_000);
  await consoleLogin(page, central, central.admin.username, central.admin.password);
  const code = await issueCodeForNewUnit(page, central, 'xa-khmer');
  const kioskDir = scratchDir('kiosk-khmer-');
  enrolKioskDir(kioskDir, central.url, code);
  runBin('kioskctl', ['set-procedure', QUICK_PROCEDURE, '--data-dir', kioskDir]);
  const host = await startSyncingHost(kioskDir);
  try {
    // IT uploads the pack as a configuration file and publishes it to the unit.
    await page.goto(`${central.url}/console/config`);
    await page.getByLabel('Dựa trên cấu hình hiện tại của đơn vị').selectOption('xa-khmer');
    await page.getByTestId('config-file').setInputFiles(KM_PACK);
    await page.getByTestId('config-submit').click();
    await expect(page.getByTestId('config-ok')).toBeVisible();
    await expect(page.getByTestId('draft-language-packs')).toContainText('km (ភាសាខ្មែរ)');
    await page.getByLabel(/Xã xa-khmer/).check();
    await page.getByTestId('publish-submit').click();
    await expect(page.locator('[data-testid="publish-result"][data-unit="xa-khmer"]')).toHaveAttribute(
      'data-status',
      'published',
    );

    // The kiosk fetches it and offers Khmer beside Vietnamese and English.
    const kiosk = await context.newPage();
    await kiosk.setViewportSize({ width: 1920, height: 1080 });
    await kiosk.goto(host.url);
    const khmer = kiosk.locator('[data-testid="language-option"][data-locale="km"]');
    await expect(khmer).toBeVisible({ timeout: 30_000 });
    await expect(khmer).toHaveText('ភាសាខ្មែរ');
    await expect(kiosk.locator('html')).toHaveAttribute('lang', 'vi');

    const findings: string[] = [];
    const check = async (screen: string) => {
      await expectAllKhmer(kiosk, screen);
      findings.push(...(await axeFindings(kiosk, `${screen} (km)`)));
    };

    await khmer.click();
    await expect(kiosk.locator('html')).toHaveAttribute('lang', 'km');
    await expect(kiosk.getByTestId('attract-start')).toHaveText('ចាប់ផ្តើមវាយតម្លៃ');
    // The Khmer faces are loaded (an on-demand chunk), so the text is not drawn in a fallback font.
    await expect.poll(() => kiosk.evaluate(() => document.fonts.check('16px "Noto Sans"', 'ក'))).toBe(true);
    await check('attract');

    await kiosk.getByTestId('attract-start').click();
    await expect(kiosk.getByTestId('survey-progress')).toBeVisible();
    await expect(kiosk.getByRole('heading', { level: 1 })).toContainText('ជារួម តើលោក/លោកស្រីពេញចិត្ត');
    await check('question 1');
    mkdirSync(SHOTS, { recursive: true });
    await kiosk.screenshot({ path: `${SHOTS}/language-pack-km-question.png` });
    // An unhappy respondent: the "what went wrong" question and, after sending, the follow-up offer.
    await answer(kiosk, '2');
    await check('question 2');
    await answer(kiosk, '5');
    await check('question 3');
    await answer(kiosk, '2');
    await expect(kiosk.getByText('អាចជ្រើសរើសបានច្រើនចម្លើយ')).toBeVisible();
    await check('multiple choice');
    await answer(kiosk, 'cho-lau', { advance: false });
    await next(kiosk);

    // The comment's keyboard types Khmer: ស + ូ + ម, អ + រ + គ + ុ + ណ, with the coeng for a subscript.
    await expect(kiosk.getByTestId('comment-input')).toBeVisible();
    for (const k of ['ស', 'ូ', 'ម', 'អ', 'រ', 'គ', 'ុ', 'ណ', 'space', 'ខ', '្', 'ម', 'ែ', 'រ', '។'])
      await kiosk.locator(`[data-testid="keyboard-key"][data-key="${k}"]`).click();
    await expect(kiosk.getByTestId('comment-input')).toHaveValue('សូមអរគុណ ខ្មែរ។');
    await check('comment');
    await kiosk.screenshot({ path: `${SHOTS}/language-pack-km-comment.png` });

    await kiosk.getByTestId('survey-submit').click();
    await expect(kiosk.getByTestId('follow-up')).toHaveAttribute('data-step', 'ask');
    await check('follow-up offer');
    await kiosk.getByTestId('follow-up-yes').click();
    await expect(kiosk.getByTestId('follow-up-consent')).toBeVisible();
    await check('follow-up consent');
    await kiosk.getByTestId('follow-up-decline').click();
    await expect(kiosk.getByTestId('thank-you')).toBeVisible();
    await check('thank-you');
    expect(findings).toEqual([]);

    // Stored with its language, and the comment as typed.
    const stored = JSON.parse(runBin('kioskctl', ['responses', '--json', '--data-dir', kioskDir])) as {
      locale: string;
      answers: Record<string, unknown>;
    }[];
    expect(stored.map((r) => r.locale)).toEqual(['km']);
    expect(Object.values(stored[0]!.answers)).toContain('សូមអរគុណ ខ្មែរ។');

    // The next respondent starts in Vietnamese.
    await kiosk.getByTestId('thank-you-done').click();
    await expect(kiosk.getByTestId('attract-start')).toBeVisible();
    await expect(kiosk.locator('html')).toHaveAttribute('lang', 'vi');
    await expect(kiosk.getByTestId('attract-start')).toHaveText(vi.attract.start);
    await expect(kiosk.locator('[data-testid="language-option"][data-locale="vi"]')).toHaveAttribute(
      'aria-pressed',
      'true',
    );
  } finally {
    await stopProcess(host.proc);
  }
});
