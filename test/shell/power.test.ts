// Opening hours → keep the display awake or let it sleep (pure, table-driven), and the controller.
import { describe, expect, it } from 'vitest';
import {
  createPowerController,
  isOpenAt,
  isoWeekday,
  keepAwakeWanted,
  maintenanceReloadDue,
} from '../../electron/shell/power.ts';
import { DEFAULT_SETTINGS, type OpeningHours } from '../../shared/settings.ts';
import { fakePowerSaveBlocker, memoryLog } from './fake-electron.ts';

const HOURS: OpeningHours = DEFAULT_SETTINGS.openingHours.map((h) => ({ ...h, days: [...h.days] }));
// 2026-03-02 is a Monday. Local time, as the kiosk PC sees it.
const at = (day: number, hhmm: string): Date => {
  const [h, m] = hhmm.split(':').map(Number);
  return new Date(2026, 2, 1 + day, h, m);
};

describe('isOpenAt (default hours: Mon–Fri 07:30–11:30 and 13:30–17:00, Sat 07:30–11:30)', () => {
  it('numbers weekdays 1 = Monday … 7 = Sunday', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((d) => isoWeekday(at(d, '12:00')))).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it.each([
    [1, '07:29', false],
    [1, '07:30', true],
    [1, '11:29', true],
    [1, '11:30', false],
    [1, '12:15', false],
    [1, '13:30', true],
    [1, '16:59', true],
    [1, '17:00', false],
    [3, '09:00', true],
    [5, '16:00', true],
    [6, '08:00', true],
    [6, '14:00', false],
    [7, '09:00', false],
    [1, '00:00', false],
    [1, '23:59', false],
  ])('day %i at %s → open: %s', (day, time, open) => {
    expect(isOpenAt(HOURS, at(day, time))).toBe(open);
  });

  it('is closed all the time with no hours', () => {
    expect(isOpenAt([], at(1, '09:00'))).toBe(false);
  });
});

describe('keepAwakeWanted', () => {
  it.each([
    ['opening-hours', 1, '09:00', true],
    ['opening-hours', 1, '07:20', true], // 15 min margin before opening
    ['opening-hours', 1, '07:10', false],
    ['opening-hours', 1, '17:10', true], // the last citizen may still be answering
    ['opening-hours', 1, '17:20', false],
    ['opening-hours', 1, '12:30', false], // lunch break, beyond the margins
    ['opening-hours', 7, '09:00', false],
    ['always', 7, '03:00', true],
    ['never', 1, '09:00', false],
  ] as const)('%s, day %i at %s → %s', (mode, day, time, wanted) => {
    expect(keepAwakeWanted(mode, HOURS, at(day, time))).toBe(wanted);
  });
});

describe('createPowerController', () => {
  const setup = (mode: 'opening-hours' | 'always' | 'never', hours: () => OpeningHours = () => HOURS) => {
    fakePowerSaveBlocker.active.clear();
    fakePowerSaveBlocker.types = [];
    let now = at(1, '06:00');
    const log = memoryLog();
    const c = createPowerController(fakePowerSaveBlocker, { mode, openingHours: hours, log, now: () => now });
    return { c, log, set: (d: Date) => (now = d) };
  };

  it('starts a prevent-display-sleep blocker at opening and stops it at closing', () => {
    const { c, set, log } = setup('opening-hours');
    expect(c.update()).toBe(false);
    expect(c.isBlocking()).toBe(false);
    set(at(1, '08:00'));
    expect(c.update()).toBe(true);
    expect(c.isBlocking()).toBe(true);
    expect(fakePowerSaveBlocker.types).toEqual(['prevent-display-sleep']);
    c.update();
    expect(fakePowerSaveBlocker.active.size).toBe(1);
    set(at(1, '18:00'));
    expect(c.update()).toBe(false);
    expect(fakePowerSaveBlocker.active.size).toBe(0);
    expect(log.has(/display may sleep/)).toBe(true);
  });

  it('restarts the blocker if something else stopped it', () => {
    const { c, set } = setup('opening-hours');
    set(at(1, '09:00'));
    c.update();
    fakePowerSaveBlocker.active.clear();
    c.update();
    expect(c.isBlocking()).toBe(true);
  });

  it('reads the hours each time (staff may change them)', () => {
    let hours: OpeningHours = [];
    const { c, set } = setup('opening-hours', () => hours);
    set(at(7, '10:00'));
    expect(c.update()).toBe(false);
    hours = [{ days: [7], from: '08:00', to: '12:00' }];
    expect(c.update()).toBe(true);
  });

  it('keeps the display awake when the hours cannot be read', () => {
    const { c, log } = setup('opening-hours', () => {
      throw new Error('database is locked');
    });
    expect(c.update()).toBe(true);
    expect(log.has(/could not read opening hours/)).toBe(true);
  });

  it('honours always and never', () => {
    const a = setup('always');
    expect(a.c.update()).toBe(true);
    a.c.stop();
    const n = setup('never');
    n.set(at(1, '09:00'));
    expect(n.c.update()).toBe(false);
    expect(fakePowerSaveBlocker.active.size).toBe(0);
  });
});

describe('maintenanceReloadDue', () => {
  const H = 3_600_000;
  it.each([
    ['open office', { open: true, now: 30 * H, lastCallAt: null, lastReloadAt: 0 }, false],
    ['closed, idle, not reloaded for a day', { open: false, now: 30 * H, lastCallAt: null, lastReloadAt: 0 }, true],
    [
      'closed, but someone touched the screen 5 min ago',
      { open: false, now: 30 * H, lastCallAt: 30 * H - 5 * 60_000, lastReloadAt: 0 },
      false,
    ],
    [
      'closed, last touch 11 min ago',
      { open: false, now: 30 * H, lastCallAt: 30 * H - 11 * 60_000, lastReloadAt: 0 },
      true,
    ],
    ['closed, reloaded 2 h ago', { open: false, now: 30 * H, lastCallAt: null, lastReloadAt: 28 * H }, false],
  ])('%s → %s', (_name, input, due) => {
    expect(maintenanceReloadDue(input)).toBe(due);
  });
});
