// The preload, loaded against a mocked 'electron': what the page gets as window.kioskBridge.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { BRIDGE_GLOBAL, KIOSK_CHANNELS } from '../../electron/shell/channels.ts';
import { createKioskBridge } from '../../electron/shell/bridge.ts';
import { KIOSK_METHODS, type KioskMethod, createKioskClient } from '../../shared/api.ts';
import { bridgeTransport } from '../../renderer/api/bridge.ts';
import { fakeContextBridge, fakeIpcRenderer, resetFakes } from './fake-electron.ts';

vi.mock('electron', async () => (await import('./fake-electron.ts')).electronModule);

type Fakes = { contextBridge: typeof fakeContextBridge; ipcRenderer: typeof fakeIpcRenderer };
let fakes: Fakes = { contextBridge: fakeContextBridge, ipcRenderer: fakeIpcRenderer };

/** Evaluates the preload afresh (as each page load does) against the mocked electron module. */
const loadPreload = async (): Promise<Record<string, unknown>> => {
  vi.resetModules();
  fakes = (await import('electron')) as unknown as Fakes;
  fakes.contextBridge.exposed.clear();
  fakes.ipcRenderer.invocations = [];
  await import('../../electron/shell/preload.ts');
  expect([...fakes.contextBridge.exposed.keys()]).toEqual([BRIDGE_GLOBAL]);
  return fakes.contextBridge.exposed.get(BRIDGE_GLOBAL) as Record<string, unknown>;
};

describe('preload', () => {
  beforeEach(() => resetFakes());

  it('exposes window.kioskBridge and nothing else', async () => {
    await loadPreload();
    expect(fakes.contextBridge.exposed.size).toBe(1);
    expect(BRIDGE_GLOBAL).toBe('kioskBridge');
  });

  it('exposes exactly one named async function per KioskApi method: no invoke, send, on or ipcRenderer', async () => {
    const bridge = await loadPreload();
    expect(Object.keys(bridge).sort()).toEqual([...KIOSK_METHODS].sort());
    for (const m of KIOSK_METHODS) {
      const fn = bridge[m] as (...a: unknown[]) => unknown;
      expect(typeof fn).toBe('function');
      expect(fn.name).toBe(m);
      expect(fn.constructor.name).toBe('AsyncFunction');
    }
    for (const forbidden of [
      'invoke',
      'send',
      'sendSync',
      'on',
      'once',
      'postMessage',
      'ipcRenderer',
      'require',
      'process',
    ])
      expect(bridge).not.toHaveProperty(forbidden);
    expect(Object.isFrozen(bridge)).toBe(true);
  });

  it('each method invokes its own channel with the one input and returns only the envelope', async () => {
    const bridge = await loadPreload();
    for (const m of KIOSK_METHODS) {
      const input = { probe: m };
      const result = await (bridge[m] as (i: unknown, extra?: unknown) => Promise<unknown>)(
        input,
        'an extra argument is dropped',
      );
      expect(result).toEqual({ ok: true, value: { channel: KIOSK_CHANNELS[m], input } });
    }
    expect(fakes.ipcRenderer.invocations).toEqual(KIOSK_METHODS.map((m) => [KIOSK_CHANNELS[m], { probe: m }]));
  });

  it('sends {} when the page passes no input', async () => {
    const bridge = await loadPreload();
    await (bridge.getKioskState as () => Promise<unknown>)();
    expect(fakes.ipcRenderer.invocations).toEqual([['kiosk:getKioskState', {}]]);
  });

  it('works with the renderer side: bridgeTransport + createKioskClient validate what comes back', async () => {
    const seen: [string, unknown][] = [];
    const bridge = createKioskBridge(async (channel, input) => {
      seen.push([channel, input]);
      return { ok: false, error: { code: 'not_found', message: 'nothing' } };
    });
    const api = createKioskClient(bridgeTransport(bridge));
    const r = await api.getCatalog({});
    expect(r).toEqual({ ok: false, error: { code: 'not_found', message: 'nothing' } });
    expect(seen).toEqual([['kiosk:getCatalog', {}]]);
    // A refused sender makes invoke reject: the client reports a typed internal error.
    const refusing = createKioskClient(bridgeTransport(createKioskBridge(() => Promise.reject(new Error('refused')))));
    expect(await refusing.getKioskState({})).toMatchObject({ ok: false, error: { code: 'internal' } });
  });

  it('covers every method with a channel (compile-time map checked at run time too)', () => {
    const methods = Object.keys(KIOSK_CHANNELS) as KioskMethod[];
    expect(methods.sort()).toEqual([...KIOSK_METHODS].sort());
  });
});
