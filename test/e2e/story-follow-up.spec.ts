// Issue 12's story, end to end, on real parts: a kiosk (the browser host with its sync engine, the
// built renderer in Chromium, SQLite) enrolled to a ward whose configuration, published and signed by a
// real central (PostgreSQL when installed, else PGlite), carries central's contact key. A dissatisfied
// citizen asks for a call on the touch screen and gives a number and a name; the kiosk syncs; the
// ward's follow-up officer sees the case in the console, shows the number (audited), marks it
// contacted, then resolved; the retention job erases the contact once its time has come. Around it:
// another ward's officer and the ward's own unit viewer get nothing, through pages or forged URLs, and
// the number is in clear neither in central's responses nor in the kiosk's SQLite file or its WAL.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { APIResponse, Browser, BrowserContext, Page } from '@playwright/test';
import { createAdminUser } from '../../central/console/auth/users.ts';
import { findCase } from '../../central/follow-ups/cases.ts';
import { eraseExpiredContacts } from '../../central/follow-ups/retention.ts';
import { DEFAULT_FOLLOW_UP_SETTINGS } from '../../central/follow-ups/settings.ts';
import { DEFAULT_UNIT, ensureUnit } from '../../central/ops/units.ts';
import { type Backend, type TestCentral, backendAvailable, startTestCentral } from '../support/central.ts';
import { stopSharedPostgres } from '../support/postgres.ts';
import {
  cleanupTempDirs,
  consoleLogin,
  ROOT,
  scratchDir,
  startSyncingHost,
  stopProcess,
} from './support/central-process.ts';
import { OFFICE_ADMIN_PIN, OFFICE_STAFF_PIN } from '../support/pins.ts';
import { QUICK_PROCEDURE, answer, configSet, expect, kioskctl, next, test, typeKeys } from './support/host.ts';
import { readDb } from './support/shared-host.ts';

const WARD = 'phuong-an-khanh';
const OTHER_WARD = 'phuong-binh-minh';
const PASSWORD = 'Ca-phe-sua-da-2026!';
/** What the citizen types, and every form of the number a leak could take. */
const PHONE = '0358246179';
const PHONE_FORMS = [PHONE, '84358246179', '358246179'];
const NAME = 'Hoa Quynh';
const NOTE_CONTACTED = 'Goi lai luc 9 gio, hen bo sung ho so';
const DAY = 24 * 60 * 60 * 1000;

type Account = { username: string; role: 'province_admin' | 'unit_viewer' | 'follow_up_officer'; unitId?: string };
const ADMIN: Account = { username: 'so-noi-vu', role: 'province_admin' };
const OFFICER: Account = { username: 'can-bo-an-khanh', role: 'follow_up_officer', unitId: WARD };
const OTHER_OFFICER: Account = { username: 'can-bo-binh-minh', role: 'follow_up_officer', unitId: OTHER_WARD };
const VIEWER: Account = { username: 'xem-an-khanh', role: 'unit_viewer', unitId: WARD };

/**
 * enrolKioskDir, but without blocking this process: central runs in it and must answer the enrolment
 * (execFileSync would stall its event loop until kioskctl gives up).
 */
const enrolAsync = async (kioskDir: string, centralUrl: string, code: string): Promise<string> => {
  configSet(kioskDir, 'adminPin', OFFICE_ADMIN_PIN);
  configSet(kioskDir, 'staffPin', OFFICE_STAFF_PIN);
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      join(ROOT, 'bin/kioskctl.js'),
      'enroll',
      '--central',
      centralUrl,
      '--code',
      code,
      '--data-dir',
      kioskDir,
      '--json',
    ],
    { cwd: ROOT, encoding: 'utf8' },
  );
  return (JSON.parse(stdout) as { deviceId: string }).deviceId;
};

const leaksIn = (text: string): string[] => [...PHONE_FORMS, NAME].filter((s) => text.includes(s));

/** A console session of its own (its own cookies) for one account. */
const signIn = async (browser: Browser, central: TestCentral, who: Account): Promise<Page> => {
  const page = await (await browser.newContext()).newPage();
  await consoleLogin(page, central, who.username, PASSWORD);
  return page;
};

/** This session's CSRF token, from the logout form every console page carries. */
const csrfOf = async (page: Page): Promise<string> => page.locator('input[name="_csrf"]').first().inputValue();

/** A form POST from the session's own cookies and token, as a hand-made request would be. */
const post = async (page: Page, url: string, form: Record<string, string>): Promise<APIResponse> =>
  page.request.post(url, { form: { _csrf: await csrfOf(page), ...form }, maxRedirects: 0 });

const numberViews = async (central: TestCentral): Promise<{ username: string | null; detail: unknown }[]> =>
  (
    await central.db.query(
      `SELECT username, detail FROM admin_audit WHERE action = 'follow_up_number_shown' ORDER BY id`,
    )
  ).rows.map((r) => ({ username: r['username'] as string | null, detail: r['detail'] }));

/** The citizen: a low quick survey, yes to a call, consent, the number on the pad, a name on the keyboard. */
const citizenAsksForACall = async (kiosk: Page): Promise<void> => {
  await kiosk.getByTestId('attract-start').click();
  await answer(kiosk, '1');
  await answer(kiosk, '2');
  await answer(kiosk, '1');
  await answer(kiosk, 'cho-lau', { advance: false });
  await next(kiosk);
  await kiosk.getByTestId('survey-submit').click();
  await expect(kiosk.getByTestId('follow-up')).toHaveAttribute('data-step', 'ask');
  await kiosk.getByTestId('follow-up-yes').click();
  await expect(kiosk.getByTestId('follow-up-consent')).toContainText('Nghị định 13/2023/NĐ-CP');
  await kiosk.getByTestId('follow-up-agree').click();
  for (const d of PHONE) await kiosk.locator(`[data-testid="phone-key"][data-key="${d}"]`).click();
  await expect(kiosk.getByTestId('follow-up-phone')).toHaveValue(PHONE);
  await kiosk.getByTestId('follow-up-next').click();
  await expect(kiosk.getByTestId('follow-up')).toHaveAttribute('data-step', 'name');
  await typeKeys(kiosk, NAME);
  await expect(kiosk.getByTestId('follow-up-name')).toHaveValue(NAME);
  await kiosk.getByTestId('follow-up-send').click();
  await expect(kiosk.getByTestId('thank-you')).toBeVisible();
};

/** Sets the case's status with a note on its detail page, as the officer does after a call. */
const changeStatus = async (page: Page, to: string, note: string): Promise<void> => {
  await page.locator('#to').selectOption(to);
  await page.locator('#note').fill(note);
  await page.getByTestId('status-submit').click();
  await expect(page.getByTestId('follow-up-message')).toBeVisible();
};

let central: TestCentral | undefined;
let host: Awaited<ReturnType<typeof startSyncingHost>> | undefined;
const contexts: BrowserContext[] = [];

test.afterAll(async () => {
  for (const c of contexts) await c.close();
  if (host) await stopProcess(host.proc);
  await central?.close();
  await stopSharedPostgres();
  cleanupTempDirs();
});

test('a citizen asks for a call; the ward officer shows the number (audited), calls, resolves; retention erases it; nobody else sees it; the number is never stored in clear', async ({
  page: kiosk,
  browser,
}) => {
  test.setTimeout(120_000);
  const backend: Backend = backendAvailable('postgres').ok ? 'postgres' : 'pglite';
  // The hourly retention timer is off: this test runs the job itself, at the times it chooses.
  central = await startTestCentral(backend, { followUpRetention: false });
  const c = central;
  await c.db.transaction(async (tx) => {
    // Two wards under the default unit: each inherits its configuration (with the contact key).
    await ensureUnit(tx, { id: WARD, name: 'Phường An Khánh', parentId: DEFAULT_UNIT.id });
    await ensureUnit(tx, { id: OTHER_WARD, name: 'Phường Bình Minh', parentId: DEFAULT_UNIT.id });
    for (const a of [ADMIN, OFFICER, OTHER_OFFICER, VIEWER])
      await createAdminUser(tx, { ...a, displayName: a.username, password: PASSWORD });
  });

  // The kiosk: enrolled to the ward, its engine syncing every second or so.
  const kioskDir = scratchDir('kiosk-follow-up-story-');
  const deviceId = await enrolAsync(kioskDir, c.url, await c.enrolmentCode({ unitId: WARD }));
  host = await startSyncingHost(kioskDir);
  kioskctl(kioskDir, 'set-procedure', QUICK_PROCEDURE);
  // The follow-up is offered only under a configuration central signed with its contact key.
  const appliedKey = () =>
    readDb(kioskDir, (db) => {
      const row = db.prepare("SELECT value FROM state WHERE key = 'sync.config'").get() as
        { value: string } | undefined;
      return row ? (JSON.parse(row.value) as { contactKey?: { keyId: string } }).contactKey?.keyId : undefined;
    });
  await expect.poll(appliedKey, { timeout: 20_000 }).toBe(c.contactKey.keyId);

  // 1. The citizen, on the touch screen.
  await kiosk.goto(host.url);
  await expect(kiosk.getByTestId('attract-start')).toBeVisible({ timeout: 15_000 });
  await citizenAsksForACall(kiosk);

  // 2. The kiosk syncs by itself; central holds the response and one follow-up for the ward.
  // Polled at central: kioskctl would block this process, where central runs, for a second each time.
  const followUpsOfKiosk = async () =>
    Number((await c.db.query('SELECT count(*) AS n FROM follow_ups WHERE device_id = $1', [deviceId])).rows[0]!['n']);
  await expect.poll(followUpsOfKiosk, { timeout: 20_000 }).toBe(1);
  const stored = await c.db.query(
    `SELECT f.id, f.status, f.unit_id, r.body -> 'answers' AS answers FROM follow_ups f
       JOIN responses r ON r.device_id = f.device_id AND r.response_id = f.response_id
      WHERE f.device_id = $1`,
    [deviceId],
  );
  expect(stored.rows).toHaveLength(1);
  expect(stored.rows[0]).toMatchObject({ status: 'new', unit_id: WARD, answers: { overall: 1, attitude: 2 } });
  const id = Number(stored.rows[0]!['id']);
  const detailUrl = `${c.url}/console/follow-ups/${id}`;

  // 3. Nobody else: another ward's officer finds no such case, by list, filter or forged ids.
  const other = await signIn(browser, c, OTHER_OFFICER);
  const viewer = await signIn(browser, c, VIEWER);
  contexts.push(other.context(), viewer.context());
  await other.goto(`${c.url}/console/follow-ups`);
  await expect(other.getByTestId('follow-ups-empty')).toBeVisible();
  await other.goto(`${c.url}/console/follow-ups?unit=${WARD}`);
  await expect(other.getByTestId('follow-ups-empty')).toBeVisible();
  expect((await other.goto(detailUrl))?.status()).toBe(404);
  for (const [path, form] of [
    ['number', {}],
    ['status', { to: 'resolved', note: 'x' }],
    ['erase', { confirm: 'yes' }],
  ] as const) {
    await other.goto(`${c.url}/console/follow-ups`);
    const res = await post(other, `${detailUrl}/${path}`, form);
    expect(res.status(), `another ward's officer, POST ${path}`).toBe(404);
    expect(leaksIn(await res.text())).toEqual([]);
  }
  // The ward's own unit viewer sees its figures but no follow-up: no menu entry, 403 on every path.
  await viewer.goto(`${c.url}/console/reports`);
  await expect(viewer.locator('nav a[href$="/follow-ups"]')).toHaveCount(0);
  expect((await viewer.goto(`${c.url}/console/follow-ups`))?.status()).toBe(403);
  expect((await viewer.goto(detailUrl))?.status()).toBe(403);
  await viewer.goto(`${c.url}/console/reports`);
  const viewerTry = await post(viewer, `${detailUrl}/number`, {});
  expect(viewerTry.status()).toBe(403);
  expect(leaksIn(await viewerTry.text())).toEqual([]);
  expect(await numberViews(c), 'refused attempts show no number and audit none').toEqual([]);
  expect((await findCase(c.db, null, id))?.status, 'the refused status change changed nothing').toBe('new');

  // 4. The ward's officer: the case in the list, the number only on "show number", a call, the close.
  const officer = await signIn(browser, c, OFFICER);
  contexts.push(officer.context());
  await officer.locator('nav').getByRole('link', { name: 'Phản hồi', exact: true }).click();
  const row = officer.locator(`[data-testid="follow-up-row"][data-id="${id}"]`);
  await expect(row).toHaveAttribute('data-status', 'new');
  await expect(row).toContainText(WARD);
  await row.getByRole('link', { name: String(id) }).click();
  await expect(officer).toHaveURL(detailUrl);
  await expect(officer.getByTestId('show-number')).toBeVisible();
  expect(leaksIn(await officer.content()), 'the number is not on the page before "show number"').toEqual([]);
  await officer.getByTestId('show-number').click();
  await expect(officer.getByTestId('follow-up-number')).toHaveText(PHONE);
  await expect(officer.getByTestId('follow-up-contact')).toContainText(NAME);
  await changeStatus(officer, 'contacted', NOTE_CONTACTED);
  await expect(officer.getByTestId('follow-up-history')).toContainText(NOTE_CONTACTED);
  // A second look before the last call: a second audited view.
  await officer.getByTestId('show-number').click();
  await expect(officer.getByTestId('follow-up-number')).toHaveText(PHONE);
  await officer.goto(detailUrl);
  await changeStatus(officer, 'resolved', 'Da bo sung ho so, cong dan dong y');
  await officer.goto(`${c.url}/console/follow-ups`);
  await expect(row).toHaveAttribute('data-status', 'resolved');

  // 5. The retention job: nothing a minute before the retention period ends, the contact at its end.
  const closedAt = (await findCase(c.db, null, id))?.closedAt;
  expect(closedAt).toBeInstanceOf(Date);
  const retentionEnds = closedAt!.getTime() + DEFAULT_FOLLOW_UP_SETTINGS.retentionDays * DAY;
  expect(await eraseExpiredContacts(c.db, new Date(retentionEnds - 60_000))).toEqual({ ran: true, erased: 0 });
  expect(await eraseExpiredContacts(c.db, new Date(retentionEnds))).toEqual({ ran: true, erased: 1 });
  const erased = await c.db.query('SELECT sealed, status, erase_reason FROM follow_ups WHERE id = $1', [id]);
  expect(erased.rows[0]).toEqual({ sealed: null, status: 'resolved', erase_reason: 'retention' });
  await officer.goto(detailUrl);
  await expect(officer.getByTestId('follow-up-no-number')).toBeVisible();
  await expect(officer.getByTestId('follow-up-erased')).toBeVisible();
  await expect(officer.getByTestId('show-number')).toHaveCount(0);
  expect(leaksIn(await officer.content())).toEqual([]);
  await expect(officer.getByTestId('follow-up-history')).not.toContainText(NOTE_CONTACTED);
  // A forged "show number" after erasure finds nothing to open and audits no view.
  const late = await post(officer, `${detailUrl}/number`, {});
  expect(late.status()).toBe(200);
  expect(leaksIn(await late.text())).toEqual([]);

  // 6. The audit log, as the province admin reads it: each view by the officer, the changes, the
  // erasure by the job; never the number or the name.
  expect(await numberViews(c)).toEqual([
    { username: OFFICER.username, detail: { followUp: id, unit: WARD } },
    { username: OFFICER.username, detail: { followUp: id, unit: WARD } },
  ]);
  const admin = await signIn(browser, c, ADMIN);
  contexts.push(admin.context());
  await admin.goto(`${c.url}/console/audit`);
  const shown = admin.locator('[data-testid="audit-row"][data-action="follow_up_number_shown"]');
  await expect(shown).toHaveCount(2);
  for (const r of await shown.all()) {
    await expect(r).toContainText(OFFICER.username);
    await expect(r).toContainText(`"followUp":${id}`);
  }
  await expect(admin.locator('[data-testid="audit-row"][data-action="follow_up_status_changed"]')).toHaveCount(2);
  await expect(admin.locator('[data-testid="audit-row"][data-action="follow_up_erased"]')).toContainText(
    '"reason":"retention"',
  );
  expect(leaksIn(await admin.content())).toEqual([]);
  const auditText = await c.db.query("SELECT string_agg(a::text, E'\\n') AS t FROM admin_audit a");
  expect(leaksIn(String(auditText.rows[0]!['t']))).toEqual([]);

  // 7. Not in clear at rest: central's responses (every row as text) and the kiosk's SQLite and WAL.
  const responsesText = String(
    (await c.db.query("SELECT string_agg(r::text, E'\\n') AS t FROM responses r")).rows[0]!['t'],
  );
  const responseId = String((await c.db.query('SELECT response_id::text AS r FROM follow_ups')).rows[0]!['r']);
  expect(responsesText, 'the search reads the rows that hold the response').toContain(responseId);
  expect(leaksIn(responsesText)).toEqual([]);
  const kioskFiles = ['kiosk.sqlite', 'kiosk.sqlite-wal']
    .map((f) => join(kioskDir, f))
    .filter((f) => existsSync(f))
    .map((f) => readFileSync(f));
  const kioskBytes = Buffer.concat(kioskFiles);
  expect(kioskBytes.includes(responseId), 'the search reads the bytes that hold the response').toBe(true);
  for (const s of [...PHONE_FORMS, NAME]) {
    expect(kioskBytes.includes(Buffer.from(s, 'utf8')), `"${s}" in the kiosk's SQLite/WAL`).toBe(false);
    expect(kioskBytes.includes(Buffer.from(s, 'utf16le')), `"${s}" (UTF-16) in the kiosk's SQLite/WAL`).toBe(false);
  }
});
