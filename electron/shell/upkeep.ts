import type { PowerMonitor, PowerSaveBlocker } from 'electron';
import type { CoreSlot } from './core-slot.ts';
import type { ShellLog } from './ipc.ts';
import type { KioskWindowSlot } from './kiosk-window.ts';
import { type DailyReload, type KeepAwakeMode, createPowerController, keepAwakeWanted } from './power.ts';
import type { ShellTimers } from './timers.ts';

const TICK_MS = 60_000;

export type UpkeepParams = {
  keepAwake: KeepAwakeMode;
  log: ShellLog;
  timers: ShellTimers;
  core: Pick<CoreSlot, 'current' | 'retryIfDue'>;
  kioskWindow: Pick<KioskWindowSlot, 'current' | 'reload'>;
  dailyReload: DailyReload;
  powerSaveBlocker: Pick<PowerSaveBlocker, 'start' | 'stop' | 'isStarted'>;
  powerMonitor: Pick<PowerMonitor, 'on' | 'off'>;
};

export type Upkeep = {
  /** One tick of the minute timer (also run on resume from sleep). */
  tick: () => void;
  stop: () => void;
};

/**
 * The shell's minute timer: retry a core that could not open, keep the display awake as IT chose
 * (opening hours by default, read through the core's settings), and reload the page once a day while
 * the office is closed and nobody is at the screen. Also run when the PC resumes from sleep.
 */
export const startUpkeep = (p: UpkeepParams): Upkeep => {
  const { log, timers } = p;
  let stopped = false;
  const openingHours = () => p.core.current()?.settings().openingHours ?? [];
  const power = createPowerController(p.powerSaveBlocker, {
    mode: p.keepAwake,
    openingHours,
    log,
    now: () => new Date(timers.now()),
  });

  const tick = (): void => {
    if (stopped) return;
    p.core.retryIfDue();
    const open = power.update();
    const win = p.kioskWindow.current();
    if (!p.core.current() || !win || win.isDestroyed()) return;
    // Maintenance follows the office's hours even where the display is kept awake always (or never).
    const hoursOpen =
      p.keepAwake === 'opening-hours' ? open : keepAwakeWanted('opening-hours', openingHours(), new Date(timers.now()));
    p.dailyReload.check(hoursOpen, p.kioskWindow.reload);
  };

  power.update();
  const interval = timers.setInterval(tick, TICK_MS);
  const onResume = (): void => {
    log.info('resumed from sleep');
    tick();
  };
  p.powerMonitor.on('resume', onResume);

  return {
    tick,
    stop: () => {
      stopped = true;
      timers.clearInterval(interval);
      p.powerMonitor.off('resume', onResume);
      power.stop();
    },
  };
};
