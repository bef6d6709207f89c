// IT's admin panel in the system Chromium on the browser host, against a real central service on
// 127.0.0.1 (port 0): admin PIN → status → enrol → sync now with the progress bar → export to a
// folder that central then accepts; and the admin PIN's own lockout.
import AxeBuilder from '@axe-core/playwright';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import Database from 'better-sqlite3';
import { openKioskCore } from '../../electron/core/kiosk-core.ts';
import { recentAudit } from '../../electron/core/store/audit.ts';
import { uploadFiles } from '../../electron/core/sync/offline.ts';
import { type TestCentral, startTestCentral } from '../support/central.ts';
import { OFFICE_ADMIN_PIN, setOfficePins } from '../support/pins.ts';
import { insertBacklog } from '../sync/support/kiosk.ts';
import { type Host, enterPin, expect, holdStaffOpen, kioskctl, startHost, stopHost, test } from './support/host.ts';

const ADMIN_PIN = '924680';
const BACKLOG = 3_000;
const LATER = 120;
const BATCH = 20;

/** Types on the on-screen keyboard (url layout): shift for capitals. */
const typeKeys = async (page: Page, text: string): Promise<void> => {
  const key = (k: string) => page.locator(`[data-testid="keyboard-key"][data-key="${k}"]`);
  for (const ch of text) {
    if (ch !== ch.toLowerCase()) {
      await key('shift').click();
      await key(ch.toLowerCase()).click();
    } else {
      await key(ch).click();
    }
  }
};

/** From the attract screen: staff corner, "IT admin", admin PIN. */
const openAdmin = async (page: Page, pin: string): Promise<void> => {
  await holdStaffOpen(page);
  await page.getByTestId('admin-open').click();
  await expect(page.getByTestId('admin-pin-input')).toBeVisible();
  await enterPin(page, pin);
};

/** Records responses into the kiosk's database from this process, as the kiosk would (a second connection: WAL). */
const record = (dataDir: string, n: number, seed: number) => {
  const core = openKioskCore({ dataDir, log: () => {} });
  try {
    insertBacklog(core, n, { seed });
  } finally {
    core.close();
  }
};

test.describe('the admin panel against a real central', () => {
  let central: TestCentral;
  let host: Host;
  let dataDir: string;
  let usb: string;
  test.beforeAll(async () => {
    central = await startTestCentral('pglite');
    dataDir = mkdtempSync(join(tmpdir(), 'kiosk-e2e-admin-'));
    usb = mkdtempSync(join(tmpdir(), 'kiosk-e2e-usb-'));
    // Weeks offline: a backlog recorded before IT arrives. The PINs were changed from the demo ones
    // (a kiosk with a demo PIN refuses to enrol).
    record(dataDir, BACKLOG, 1);
    const core = openKioskCore({ dataDir, log: () => {} });
    setOfficePins(core.db);
    core.close();
    // The host's own background engine is on (it sleeps 10 minutes between looks), so "sync now" and
    // the background loop are one engine; batches of 20 make the progress bar move.
    host = await startHost(dataDir, {
      KIOSK_SYNC: 'on',
      KIOSK_SYNC_POLL_MS: '600000',
      KIOSK_SYNC_MAX_BATCH: String(BATCH),
    });
  });
  test.afterAll(async () => {
    if (host) await stopHost(host);
    await central?.close();
    for (const d of [dataDir, usb]) if (d) rmSync(d, { recursive: true, force: true });
  });

  test('admin PIN → status → enrol → sync now with the progress bar → export to a folder', async ({ page }) => {
    test.setTimeout(180_000);
    await page.goto(host.url);
    await expect(page.getByTestId('attract-start')).toBeVisible({ timeout: 15_000 });
    await openAdmin(page, OFFICE_ADMIN_PIN);

    // Status: not enrolled, everything waiting.
    const status = page.getByTestId('admin-status');
    await expect(status).toHaveAttribute('data-enrolled', 'no');
    await expect(status).toHaveAttribute('data-queue', String(BACKLOG));
    await expect(page.getByTestId('admin-sync-now')).toBeDisabled();

    // Enrol: URL and code typed on the on-screen keyboard.
    await page.getByTestId('admin-tab-enrol').click();
    await page.getByTestId('admin-enrol-url').click();
    await page.locator('[data-testid="keyboard-key"][data-key="clear"]').click();
    await typeKeys(page, central.url);
    await expect(page.getByTestId('admin-enrol-url')).toHaveValue(central.url);
    const code = await central.enrolmentCode();
    await page.getByTestId('admin-enrol-code').click();
    await typeKeys(page, code.toLowerCase());
    await expect(page.getByTestId('admin-enrol-code')).toHaveValue(code);
    await page.getByTestId('admin-enrol-submit').click();
    const enrolResult = page.getByTestId('admin-enrol-result');
    await expect(enrolResult).toHaveAttribute('data-ok', 'yes', { timeout: 20_000 });
    await expect(enrolResult).toContainText(central.defaultUnit.name);

    // Sync now: the bar moves to the end and the queue empties.
    await page.getByTestId('admin-tab-status').click();
    await expect(status).toHaveAttribute('data-enrolled', 'yes');
    // Every value the progress bar shows, recorded in the page as it changes.
    await page.evaluate(() => {
      const seen: number[] = [];
      (window as unknown as { progressSeen: number[] }).progressSeen = seen;
      new MutationObserver(() => {
        const bar = document.querySelector('[data-testid="admin-sync-progress"]');
        const done = Number(bar?.getAttribute('data-done') ?? NaN);
        if (bar && seen.at(-1) !== done) seen.push(done);
      }).observe(document.body, { subtree: true, childList: true, attributes: true });
    });
    await page.getByTestId('admin-sync-now').click();
    const progress = page.getByTestId('admin-sync-progress');
    await expect(progress).toBeVisible();
    await expect(progress).toHaveAttribute('data-state', 'succeeded', { timeout: 120_000 });
    await expect(progress).toHaveAttribute('data-done', String(BACKLOG));
    await expect(progress.locator('progress')).toHaveJSProperty('value', BACKLOG);
    await expect(progress.locator('progress')).toHaveJSProperty('max', BACKLOG);
    await expect(status).toHaveAttribute('data-queue', '0');
    await expect(page.getByTestId('admin-sync-result')).toHaveAttribute('data-state', 'succeeded');
    const seen = await page.evaluate(() => (window as unknown as { progressSeen: number[] }).progressSeen);
    expect(seen.at(-1)).toBe(BACKLOG);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    // The bar was seen part way at least once: 150 batches take longer than the panel's 300 ms poll.
    expect(
      seen.some((v) => v > 0 && v < BACKLOG),
      JSON.stringify(seen),
    ).toBe(true);
    expect(kioskctl(dataDir, 'sync-status')).toMatchObject({ queueDepth: 0, ackedThrough: BACKLOG });

    // Offline again: more answers, then export them to a folder (the USB stick).
    record(dataDir, LATER, 2);
    await page.getByTestId('admin-refresh').click();
    await expect(status).toHaveAttribute('data-queue', String(LATER));
    await page.getByTestId('admin-tab-export').click();
    await page.locator('[data-testid="admin-export-target"][data-path="folder"]').click();
    const folder = page.getByTestId('admin-export-folder');
    await expect(folder).toHaveValue(join(dataDir, 'exports'));
    await page.locator('[data-testid="keyboard-key"][data-key="clear"]').click();
    const target = join(usb, 'kbatch');
    await typeKeys(page, target);
    await expect(folder).toHaveValue(target);
    await page.getByTestId('admin-export').click();
    const result = page.getByTestId('admin-export-result');
    await expect(result).toHaveAttribute('data-state', 'succeeded', { timeout: 60_000 });
    const files = Math.ceil(LATER / BATCH);
    await expect(result).toHaveAttribute('data-files', String(files));
    await expect(page.getByTestId('admin-export-progress')).toHaveAttribute('data-done', String(LATER));

    // What is on the "stick" is what the panel listed, and central takes it once.
    const names = readdirSync(target)
      .filter((n) => n.endsWith('.kbatch'))
      .sort();
    expect(names).toHaveLength(files);
    for (const n of names) await expect(result).toContainText(n);
    const paths = names.map((n) => join(target, n));
    const digests = paths.map((p) => createHash('sha256').update(readFileSync(p)).digest('hex'));
    expect(new Set(digests).size).toBe(files);
    const first = await uploadFiles({ files: paths, centralUrl: central.url });
    expect(first.reduce((n, r) => n + (r.ok ? r.ack.inserted : 0), 0)).toBe(LATER);
    const again = await uploadFiles({ files: paths, centralUrl: central.url });
    expect(again.reduce((n, r) => n + (r.ok ? r.ack.duplicates : 0), 0)).toBe(LATER);

    // The audit log tab shows what was done, newest first.
    await page.getByTestId('admin-tab-audit').click();
    const ours = ['export_done', 'export_started', 'sync_done', 'sync_now', 'enrolled', 'unlock'];
    // The tab loads its first page after it opens: wait for the rows, not just the table.
    await expect
      .poll(async () =>
        (
          await page
            .getByTestId('admin-audit-entry')
            .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-action')))
        ).filter((a) => ours.includes(a ?? '')),
      )
      .toEqual(ours);

    // Moving the kiosk elsewhere takes a deliberate reset: the enrolment tab shows the enrolment in
    // force and a warning, not the form; the admin PIN is typed again; unsent answers block it.
    record(dataDir, 2, 3);
    await page.getByTestId('admin-tab-enrol').click();
    const current = page.getByTestId('admin-enrolment-current');
    await expect(current).toContainText(central.defaultUnit.name);
    await expect(page.getByTestId('admin-enrolment-key')).toContainText(
      createHash('sha256').update(Buffer.from(central.centralKey.publicKey, 'base64url')).digest('hex'),
    );
    await expect(page.getByTestId('admin-enrol-url')).toHaveCount(0);
    await expect(page.getByTestId('admin-reset-submit')).toBeDisabled();
    const resetWith = async (pin: string) => {
      for (const d of pin) await page.locator(`[data-testid="admin-reset-key"][data-key="${d}"]`).click();
      await page.getByTestId('admin-reset-submit').click();
    };
    await resetWith('111222');
    await expect(page.getByTestId('admin-reset-result')).toContainText(/PIN/);
    await resetWith(OFFICE_ADMIN_PIN);
    await expect(page.getByTestId('admin-reset-result')).toContainText('2');
    await expect(current).toBeVisible();
    // Sent, then the reset goes through and the form is back.
    await page.getByTestId('admin-tab-status').click();
    await page.getByTestId('admin-sync-now').click();
    await expect(page.getByTestId('admin-sync-result')).toHaveAttribute('data-state', 'succeeded', { timeout: 60_000 });
    await expect(status).toHaveAttribute('data-queue', '0');
    await page.getByTestId('admin-tab-enrol').click();
    await resetWith(OFFICE_ADMIN_PIN);
    await expect(page.getByTestId('admin-reset-done')).toContainText(central.defaultUnit.name);
    await expect(page.getByTestId('admin-enrol-url')).toBeVisible();
    expect(kioskctl(dataDir, 'sync-status')).toMatchObject({ enrolled: false });
    const db = new Database(join(dataDir, 'kiosk.sqlite'), { readonly: true });
    try {
      const actions = recentAudit(db, 10).map((e) => e.action);
      expect(actions.slice(0, 1)).toEqual(['enrolment_reset']);
      expect(actions).toContain('enrolment_reset_refused');
    } finally {
      db.close();
    }

    // Closing the panel locks the admin session.
    await page.getByTestId('admin-close').click();
    await expect(page.getByTestId('admin-panel')).toBeHidden();
    await expect(page.getByTestId('attract-start')).toBeVisible();
  });
});

test('three wrong admin PINs lock the admin panel; the staff PIN still opens the staff panel', async ({
  kiosk: page,
  host,
}) => {
  await holdStaffOpen(page);
  await page.getByTestId('admin-open').click();
  await expect(page.getByTestId('admin-pin-input')).toBeVisible();
  // The staff PIN is not an admin PIN.
  await enterPin(page, '1357');
  await expect(page.getByTestId('staff-error')).toContainText(/2/);
  for (const pin of ['111111', '222222']) {
    await enterPin(page, pin);
    await expect(page.getByTestId('staff-error')).not.toBeEmpty();
  }
  await expect(page.getByTestId('staff-error')).toContainText(/khóa|khoá/i);
  await expect(page.locator('[data-testid="pin-key"][data-key="1"]')).toBeDisabled();
  await expect(page.getByTestId('admin-status')).toHaveCount(0);

  // Its own lockout: the staff panel opens with the staff PIN.
  await page.getByTestId('admin-close').click();
  await holdStaffOpen(page);
  await enterPin(page, '1357');
  await expect(page.getByTestId('procedure-search')).toBeVisible();

  const db = new Database(join(host.dataDir, 'kiosk.sqlite'), { readonly: true });
  try {
    const admin = recentAudit(db)
      .filter((e) => e.actor === 'admin')
      .map((e) => e.action)
      .reverse();
    expect(admin).toEqual(['pin_failed', 'pin_failed', 'pin_failed']);
  } finally {
    db.close();
  }
});

for (const locale of ['vi', 'en'] as const) {
  test(`every admin tab in ${locale}: no serious accessibility problem, every string translated`, async ({
    kiosk: page,
  }) => {
    test.setTimeout(90_000);
    await page.locator(`[data-testid="language-option"][data-locale="${locale}"]`).click();
    await expect(page.locator('html')).toHaveAttribute('lang', locale);
    await page.keyboard.press('Control+Alt+A');
    await expect(page.getByTestId('admin-pin-input')).toBeVisible();
    await enterPin(page, ADMIN_PIN);
    await expect(page.getByTestId('admin-status')).toBeVisible();
    for (const tab of ['status', 'enrol', 'export', 'audit', 'pins', 'settings']) {
      await page.getByTestId(`admin-tab-${tab}`).click();
      await expect(page.getByTestId(`admin-tab-${tab}`)).toHaveAttribute('aria-current', 'page');
      await page.waitForTimeout(300);
      const result = await new AxeBuilder({ page }).include('[data-testid="admin-panel"]').analyze();
      const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
      expect(
        bad.map(
          (v) =>
            `${tab}: ${v.id} ${v.nodes
              .map((n) => n.target.join(' '))
              .slice(0, 3)
              .join(', ')}`,
        ),
      ).toEqual([]);
      // No i18n key shown raw (a missing translation renders its key).
      await expect(page.getByTestId('admin-panel')).not.toContainText(/\badmin\.[a-z]/);
    }
  });
}

test('the admin panel closes itself when left idle, locking its session; the admin PIN is asked again', async ({
  kiosk: page,
  host,
}) => {
  await page.clock.install();
  await page.keyboard.press('Control+Alt+KeyA');
  await expect(page.getByTestId('admin-pin-input')).toBeVisible();
  await enterPin(page, ADMIN_PIN);
  await expect(page.getByTestId('admin-status')).toBeVisible();
  await page.clock.fastForward(60_000);
  await page.getByTestId('admin-tab-audit').click();
  // A touch restarts the wait: 60 s later the panel is still open.
  await page.clock.fastForward(60_000);
  await expect(page.getByTestId('admin-audit')).toBeVisible();
  await page.clock.fastForward(91_000);
  await expect(page.getByTestId('admin-panel')).toBeHidden();
  await expect(page.getByTestId('attract-start')).toBeVisible();
  await page.keyboard.press('Control+Alt+KeyA');
  await expect(page.getByTestId('admin-pin-input')).toBeVisible();
  await expect(page.getByTestId('admin-status')).toHaveCount(0);
  // Closing on idle ended the session in the core too.
  await expect
    .poll(() => {
      const db = new Database(join(host.dataDir, 'kiosk.sqlite'), { readonly: true });
      try {
        return recentAudit(db)
          .filter((e) => e.actor === 'admin')
          .map((e) => e.action)
          .reverse();
      } finally {
        db.close();
      }
    })
    .toEqual(['unlock', 'lock']);
});
