import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Page } from '@playwright/test';
import { expect } from '@playwright/test';
import { envelopeOf, kbatchBytes, makeDevice, makeResponses } from '../support/central.ts';
import { openTestKiosk, recordResponses } from '../sync/support/kiosk.ts';
import {
  cleanupTempDirs,
  consoleLogin,
  issueCodeForNewUnit,
  noSeriousA11yIssues,
  enrolKioskDir,
  runBin,
  scratchDir,
  test,
} from './support/central-process.ts';

/**
 * IT's USB procedure on the console side, with real .kbatch files: a kiosk data dir enrolled to this
 * central with a code issued in the console, responses recorded through the kiosk core, and files
 * written by `kioskctl export` (signed, verified by reading back), exactly as they come off a stick.
 */

type Exported = { file: string; seqFrom: number; seqTo: number };

const record = (dir: string, n: number, seed: number): void => {
  const kiosk = openTestKiosk(dir);
  try {
    recordResponses(kiosk.core, n, seed);
  } finally {
    kiosk.core.close();
  }
};

const exportFrom = (dir: string, out: string, from?: number): Exported[] => {
  const json = JSON.parse(
    runBin('kioskctl', [
      'export',
      '--out',
      out,
      '--data-dir',
      dir,
      '--json',
      ...(from ? ['--from', String(from)] : []),
    ]),
  ) as { files: Exported[] };
  return json.files;
};

const flipBit = (bytes: Buffer): Buffer => {
  const copy = Buffer.from(bytes);
  const at = Math.floor(copy.length / 2);
  copy[at] = copy[at]! ^ 0x04;
  return copy;
};

/** The answers of the first response changed, the signature left as it was. */
const editAnswers = (bytes: Buffer): Buffer => {
  const doc = JSON.parse(gunzipSync(bytes).toString('utf8')) as { payload: string };
  const env = JSON.parse(Buffer.from(doc.payload, 'base64url').toString('utf8')) as {
    responses: { answers: Record<string, unknown> }[];
  };
  const first = env.responses[0]!;
  first.answers = Object.fromEntries(Object.keys(first.answers).map((k) => [k, 1]));
  return gzipSync(JSON.stringify({ ...doc, payload: Buffer.from(JSON.stringify(env)).toString('base64url') }));
};

/** Drops files on the drop zone as a user dragging them from a file manager would. */
const drop = async (page: Page, files: { name: string; bytes: Buffer }[], hugeName?: string) => {
  const payload = files.map((f) => ({ name: f.name, b64: f.bytes.toString('base64') }));
  const dt = await page.evaluateHandle(
    ({ payload, hugeName }) => {
      const dt = new DataTransfer();
      for (const f of payload) dt.items.add(new File([Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0))], f.name));
      // 200 MB, made in the page: the script refuses it by size before sending a byte.
      if (hugeName) dt.items.add(new File([new Uint8Array(200 * 1024 * 1024)], hugeName));
      return dt;
    },
    { payload, hugeName },
  );
  await page.dispatchEvent('#drop-zone', 'drop', { dataTransfer: dt });
};

const resultOf = (page: Page, file: string) => page.locator(`[data-testid="upload-result"][data-file="${file}"]`);

test.afterAll(cleanupTempDirs);

test('USB files by drag and drop: new, duplicate, tampered, wrong type, unknown device and too large each get their own result; reconciliation shows the exact gap until it is filled', async ({
  page,
  central,
}) => {
  test.setTimeout(120_000);
  await consoleLogin(page, central, central.admin.username, central.admin.password);
  const code = await issueCodeForNewUnit(page, central, 'xa-usb');

  const kioskDir = scratchDir('kiosk-usb-');
  const usb = scratchDir('usb-');
  record(kioskDir, 10, 1);
  const deviceId = enrolKioskDir(kioskDir, central.url, code);
  const [a] = exportFrom(kioskDir, join(usb, 'a'));
  record(kioskDir, 10, 2);
  const [b] = exportFrom(kioskDir, join(usb, 'b'), 11);
  record(kioskDir, 10, 3);
  const [c] = exportFrom(kioskDir, join(usb, 'c'), 21);
  expect([a, b, c].map((f) => [f!.seqFrom, f!.seqTo])).toEqual([
    [1, 10],
    [11, 20],
    [21, 30],
  ]);
  const bytes = (f: Exported) => readFileSync(f.file);
  const stranger = makeDevice();
  const files = [
    { name: basename(a!.file), bytes: bytes(a!) },
    { name: basename(c!.file), bytes: bytes(c!) },
    { name: 'copy-of-a.kbatch', bytes: bytes(a!) },
    { name: 'b-damaged.kbatch', bytes: flipBit(bytes(b!)) },
    { name: 'c-edited.kbatch', bytes: editAnswers(bytes(c!)) },
    { name: 'ghi-chu.txt', bytes: Buffer.from('không phải lô dữ liệu') },
    { name: 'stranger.kbatch', bytes: kbatchBytes(stranger, envelopeOf(stranger, makeResponses(stranger, 1, 3))) },
  ];

  await page.getByRole('link', { name: 'Nạp tệp .kbatch' }).click();
  await drop(page, files, 'huge.kbatch');
  await expect(page.getByTestId('upload-progress')).toHaveText('Đã xử lý 8 tệp.', { timeout: 30_000 });
  const expected: [string, string, RegExp][] = [
    [basename(a!.file), 'new', /10 phiếu mới/],
    [basename(c!.file), 'new', /10 phiếu mới/],
    ['copy-of-a.kbatch', 'duplicate', /cả 10 phiếu đều đã có/],
    ['b-damaged.kbatch', 'rejected', /Tệp hỏng/],
    ['c-edited.kbatch', 'rejected', /Chữ ký không khớp/],
    ['ghi-chu.txt', 'rejected', /Không phải tệp \.kbatch/],
    ['stranger.kbatch', 'rejected', /chưa ghi danh/],
    ['huge.kbatch', 'rejected', /quá lớn/],
  ];
  for (const [file, status, text] of expected) {
    await expect(resultOf(page, file), file).toHaveAttribute('data-status', status);
    await expect(resultOf(page, file), file).toContainText(text);
  }
  await noSeriousA11yIssues(page, 'upload results');

  // Reconciliation: exactly 11-20 missing, since the batch above it arrived.
  await page.goto(`${central.url}/console/devices/${deviceId}`);
  await expect(page.getByTestId('reconcile-status')).toContainText('Còn thiếu 10 phiếu');
  await expect(page.getByTestId('gap-row')).toHaveCount(1);
  await expect(page.getByTestId('gap-row')).toHaveAttribute('data-from', '11');
  await expect(page.getByTestId('gap-row')).toHaveAttribute('data-to', '20');
  await expect(page.getByTestId('gap-row').locator('th')).toHaveText('11–20');
  await expect(page.getByTestId('range-row')).toHaveCount(2);
  await noSeriousA11yIssues(page, 'reconciliation');

  // The intact copy of b, through the plain file input: the gap closes.
  await page.goto(`${central.url}/console/uploads`);
  const intact = join(usb, 'b-intact.kbatch');
  writeFileSync(intact, bytes(b!));
  await page.getByTestId('kbatch-input').setInputFiles(intact);
  await expect(resultOf(page, 'b-intact.kbatch')).toHaveAttribute('data-status', 'new');
  await page.goto(`${central.url}/console/devices/${deviceId}`);
  await expect(page.getByTestId('reconcile-status')).toContainText(
    'Không thiếu phiếu nào: máy chủ có 30 phiếu, đủ từ số 1 đến 30.',
  );
  await expect(page.getByTestId('gap-row')).toHaveCount(0);
});

test('revoking a device (with a confirmation) refuses its next batch, by USB upload and over the network', async ({
  page,
  central,
}) => {
  test.setTimeout(120_000);
  await consoleLogin(page, central, central.admin.username, central.admin.password);
  const code = await issueCodeForNewUnit(page, central, 'xa-thu-hoi');
  const kioskDir = scratchDir('kiosk-revoke-');
  const usb = scratchDir('usb-revoke-');
  record(kioskDir, 5, 4);
  const deviceId = enrolKioskDir(kioskDir, central.url, code);
  const [first] = exportFrom(kioskDir, join(usb, '1'));

  await page.goto(`${central.url}/console/uploads`);
  await page.getByTestId('kbatch-input').setInputFiles(first!.file);
  await expect(resultOf(page, basename(first!.file))).toHaveAttribute('data-status', 'new');

  await page.goto(`${central.url}/console/devices`);
  await page.locator(`[data-testid="device-row"][data-device="${deviceId}"] a`).first().click();
  await page.getByTestId('revoke-link').click();
  await expect(page.getByTestId('revoke-confirm')).toContainText(deviceId);
  await page.getByTestId('revoke-submit').click();
  await expect(page.getByTestId('device-message')).toHaveText('Đã thu hồi thiết bị.');
  await page.goto(`${central.url}/console/devices`);
  await expect(page.locator(`[data-testid="device-row"][data-device="${deviceId}"]`)).toHaveAttribute(
    'data-revoked',
    'true',
  );

  record(kioskDir, 3, 5);
  const [next] = exportFrom(kioskDir, join(usb, '2'), 6);
  await page.goto(`${central.url}/console/uploads`);
  await page.getByTestId('kbatch-input').setInputFiles(next!.file);
  await expect(resultOf(page, basename(next!.file))).toHaveAttribute('data-status', 'rejected');
  await expect(resultOf(page, basename(next!.file))).toContainText('Thiết bị đã bị thu hồi');
  // The kiosk's own upload of the same file is refused too (403 device_revoked).
  expect(() => runBin('kioskctl', ['upload', next!.file, '--central', central.url, '--data-dir', kioskDir])).toThrow(
    /device_revoked|revoked/,
  );
  await page.goto(`${central.url}/console/devices/${deviceId}`);
  await expect(page.getByTestId('reconcile-status')).toContainText('máy chủ có 5 phiếu');
});
