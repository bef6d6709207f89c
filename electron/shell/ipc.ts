import type { BrowserWindow, IpcMain, IpcMainInvokeEvent, WebFrameMain } from 'electron';
import { type KioskHandlers, type KioskMethod, dispatch, internalFailure } from '../../shared/api.ts';
import { CHANNEL_METHODS, KIOSK_CHANNELS } from './channels.ts';
import { isKioskUrl } from './protocol.ts';

export type ShellLog = {
  info: (message: string, ...data: unknown[]) => void;
  warn: (message: string, ...data: unknown[]) => void;
  error: (message: string, ...data: unknown[]) => void;
};

/** Decides whether an IPC call comes from our page: the main frame of a kiosk window, on app://kiosk/. */
export type SenderCheck = (event: Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>) => boolean;

type FrameId = Pick<WebFrameMain, 'processId' | 'routingId'>;
const sameFrame = (a: FrameId, b: FrameId): boolean => a.processId === b.processId && a.routingId === b.routingId;

/**
 * The sender check every handler runs first. A call is trusted only when
 * - it comes from the webContents of one of our kiosk windows (not a devtools page, not any other
 *   webContents the app might ever create),
 * - from that window's main frame (an iframe, even same-origin, is refused),
 * - and that frame currently shows app://kiosk/ (a page that somehow navigated elsewhere is refused).
 * A destroyed or navigated-away frame (senderFrame null) is refused.
 */
export const createSenderCheck =
  (windows: () => readonly Pick<BrowserWindow, 'webContents' | 'isDestroyed'>[]): SenderCheck =>
  (event) => {
    const frame = event.senderFrame;
    if (!frame) return false;
    const win = windows().find((w) => !w.isDestroyed() && w.webContents === event.sender);
    if (!win) return false;
    const main = win.webContents.mainFrame;
    if (!main || !sameFrame(frame, main) || frame.parent !== null) return false;
    return isKioskUrl(frame.url);
  };

export type IpcBindingOptions = {
  log: ShellLog;
  /** Told of every call that reached the core (after validation), e.g. to know when a respondent is active. */
  onCall?: (method: KioskMethod) => void;
};

/**
 * Binds every KioskApi method to `kiosk:<method>` with ipcMain.handle. Each handler:
 * 1. refuses a call from an untrusted sender (the invoke rejects; nothing reaches the core),
 * 2. runs `dispatch`, which validates the payload with the shared zod schema and answers a typed
 *    `invalid_input` when it does not fit (the core never sees it),
 * 3. turns an exception in the core into a typed `internal` result (and a log line), so no stack
 *    trace crosses into the page.
 * Returns a function that removes the handlers.
 */
export const bindKioskIpc = (
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>,
  handlers: KioskHandlers,
  isTrustedSender: SenderCheck,
  options: IpcBindingOptions,
): (() => void) => {
  for (const method of CHANNEL_METHODS) {
    const channel = KIOSK_CHANNELS[method];
    ipcMain.handle(channel, async (event: IpcMainInvokeEvent, ...args: unknown[]) => {
      if (!isTrustedSender(event)) {
        const url = event.senderFrame?.url ?? '(no frame)';
        options.log.warn(`ipc: refused ${channel} from an untrusted sender`, { url: url.slice(0, 200) });
        throw new Error('refused');
      }
      if (args.length > 1) {
        return {
          ok: false,
          error: {
            code: 'invalid_input',
            message: `invalid input for ${method}`,
            issues: [{ path: '(root)', message: 'expected exactly one argument' }],
          },
        };
      }
      try {
        const result = await dispatch(handlers, method, args[0]);
        if (result.ok || result.error.code !== 'invalid_input') options.onCall?.(method);
        return result;
      } catch (e) {
        options.log.error(`ipc: ${method} failed`, e);
        return internalFailure(method);
      }
    });
  }
  return () => {
    for (const method of CHANNEL_METHODS) ipcMain.removeHandler(KIOSK_CHANNELS[method]);
  };
};
