/**
 * The bridge bench's processes, spawned as the end-to-end tests spawn them (test/e2e/support/central-spawn.ts):
 * central as its own child (`central/main.ts`, PGlite on disk), so the RSS read from /proc is central's
 * alone; the real kiosk, enrolled with kioskctl and run as the browser host with sync on, serving a
 * fresh renderer build.
 */
import type { ChildProcess } from 'node:child_process';
import { waitForOutput } from '../support/child-process.ts';
import { enrolKioskDir, runBin, spawnCentral, spawnSyncingHost, stopProcess } from '../e2e/support/central-spawn.ts';

export type Child = { url: string; proc: ChildProcess; stop: () => Promise<void> };

const started = async (proc: ChildProcess, pattern: RegExp, what: string): Promise<Child> => {
  const m = await waitForOutput(proc, pattern, what, 120_000, { text: '' });
  // Output not read any more still has to be drained, or a chatty child blocks on a full pipe.
  proc.stdout!.resume();
  proc.stderr!.resume();
  return { url: m[1]!, proc, stop: () => stopProcess(proc) };
};

/** `npm run central` on port 0 over `dataDir`, rate limits off (one address opens every stream). */
export const startCentralChild = (dataDir: string): Promise<Child> =>
  started(spawnCentral(dataDir), /listening on (\S+)/, 'central');

/** Office PINs set (a kiosk on the demo PINs refuses to enrol), then kioskctl enroll; the device id. */
export const enrolKiosk = enrolKioskDir;

/** IT places the device at a counter, through the running central. */
export const placeDevice = (centralDataDir: string, deviceId: string, counterId: string): void => {
  runBin('centralctl', ['--data-dir', centralDataDir, 'device-counter', deviceId, counterId]);
};

/** The browser host with sync on (its invitation stream open), tuned as the end-to-end tests tune it. */
export const startKioskHost = (kioskDir: string, rendererDir: string): Promise<Child> =>
  started(spawnSyncingHost(kioskDir, ['--renderer-dir', rendererDir]), /Kiosk ready: (\S+)/, 'kiosk host');
