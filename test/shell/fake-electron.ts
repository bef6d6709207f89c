// Small fakes of the Electron main-process API that record what the shell does with them.
// Used through vi.mock('electron', () => import('./fake-electron.ts').then((m) => m.electronModule)).
import { EventEmitter } from 'node:events';

export type Recorded = { method: string; args: unknown[] };

/** An Electron-style event: preventDefault() is remembered. */
export const fakeEvent = <T extends object>(
  extra?: T,
): { defaultPrevented: boolean; preventDefault: () => void } & T => {
  const e = {
    defaultPrevented: false,
    preventDefault() {
      e.defaultPrevented = true;
    },
    ...(extra ?? ({} as T)),
  };
  return e;
};

let nextProcessId = 100;
let nextContentsId = 1;

export class FakeWebFrame {
  parent: FakeWebFrame | null = null;
  constructor(
    public processId: number,
    public routingId: number,
    public url: string,
  ) {}
}

export class FakeWebContents extends EventEmitter {
  readonly id = nextContentsId++;
  readonly calls: Recorded[] = [];
  mainFrame: FakeWebFrame;
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null;
  destroyed = false;
  url = '';
  constructor() {
    super();
    this.mainFrame = new FakeWebFrame(nextProcessId++, 1, '');
  }
  private rec(method: string, ...args: unknown[]): void {
    this.calls.push({ method, args });
  }
  callsOf(method: string): unknown[][] {
    return this.calls.filter((c) => c.method === method).map((c) => c.args);
  }
  loadURL(url: string): Promise<void> {
    this.rec('loadURL', url);
    this.url = url;
    this.mainFrame.url = url;
    return Promise.resolve();
  }
  reload(): void {
    this.rec('reload');
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = handler;
  }
  setZoomFactor(f: number): void {
    this.rec('setZoomFactor', f);
  }
  setVisualZoomLevelLimits(min: number, max: number): Promise<void> {
    this.rec('setVisualZoomLevelLimits', min, max);
    return Promise.resolve();
  }
  insertCSS(css: string, options?: unknown): Promise<string> {
    this.rec('insertCSS', css, options);
    return Promise.resolve('key');
  }
  forcefullyCrashRenderer(): void {
    this.rec('forcefullyCrashRenderer');
  }
  focus(): void {
    this.rec('focus');
  }
  openDevTools(options?: unknown): void {
    this.rec('openDevTools', options);
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  getURL(): string {
    return this.url;
  }
  /** Simulates a renderer crash: the process is replaced, so the main frame gets a new process id. */
  crash(reason = 'crashed'): void {
    this.mainFrame = new FakeWebFrame(nextProcessId++, 1, this.url);
    this.emit('render-process-gone', fakeEvent(), { reason, exitCode: 139 });
  }
}

export class FakeBrowserWindow extends EventEmitter {
  static instances: FakeBrowserWindow[] = [];
  readonly calls: Recorded[] = [];
  readonly webContents = new FakeWebContents();
  destroyed = false;
  focused = false;
  minimized = false;
  constructor(readonly options: Record<string, unknown>) {
    super();
    FakeBrowserWindow.instances.push(this);
    fakeApp.emit('web-contents-created', fakeEvent(), this.webContents);
  }
  private rec(method: string, ...args: unknown[]): void {
    this.calls.push({ method, args });
  }
  callsOf(method: string): unknown[][] {
    return this.calls.filter((c) => c.method === method).map((c) => c.args);
  }
  loadURL(url: string): Promise<void> {
    return this.webContents.loadURL(url);
  }
  show(): void {
    this.rec('show');
  }
  showInactive(): void {
    this.rec('showInactive');
  }
  focus(): void {
    this.rec('focus');
    this.focused = true;
  }
  isFocused(): boolean {
    return this.focused;
  }
  isMinimized(): boolean {
    return this.minimized;
  }
  restore(): void {
    this.rec('restore');
    this.minimized = false;
  }
  setKiosk(flag: boolean): void {
    this.rec('setKiosk', flag);
  }
  setFullScreen(flag: boolean): void {
    this.rec('setFullScreen', flag);
  }
  setBounds(bounds: unknown): void {
    this.rec('setBounds', bounds);
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  /** Like a user's Alt+F4: 'close' may be prevented; otherwise the window goes. */
  close(): void {
    const e = fakeEvent();
    this.emit('close', e);
    if (!e.defaultPrevented) this.destroy();
  }
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.webContents.destroyed = true;
    this.emit('closed');
  }
}

type Handler = (event: unknown, ...args: unknown[]) => unknown;

export const fakeIpcMain = {
  handlers: new Map<string, Handler>(),
  handle(channel: string, handler: Handler): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, handler);
  },
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  },
  /** What ipcRenderer.invoke would do: run the handler; a throw becomes a rejection. */
  async invoke(channel: string, event: unknown, ...args: unknown[]): Promise<unknown> {
    const h = this.handlers.get(channel);
    if (!h) throw new Error(`No handler registered for '${channel}'`);
    return h(event, ...args);
  },
};

/** The IPC event a page in `contents`'s frame `frame` would produce. */
export const ipcEventFrom = (contents: FakeWebContents, frame: FakeWebFrame | null = contents.mainFrame) => ({
  sender: contents,
  senderFrame: frame,
});

export const fakeProtocol = {
  privileged: [] as unknown[],
  handlers: new Map<string, (request: Request) => Promise<Response>>(),
  registerSchemesAsPrivileged(schemes: unknown[]): void {
    this.privileged.push(...schemes);
  },
  handle(scheme: string, handler: (request: Request) => Promise<Response>): void {
    this.handlers.set(scheme, handler);
  },
};

export class FakeSession extends EventEmitter {
  permissionRequestHandler: ((...a: unknown[]) => void) | null = null;
  permissionCheckHandler: ((...a: unknown[]) => boolean) | null = null;
  devicePermissionHandler: ((...a: unknown[]) => boolean) | null = null;
  displayMediaHandler: ((...a: unknown[]) => void) | null = null;
  spellChecker: boolean | null = null;
  beforeRequest: {
    filter: unknown;
    listener: (details: { url: string }, cb: (r: { cancel?: boolean }) => void) => void;
  } | null = null;
  readonly webRequest = {
    onBeforeRequest: (
      filter: unknown,
      listener: (details: { url: string }, cb: (r: { cancel?: boolean }) => void) => void,
    ) => {
      this.beforeRequest = { filter, listener };
    },
  };
  setPermissionRequestHandler(h: (...a: unknown[]) => void): void {
    this.permissionRequestHandler = h;
  }
  setPermissionCheckHandler(h: (...a: unknown[]) => boolean): void {
    this.permissionCheckHandler = h;
  }
  setDevicePermissionHandler(h: (...a: unknown[]) => boolean): void {
    this.devicePermissionHandler = h;
  }
  setDisplayMediaRequestHandler(h: (...a: unknown[]) => void): void {
    this.displayMediaHandler = h;
  }
  setSpellCheckerEnabled(flag: boolean): void {
    this.spellChecker = flag;
  }
}

export const fakeSession = { defaultSession: new FakeSession() };

class FakeApp extends EventEmitter {
  calls: Recorded[] = [];
  isPackaged = false;
  gotLock = true;
  paths: Record<string, string> = { userData: '/tmp/fake-user-data', appData: '/tmp/fake-app-data' };
  callsOf(method: string): unknown[][] {
    return this.calls.filter((c) => c.method === method).map((c) => c.args);
  }
  whenReady(): Promise<void> {
    return Promise.resolve();
  }
  requestSingleInstanceLock(): boolean {
    this.calls.push({ method: 'requestSingleInstanceLock', args: [] });
    return this.gotLock;
  }
  enableSandbox(): void {
    this.calls.push({ method: 'enableSandbox', args: [] });
  }
  quit(): void {
    this.calls.push({ method: 'quit', args: [] });
    this.emit('before-quit', fakeEvent());
  }
  exit(code?: number): void {
    this.calls.push({ method: 'exit', args: [code] });
  }
  getPath(name: string): string {
    return this.paths[name] ?? `/tmp/fake-${name}`;
  }
  setPath(name: string, value: string): void {
    this.paths[name] = value;
  }
  getVersion(): string {
    return '0.0.0-test';
  }
  setLoginItemSettings(settings: unknown): void {
    this.calls.push({ method: 'setLoginItemSettings', args: [settings] });
  }
}

export const fakeApp = new FakeApp();

export const fakeMenu = {
  applicationMenu: undefined as unknown,
  setApplicationMenu(menu: unknown): void {
    this.applicationMenu = menu;
  },
};

export const fakePowerSaveBlocker = {
  nextId: 1,
  active: new Set<number>(),
  types: [] as string[],
  start(type: string): number {
    const id = this.nextId++;
    this.active.add(id);
    this.types.push(type);
    return id;
  },
  stop(id: number): boolean {
    return this.active.delete(id);
  },
  isStarted(id: number): boolean {
    return this.active.has(id);
  },
};

export const PRIMARY_DISPLAY = {
  id: 1,
  bounds: { x: 0, y: 0, width: 1080, height: 1920 },
  workArea: { x: 0, y: 0, width: 1080, height: 1920 },
  touchSupport: 'available' as const,
};
/** The counter officer's monitor, with a taskbar at the bottom. */
export const SECOND_DISPLAY = {
  id: 2,
  bounds: { x: 1080, y: 0, width: 1920, height: 1080 },
  workArea: { x: 1080, y: 0, width: 1920, height: 1040 },
  touchSupport: 'unavailable' as const,
};

class FakeScreen extends EventEmitter {
  displays: (typeof PRIMARY_DISPLAY | typeof SECOND_DISPLAY)[] = [PRIMARY_DISPLAY];
  getAllDisplays() {
    return this.displays;
  }
  getPrimaryDisplay() {
    return this.displays[0]!;
  }
}
export const fakeScreen = new FakeScreen();

/** The OS secret store: available with a real backend by default; tests turn it off or to basic_text. */
export const fakeSafeStorage = {
  available: true,
  backend: 'gnome_libsecret' as 'unknown' | 'basic_text' | 'gnome_libsecret' | 'kwallet' | 'kwallet5' | 'kwallet6',
  isEncryptionAvailable(): boolean {
    return this.available;
  },
  getSelectedStorageBackend() {
    return this.backend;
  },
  encryptString(plain: string): Buffer {
    return Buffer.from(`wrapped:${Buffer.from(plain, 'utf8').toString('hex')}`, 'utf8');
  },
  decryptString(wrapped: Buffer): string {
    const text = wrapped.toString('utf8');
    if (!text.startsWith('wrapped:'))
      throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
    return Buffer.from(text.slice('wrapped:'.length), 'hex').toString('utf8');
  },
};
export const fakePowerMonitor = new EventEmitter();

// Preload side.
export const fakeContextBridge = {
  exposed: new Map<string, unknown>(),
  exposeInMainWorld(key: string, api: unknown): void {
    this.exposed.set(key, api);
  },
};
export const fakeIpcRenderer = {
  invocations: [] as unknown[][],
  reply: (channel: string, input: unknown): unknown => ({ ok: true, value: { channel, input } }),
  invoke(...args: unknown[]): Promise<unknown> {
    this.invocations.push(args);
    return Promise.resolve(this.reply(args[0] as string, args[1]));
  },
};

/** Back to a fresh state between tests. */
export const resetFakes = (): void => {
  FakeBrowserWindow.instances = [];
  fakeIpcMain.handlers.clear();
  fakeProtocol.privileged = [];
  fakeProtocol.handlers.clear();
  fakeSession.defaultSession = new FakeSession();
  fakeApp.removeAllListeners();
  fakeApp.calls = [];
  fakeApp.isPackaged = false;
  fakeApp.gotLock = true;
  fakeMenu.applicationMenu = undefined;
  fakePowerSaveBlocker.active.clear();
  fakePowerSaveBlocker.types = [];
  fakeScreen.removeAllListeners();
  fakeScreen.displays = [PRIMARY_DISPLAY];
  fakeSafeStorage.available = true;
  fakeSafeStorage.backend = 'gnome_libsecret';
  fakePowerMonitor.removeAllListeners();
  fakeContextBridge.exposed.clear();
  fakeIpcRenderer.invocations = [];
};

/** The module object vi.mock('electron') returns. */
export const electronModule = {
  app: fakeApp,
  BrowserWindow: FakeBrowserWindow,
  ipcMain: fakeIpcMain,
  protocol: fakeProtocol,
  get session() {
    return fakeSession;
  },
  Menu: fakeMenu,
  powerSaveBlocker: fakePowerSaveBlocker,
  screen: fakeScreen,
  safeStorage: fakeSafeStorage,
  powerMonitor: fakePowerMonitor,
  contextBridge: fakeContextBridge,
  ipcRenderer: fakeIpcRenderer,
};

/** A recording logger in the shell's ShellLog shape. */
export const memoryLog = () => {
  const lines: { level: 'info' | 'warn' | 'error'; message: string; data: unknown[] }[] = [];
  const at =
    (level: 'info' | 'warn' | 'error') =>
    (message: string, ...data: unknown[]) => {
      lines.push({ level, message, data });
    };
  return {
    lines,
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    has: (re: RegExp) => lines.some((l) => re.test(l.message)),
  };
};
