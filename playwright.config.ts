import { defineConfig } from '@playwright/test';
import { chromiumPath } from './test/e2e/support/chromium.ts';

/**
 * End-to-end tests drive the system Chromium (Debian's package): Playwright's own browser download
 * cannot work on these machines. chromiumPath() fails with a clear message when none is installed.
 */
export default defineConfig({
  testDir: 'test/e2e',
  testMatch: '**/*.spec.ts',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  reporter: [['list']],
  use: {
    launchOptions: {
      executablePath: chromiumPath(),
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
        '--disable-sync',
      ],
    },
    trace: 'off',
  },
});
