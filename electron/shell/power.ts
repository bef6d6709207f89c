import type { PowerSaveBlocker } from 'electron';
import type { OpeningHours } from '../../shared/settings.ts';
import type { ShellLog } from './ipc.ts';

/**
 * Keeping the screen awake. The display must stay on while citizens can walk up to the kiosk, and
 * should be allowed to sleep (per the OS power plan) when the office is closed. Opening hours come from
 * the kiosk's settings (`openingHours`, local time of the PC).
 */
export type KeepAwakeMode = 'opening-hours' | 'always' | 'never';

const minutesOf = (hhmm: string): number => {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
};

/** ISO weekday, 1 = Monday .. 7 = Sunday, of a local date. */
export const isoWeekday = (date: Date): number => ((date.getDay() + 6) % 7) + 1;

/** Whether the office is open at `date` (local time): in any interval listed for that weekday, `from` inclusive, `to` exclusive. */
export const isOpenAt = (hours: OpeningHours, date: Date): boolean => {
  const day = isoWeekday(date);
  const minute = date.getHours() * 60 + date.getMinutes();
  return hours.some((slot) => slot.days.includes(day) && minute >= minutesOf(slot.from) && minute < minutesOf(slot.to));
};

/**
 * Whether the display should be kept awake now. `marginMinutes` keeps it on a little before opening and
 * after closing (staff arrive early, the last citizen may still be answering).
 */
export const keepAwakeWanted = (mode: KeepAwakeMode, hours: OpeningHours, date: Date, marginMinutes = 15): boolean => {
  if (mode === 'always') return true;
  if (mode === 'never') return false;
  const ms = marginMinutes * 60_000;
  return (
    isOpenAt(hours, date) ||
    isOpenAt(hours, new Date(date.getTime() + ms)) ||
    isOpenAt(hours, new Date(date.getTime() - ms))
  );
};

export type PowerControllerOptions = {
  mode: KeepAwakeMode;
  /** Read each time: staff or IT may change the hours while the kiosk runs. */
  openingHours: () => OpeningHours;
  log: ShellLog;
  now?: () => Date;
  marginMinutes?: number;
};

export type PowerController = {
  /** Re-evaluates now (also called every minute by the caller's timer, and on resume from sleep). */
  update: () => boolean;
  isBlocking: () => boolean;
  stop: () => void;
};

/** Starts or stops a 'prevent-display-sleep' blocker to match `keepAwakeWanted`. */
export const createPowerController = (
  blocker: Pick<PowerSaveBlocker, 'start' | 'stop' | 'isStarted'>,
  o: PowerControllerOptions,
): PowerController => {
  const now = o.now ?? (() => new Date());
  let id: number | null = null;
  const update = (): boolean => {
    let hours: OpeningHours;
    try {
      hours = o.openingHours();
    } catch (e) {
      // Unreadable settings: stay awake rather than leave a black screen at the counter.
      o.log.error('power: could not read opening hours; keeping the display awake', e);
      hours = [{ days: [1, 2, 3, 4, 5, 6, 7], from: '00:00', to: '23:59' }];
    }
    const wanted = keepAwakeWanted(o.mode, hours, now(), o.marginMinutes);
    if (wanted && (id === null || !blocker.isStarted(id))) {
      id = blocker.start('prevent-display-sleep');
      o.log.info(`power: keeping the display awake (${o.mode})`);
    } else if (!wanted && id !== null) {
      blocker.stop(id);
      id = null;
      o.log.info(`power: display may sleep (${o.mode}: outside opening hours)`);
    }
    return wanted;
  };
  return {
    update,
    isBlocking: () => id !== null && blocker.isStarted(id),
    stop: () => {
      if (id !== null) blocker.stop(id);
      id = null;
    },
  };
};

export type MaintenanceInput = {
  /** keepAwakeWanted for now: maintenance happens only while the office is closed. */
  open: boolean;
  now: number;
  /** Last KioskApi call from the page (a respondent or staff member at the screen), or null. */
  lastCallAt: number | null;
  /** Last page reload the shell made (maintenance or crash recovery) or the start of the app. */
  lastReloadAt: number;
  quietMs?: number;
  everyMs?: number;
};

/**
 * A renderer that runs for months accumulates whatever leaks the page has. Once a day, while the office
 * is closed and nobody has touched the screen for a while, the shell reloads the page from scratch.
 */
export const maintenanceReloadDue = (m: MaintenanceInput): boolean => {
  const quietMs = m.quietMs ?? 10 * 60_000;
  const everyMs = m.everyMs ?? 20 * 3_600_000;
  if (m.open) return false;
  if (m.lastCallAt !== null && m.now - m.lastCallAt < quietMs) return false;
  return m.now - m.lastReloadAt >= everyMs;
};

export type DailyReload = {
  /** A KioskApi call reached the core: someone is at the screen. */
  noteCall: () => void;
  /** Runs `reload` when maintenanceReloadDue says so (`open`: the office's hours say open now). */
  check: (open: boolean, reload: () => void) => void;
};

/** The state maintenanceReloadDue needs, kept between the minute ticks. */
export const createDailyReload = (log: ShellLog, now: () => number): DailyReload => {
  let lastCallAt: number | null = null;
  let lastReloadAt = now();
  return {
    noteCall: () => {
      lastCallAt = now();
    },
    check: (open, reload) => {
      if (!maintenanceReloadDue({ open, now: now(), lastCallAt, lastReloadAt })) return;
      lastReloadAt = now();
      log.info('maintenance: office closed and screen idle, reloading the kiosk page');
      reload();
    },
  };
};
