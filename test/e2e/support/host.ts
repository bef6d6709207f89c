import { test as base, expect, type Page } from '@playwright/test';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stopProcess, waitForOutput } from '../../support/child-process.ts';

const ROOT = resolve(import.meta.dirname, '../../..');

/** Chứng thực bản sao từ bản chính: explicitly assigned the quick questionnaire in the demo catalog. */
export const QUICK_PROCEDURE = '2.000815';

/** One stored response as kioskctl responses --json prints it (the fields these tests read). */
export type StoredResponse = {
  questionnaireId: string;
  procedureCode: string | null;
  fieldCode: string | null;
  caseNumber: string | null;
  locale: string;
  status: 'complete' | 'abandoned';
  answers: Record<string, unknown>;
  [key: string]: unknown;
};

export type Host = { url: string; dataDir: string; proc: ChildProcess };

/** Runs kioskctl against a data dir and parses its --json output. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- kioskctl JSON, shape checked by each test
export const kioskctl = (dataDir: string, ...args: string[]): any => {
  const out = execFileSync(
    process.execPath,
    [join(ROOT, 'bin/kioskctl.js'), ...args, '--json', '--data-dir', dataDir],
    { cwd: ROOT, encoding: 'utf8' },
  );
  return JSON.parse(out);
};

/** Sets a config key before the host starts. */
export const configSet = (dataDir: string, key: string, value: string): void => {
  execFileSync(process.execPath, [join(ROOT, 'bin/kioskctl.js'), 'config', 'set', key, value, '--data-dir', dataDir], {
    cwd: ROOT,
    encoding: 'utf8',
  });
};

/** `env` adds to (or overrides) the host's environment, e.g. KIOSK_SYNC=on for the admin panel's sync tests. */
export const startHost = async (dataDir: string, env: Record<string, string> = {}): Promise<Host> => {
  const proc = spawn(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'electron/host/main.ts'), '--port', '0', '--data-dir', dataDir],
    {
      cwd: ROOT,
      env: { ...process.env, KIOSK_SYNC: 'off', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const [, url] = await waitForOutput(proc, /Kiosk ready: (\S+)/, 'host', 20_000, { text: '' });
  return { url: url!, dataDir, proc };
};

export const stopHost = (host: Host): Promise<void> => stopProcess(host.proc);

type Fixtures = {
  /** Config keys set with kioskctl before the host starts (override per file with test.use). */
  hostConfig: Record<string, string>;
  /** Procedure set with kioskctl before the host starts; quick questionnaire by default. */
  procedure: string | undefined;
  dataDir: string;
  host: Host;
  kiosk: Page;
};

export const test = base.extend<Fixtures>({
  hostConfig: [{}, { option: true }],
  procedure: [QUICK_PROCEDURE, { option: true }],
  // eslint-disable-next-line no-empty-pattern -- Playwright fixtures must destructure their first argument
  dataDir: async ({}, use) => {
    const dir = mkdtempSync(join(tmpdir(), 'kiosk-e2e-'));
    await use(dir);
    rmSync(dir, { recursive: true, force: true });
  },
  host: async ({ dataDir, hostConfig, procedure }, use) => {
    if (Object.keys(hostConfig).length > 0) {
      // kioskctl needs an existing database: start the host once to create it, then configure it offline.
      await stopHost(await startHost(dataDir));
      for (const [k, v] of Object.entries(hostConfig)) configSet(dataDir, k, v);
    }
    const host = await startHost(dataDir);
    if (procedure) kioskctl(dataDir, 'set-procedure', procedure);
    await use(host);
    await stopHost(host);
  },
  kiosk: async ({ page, host }, use) => {
    await page.goto(host.url);
    await expect(page.getByTestId('attract-start')).toBeVisible({ timeout: 15_000 });
    await use(page);
  },
});

export { expect };

export const responses = (dataDir: string): StoredResponse[] => kioskctl(dataDir, 'responses');

/** Polls kioskctl until the stored responses satisfy `pred`. */
export const waitForResponses = async (
  dataDir: string,
  pred: (r: StoredResponse[]) => boolean,
  timeout = 10_000,
): Promise<StoredResponse[]> => {
  let last: StoredResponse[] = [];
  await expect
    .poll(
      () => {
        last = responses(dataDir);
        return pred(last);
      },
      { timeout },
    )
    .toBe(true);
  return last;
};

/** Taps a one-tap answer and waits for the question to change (or the last one to be selected). */
export const answer = async (page: Page, value: string, { advance = true } = {}): Promise<void> => {
  // The question heading, not the progress: a showIf answer changes the total ("1/4" → "1/5") before moving on.
  const heading = page.getByRole('heading', { level: 1 });
  const option = page.locator(`[data-testid="answer-option"][data-value="${value}"]`);
  // Wait for the question itself: the attract/intro screen has its own level-1 heading.
  await expect(page.getByTestId('survey-progress')).toBeVisible();
  await expect(option).toBeVisible();
  const before = await heading.innerText();
  if (!advance) {
    await option.click();
    return;
  }
  // A tap right after a question appears can be ignored (double-tap guard), so tap again if nothing moved.
  await expect(async () => {
    if ((await heading.innerText()) !== before) return;
    await option.click();
    await expect(heading).not.toHaveText(before, { timeout: 1_500 });
  }).toPass({ timeout: 10_000 });
};

/** Presses survey-next and waits for the next question. */
export const next = async (page: Page): Promise<void> => {
  const heading = page.getByRole('heading', { level: 1 });
  const before = await heading.innerText();
  await page.getByTestId('survey-next').click();
  await expect(heading).not.toHaveText(before, { timeout: 5_000 });
};

/** Types text on the on-screen keyboard (Telex on); uppercase letters use shift. */
export const typeKeys = async (page: Page, text: string): Promise<void> => {
  for (const ch of text) {
    if (ch === ' ') {
      await page.locator('[data-testid="keyboard-key"][data-key="space"]').click();
    } else if (ch !== ch.toLowerCase()) {
      await page.locator('[data-testid="keyboard-key"][data-key="shift"]').click();
      await page.locator(`[data-testid="keyboard-key"][data-key="${ch.toLowerCase()}"]`).click();
    } else {
      await page.locator(`[data-testid="keyboard-key"][data-key="${ch}"]`).click();
    }
  }
};

/** Long-presses staff-open (mouse down, hold ~2.2 s, up). */
export const holdStaffOpen = async (page: Page): Promise<void> => {
  const box = await page.getByTestId('staff-open').boundingBox();
  if (!box) throw new Error('staff-open has no box');
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.waitForTimeout(2_200);
  await page.mouse.up();
  await expect(page.getByTestId('staff-panel')).toBeVisible();
};

/** Enters a PIN on the pin-key buttons and presses ok. */
export const enterPin = async (page: Page, pin: string): Promise<void> => {
  for (const d of pin) await page.locator(`[data-testid="pin-key"][data-key="${d}"]`).click();
  await page.locator('[data-testid="pin-key"][data-key="ok"]').click();
};
