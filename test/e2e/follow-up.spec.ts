import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { openDatabase } from '../../electron/core/db/open.ts';
import { applyPublishedConfigToDb } from '../../electron/core/sync/published-config.ts';
import type { SealedContact } from '../../shared/follow-up.ts';
import { CONSENT_TEXT_VERSION } from '../../shared/follow-up-offer.ts';
import { EMBEDDED_CONFIG_DIR, loadConfigDir } from '../../shared/node/config-loader.ts';
import { newContactKeyPair, openContact } from '../../shared/node/contact-seal.ts';
import type { StoredResponse } from '../../shared/response.ts';
import {
  QUICK_PROCEDURE,
  type Host,
  answer,
  configSet,
  expect,
  kioskctl,
  next,
  startHost,
  stopHost,
  test,
  typeKeys,
} from './support/host.ts';
import { axeFindings, settle } from './support/layout.ts';
import { readDb } from './support/shared-host.ts';

// One kiosk for the file, running a configuration "published by central" with a contact key made here,
// so the test can open what the kiosk sealed as central would.
const central = newContactKeyPair();
let host: Host | undefined;
let dir = '';

test.beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kiosk-e2e-follow-up-'));
  await stopHost(await startHost(dir));
  const loaded = loadConfigDir(EMBEDDED_CONFIG_DIR);
  if (!loaded.ok) throw new Error('embedded configuration is broken');
  const db = openDatabase(join(dir, 'kiosk.sqlite'));
  const published = {
    version: 'central-e2e-1',
    publishedAt: '2026-03-01T00:00:00.000Z',
    bundle: loaded.config.bundle,
    contactKey: { keyId: central.keyId, publicKey: central.publicKey },
  };
  const applied = applyPublishedConfigToDb(db, published);
  db.close();
  if (!applied.ok) throw new Error(applied.problems.join('; '));
  configSet(dir, 'idleSeconds', '10');
  configSet(dir, 'countdownSeconds', '3');
  host = await startHost(dir);
  kioskctl(dir, 'set-procedure', QUICK_PROCEDURE);
});
test.afterAll(async () => {
  if (host) await stopHost(host);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const open = async (page: Page) => {
  await page.goto(host!.url);
  await expect(page.getByTestId('attract-start')).toBeVisible({ timeout: 15_000 });
};
const lastSeq = () =>
  readDb(dir, (db) => (db.prepare('SELECT IFNULL(MAX(seq), 0) AS s FROM responses').get() as { s: number }).s);
const responsesAfter = async (since: number, count: number): Promise<StoredResponse[]> => {
  let rows: StoredResponse[] = [];
  await expect
    .poll(() => {
      rows = kioskctl(dir, 'responses', '--since', String(since)) as StoredResponse[];
      return rows.length;
    })
    .toBe(count);
  return rows;
};
const contactOf = (responseId: string): SealedContact | undefined =>
  readDb(dir, (db) => {
    const row = db.prepare('SELECT body FROM follow_up_contacts WHERE response_id = ?').get(responseId) as
      { body: string } | undefined;
    return row && (JSON.parse(row.body) as SealedContact);
  });

/** A dissatisfied citizen's quick survey up to the submit button (overall 1: the default trigger). */
const lowRating = async (page: Page) => {
  await page.getByTestId('attract-start').click();
  await answer(page, '1');
  await answer(page, '2');
  await answer(page, '1');
  await answer(page, 'cho-lau', { advance: false });
  await next(page);
  await page.getByTestId('survey-submit').click();
  await expect(page.getByTestId('follow-up')).toHaveAttribute('data-step', 'ask');
};
const tapPhone = async (page: Page, digits: string) => {
  for (const d of digits) await page.locator(`[data-testid="phone-key"][data-key="${d}"]`).click();
};
const heading = (page: Page) => page.getByRole('heading', { level: 1 });
/** axe once the step's slide-in has finished (a half-faded text would fail contrast for the wrong reason). */
const scan = async (page: Page, screen: string): Promise<string[]> => {
  await settle(page);
  return axeFindings(page, screen);
};

test('full follow-up in Vietnamese: offer, consent, a refused then a valid number, a name; sealed for central only; axe-clean', async ({
  page,
}) => {
  test.setTimeout(60_000);
  await open(page);
  const since = lastSeq();
  await lowRating(page);
  const findings: string[] = [];
  await expect(heading(page)).toHaveText('Ông/bà có muốn cơ quan liên hệ lại về việc này không?');
  // Nothing is stored while the citizen decides.
  expect(lastSeq()).toBe(since);
  findings.push(...(await scan(page, 'follow-up ask')));

  await page.getByTestId('follow-up-yes').click();
  await expect(page.getByTestId('follow-up-consent')).toContainText('Nghị định 13/2023/NĐ-CP');
  await expect(page.getByTestId('follow-up-consent')).toContainText('Trung tâm Phục vụ hành chính công xã (demo)');
  await expect(page.getByTestId('follow-up-consent-version')).toContainText(CONSENT_TEXT_VERSION);
  findings.push(...(await scan(page, 'follow-up consent')));

  await page.getByTestId('follow-up-agree').click();
  await expect(page.getByTestId('follow-up')).toHaveAttribute('data-step', 'phone');
  await tapPhone(page, '12345');
  await page.getByTestId('follow-up-next').click();
  await expect(page.getByTestId('follow-up-error')).toContainText('Số điện thoại chưa đúng');
  await expect(page.getByTestId('follow-up')).toHaveAttribute('data-step', 'phone');
  findings.push(...(await scan(page, 'follow-up phone, refused')));
  for (let i = 0; i < 5; i++) await page.locator('[data-testid="phone-key"][data-key="back"]').click();
  await tapPhone(page, '0912345678');
  await expect(page.getByTestId('follow-up-phone')).toHaveValue('0912345678');
  await page.getByTestId('follow-up-next').click();

  await expect(page.getByTestId('follow-up')).toHaveAttribute('data-step', 'name');
  await typeKeys(page, 'Lan');
  await expect(page.getByTestId('follow-up-name')).toHaveValue('Lan');
  findings.push(...(await scan(page, 'follow-up name')));
  await page.getByTestId('follow-up-send').click();
  await expect(page.getByTestId('thank-you')).toBeVisible();
  expect(findings).toEqual([]);

  const [r] = await responsesAfter(since, 1);
  expect(r).toMatchObject({ status: 'complete', locale: 'vi', answers: { overall: 1, attitude: 2, time: 1 } });
  // kioskctl shows the response, never the contact.
  expect(JSON.stringify(r)).not.toContain('0912345678');
  const contact = contactOf(r!.id);
  expect(contact?.consent).toMatchObject({ purpose: 'follow-up', textVersion: CONSENT_TEXT_VERSION, locale: 'vi' });
  expect(openContact(central, r!.id, contact!.sealed)).toEqual({ phone: '0912345678', name: 'Lan' });
});

test('"No" goes to thank-you: the response is stored, with no contact', async ({ page }) => {
  await open(page);
  const since = lastSeq();
  await lowRating(page);
  await page.getByTestId('follow-up-no').click();
  await expect(page.getByTestId('thank-you')).toBeVisible();
  const [r] = await responsesAfter(since, 1);
  expect(r!.status).toBe('complete');
  expect(contactOf(r!.id)).toBeUndefined();
});

test('idle on the phone pad: the survey is stored without a contact, and the next person sees an empty pad', async ({
  page,
}) => {
  await page.clock.install();
  await open(page);
  const since = lastSeq();
  await lowRating(page);
  await page.getByTestId('follow-up-yes').click();
  await page.getByTestId('follow-up-agree').click();
  await tapPhone(page, '0987654321');
  await page.clock.fastForward(10_500);
  await expect(page.getByTestId('idle-prompt')).toBeVisible();
  await page.clock.fastForward(3_500);
  await expect(page.getByTestId('attract-start')).toBeVisible();
  const [r] = await responsesAfter(since, 1);
  expect(r).toMatchObject({ status: 'complete', answers: { overall: 1 } });
  expect(contactOf(r!.id)).toBeUndefined();

  await lowRating(page);
  await page.getByTestId('follow-up-yes').click();
  await page.getByTestId('follow-up-agree').click();
  await expect(page.getByTestId('follow-up-phone')).toHaveValue('');
  await expect(page.getByText('0987654321')).toHaveCount(0);
});

test('a satisfied citizen is not offered a follow-up', async ({ page }) => {
  await open(page);
  const since = lastSeq();
  await page.getByTestId('attract-start').click();
  await answer(page, '4');
  await answer(page, '4');
  await answer(page, '3');
  await page.getByTestId('survey-submit').click();
  await expect(page.getByTestId('thank-you')).toBeVisible();
  await expect(page.getByTestId('follow-up')).toHaveCount(0);
  await responsesAfter(since, 1);
});
