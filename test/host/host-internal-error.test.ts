// An exception inside the core, called over the loopback HTTP host: the caller gets the same typed
// `internal` result the IPC transport gives (HTTP 200, like every typed result), and the host writes one
// log line naming the method, never the request body, a PIN or the launch token.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KioskCore, openKioskCore } from '../../electron/core/kiosk-core.ts';
import { createHostServer } from '../../electron/host/server.ts';
import { bindKioskIpc } from '../../electron/shell/ipc.ts';
import { KIOSK_CHANNELS } from '../../electron/shell/channels.ts';
import type { KioskHandlers } from '../../shared/api.ts';
import { fakeIpcMain, memoryLog } from '../shell/fake-electron.ts';
import { silentLog } from '../support/kiosk.ts';
import { tempDir } from '../support/tmp.ts';

const TOKEN = 'host-token-0123456789abcdef';
const PIN = '864213';
const FAULT = 'statement handle gone (simulated bug)';

let t: { dir: string; cleanup: () => void };
let core: KioskCore;
/** The real core with one method that throws, as a bug in it would. */
let broken: KioskHandlers;

beforeAll(() => {
  t = tempDir('kiosk-host-internal-');
  core = openKioskCore({ dataDir: t.dir, log: silentLog });
  broken = {
    ...core,
    staffUnlock: () => {
      throw new Error(FAULT);
    },
  };
});

afterAll(() => {
  core?.close();
  t?.cleanup();
});

describe('HTTP host: an exception in the core', () => {
  const lines: string[] = [];
  let app: FastifyInstance;
  beforeAll(async () => {
    app = createHostServer({
      handlers: broken,
      rendererDir: '/nonexistent/renderer',
      token: TOKEN,
      log: (line) => lines.push(line),
    });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
  });

  const unlock = () =>
    app.inject({
      method: 'POST',
      url: '/api/staffUnlock',
      headers: { host: '127.0.0.1:4780', 'x-kiosk-token': TOKEN, 'content-type': 'application/json' },
      payload: { pin: PIN },
    });

  it('answers the typed internal result the IPC transport gives, with one log line naming the method', async () => {
    lines.length = 0;
    const r = await unlock();
    // A typed result, so 200 like every other typed failure: the renderer's HTTP transport treats any other
    // status as "never reached the API" and would replace the envelope with its own transport error.
    expect(r.statusCode).toBe(200);
    const body: unknown = r.json();

    // The IPC transport over the same broken core, for the reference answer.
    const unbind = bindKioskIpc(fakeIpcMain as never, broken, () => true, { log: memoryLog() });
    const viaIpc = await fakeIpcMain.invoke(KIOSK_CHANNELS.staffUnlock, {}, { pin: PIN });
    unbind();
    expect(viaIpc).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(body).toEqual(viaIpc);

    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('staffUnlock');
    expect(lines[0]).toContain(FAULT);
    for (const secret of [PIN, TOKEN, '"pin"']) expect(lines[0]).not.toContain(secret);
  });

  it('sends no stack trace or error text to the page', async () => {
    const r = await unlock();
    expect(r.body).not.toContain(FAULT);
    expect(r.body).not.toMatch(/at .*\.ts:\d+/);
  });

  it('control: the other methods of the same core still answer', async () => {
    lines.length = 0;
    const r = await app.inject({
      method: 'POST',
      url: '/api/getKioskState',
      headers: { host: '127.0.0.1:4780', 'x-kiosk-token': TOKEN, 'content-type': 'application/json' },
      payload: {},
    });
    expect(r.json()).toMatchObject({ ok: true, value: { deviceId: core.deviceId } });
    expect(lines).toEqual([]);
  });
});
