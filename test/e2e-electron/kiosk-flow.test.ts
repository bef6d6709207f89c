// End to end in Electron: Playwright's _electron launches the built app (dist/ as the app directory),
// a respondent goes attract → survey → thank-you, and the stored response is read back through the core.
// Runs wherever an Electron binary is installed; elsewhere (CI here: ELECTRON_SKIP_BINARY_DOWNLOAD=1)
// every test skips with one line saying why.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { type ElectronApplication, type Page, _electron } from '@playwright/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_DIR, ROOT, locateElectron, rebuildNativeForElectron } from '../../build/electron-native.mjs';
import { openKioskCore } from '../../electron/core/kiosk-core.ts';
import { tempDir } from '../support/tmp.ts';

const electron = locateElectron() as { ok: true; path: string } | { ok: false; reason: string };
const SKIP = electron.ok ? null : `Electron e2e skipped: ${electron.reason}`;
if (SKIP) console.log(SKIP);

let app: ElectronApplication | null = null;
let page: Page;
let dataDir: string;
let cleanup: () => void = () => undefined;

const run = (label: string, args: string[]) => {
  const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${label} failed: ${r.stderr || r.stdout}`);
};

const launch = async (): Promise<void> => {
  if (!electron.ok) return;
  const env = { ...process.env } as Record<string, string>;
  delete env.ELECTRON_RUN_AS_NODE;
  app = await _electron.launch({
    executablePath: electron.path,
    args: [APP_DIR, `--data-dir=${dataDir}`],
    env,
    timeout: 60_000,
  });
  page = await app.firstWindow();
  await page.waitForLoadState('domcontentloaded');
};

describe('kiosk in Electron', () => {
  beforeAll(async () => {
    if (!electron.ok) return;
    run('vite build', [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn']);
    run('build-main', [join(ROOT, 'scripts/build-main.mjs')]);
    await rebuildNativeForElectron();
    const t = tempDir('kiosk-e2e-electron-');
    dataDir = join(t.dir, 'data');
    cleanup = t.cleanup;
    await launch();
  }, 600_000);

  afterAll(async () => {
    await app?.close();
    cleanup();
  });

  it('serves the renderer from app://kiosk with the bridge and no Node in the page', async (ctx) => {
    if (SKIP) return ctx.skip(SKIP);
    expect(page.url()).toBe('app://kiosk/index.html');
    const shape = await page.evaluate(() => ({
      bridge: Object.keys((window as unknown as { kioskBridge?: object }).kioskBridge ?? {}).sort(),
      require: typeof (window as unknown as { require?: unknown }).require,
      process: typeof (window as unknown as { process?: unknown }).process,
    }));
    expect(shape.bridge.length).toBeGreaterThan(0);
    expect(shape).toMatchObject({ require: 'undefined', process: 'undefined' });
    const opened = await page.evaluate(() => window.open('https://example.com/') === null);
    expect(opened).toBe(true);
  });

  it('runs a respondent from the attract screen to the thank-you screen and stores the response', async (ctx) => {
    if (SKIP) return ctx.skip(SKIP);
    await page.getByTestId('attract-start').click();
    for (let step = 0; step < 60; step++) {
      if (await page.getByTestId('thank-you').isVisible()) break;
      const submit = page.getByTestId('survey-submit');
      if ((await submit.isVisible()) && (await submit.isEnabled())) {
        await submit.click();
        continue;
      }
      const next = page.getByTestId('survey-next');
      if ((await next.isVisible()) && (await next.isEnabled())) {
        await next.click();
        continue;
      }
      const options = page.getByTestId('answer-option');
      if ((await options.count()) > 0) {
        await options.last().click();
        await page.waitForTimeout(300);
        continue;
      }
      await page.waitForTimeout(200);
    }
    await expect.poll(() => page.getByTestId('thank-you').isVisible(), { timeout: 10_000 }).toBe(true);
    await app!.close();
    app = null;
    const core = openKioskCore({ dataDir, log: () => undefined });
    try {
      const rows = core.db.prepare('SELECT status, seq FROM responses ORDER BY seq').all();
      expect(rows).toEqual([{ status: 'complete', seq: 1 }]);
    } finally {
      core.close();
    }
  });
});
