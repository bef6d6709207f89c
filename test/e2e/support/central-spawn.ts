/**
 * The processes of the end-to-end tests and the bridge bench, started exactly as an operator starts
 * them, with nothing of Playwright (the bench imports this under plain Node): central (`npm run
 * central`: central/main.ts) on port 0, a kiosk browser host with its sync engine on, and the CLIs.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { OFFICE_ADMIN_PIN, OFFICE_STAFF_PIN } from '../../support/pins.ts';
import { stopProcess as stopChild } from '../../support/child-process.ts';

export const ROOT = resolve(import.meta.dirname, '../../..');

/** central/main.ts on port 0 over `dataDir` (PGlite on disk), rate limits off (one address opens everything). */
export const spawnCentral = (dataDir: string, args: string[] = []): ChildProcess =>
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
      ...args,
    ],
    { cwd: ROOT, env: { ...process.env, DATABASE_URL: '' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );

/** A kiosk browser host (electron/host) with its sync engine ON, tuned to talk to central every second or so. */
export const spawnSyncingHost = (dataDir: string, args: string[] = []): ChildProcess =>
  spawn(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'electron/host/main.ts'), '--port', '0', '--data-dir', dataDir, ...args],
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
  );

/** Central and the hosts it talks to get 10 s to close their databases before SIGKILL. */
export const stopProcess = (proc: ChildProcess): Promise<void> => stopChild(proc, 10_000);

/** Runs a CLI (bin/kioskctl.js, bin/centralctl.js) and returns its stdout; throws with stderr on failure. */
export const runBin = (bin: 'kioskctl' | 'centralctl', args: string[]): string => {
  try {
    return execFileSync(process.execPath, [join(ROOT, `bin/${bin}.js`), ...args], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (e) {
    const err = e as { stderr?: string; stdout?: string };
    throw new Error(`${bin} ${args.join(' ')} failed:\n${err.stderr ?? ''}${err.stdout ?? ''}`, { cause: e });
  }
};

/**
 * Enrols the kiosk in `kioskDir` with kioskctl, office PINs set first (a kiosk still on the demo PINs
 * refuses to enrol); returns its device id.
 */
export const enrolKioskDir = (kioskDir: string, centralUrl: string, code: string): string => {
  for (const [key, pin] of [
    ['adminPin', OFFICE_ADMIN_PIN],
    ['staffPin', OFFICE_STAFF_PIN],
  ] as const)
    runBin('kioskctl', ['config', 'set', key, pin, '--data-dir', kioskDir]);
  const enrolled = JSON.parse(
    runBin('kioskctl', ['enroll', '--central', centralUrl, '--code', code, '--data-dir', kioskDir, '--json']),
  ) as { deviceId: string };
  return enrolled.deviceId;
};
