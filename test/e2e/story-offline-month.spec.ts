// The whole USB story, end to end, on real parts: a kiosk (KioskCore on SQLite, the host server, the
// built renderer, its background sync engine) reaches a real central (central/main.ts, PGlite, the
// console) through a proxy that can lose the network. The kiosk is enrolled from its admin panel,
// loses the network, records a simulated month of answers (its clock is moved, not waited for),
// IT exports them from the admin panel to a folder and uploads the files in the console, the kiosk
// records a few more, then the network returns and the kiosk syncs by itself. At the end central
// holds every answer exactly once, the kiosk has everything acknowledged, and reconciliation shows
// one range with no gaps; the part that went by USB was not sent again (docs/sync-protocol.md,
// "Heartbeat": the kiosk skips ahead to central's highestContiguousSeq).
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Page } from '@playwright/test';
import { httpTransport } from '../../renderer/api/http.ts';
import { createKioskClient } from '../../shared/api.ts';
import type { StoredResponse } from '../../shared/response.ts';
import { fakeAnswers } from '../bench/answers.ts';
import { seededRandom } from '../bench/stats.ts';
import { startProxy } from '../sync/support/proxy.ts';
import {
  cleanupTempDirs,
  consoleLogin,
  issueCodeForNewUnit,
  runBin,
  scratchDir,
  test,
} from './support/central-process.ts';
import { type ClockedHost, startClockedHost } from './support/clocked-host.ts';
import { OFFICE_ADMIN_PIN, OFFICE_STAFF_PIN } from '../support/pins.ts';
import { QUICK_PROCEDURE, answer, enterPin, expect, holdStaffOpen, kioskctl } from './support/host.ts';
import { readDb } from './support/shared-host.ts';

const ADMIN_PIN = OFFICE_ADMIN_PIN;
const UNIT = 'xa-mot-thang';
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Vietnam is UTC+7 all year: office hours and calendar days are counted there. */
const VN = 7 * HOUR;
/** Small batches, so the month leaves as several files and the bar has steps. */
const MAX_BATCH = 40;
/** What a touch respondent answers: overall and attitude on five points, time on three; no comment. */
const TOUCH_ANSWERS = { overall: 5, attitude: 4, time: 3 };

type Recorded = { seq: number; at: number; status: 'complete' | 'abandoned'; via: 'touch' | 'api'; id?: string };
type SyncStatus = {
  queueDepth: number;
  ackedThrough: number;
  lastSeq: number;
  attempts: number;
  lastError: { code: string } | null;
  lastHeartbeatAt: string | null;
};
type CentralDevice = {
  id: string;
  responses: number;
  highestContiguousSeq: number;
  highestSeq: number;
  duplicates: number;
  conflicts: number;
  batches: number;
};

const syncStatus = (dir: string): SyncStatus => kioskctl(dir, 'sync-status') as SyncStatus;
const key = (page: Page, k: string) => page.locator(`[data-testid="keyboard-key"][data-key="${k}"]`);

/** Types on the on-screen keyboard (url layout): shift for capitals. */
const typeKeys = async (page: Page, text: string): Promise<void> => {
  for (const ch of text) {
    if (ch !== ch.toLowerCase()) {
      await key(page, 'shift').click();
      await key(page, ch.toLowerCase()).click();
    } else {
      await key(page, ch).click();
    }
  }
};

/** From the attract screen: staff corner, "IT admin", admin PIN; waits for the status tab. */
const openAdmin = async (page: Page): Promise<void> => {
  await holdStaffOpen(page);
  await page.getByTestId('admin-open').click();
  await expect(page.getByTestId('admin-pin-input')).toBeVisible();
  await enterPin(page, ADMIN_PIN);
  await expect(page.getByTestId('admin-status')).toBeVisible();
};

const closeAdmin = async (page: Page): Promise<void> => {
  await page.getByTestId('admin-close').click();
  await expect(page.getByTestId('attract-start')).toBeVisible();
};

/** One citizen on the touch screen: the quick questionnaire, submitted, the thank-you tapped away. */
const surveyByTouch = async (page: Page): Promise<void> => {
  await page.getByTestId('attract-start').click();
  await answer(page, String(TOUCH_ANSWERS.overall));
  await answer(page, String(TOUCH_ANSWERS.attitude));
  await answer(page, String(TOUCH_ANSWERS.time));
  await expect(page.getByTestId('comment-input')).toBeVisible();
  await page.getByTestId('survey-submit').click();
  await expect(page.getByTestId('thank-you')).toBeVisible();
  await page.getByTestId('thank-you-done').click();
  await expect(page.getByTestId('attract-start')).toBeVisible();
};

/** The file names are `<device>-<from>-<to>.kbatch` (docs/sync-protocol.md). */
const rangeOf = (name: string): { from: number; to: number } => {
  const m = /-(\d+)-(\d+)\.kbatch$/.exec(name);
  if (!m) throw new Error(`not a kbatch name: ${name}`);
  return { from: Number(m[1]), to: Number(m[2]) };
};

/** Every seq from..to exactly once, in order. */
const seqsFrom = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

test.afterAll(cleanupTempDirs);

test('a month offline: export from the admin panel, upload in the console, back online: every answer once at central, all acknowledged on the kiosk, no gaps', async ({
  page,
  browser,
  central,
}) => {
  test.setTimeout(180_000);
  const proxy = await startProxy(central.url);
  const consoleContext = await browser.newContext();
  let host: ClockedHost | undefined;
  try {
    const con = await consoleContext.newPage();
    await consoleLogin(con, central, central.admin.username, central.admin.password);
    const code = await issueCodeForNewUnit(con, central, UNIT);

    // Day 0 is midnight in Vietnam 31 days ago, so the month and IT's visit on day 30 all lie in the
    // past and the kiosk clock can end at real time (where the heartbeat's clock agrees with central's).
    const day0 = Math.floor((Date.now() + VN) / DAY) * DAY - VN - 31 * DAY;
    const at = (day: number, minuteOfDay: number) => day0 + day * DAY + minuteOfDay * MINUTE;
    const weekday = (day: number) => new Date(at(day, 12 * 60) + VN).getUTCDay();

    const kioskDir = scratchDir('kiosk-month-');
    const usb = scratchDir('usb-month-');
    // IT set office PINs at install: a kiosk still on the demo PINs refuses to enrol.
    kioskctl(kioskDir, 'config', 'set', 'adminPin', ADMIN_PIN);
    kioskctl(kioskDir, 'config', 'set', 'staffPin', OFFICE_STAFF_PIN);
    host = await startClockedHost(kioskDir, {
      startAt: at(0, 7 * 60 + 30),
      // The engine's timers are real time, scaled down as startSyncingHost does: the compressed month
      // still outlasts the heartbeat interval, as a real month outlasts the 5-minute default.
      env: {
        KIOSK_SYNC: 'on',
        KIOSK_SYNC_POLL_MS: '300',
        KIOSK_SYNC_HEARTBEAT_MS: '500',
        KIOSK_SYNC_CONFIG_MS: '1000',
        KIOSK_SYNC_BASE_MS: '200',
        KIOSK_SYNC_CAP_MS: '1000',
        KIOSK_SYNC_MAX_BATCH: String(MAX_BATCH),
      },
    });
    const kiosk = host;
    kioskctl(kioskDir, 'set-procedure', QUICK_PROCEDURE);
    const deviceId = (kioskctl(kioskDir, 'status') as { deviceId: string }).deviceId;

    // 1. Day 0, the network up: IT enrols the kiosk from its admin panel, with the code from the console.
    await page.goto(kiosk.url);
    await expect(page.getByTestId('attract-start')).toBeVisible({ timeout: 15_000 });
    await openAdmin(page);
    await page.getByTestId('admin-tab-enrol').click();
    await page.getByTestId('admin-enrol-url').click();
    await key(page, 'clear').click();
    await typeKeys(page, proxy.url);
    await expect(page.getByTestId('admin-enrol-url')).toHaveValue(proxy.url);
    await page.getByTestId('admin-enrol-code').click();
    await typeKeys(page, code.toLowerCase());
    await expect(page.getByTestId('admin-enrol-code')).toHaveValue(code);
    await page.getByTestId('admin-enrol-submit').click();
    await expect(page.getByTestId('admin-enrol-result')).toHaveAttribute('data-ok', 'yes', { timeout: 20_000 });
    await expect(page.getByTestId('admin-enrol-result')).toContainText(`Xã ${UNIT}`);
    await page.getByTestId('admin-tab-status').click();
    await expect(page.getByTestId('admin-status')).toHaveAttribute('data-enrolled', 'yes');
    // The background engine's first contact: central has seen the device before the network goes.
    await expect.poll(() => syncStatus(kioskDir).lastHeartbeatAt, { timeout: 15_000 }).not.toBeNull();
    await closeAdmin(page);

    // 2. The network goes away (every connection through the proxy is cut once its request is in).
    proxy.decide = () => 'reset-before';
    const cutAt = proxy.log.length;

    const api = createKioskClient(httpTransport(kiosk.token, `${kiosk.origin}/api/`));
    const rng = seededRandom(2026);
    const recorded: Recorded[] = [];
    /** One respondent at `when` (kiosk clock), by touch or through KioskApi as the renderer calls it. */
    const respond = async (when: number, via: 'touch' | 'api', status: 'complete' | 'abandoned' = 'complete') => {
      await kiosk.setClock(when);
      const seq = recorded.length + 1;
      if (via === 'touch') {
        await surveyByTouch(page);
        recorded.push({ seq, at: when, status, via });
        return;
      }
      const begun = await api.beginResponse({});
      if (!begun.ok) throw new Error(`beginResponse: ${JSON.stringify(begun.error)}`);
      const answers = fakeAnswers(begun.value.questionnaire, rng, { status });
      const input = { draftId: begun.value.draftId, locale: 'vi', answers };
      const stored = status === 'complete' ? await api.submitResponse(input) : await api.abandonResponse(input);
      if (!stored.ok) throw new Error(`${status}: ${JSON.stringify(stored.error)}`);
      expect(
        stored.value.seq,
        `the kiosk numbers answers 1, 2, 3, … (${status} at ${new Date(when).toISOString()})`,
      ).toBe(seq);
      recorded.push({ seq, at: when, status, via, id: stored.value.id ?? undefined });
    };

    // Office days: closed on Sunday, Saturday morning only; the opening hours 7:30–16:30.
    const perDay = (day: number) => (weekday(day) === 0 ? 0 : weekday(day) === 6 ? 2 : 4 + Math.floor(rng() * 4));
    const plan = Array.from({ length: 30 }, (_, day) => ({ day, count: perDay(day) }));
    const openDays = plan.filter((p) => p.count > 0).map((p) => p.day);
    const touchDays = new Set([openDays[0], openDays[Math.floor(openDays.length / 2)], openDays.at(-1)]);
    const recordDay = async ({ day, count }: { day: number; count: number }) => {
      const span = weekday(day) === 6 ? 4 * 60 : 9 * 60;
      for (let i = 0; i < count; i++) {
        const minute = 7 * 60 + 30 + Math.floor(((i + rng()) * span) / count);
        // Once a week someone walks away before the end; the kiosk keeps what they answered.
        const status = day % 7 === 2 && i === count - 1 ? 'abandoned' : 'complete';
        await respond(at(day, minute), i === 0 && touchDays.has(day) ? 'touch' : 'api', status);
      }
    };

    const half = 15;
    for (const p of plan.slice(0, half)) await recordDay(p);

    // Mid-month: the engine keeps trying and failing, and the queue holds everything recorded.
    const midCount = recorded.length;
    const before = syncStatus(kioskDir);
    expect(before).toMatchObject({
      queueDepth: midCount,
      ackedThrough: 0,
      lastSeq: midCount,
      lastError: { code: 'network' },
    });
    await expect.poll(() => syncStatus(kioskDir).attempts, { timeout: 15_000 }).toBeGreaterThan(before.attempts);
    const tried = proxy.log.slice(cutAt);
    expect(tried.length, 'the kiosk tried to reach central while offline').toBeGreaterThan(0);
    expect(new Set(tried.map((t) => t.action))).toEqual(new Set(['reset-before']));
    await openAdmin(page);
    const status = page.getByTestId('admin-status');
    // Between two attempts the state reads "retrying"; an attempt in flight reads "syncing" for a moment.
    await expect(async () => {
      await page.getByTestId('admin-refresh').click();
      await expect(status).toHaveAttribute('data-state', 'retrying', { timeout: 1_000 });
    }).toPass({ timeout: 15_000 });
    await expect(status).toHaveAttribute('data-queue', String(midCount));
    await expect(page.getByTestId('admin-sync-state')).toHaveText(
      'Không kết nối được hệ thống trung tâm; máy sẽ tự thử lại.',
    );
    await expect(page.getByTestId('admin-queue')).toContainText(
      `${midCount} ý kiến; trung tâm đã nhận đủ đến số 0 trên tổng ${midCount}`,
    );
    await expect(page.getByTestId('admin-last-error')).toHaveAttribute('data-code', 'network');
    await closeAdmin(page);

    for (const p of plan.slice(half)) await recordDay(p);
    const month = recorded.length;
    expect(month).toBeGreaterThan(midCount);
    expect(syncStatus(kioskDir)).toMatchObject({ queueDepth: month, ackedThrough: 0 });

    // 3. Day 30, IT comes with a stick: export everything waiting to a folder on it.
    await kiosk.setClock(at(30, 9 * 60));
    await openAdmin(page);
    await expect(status).toHaveAttribute('data-queue', String(month));
    await page.getByTestId('admin-tab-export').click();
    await page.locator('[data-testid="admin-export-target"][data-path="folder"]').click();
    const folder = page.getByTestId('admin-export-folder');
    await expect(folder).toHaveValue(join(kioskDir, 'exports'));
    await key(page, 'clear').click();
    const target = join(usb, 'kbatch');
    await typeKeys(page, target);
    await expect(folder).toHaveValue(target);
    await page.getByTestId('admin-export').click();
    const exported = page.getByTestId('admin-export-result');
    await expect(exported).toHaveAttribute('data-state', 'succeeded', { timeout: 30_000 });
    const fileCount = Math.ceil(month / MAX_BATCH);
    await expect(exported).toHaveAttribute('data-files', String(fileCount));
    const bar = page.getByTestId('admin-export-progress');
    await expect(bar).toHaveAttribute('data-state', 'succeeded');
    await expect(bar).toHaveAttribute('data-done', String(month));
    await expect(bar).toHaveAttribute('data-total', String(month));
    await expect(bar.locator('progress')).toHaveJSProperty('value', month);
    await expect(bar).toContainText('hoàn tất');
    await expect(exported).toContainText(`Đã ghi ${fileCount} tệp gồm ${month} ý kiến`);
    await expect(exported).toContainText('và đã đọc lại để kiểm tra.');

    // What is in the folder is what the panel listed, and the files cover 1..month without a hole.
    const names = readdirSync(target)
      .filter((n) => n.endsWith('.kbatch'))
      .sort((a, b) => rangeOf(a).from - rangeOf(b).from);
    expect(names).toHaveLength(fileCount);
    for (const n of names) {
      expect(n.startsWith(`${deviceId}-`)).toBe(true);
      await expect(exported).toContainText(n);
    }
    expect(names.flatMap((n) => seqsFrom(rangeOf(n).from, rangeOf(n).to))).toEqual(seqsFrom(1, month));
    // Exporting acknowledges nothing: the kiosk cannot know yet whether the files will arrive.
    await page.getByTestId('admin-tab-status').click();
    await expect(status).toHaveAttribute('data-queue', String(month));
    await closeAdmin(page);

    // 4. At central: all the files at once on the console's upload page; each brings only new answers.
    await con.goto(`${central.url}/console/uploads`);
    await con.getByTestId('kbatch-input').setInputFiles(names.map((n) => join(target, n)));
    await expect(con.getByTestId('upload-progress')).toHaveText(`Đã xử lý ${fileCount} tệp.`, { timeout: 30_000 });
    for (const n of names) {
      const { from, to } = rangeOf(n);
      const row = con.locator(`[data-testid="upload-result"][data-file="${basename(n)}"]`);
      await expect(row, n).toHaveAttribute('data-status', 'new');
      await expect(row, n).toContainText(`số ${from}–${to}: ${to - from + 1} phiếu mới, 0 phiếu đã có.`);
    }
    await con.goto(`${central.url}/console/devices/${deviceId}`);
    await expect(con.getByTestId('reconcile-status')).toHaveText(
      `Không thiếu phiếu nào: máy chủ có ${month} phiếu, đủ từ số 1 đến ${month}.`,
    );

    // 5. Back on the kiosk, still offline, the afternoon's respondents: never exported, never sent.
    const afternoon = [13 * 60 + 5, 13 * 60 + 50, 14 * 60 + 20, 15 * 60, 15 * 60 + 40, 16 * 60 + 10];
    for (const [i, minute] of afternoon.entries()) await respond(at(30, minute), i === 2 ? 'touch' : 'api');
    const total = recorded.length;
    expect(total).toBe(month + afternoon.length);
    // The kiosk still counts the USB part as waiting: only central can tell it otherwise.
    expect(syncStatus(kioskDir)).toMatchObject({ queueDepth: total, ackedThrough: 0, lastError: { code: 'network' } });

    // 6. The next morning the network is back (the kiosk clock is real time again); the kiosk syncs by itself.
    await kiosk.setClock(Date.now());
    const restoredAt = proxy.log.length;
    proxy.decide = () => 'pass';
    await expect.poll(() => syncStatus(kioskDir).queueDepth, { timeout: 30_000 }).toBe(0);
    expect(proxy.log.slice(restoredAt).some((t) => t.action === 'pass' && t.upstreamStatus === 200)).toBe(true);

    // 7a. The kiosk shows everything acknowledged, in words, and "sync now" finds nothing left to send.
    await openAdmin(page);
    await expect(async () => {
      await page.getByTestId('admin-refresh').click();
      await expect(status).toHaveAttribute('data-state', 'idle', { timeout: 1_000 });
    }).toPass({ timeout: 15_000 });
    await expect(status).toHaveAttribute('data-queue', '0');
    await expect(page.getByTestId('admin-queue')).toContainText(
      `0 ý kiến; trung tâm đã nhận đủ đến số ${total} trên tổng ${total}`,
    );
    await expect(page.getByTestId('admin-last-error')).toHaveCount(0);
    await page.getByTestId('admin-sync-now').click();
    await expect(page.getByTestId('admin-sync-result')).toHaveAttribute('data-state', 'succeeded', { timeout: 20_000 });
    await expect(page.getByTestId('admin-sync-result')).toContainText(
      'Đã gửi 0 ý kiến (0 ý kiến mới trên trung tâm, 0 ý kiến trung tâm đã có). Còn chờ gửi: 0.',
    );
    await closeAdmin(page);
    expect(syncStatus(kioskDir)).toMatchObject({ queueDepth: 0, ackedThrough: total, lastSeq: total, lastError: null });
    const ledger = readDb(kioskDir, (db) => ({
      acked: db.prepare('SELECT seq_from AS "from", seq_to AS "to" FROM sync_acked ORDER BY seq_from').all() as {
        from: number;
        to: number;
      }[],
      online: db
        .prepare(
          'SELECT seq_from AS "from", seq_to AS "to", inserted, duplicates FROM sync_batches WHERE via = \'online\' ORDER BY seq_from',
        )
        .all() as {
        from: number;
        to: number;
        inserted: number;
        duplicates: number;
      }[],
    }));
    expect(ledger.acked).toEqual([{ from: 1, to: total }]);
    // The USB part was not sent again: central's heartbeat told the kiosk it held 1..month, so the
    // only batches sent over the network are the afternoon's, all of them new at central.
    expect(ledger.online.flatMap((b) => seqsFrom(b.from, b.to))).toEqual(seqsFrom(month + 1, total));
    expect(ledger.online.reduce((n, b) => n + b.inserted, 0)).toBe(total - month);
    expect(ledger.online.reduce((n, b) => n + b.duplicates, 0)).toBe(0);

    // 7b. The kiosk's own record of the month: 1..total, each stamped on the simulated day it was given.
    const onKiosk = kioskctl(kioskDir, 'responses') as StoredResponse[];
    expect(onKiosk.map((r) => r.seq)).toEqual(seqsFrom(1, total));
    expect(new Set(onKiosk.map((r) => r.id)).size).toBe(total);
    for (const r of recorded) {
      const stored = onKiosk[r.seq - 1]!;
      if (r.id) expect(stored.id).toBe(r.id);
      expect(stored.status, `seq ${r.seq}`).toBe(r.status);
      const submitted = Date.parse(stored.submittedAt);
      expect(submitted, `seq ${r.seq} submitted at its simulated time`).toBeGreaterThanOrEqual(r.at);
      expect(submitted - r.at, `seq ${r.seq}`).toBeLessThan(2 * MINUTE);
      expect(stored.flags, `seq ${r.seq}`).toEqual({ rapidRepeat: false, clockSuspect: false });
      if (r.via === 'touch') expect(stored.answers, `seq ${r.seq} by touch`).toEqual(TOUCH_ANSWERS);
    }
    expect(recorded.filter((r) => r.via === 'touch')).toHaveLength(4);
    expect(recorded.filter((r) => r.status === 'abandoned').length).toBeGreaterThan(0);
    const days = new Set(onKiosk.map((r) => new Date(Date.parse(r.submittedAt) + VN).toISOString().slice(0, 10)));
    expect(days.size).toBe(openDays.length + 1);
    expect(Date.parse(onKiosk.at(-1)!.submittedAt) - Date.parse(onKiosk[0]!.submittedAt)).toBeGreaterThan(29 * DAY);

    // 7c. Central, asked directly (centralctl, through the running server): every answer exactly once, intact.
    const lines = runBin('centralctl', ['--data-dir', central.dataDir, 'export-responses', '--format', 'ndjson'])
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as StoredResponse)
      .filter((l) => l.deviceId === deviceId);
    expect(lines.map((l) => l.seq)).toEqual(seqsFrom(1, total));
    expect(new Set(lines.map((l) => l.id)).size).toBe(total);
    for (const l of lines) {
      const mine = onKiosk[l.seq - 1]!;
      expect({ id: l.id, status: l.status, submittedAt: l.submittedAt, answers: l.answers }, `seq ${l.seq}`).toEqual({
        id: mine.id,
        status: mine.status,
        submittedAt: mine.submittedAt,
        answers: mine.answers,
      });
    }
    const devices = JSON.parse(
      runBin('centralctl', ['--data-dir', central.dataDir, 'devices', '--json']),
    ) as CentralDevice[];
    expect(devices.find((d) => d.id === deviceId)).toMatchObject({
      responses: total,
      highestContiguousSeq: total,
      highestSeq: total,
      duplicates: 0,
      conflicts: 0,
    });

    // 7d. The console: the registry, and the device's reconciliation with one range and no gap.
    await con.goto(`${central.url}/console/devices`);
    const row = con.locator(`[data-testid="device-row"][data-device="${deviceId}"]`);
    await expect(row).toContainText(`liên tục đến số ${total}`);
    await expect(row).toHaveAttribute('data-drifting', 'false');
    await expect(row).toHaveAttribute('data-stale', 'false');
    await con.goto(`${central.url}/console/devices/${deviceId}`);
    await expect(con.getByTestId('reconcile-status')).toHaveText(
      `Không thiếu phiếu nào: máy chủ có ${total} phiếu, đủ từ số 1 đến ${total}.`,
    );
    await expect(con.getByTestId('gap-row')).toHaveCount(0);
    await expect(con.getByTestId('range-row')).toHaveCount(1);
    await expect(con.getByTestId('range-row')).toHaveAttribute('data-from', '1');
    await expect(con.getByTestId('range-row')).toHaveAttribute('data-to', String(total));
    await expect(con.locator('.facts')).toContainText(`${total} phiếu, 0 bản trùng, 0 xung đột`);
    // Batches as central received them: the month by file, the afternoon by network, nothing twice.
    const batches = await con
      .locator('[data-testid="batches-table"] tbody tr')
      .evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent?.trim() ?? '')));
    const byVia = (via: string) =>
      batches
        .filter((b) => b[2] === via)
        .map((b) => {
          const [from, to = from] = b[1]!.split('–').map(Number);
          return { from: from!, to: to!, counts: b[3] };
        })
        .sort((a, b) => a.from - b.from);
    expect(byVia('Tệp .kbatch').map((b) => [b.from, b.to])).toEqual(names.map((n) => [rangeOf(n).from, rangeOf(n).to]));
    expect(byVia('Qua mạng').flatMap((b) => seqsFrom(b.from, b.to))).toEqual(seqsFrom(month + 1, total));
    for (const b of [...byVia('Tệp .kbatch'), ...byVia('Qua mạng')])
      expect(b.counts).toBe(`${b.to - b.from + 1} mới, 0 trùng, 0 xung đột`);
  } finally {
    await host?.stop();
    await consoleContext.close();
    await proxy.close();
  }
});
