/**
 * The central service as a child process for the console's end-to-end tests, started exactly as an
 * operator does (`npm run central`: central/main.ts) on port 0 with a temp data dir (PGlite on
 * disk), plus what those tests do around it: a kiosk data dir with recorded responses, kioskctl,
 * a browser host with sync on, and logging in to the console.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { type Page, test as base, expect } from '@playwright/test';
import { waitForOutput } from '../../support/child-process.ts';
import { runBin, spawnCentral, spawnSyncingHost, stopProcess } from './central-spawn.ts';

// The processes themselves (spawned as an operator does, free of Playwright): central-spawn.ts.
export { ROOT, enrolKioskDir, runBin, stopProcess } from './central-spawn.ts';

export type CentralProcess = {
  url: string;
  dataDir: string;
  proc: ChildProcess;
  /** The first console account printed at first start (the documented demo password on PGlite). */
  admin: { username: string; password: string };
  /** A one-time enrolment code for the default unit, issued with centralctl right after start. */
  enrolmentCode: string;
  log: () => string;
};

export const startCentralProcess = async (args: string[] = []): Promise<CentralProcess> => {
  const dataDir = mkdtempSync(join(tmpdir(), 'central-e2e-'));
  const proc = spawnCentral(dataDir, args);
  const log = { text: '' };
  const m = await waitForOutput(proc, /first console account: (\S+) \/ (\S+)/, 'central', 60_000, log);
  const url = /listening on (\S+)/.exec(log.text)![1]!;
  // Central prints no code at start (only how to get one): ask for one as IT does.
  const code = runBin('centralctl', ['--data-dir', dataDir, 'enrol-code']).trim();
  return { url, dataDir, proc, admin: { username: m[1]!, password: m[2]! }, enrolmentCode: code, log: () => log.text };
};

export const stopCentralProcess = async (c: CentralProcess): Promise<void> => {
  await stopProcess(c.proc);
  rmSync(c.dataDir, { recursive: true, force: true });
};

/** A kiosk browser host (electron/host) with its sync engine ON, tuned to talk to central every second or so. */
export const startSyncingHost = async (
  dataDir: string,
): Promise<{ url: string; proc: ChildProcess; log: () => string }> => {
  const proc = spawnSyncingHost(dataDir);
  const log = { text: '' };
  const m = await waitForOutput(proc, /Kiosk ready: (\S+)/, 'kiosk host', 30_000, log);
  return { url: m[1]!, proc, log: () => log.text };
};

export const tempDir = (prefix: string): string => mkdtempSync(join(tmpdir(), prefix));

/** Logs in through the console's login form and waits for the device registry. */
export const consoleLogin = async (
  page: Page,
  central: { url: string },
  username: string,
  password: string,
): Promise<void> => {
  await page.goto(`${central.url}/console/login`);
  await page.getByLabel(/Tên đăng nhập|Username/).fill(username);
  await page.getByLabel(/^(Mật khẩu|Password)$/).fill(password);
  await page.getByTestId('login-submit').click();
  await expect(page.getByTestId('console-user')).toBeVisible();
};

/** axe on the page as it is: no serious or critical violation. */
export const noSeriousA11yIssues = async (page: Page, screen: string): Promise<void> => {
  const result = await new AxeBuilder({ page }).analyze();
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(
    bad.map(
      (v) =>
        `${screen}: ${v.id} (${v.impact}) ${v.nodes
          .map((n) => n.target.join(' '))
          .slice(0, 3)
          .join(', ')}`,
    ),
  ).toEqual([]);
};

/** Issues an enrolment code in the console for a new unit (created on the way); returns the code. */
export const issueCodeForNewUnit = async (page: Page, central: { url: string }, unit: string): Promise<string> => {
  await page.goto(`${central.url}/console/codes`);
  await page.getByLabel('Đơn vị', { exact: true }).selectOption('__new__');
  await page.getByLabel(/^Mã đơn vị/).fill(unit);
  await page.getByLabel('Tên đơn vị').fill(`Xã ${unit}`);
  await page.getByTestId('code-submit').click();
  return (await page.getByTestId('issued-code').innerText()).trim();
};

/** Temp dirs a spec made, removed by cleanupTempDirs() in its afterAll. */
const made: string[] = [];
export const scratchDir = (prefix: string): string => {
  const d = tempDir(prefix);
  made.push(d);
  return d;
};
export const cleanupTempDirs = (): void => {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
};

/**
 * `test` with a worker-scoped central process: every console spec in a worker shares one (its first
 * start, initdb of PGlite on disk, is the slow part). Specs keep apart by their own accounts, units
 * and devices.
 */

export const test = base.extend<object, { central: CentralProcess }>({
  central: [
    // eslint-disable-next-line no-empty-pattern -- Playwright fixtures must destructure their first argument
    async ({}, use) => {
      const central = await startCentralProcess();
      await use(central);
      await stopCentralProcess(central);
    },
    { scope: 'worker', timeout: 120_000 },
  ],
});
