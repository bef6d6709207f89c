import { BrowserWindow } from 'electron';
import type { BrowserWindowConstructorOptions, Input, Rectangle, WebContents, WebPreferences } from 'electron';
import type { ShellLog } from './ipc.ts';

/**
 * Every security-relevant web preference, as each of our windows must have it. The preferences are
 * spelt out as literals at each `new BrowserWindow` (here and in staff-window.ts), where a reviewer
 * and electronegativity (npm run scan:electron) both see them; `lockedDown` checks those literals
 * against this list before the window is built, so the two cannot drift apart. Nothing is left to
 * Electron's defaults, so a default changing in a future Electron cannot loosen it silently.
 */
export const LOCKED_WEB_PREFERENCES = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  experimentalFeatures: false,
  webviewTag: false,
  plugins: false,
  enableWebSQL: false,
  navigateOnDragDrop: false,
  safeDialogs: true,
  // No middle-click (auxclick) handling: one more way to ask for a new window, and a touch screen has none.
  disableBlinkFeatures: 'Auxclick',
} as const satisfies WebPreferences;

/**
 * Returns the options unchanged when every locked preference is exactly as required, a preload is
 * given, DevTools are on only in development and no other preference is set (no Blink feature switched
 * on, no extra renderer arguments); throws otherwise, before any window exists.
 */
export const lockedDown = (options: BrowserWindowConstructorOptions, dev: boolean): BrowserWindowConstructorOptions => {
  const wp: Record<string, unknown> = { ...options.webPreferences };
  const wrong = Object.entries(LOCKED_WEB_PREFERENCES)
    .filter(([key, value]) => wp[key] !== value)
    .map(([key, value]) => `${key} must be ${JSON.stringify(value)}`);
  const known = new Set([...Object.keys(LOCKED_WEB_PREFERENCES), ...Object.keys(pageBehaviourPreferences(dev))]);
  for (const key of Object.keys(wp))
    if (!known.has(key) && key !== 'preload' && key !== 'devTools') wrong.push(`${key} is not one of ours`);
  if (typeof wp.preload !== 'string' || wp.preload === '') wrong.push('preload must be the bundled preload');
  if (wp.devTools !== dev) wrong.push(`devTools must be ${dev} ${dev ? 'in development' : 'in production'}`);
  if (wrong.length > 0) throw new Error(`refusing to open a window that is not locked down: ${wrong.join('; ')}`);
  return options;
};

/**
 * Web preferences that shape the kiosk page's behaviour, not its isolation: the same for both windows.
 * The attract screen and idle timers must keep running while nobody touches the screen.
 */
export const pageBehaviourPreferences = (dev: boolean) =>
  ({
    spellcheck: false,
    backgroundThrottling: false,
    autoplayPolicy: 'no-user-gesture-required',
    disableDialogs: !dev,
    zoomFactor: 1,
  }) as const satisfies WebPreferences;

export type KioskWindowParams = {
  /** Absolute path of dist/main/preload.cjs. */
  preloadPath: string;
  /** Bounds of the display the kiosk should fill. */
  bounds?: Rectangle;
  /** Development only (never in a packaged app): windowed, DevTools allowed. */
  dev?: boolean;
  /** Background shown before the first paint (matches the renderer's attract screen). */
  backgroundColor?: string;
};

/** The kiosk window's frame: fullscreen kiosk without menu or frame, windowed in development. */
export const kioskWindowFrame = (p: KioskWindowParams): BrowserWindowConstructorOptions => {
  const dev = p.dev === true;
  return {
    ...(p.bounds ? { x: p.bounds.x, y: p.bounds.y, width: p.bounds.width, height: p.bounds.height } : {}),
    show: false,
    kiosk: !dev,
    fullscreen: !dev,
    fullscreenable: true,
    frame: dev,
    autoHideMenuBar: true,
    resizable: dev,
    movable: dev,
    minimizable: dev,
    maximizable: dev,
    skipTaskbar: !dev,
    backgroundColor: p.backgroundColor ?? '#ffffff',
    title: 'Kiosk',
  };
};

/** Builds the kiosk window (not yet loaded). Its security preferences are the literals below. */
export const newKioskWindow = (p: KioskWindowParams): BrowserWindow => {
  const dev = p.dev === true;
  return new BrowserWindow(
    lockedDown(
      {
        ...kioskWindowFrame(p),
        webPreferences: {
          preload: p.preloadPath,
          contextIsolation: true,
          sandbox: true,
          nodeIntegration: false,
          nodeIntegrationInWorker: false,
          nodeIntegrationInSubFrames: false,
          webSecurity: true,
          allowRunningInsecureContent: false,
          experimentalFeatures: false,
          webviewTag: false,
          plugins: false,
          enableWebSQL: false,
          navigateOnDragDrop: false,
          safeDialogs: true,
          disableBlinkFeatures: 'Auxclick',
          devTools: dev,
          ...pageBehaviourPreferences(dev),
        },
      },
      dev,
    ),
  );
};

type NavigationEvent = { preventDefault: () => void; url?: string };

/**
 * Denies everything a page could use to leave the kiosk: navigation and redirects (main frame and any
 * subframe), new windows, webviews, downloads and zoom. Installed on every webContents the app creates
 * (app 'web-contents-created'), not only the kiosk window's. The kiosk loads its one page with loadURL
 * from the main process, which these events do not see.
 */
export const guardWebContents = (contents: WebContents, log: ShellLog): void => {
  const deny = (kind: string) => (event: NavigationEvent, url?: unknown) => {
    event.preventDefault();
    const target = typeof url === 'string' ? url : (event.url ?? '');
    log.warn(`denied ${kind}`, { url: target.slice(0, 200) });
  };
  contents.on('will-navigate', deny('navigation'));
  contents.on('will-frame-navigate', deny('frame navigation'));
  contents.on('will-redirect', deny('redirect'));
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    log.warn('denied webview');
  });
  contents.setWindowOpenHandler(({ url }) => {
    log.warn('denied new window', { url: url.slice(0, 200) });
    return { action: 'deny' };
  });
  // No pinch or ctrl+wheel zoom on a touch screen: the layout is designed for one size.
  contents.on('zoom-changed', () => contents.setZoomFactor(1));
  contents.on('did-finish-load', () => {
    void contents.setVisualZoomLevelLimits(1, 1).catch(() => undefined);
  });
};

/** Keys that reload, open DevTools, zoom, print, close, quit, or open/save something. */
export const isBlockedShortcut = (
  input: Pick<Input, 'type' | 'key' | 'code' | 'control' | 'meta' | 'alt' | 'shift'>,
): boolean => {
  if (input.type !== 'keyDown' && input.type !== 'rawKeyDown') return false;
  const key = input.key.length === 1 ? input.key.toLowerCase() : input.key;
  const mod = input.control || input.meta;
  if (
    [
      'F5',
      'F11',
      'F12',
      'BrowserRefresh',
      'BrowserBack',
      'BrowserForward',
      'BrowserHome',
      'BrowserSearch',
      'ContextMenu',
    ].includes(input.key)
  )
    return true;
  if (input.alt && ['F4', 'ArrowLeft', 'ArrowRight', 'Home'].includes(input.key)) return true;
  if (mod && input.shift && ['i', 'j', 'c', 'r', 'delete', 'Delete'].includes(key)) return true;
  if (
    mod &&
    [
      'r',
      'w',
      'q',
      'n',
      't',
      'p',
      'o',
      's',
      'f',
      'g',
      'h',
      'j',
      'u',
      'l',
      'd',
      'm',
      '=',
      '+',
      '-',
      '_',
      '0',
      'F4',
    ].includes(key)
  )
    return true;
  if (mod && ['Equal', 'Minus', 'Digit0', 'NumpadAdd', 'NumpadSubtract', 'Numpad0'].includes(input.code)) return true;
  return false;
};

/** In production, swallows the blocked shortcuts before the page or Chromium sees them. */
export const blockShortcuts = (contents: WebContents, log: ShellLog): void => {
  contents.on('before-input-event', (event, input) => {
    if (!isBlockedShortcut(input)) return;
    event.preventDefault();
    log.info('blocked shortcut', {
      key: input.key,
      control: input.control,
      alt: input.alt,
      shift: input.shift,
      meta: input.meta,
    });
  });
};

/**
 * Keeps a kiosk window in front and fullscreen: refocus on blur (a system dialog, a stray Alt+Tab),
 * re-enter kiosk/fullscreen when left, restore when minimised.
 * The refocus is delayed a little so a focus tug-of-war with another fullscreen program cannot spin.
 */
export const keepKioskWindow = (
  win: BrowserWindow,
  log: ShellLog,
  schedule: (fn: () => void, ms: number) => unknown = setTimeout,
  /** Focus went to one of our own windows (the staff window): leave it there. */
  focusStaysOurs: () => boolean = () => false,
): void => {
  const alive = (): boolean => !win.isDestroyed();
  win.on('blur', () => {
    schedule(() => {
      if (alive() && !win.isFocused() && !focusStaysOurs()) {
        log.info('kiosk window lost focus: taking it back');
        win.show();
        win.focus();
        win.webContents.focus();
      }
    }, 250);
  });
  const refill = (why: string) => () => {
    schedule(() => {
      if (!alive()) return;
      log.warn(`kiosk window ${why}: restoring kiosk mode`);
      if (win.isMinimized()) win.restore();
      win.setKiosk(true);
      win.setFullScreen(true);
      win.show();
      win.focus();
    }, 100);
  };
  win.on('leave-full-screen', refill('left fullscreen'));
  win.on('minimize', refill('was minimised'));
  win.on('hide', refill('was hidden'));
};

/** CSS that hides the pointer everywhere (touch screens where a cursor only distracts). */
export const HIDE_CURSOR_CSS = '*, *::before, *::after { cursor: none !important; }';

export type CursorPolicy = 'show' | 'hide' | 'hide-on-touch';

export const shouldHideCursor = (
  policy: CursorPolicy,
  touchSupport: 'available' | 'unavailable' | 'unknown',
): boolean => policy === 'hide' || (policy === 'hide-on-touch' && touchSupport === 'available');

/** Applies the cursor policy after every load (a crash reload included). */
export const applyCursorPolicy = (contents: WebContents, hide: boolean): void => {
  if (!hide) return;
  contents.on('did-finish-load', () => {
    void contents.insertCSS(HIDE_CURSOR_CSS, { cssOrigin: 'user' }).catch(() => undefined);
  });
};
