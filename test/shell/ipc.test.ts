// The IPC binding against a REAL core on a temp dir: the sender check, payload validation with the
// shared zod schemas, and that a refused or malformed call never reaches the core.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { type KioskCore, openKioskCore } from '../../electron/core/kiosk-core.ts';
import { KIOSK_CHANNELS, CHANNEL_METHODS } from '../../electron/shell/channels.ts';
import { bindKioskIpc, createSenderCheck } from '../../electron/shell/ipc.ts';
import { KIOSK_METHODS, type KioskHandlers, type KioskMethod } from '../../shared/api.ts';
import { buildAnswers, rowCount, snapshotDb } from '../support/kiosk.ts';
import { tempDir } from '../support/tmp.ts';
import {
  FakeBrowserWindow,
  FakeWebContents,
  FakeWebFrame,
  fakeIpcMain,
  ipcEventFrom,
  memoryLog,
  resetFakes,
} from './fake-electron.ts';

vi.mock('electron', async () => (await import('./fake-electron.ts')).electronModule);

type Envelope =
  | { ok: true; value: Record<string, unknown> }
  | { ok: false; error: { code: string; message: string; issues?: { path: string }[] } };

let core: KioskCore;
let cleanup: () => void;
let reached: KioskMethod[];
let win: FakeBrowserWindow;
let log: ReturnType<typeof memoryLog>;
let unbind: () => void;

/** The real core, with a record of every call that got through to it. */
const spied = (c: KioskCore): KioskHandlers =>
  Object.fromEntries(
    KIOSK_METHODS.map((m) => [
      m,
      (input: unknown) => {
        reached.push(m);
        return (c[m] as (i: unknown) => unknown)(input);
      },
    ]),
  ) as unknown as KioskHandlers;

const invoke = (method: KioskMethod, event: unknown, ...args: unknown[]) =>
  fakeIpcMain.invoke(KIOSK_CHANNELS[method], event, ...args) as Promise<Envelope>;

// One real core for the file (opening one hashes the demo PINs with scrypt, which is slow on purpose).
beforeAll(() => {
  const t = tempDir('kiosk-shell-ipc-');
  cleanup = t.cleanup;
  core = openKioskCore({ dataDir: t.dir, log: () => undefined });
});

afterAll(() => {
  core.close();
  cleanup();
});

beforeEach(async () => {
  resetFakes();
  reached = [];
  log = memoryLog();
  win = new FakeBrowserWindow({});
  await win.webContents.loadURL('app://kiosk/index.html');
  unbind = bindKioskIpc(
    fakeIpcMain as never,
    spied(core),
    createSenderCheck(() => [win as never]),
    { log },
  );
});

afterEach(() => {
  unbind();
});

describe('channel map', () => {
  it('has exactly one kiosk:<method> channel per KioskApi method', () => {
    expect([...CHANNEL_METHODS].sort()).toEqual([...KIOSK_METHODS].sort());
    for (const m of KIOSK_METHODS) expect(KIOSK_CHANNELS[m]).toBe(`kiosk:${m}`);
    expect([...fakeIpcMain.handlers.keys()].sort()).toEqual(KIOSK_METHODS.map((m) => `kiosk:${m}`).sort());
  });

  it('removes every handler when unbound', () => {
    unbind();
    expect(fakeIpcMain.handlers.size).toBe(0);
    unbind = () => undefined;
  });
});

describe('trusted sender', () => {
  it('runs a full respondent through the real core: begin, submit, stored', async () => {
    const ev = ipcEventFrom(win.webContents);
    const state = await invoke('getKioskState', ev, {});
    expect(state.ok).toBe(true);
    const begun = await invoke('beginResponse', ev, {});
    if (!begun.ok) throw new Error(JSON.stringify(begun.error));
    const draftId = begun.value.draftId as string;
    const answers = buildAnswers(begun.value.questionnaire as never, { optional: 'never' });
    const before = rowCount(core.db, 'responses');
    const stored = await invoke('submitResponse', ev, { draftId, locale: 'vi', answers });
    expect(stored).toMatchObject({ ok: true, value: { id: draftId } });
    expect(rowCount(core.db, 'responses')).toBe(before + 1);
    expect(core.db.prepare('SELECT status FROM responses WHERE id = ?').get(draftId)).toEqual({ status: 'complete' });
    expect(reached).toEqual(['getKioskState', 'beginResponse', 'submitResponse']);
  });

  it('tells the caller about each call that reached the core', async () => {
    const seen: KioskMethod[] = [];
    unbind();
    unbind = bindKioskIpc(
      fakeIpcMain as never,
      spied(core),
      createSenderCheck(() => [win as never]),
      { log, onCall: (m) => seen.push(m) },
    );
    await invoke('getCatalog', ipcEventFrom(win.webContents), {});
    await invoke('getCatalog', ipcEventFrom(win.webContents), { extra: 1 });
    expect(seen).toEqual(['getCatalog']);
  });
});

describe('sender check: calls from anywhere else are refused before the core', () => {
  const refusedCases: [string, () => unknown][] = [
    [
      'a subframe of the kiosk window (same origin)',
      () => {
        const child = new FakeWebFrame(win.webContents.mainFrame.processId, 7, 'app://kiosk/index.html');
        child.parent = win.webContents.mainFrame;
        return ipcEventFrom(win.webContents, child);
      },
    ],
    [
      'an iframe in another process',
      () => {
        const child = new FakeWebFrame(999, 1, 'app://kiosk/index.html');
        child.parent = win.webContents.mainFrame;
        return ipcEventFrom(win.webContents, child);
      },
    ],
    [
      'the main frame after it navigated to another origin',
      () => {
        win.webContents.mainFrame.url = 'https://evil.example/';
        return ipcEventFrom(win.webContents);
      },
    ],
    [
      'the main frame on file://',
      () => {
        win.webContents.mainFrame.url = 'file:///C:/Users/kiosk/evil.html';
        return ipcEventFrom(win.webContents);
      },
    ],
    [
      'our scheme with another host',
      () => {
        win.webContents.mainFrame.url = 'app://other/index.html';
        return ipcEventFrom(win.webContents);
      },
    ],
    ['a destroyed frame (senderFrame null)', () => ipcEventFrom(win.webContents, null)],
    [
      'another webContents (e.g. DevTools) with an app:// URL',
      () => {
        const other = new FakeWebContents();
        other.mainFrame.url = 'app://kiosk/index.html';
        return ipcEventFrom(other);
      },
    ],
    [
      'a frame that claims our main frame but lives in another webContents',
      () => ({ sender: new FakeWebContents(), senderFrame: win.webContents.mainFrame }),
    ],
  ];

  it.each(refusedCases)('refuses %s', async (_name, makeEvent) => {
    const before = snapshotDb(core.db);
    await expect(invoke('beginResponse', makeEvent(), {})).rejects.toThrow('refused');
    await expect(invoke('staffUnlock', makeEvent(), { pin: '1357' })).rejects.toThrow('refused');
    expect(reached).toEqual([]);
    expect(snapshotDb(core.db)).toEqual(before);
    expect(log.has(/ipc: refused kiosk:beginResponse from an untrusted sender/)).toBe(true);
  });

  it('refuses every channel from a foreign frame', async () => {
    const ev = ipcEventFrom(new FakeWebContents());
    for (const m of KIOSK_METHODS) await expect(invoke(m, ev, {})).rejects.toThrow('refused');
    expect(reached).toEqual([]);
  });

  it('refuses calls after the window is destroyed', async () => {
    const ev = ipcEventFrom(win.webContents);
    win.destroy();
    await expect(invoke('getKioskState', ev, {})).rejects.toThrow('refused');
    expect(reached).toEqual([]);
  });
});

describe('payload validation: malformed input is a typed invalid_input and never reaches the core', () => {
  const malformed: [KioskMethod, unknown, string][] = [
    ['getKioskState', { extra: true }, '(root)'],
    ['getKioskState', 'a string', '(root)'],
    ['getKioskState', [1, 2], '(root)'],
    ['beginResponse', { __proto__: { polluted: true }, x: 1 }, '(root)'],
    ['submitResponse', {}, 'draftId'],
    ['submitResponse', { draftId: 'not-a-uuid', locale: 'vi', answers: {} }, 'draftId'],
    [
      'submitResponse',
      { draftId: '01890a5d-ac96-774b-bcce-b302099a8057', locale: 'vi', answers: {}, sql: "'; DROP TABLE responses;--" },
      '(root)',
    ],
    ['abandonResponse', { draftId: 42, locale: 'vi', answers: {} }, 'draftId'],
    ['staffUnlock', { pin: '12' }, 'pin'],
    ['staffUnlock', { pin: 1357 }, 'pin'],
    ['staffUnlock', { pin: '1357', role: 'admin' }, '(root)'],
    ['staffLock', { session: '../../etc/passwd' }, 'session'],
    ['staffContext', {}, 'session'],
    ['setAssignment', { session: 'a'.repeat(32), procedureCode: { $gt: '' } }, 'procedureCode'],
    ['toggleFavourite', { session: 'a'.repeat(200), procedureCode: '1.001193' }, 'session'],
  ];

  it.each(malformed)('%s(%j) → invalid_input naming %s', async (method, input, path) => {
    const before = snapshotDb(core.db);
    const r = await invoke(method, ipcEventFrom(win.webContents), input);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('invalid_input');
    expect(r.error.issues?.map((i) => i.path)).toContain(path);
    expect(reached).toEqual([]);
    expect(snapshotDb(core.db)).toEqual(before);
  });

  it('refuses a call with more than one argument', async () => {
    const r = await invoke('getKioskState', ipcEventFrom(win.webContents), {}, { second: true });
    expect(r).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(reached).toEqual([]);
  });

  it('treats a missing input as {} (the bridge always sends one)', async () => {
    const r = await invoke('getKioskState', ipcEventFrom(win.webContents));
    expect(r.ok).toBe(true);
  });

  it('turns an exception inside the core into a typed internal result and a log line, without the stack', async () => {
    unbind();
    const throwing = {
      ...spied(core),
      getCatalog: () => {
        throw new Error('secret stack detail');
      },
    } as KioskHandlers;
    unbind = bindKioskIpc(
      fakeIpcMain as never,
      throwing,
      createSenderCheck(() => [win as never]),
      { log },
    );
    const r = await invoke('getCatalog', ipcEventFrom(win.webContents), {});
    expect(r).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(JSON.stringify(r)).not.toContain('secret stack detail');
    expect(log.has(/ipc: getCatalog failed/)).toBe(true);
  });
});
