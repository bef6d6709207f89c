import type { BrowserWindow, RenderProcessGoneDetails } from 'electron';
import type { ShellLog } from './ipc.ts';

export type CrashRecoveryOptions = {
  /** The URL to load again (the attract screen). */
  startUrl: string;
  log: ShellLog;
  /** How long the page may hang before its renderer is killed and reloaded. */
  hangGraceMs?: number;
  /** First retry delay; doubles with each crash inside `burstWindowMs`, capped at `maxDelayMs`. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  burstWindowMs?: number;
  now?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
};

export type CrashRecovery = {
  /** Crashes and hangs seen so far (for the log and tests). */
  readonly stats: () => { crashes: number; hangs: number; loadFailures: number; reloads: number };
  dispose: () => void;
};

type Recoverable = Pick<BrowserWindow, 'isDestroyed'> & { webContents: BrowserWindow['webContents'] };

/**
 * Brings the kiosk page back by itself, with a log line each time:
 * - renderer gone (crash, OOM, killed): reload the start URL;
 * - renderer unresponsive for longer than the grace period: kill it (which lands in the case above);
 * - the page failed to load: try again.
 * Reloads back off exponentially when crashes come in a burst, so a page that crashes at once cannot
 * spin the CPU; a quiet period resets the delay.
 */
export const createCrashRecovery = (win: Recoverable, o: CrashRecoveryOptions): CrashRecovery => {
  const now = o.now ?? Date.now;
  const setTimer = o.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
  const clearTimer = o.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
  const hangGraceMs = o.hangGraceMs ?? 15_000;
  const baseDelayMs = o.baseDelayMs ?? 1_000;
  const maxDelayMs = o.maxDelayMs ?? 60_000;
  const burstWindowMs = o.burstWindowMs ?? 10 * 60_000;
  const contents = win.webContents;
  const stats = { crashes: 0, hangs: 0, loadFailures: 0, reloads: 0 };
  let recent: number[] = [];
  let hangTimer: unknown = null;
  let reloadTimer: unknown = null;
  let disposed = false;

  const scheduleReload = (why: string): void => {
    if (disposed || reloadTimer !== null) return;
    const t = now();
    recent = recent.filter((x) => t - x < burstWindowMs);
    recent.push(t);
    const delay = Math.min(maxDelayMs, baseDelayMs * 2 ** (recent.length - 1));
    o.log.warn(
      `renderer recovery: reloading in ${delay} ms (${why}; ${recent.length} in the last ${Math.round(burstWindowMs / 60_000)} min)`,
    );
    reloadTimer = setTimer(() => {
      reloadTimer = null;
      if (disposed || win.isDestroyed()) return;
      stats.reloads += 1;
      o.log.info('renderer recovery: reloading the kiosk page');
      contents.loadURL(o.startUrl).catch((e: unknown) => o.log.error('renderer recovery: reload failed', e));
    }, delay);
  };

  const onGone = (_e: unknown, details: RenderProcessGoneDetails): void => {
    stats.crashes += 1;
    if (hangTimer !== null) {
      clearTimer(hangTimer);
      hangTimer = null;
    }
    o.log.error(`renderer process gone: ${details.reason} (exit code ${details.exitCode})`);
    scheduleReload(`renderer ${details.reason}`);
  };
  const onUnresponsive = (): void => {
    stats.hangs += 1;
    o.log.warn(`renderer unresponsive; killing it if still hung after ${hangGraceMs} ms`);
    if (hangTimer !== null) return;
    hangTimer = setTimer(() => {
      hangTimer = null;
      if (disposed || win.isDestroyed()) return;
      o.log.error('renderer still unresponsive: killing it to reload');
      contents.forcefullyCrashRenderer();
    }, hangGraceMs);
  };
  const onResponsive = (): void => {
    if (hangTimer === null) return;
    clearTimer(hangTimer);
    hangTimer = null;
    o.log.info('renderer responsive again');
  };
  const onFailLoad = (_e: unknown, errorCode: number, description: string, url: string, isMainFrame: boolean): void => {
    // -3 is ERR_ABORTED: a load replaced by another (our own reload), not a failure.
    if (!isMainFrame || errorCode === -3) return;
    stats.loadFailures += 1;
    o.log.error(`kiosk page failed to load: ${description} (${errorCode}) ${url.slice(0, 200)}`);
    scheduleReload('load failed');
  };

  contents.on('render-process-gone', onGone);
  contents.on('unresponsive', onUnresponsive);
  contents.on('responsive', onResponsive);
  contents.on('did-fail-load', onFailLoad);

  return {
    stats: () => ({ ...stats }),
    dispose: () => {
      disposed = true;
      if (hangTimer !== null) clearTimer(hangTimer);
      if (reloadTimer !== null) clearTimer(reloadTimer);
      if (!win.isDestroyed()) {
        contents.off('render-process-gone', onGone);
        contents.off('unresponsive', onUnresponsive);
        contents.off('responsive', onResponsive);
        contents.off('did-fail-load', onFailLoad);
      }
    },
  };
};
