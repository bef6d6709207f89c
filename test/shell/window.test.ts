// Window options, navigation/window-open/webview denial, shortcut blocking, kiosk keeping, cursor.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { BrowserWindow, BrowserWindowConstructorOptions, WebContents } from 'electron';
import { newStaffWindow } from '../../electron/shell/staff-window.ts';
import {
  HIDE_CURSOR_CSS,
  LOCKED_WEB_PREFERENCES,
  applyCursorPolicy,
  blockShortcuts,
  guardWebContents,
  isBlockedShortcut,
  keepKioskWindow,
  lockedDown,
  newKioskWindow,
  shouldHideCursor,
} from '../../electron/shell/window.ts';
import { FakeBrowserWindow, FakeWebContents, fakeEvent, memoryLog, resetFakes } from './fake-electron.ts';

vi.mock('electron', async () => (await import('./fake-electron.ts')).electronModule);

const asContents = (c: FakeWebContents) => c as unknown as WebContents;
/** The options the window was constructed with, as Electron received them. */
const constructedWith = (w: BrowserWindow) =>
  (w as unknown as FakeBrowserWindow).options as BrowserWindowConstructorOptions;

/** Every security-relevant preference, as the checklist (docs/electron-security.md) requires it. */
const REQUIRED = [
  ['contextIsolation', true],
  ['sandbox', true],
  ['nodeIntegration', false],
  ['nodeIntegrationInWorker', false],
  ['nodeIntegrationInSubFrames', false],
  ['webSecurity', true],
  ['allowRunningInsecureContent', false],
  ['experimentalFeatures', false],
  ['webviewTag', false],
  ['plugins', false],
  ['navigateOnDragDrop', false],
  ['devTools', false],
  ['spellcheck', false],
  ['enableWebSQL', false],
  ['safeDialogs', true],
  ['disableBlinkFeatures', 'Auxclick'],
] as const;

beforeEach(() => resetFakes());

describe('the kiosk window, as constructed (production)', () => {
  const build = () =>
    constructedWith(
      newKioskWindow({ preloadPath: '/app/dist/main/preload.cjs', bounds: { x: 0, y: 0, width: 1080, height: 1920 } }),
    );

  it.each(REQUIRED)('webPreferences.%s is %s', (key, value) => {
    expect(build().webPreferences![key]).toBe(value);
  });

  it('uses the bundled preload and nothing else to reach the main process', () => {
    const wp = build().webPreferences!;
    expect(wp.preload).toBe('/app/dist/main/preload.cjs');
    expect(wp).not.toHaveProperty('additionalArguments');
    expect(wp).not.toHaveProperty('enableBlinkFeatures');
  });

  it('is a fullscreen kiosk window without a menu or frame, filling the chosen display', () => {
    const o = build();
    expect(o).toMatchObject({
      kiosk: true,
      fullscreen: true,
      autoHideMenuBar: true,
      frame: false,
      resizable: false,
      movable: false,
      minimizable: false,
      show: false,
    });
    expect(o).toMatchObject({ x: 0, y: 0, width: 1080, height: 1920 });
  });

  it('in development only: windowed, DevTools allowed, and still sandboxed and isolated', () => {
    const d = constructedWith(newKioskWindow({ preloadPath: '/p.cjs', dev: true }));
    expect(d).toMatchObject({ kiosk: false, fullscreen: false, frame: true });
    expect(d.webPreferences).toMatchObject({ ...LOCKED_WEB_PREFERENCES, devTools: true });
  });
});

describe('the staff window, as constructed', () => {
  it.each(REQUIRED)('webPreferences.%s is %s, as in the kiosk window', (key, value) => {
    const o = constructedWith(
      newStaffWindow({ preloadPath: '/p.cjs', workArea: { x: 0, y: 0, width: 1920, height: 1040 }, dev: false }),
    );
    expect(o.webPreferences![key]).toBe(value);
  });

  it("has exactly the kiosk window's web preferences", () => {
    const staff = newStaffWindow({
      preloadPath: '/p.cjs',
      workArea: { x: 0, y: 0, width: 800, height: 600 },
      dev: false,
    });
    const kiosk = newKioskWindow({ preloadPath: '/p.cjs' });
    expect(constructedWith(staff).webPreferences).toEqual(constructedWith(kiosk).webPreferences);
  });
});

describe('lockedDown: the check the literals pass before a window is built', () => {
  const good = (): BrowserWindowConstructorOptions => ({
    webPreferences: { preload: '/p.cjs', ...LOCKED_WEB_PREFERENCES, devTools: false },
  });

  it('passes locked-down options through unchanged', () => {
    const o = good();
    expect(lockedDown(o, false)).toBe(o);
  });

  it.each([
    ['contextIsolation', false],
    ['sandbox', false],
    ['nodeIntegration', true],
    ['webSecurity', false],
    ['allowRunningInsecureContent', true],
    ['webviewTag', true],
    ['disableBlinkFeatures', ''],
    ['contextIsolation', undefined],
  ] as const)('refuses %s: %s', (key, value) => {
    const o = good();
    o.webPreferences = { ...o.webPreferences, [key]: value };
    expect(() => lockedDown(o, false)).toThrow(`${key} must be`);
  });

  it('refuses enabled Blink features, extra renderer arguments, a missing preload and DevTools in production', () => {
    const with_ = (extra: Record<string, unknown>) => ({ webPreferences: { ...good().webPreferences, ...extra } });
    expect(() => lockedDown(with_({ enableBlinkFeatures: 'CSSLayoutAPI' }), false)).toThrow(
      'enableBlinkFeatures is not one of ours',
    );
    expect(() => lockedDown(with_({ additionalArguments: ['--x'] }), false)).toThrow('additionalArguments');
    expect(() => lockedDown(with_({ partition: 'persist:other' }), false)).toThrow('partition');
    expect(() => lockedDown(with_({ preload: undefined }), false)).toThrow('preload');
    expect(() => lockedDown(with_({ devTools: true }), false)).toThrow('devTools must be false');
    expect(lockedDown(with_({ devTools: true }), true)).toBeDefined();
  });

  it("refuses options that leave the preferences to Electron's defaults", () => {
    expect(() => lockedDown({}, false)).toThrow('contextIsolation must be true');
  });
});

describe('guardWebContents', () => {
  const setup = () => {
    const contents = new FakeWebContents();
    const log = memoryLog();
    guardWebContents(asContents(contents), log);
    return { contents, log };
  };

  it.each(['will-navigate', 'will-frame-navigate', 'will-redirect'])(
    'denies %s to any URL, our own included',
    (eventName) => {
      const { contents, log } = setup();
      for (const url of [
        'https://evil.example/',
        'file:///etc/passwd',
        'app://kiosk/index.html',
        'javascript:alert(1)',
        'data:text/html,<script>1</script>',
      ]) {
        const e = fakeEvent({ url });
        contents.emit(eventName, e, url);
        expect(e.defaultPrevented).toBe(true);
      }
      expect(log.lines.filter((l) => l.level === 'warn')).toHaveLength(5);
    },
  );

  it('denies every new window (window.open, target=_blank, shift-click)', () => {
    const { contents, log } = setup();
    expect(contents.windowOpenHandler).not.toBeNull();
    for (const url of ['https://evil.example/', 'app://kiosk/index.html', 'about:blank'])
      expect(contents.windowOpenHandler!({ url })).toEqual({ action: 'deny' });
    expect(log.has(/denied new window/)).toBe(true);
  });

  it('prevents attaching a webview', () => {
    const { contents } = setup();
    const e = fakeEvent();
    contents.emit('will-attach-webview', e, {}, {});
    expect(e.defaultPrevented).toBe(true);
  });

  it('undoes zoom and locks pinch zoom after each load', () => {
    const { contents } = setup();
    contents.emit('zoom-changed', fakeEvent(), 'in');
    expect(contents.callsOf('setZoomFactor')).toEqual([[1]]);
    contents.emit('did-finish-load');
    expect(contents.callsOf('setVisualZoomLevelLimits')).toEqual([[1, 1]]);
  });
});

describe('shortcuts', () => {
  const key = (k: string, mods: Partial<Record<'control' | 'meta' | 'alt' | 'shift', boolean>> = {}, code = '') => ({
    type: 'keyDown',
    key: k,
    code,
    control: false,
    meta: false,
    alt: false,
    shift: false,
    ...mods,
  });

  it.each([
    ['F5', key('F5')],
    ['Ctrl+R', key('r', { control: true })],
    ['Ctrl+Shift+R', key('R', { control: true, shift: true })],
    ['Cmd+R', key('r', { meta: true })],
    ['F12', key('F12')],
    ['Ctrl+Shift+I', key('I', { control: true, shift: true })],
    ['Ctrl+Shift+J', key('J', { control: true, shift: true })],
    ['Ctrl+Shift+C', key('C', { control: true, shift: true })],
    ['F11', key('F11')],
    ['Alt+F4', key('F4', { alt: true })],
    ['Ctrl+W', key('w', { control: true })],
    ['Ctrl+Q', key('q', { control: true })],
    ['Ctrl+P', key('p', { control: true })],
    ['Ctrl+O', key('o', { control: true })],
    ['Ctrl+S', key('s', { control: true })],
    ['Ctrl+N', key('n', { control: true })],
    ['Ctrl+plus', key('+', { control: true })],
    ['Ctrl+minus', key('-', { control: true })],
    ['Ctrl+0', key('0', { control: true })],
    ['Ctrl+= by code', key('=', { control: true }, 'Equal')],
    ['Alt+Left (back)', key('ArrowLeft', { alt: true })],
    ['BrowserBack', key('BrowserBack')],
    ['BrowserRefresh', key('BrowserRefresh')],
  ])('blocks %s', (_name, input) => {
    expect(isBlockedShortcut(input)).toBe(true);
  });

  it.each([
    ['letters', key('a')],
    ['Vietnamese letters', key('ơ')],
    ['shifted letters', key('A', { shift: true })],
    ['digits', key('7')],
    ['Backspace', key('Backspace')],
    ['Enter', key('Enter')],
    ['Tab', key('Tab')],
    ['arrows', key('ArrowLeft')],
    ['Escape', key('Escape')],
    ['Ctrl+A (select all in the case-number field)', key('a', { control: true })],
    ['Ctrl+C / Ctrl+V', key('c', { control: true })],
    ['a key being released', { ...key('F5'), type: 'keyUp' }],
  ])('lets %s through', (_name, input) => {
    expect(isBlockedShortcut(input)).toBe(false);
  });

  it('swallows a blocked key before the page sees it, with a log line', () => {
    const contents = new FakeWebContents();
    const log = memoryLog();
    blockShortcuts(asContents(contents), log);
    const blocked = fakeEvent();
    contents.emit('before-input-event', blocked, key('r', { control: true }));
    const allowed = fakeEvent();
    contents.emit('before-input-event', allowed, key('a'));
    expect(blocked.defaultPrevented).toBe(true);
    expect(allowed.defaultPrevented).toBe(false);
    expect(log.has(/blocked shortcut/)).toBe(true);
  });
});

describe('keepKioskWindow', () => {
  const setup = () => {
    const win = new FakeBrowserWindow({});
    const log = memoryLog();
    const pending: (() => void)[] = [];
    keepKioskWindow(win as unknown as BrowserWindow, log, (fn) => pending.push(fn));
    const flush = () => pending.splice(0).forEach((fn) => fn());
    return { win, log, flush };
  };

  it('takes focus back after a blur', () => {
    const { win, flush } = setup();
    win.focused = false;
    win.emit('blur');
    flush();
    expect(win.callsOf('focus')).toHaveLength(1);
    expect(win.webContents.callsOf('focus')).toHaveLength(1);
  });

  it('does nothing if focus came back by itself', () => {
    const { win, flush } = setup();
    win.emit('blur');
    win.focused = true;
    flush();
    expect(win.callsOf('focus')).toHaveLength(0);
  });

  it.each(['leave-full-screen', 'minimize', 'hide'])('re-enters kiosk fullscreen after %s', (eventName) => {
    const { win, flush, log } = setup();
    win.minimized = eventName === 'minimize';
    win.emit(eventName);
    flush();
    expect(win.callsOf('setKiosk')).toEqual([[true]]);
    expect(win.callsOf('setFullScreen')).toEqual([[true]]);
    if (eventName === 'minimize') expect(win.callsOf('restore')).toHaveLength(1);
    expect(log.has(/restoring kiosk mode/)).toBe(true);
  });

  it('leaves a destroyed window alone', () => {
    const { win, flush } = setup();
    win.emit('leave-full-screen');
    win.destroyed = true;
    flush();
    expect(win.callsOf('setKiosk')).toEqual([]);
  });
});

describe('cursor', () => {
  it.each([
    ['show', 'available', false],
    ['hide', 'unavailable', true],
    ['hide', 'available', true],
    ['hide-on-touch', 'available', true],
    ['hide-on-touch', 'unavailable', false],
    ['hide-on-touch', 'unknown', false],
  ] as const)('policy %s on a display with touch %s → hidden: %s', (policy, touch, hidden) => {
    expect(shouldHideCursor(policy, touch)).toBe(hidden);
  });

  it('injects the hiding CSS after every load when hidden, nothing otherwise', () => {
    const hidden = new FakeWebContents();
    applyCursorPolicy(asContents(hidden), true);
    hidden.emit('did-finish-load');
    hidden.emit('did-finish-load');
    expect(hidden.callsOf('insertCSS').map((a) => a[0])).toEqual([HIDE_CURSOR_CSS, HIDE_CURSOR_CSS]);
    const shown = new FakeWebContents();
    applyCursorPolicy(asContents(shown), false);
    shown.emit('did-finish-load');
    expect(shown.callsOf('insertCSS')).toEqual([]);
  });
});
