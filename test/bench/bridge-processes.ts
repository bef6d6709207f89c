/**
 * The bridge bench's processes: central as its own child (`central/main.ts`, PGlite on disk), so the
 * RSS read from /proc is central's alone; the real kiosk, enrolled with kioskctl and run as the
 * browser host with sync on, serving a fresh renderer build.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stopProcess, waitForOutput } from '../support/child-process.ts';
import { OFFICE_ADMIN_PIN, OFFICE_STAFF_PIN } from '../support/pins.ts';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

export type Child = { url: string; proc: ChildProcess; stop: () => Promise<void> };

const started = async (proc: ChildProcess, pattern: RegExp, what: string): Promise<Child> => {
  const m = await waitForOutput(proc, pattern, what, 120_000, { text: '' });
  // Output not read any more still has to be drained, or a chatty child blocks on a full pipe.
  proc.stdout!.resume();
  proc.stderr!.resume();
  return { url: m[1]!, proc, stop: () => stopProcess(proc, 10_000) };
};

/** `npm run central` on port 0 over `dataDir`, rate limits off (one address opens every stream). */
export const startCentralChild = (dataDir: string): Promise<Child> =>
  started(
    spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(ROOT, 'central/main.ts'),
        '--port',
        '0',
        '--data-dir',
        dataDir,
        '--rate-ip',
        '0',
        '--rate-device',
        '0',
      ],
      { cwd: ROOT, env: { ...process.env, DATABASE_URL: '' }, stdio: ['ignore', 'pipe', 'pipe'] },
    ),
    /listening on (\S+)/,
    'central',
  );

const bin = (name: 'kioskctl' | 'centralctl', args: string[]): string =>
  execFileSync(process.execPath, [join(ROOT, `bin/${name}.js`), ...args], { cwd: ROOT, encoding: 'utf8' });

/** Office PINs set (a kiosk on the demo PINs refuses to enrol), then kioskctl enroll; the device id. */
export const enrolKiosk = (kioskDir: string, centralUrl: string, code: string): string => {
  bin('kioskctl', ['config', 'set', 'adminPin', OFFICE_ADMIN_PIN, '--data-dir', kioskDir]);
  bin('kioskctl', ['config', 'set', 'staffPin', OFFICE_STAFF_PIN, '--data-dir', kioskDir]);
  const out = bin('kioskctl', ['enroll', '--central', centralUrl, '--code', code, '--data-dir', kioskDir, '--json']);
  return (JSON.parse(out) as { deviceId: string }).deviceId;
};

/** IT places the device at a counter, through the running central. */
export const placeDevice = (centralDataDir: string, deviceId: string, counterId: string): void => {
  bin('centralctl', ['--data-dir', centralDataDir, 'device-counter', deviceId, counterId]);
};

/** The browser host with sync on (its invitation stream open), tuned as the end-to-end tests tune it. */
export const startKioskHost = (kioskDir: string, rendererDir: string): Promise<Child> =>
  started(
    spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(ROOT, 'electron/host/main.ts'),
        '--port',
        '0',
        '--data-dir',
        kioskDir,
        '--renderer-dir',
        rendererDir,
      ],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          KIOSK_SYNC: 'on',
          KIOSK_SYNC_POLL_MS: '300',
          KIOSK_SYNC_HEARTBEAT_MS: '500',
          KIOSK_SYNC_CONFIG_MS: '1000',
          KIOSK_SYNC_BASE_MS: '200',
          KIOSK_SYNC_CAP_MS: '2000',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    ),
    /Kiosk ready: (\S+)/,
    'kiosk host',
  );
