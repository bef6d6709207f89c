// Crash and hang recovery: render-process-gone → reload + log; unresponsive → kill after grace → reload.
import { describe, expect, it } from 'vitest';
import type { BrowserWindow } from 'electron';
import { createCrashRecovery } from '../../electron/shell/crash.ts';
import { FakeBrowserWindow, fakeEvent, memoryLog } from './fake-electron.ts';

const START = 'app://kiosk/index.html';

const setup = (opts: { baseDelayMs?: number; maxDelayMs?: number } = {}) => {
  const win = new FakeBrowserWindow({});
  const log = memoryLog();
  let now = 1_000_000;
  const timers: { fn: () => void; at: number; id: number }[] = [];
  let nextId = 1;
  const recovery = createCrashRecovery(win as unknown as BrowserWindow, {
    startUrl: START,
    log,
    hangGraceMs: 15_000,
    ...opts,
    now: () => now,
    setTimer: (fn, ms) => {
      const t = { fn, at: now + ms, id: nextId++ };
      timers.push(t);
      return t.id;
    },
    clearTimer: (id) => {
      const i = timers.findIndex((t) => t.id === id);
      if (i >= 0) timers.splice(i, 1);
    },
  });
  /** Moves time on and runs the timers that fall due. */
  const advance = (ms: number) => {
    now += ms;
    for (;;) {
      const due = timers.filter((t) => t.at <= now).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      timers.splice(timers.indexOf(due), 1);
      due.fn();
    }
  };
  const loads = () => win.webContents.callsOf('loadURL').map((a) => a[0]);
  return { win, log, recovery, advance, loads, pending: () => timers.length };
};

describe('crash recovery', () => {
  it('reloads the start page after the renderer crashes, with a log line', () => {
    const { win, log, advance, loads, recovery } = setup();
    win.webContents.crash('crashed');
    expect(log.lines.find((l) => l.level === 'error')?.message).toBe('renderer process gone: crashed (exit code 139)');
    expect(loads()).toEqual([]);
    advance(1_000);
    expect(loads()).toEqual([START]);
    expect(log.has(/reloading the kiosk page/)).toBe(true);
    expect(recovery.stats()).toMatchObject({ crashes: 1, reloads: 1 });
  });

  it.each(['oom', 'killed', 'launch-failed', 'integrity-failure', 'abnormal-exit'])(
    'recovers from reason %s',
    (reason) => {
      const { win, advance, loads } = setup();
      win.webContents.crash(reason);
      advance(1_000);
      expect(loads()).toEqual([START]);
    },
  );

  it('kills a renderer that stays unresponsive past the grace period, then reloads', () => {
    const { win, advance, loads, log } = setup();
    win.webContents.emit('unresponsive');
    advance(14_999);
    expect(win.webContents.callsOf('forcefullyCrashRenderer')).toHaveLength(0);
    advance(1);
    expect(win.webContents.callsOf('forcefullyCrashRenderer')).toHaveLength(1);
    expect(log.has(/still unresponsive/)).toBe(true);
    // Electron then reports the killed renderer as gone:
    win.webContents.crash('killed');
    advance(1_000);
    expect(loads()).toEqual([START]);
  });

  it('leaves a renderer alone that becomes responsive again', () => {
    const { win, advance, pending } = setup();
    win.webContents.emit('unresponsive');
    win.webContents.emit('responsive');
    advance(60_000);
    expect(win.webContents.callsOf('forcefullyCrashRenderer')).toHaveLength(0);
    expect(pending()).toBe(0);
  });

  it('backs off when crashes come in a burst, and resets after a quiet period', () => {
    const { win, advance, loads, log } = setup({ baseDelayMs: 1_000, maxDelayMs: 8_000 });
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      win.webContents.crash();
      const m = /reloading in (\d+) ms/.exec(log.lines.at(-1)!.message);
      delays.push(Number(m?.[1]));
      advance(10_000);
    }
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 8_000, 8_000]);
    expect(loads()).toHaveLength(6);
    advance(11 * 60_000);
    win.webContents.crash();
    expect(log.lines.at(-1)!.message).toMatch(/reloading in 1000 ms/);
  });

  it('schedules one reload for several events in a row', () => {
    const { win, advance, loads } = setup();
    win.webContents.crash();
    win.webContents.emit('did-fail-load', fakeEvent(), -6, 'ERR_FILE_NOT_FOUND', START, true);
    advance(5_000);
    expect(loads()).toEqual([START]);
  });

  it('retries a main-frame load failure, ignores aborted loads and subframes', () => {
    const { win, advance, loads, recovery } = setup();
    win.webContents.emit('did-fail-load', fakeEvent(), -3, 'ERR_ABORTED', START, true);
    win.webContents.emit('did-fail-load', fakeEvent(), -105, 'ERR_NAME_NOT_RESOLVED', 'https://x/', false);
    advance(5_000);
    expect(loads()).toEqual([]);
    win.webContents.emit('did-fail-load', fakeEvent(), -6, 'ERR_FILE_NOT_FOUND', START, true);
    advance(1_000);
    expect(loads()).toEqual([START]);
    expect(recovery.stats().loadFailures).toBe(1);
  });

  it('does nothing after dispose or once the window is gone', () => {
    const a = setup();
    a.recovery.dispose();
    a.win.webContents.crash();
    a.advance(60_000);
    expect(a.loads()).toEqual([]);
    const b = setup();
    b.win.webContents.crash();
    b.win.destroyed = true;
    b.advance(60_000);
    expect(b.loads()).toEqual([]);
  });
});
