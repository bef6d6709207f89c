import { type KioskCore, type KioskCoreOptions, type Logger as CoreLogger } from '../core/kiosk-core.ts';
import type { KeyProtector } from '../core/sync/device-key.ts';
import { syncEnabledFromEnv, syncOptionsFromEnv } from '../core/sync/env.ts';
import type { KioskHandlers, Result } from '../../shared/api.ts';
import { errorMessage } from '../../shared/error-message.ts';
import { CHANNEL_METHODS } from './channels.ts';
import type { ShellLog } from './ipc.ts';

const CORE_RETRY_MS = 60_000;

export type CoreSlotParams = {
  dataDir: string;
  configDir?: string;
  log: ShellLog;
  /** The environment the sync engine's switches are read from (KIOSK_SYNC, KIOSK_SYNC_*). */
  env: NodeJS.ProcessEnv;
  openCore: (o: KioskCoreOptions) => KioskCore;
  /** safeStorage's wrapping of the device key, where the OS store is real (key-protector.ts). */
  keyProtector: KeyProtector | undefined;
  now: () => number;
};

export type CoreSlot = {
  /** The open core, or null while it cannot open. */
  current: () => KioskCore | null;
  /** Delegate to whichever core is open now, so a core that opens on a retry is picked up. */
  handlers: KioskHandlers;
  /** Tries to open the core again when it is not open and the last try is a minute old. */
  retryIfDue: () => void;
  close: () => void;
};

/** While the core cannot open (disk missing, database from a newer app), every call gets this answer. */
const unavailableHandlers = (message: string): KioskHandlers => {
  const result: Result<never> = { ok: false, error: { code: 'storage_unavailable', reason: 'io_error', message } };
  return Object.fromEntries(CHANNEL_METHODS.map((m) => [m, () => result])) as unknown as KioskHandlers;
};

const coreLogger =
  (log: ShellLog): CoreLogger =>
  (level, message, data) =>
    data === undefined ? log[level](`core: ${message}`) : log[level](`core: ${message}`, data);

/**
 * The kiosk core as the shell holds it: opened at start, retried every minute while it cannot open
 * (IPC calls meanwhile answer storage_unavailable), its background sync started unless KIOSK_SYNC=off.
 */
export const openCoreSlot = (p: CoreSlotParams): CoreSlot => {
  const { log } = p;
  let core: KioskCore | null = null;
  let coreError: string | null = null;
  let lastTry = 0;

  const syncTuning = (): KioskCoreOptions['sync'] => {
    try {
      return syncOptionsFromEnv(p.env);
    } catch (e) {
      log.warn(`sync tuning from the environment ignored: ${errorMessage(e)}`);
      return {};
    }
  };

  const tryOpen = (): void => {
    lastTry = p.now();
    try {
      core = p.openCore({
        dataDir: p.dataDir,
        ...(p.configDir ? { configDir: p.configDir } : {}),
        log: coreLogger(log),
        sync: syncTuning(),
        ...(p.keyProtector ? { keyProtector: p.keyProtector } : {}),
      });
      coreError = null;
      log.info(
        `core open: device ${core.deviceId}, config ${core.config().version}, data ${p.dataDir}, device key ${p.keyProtector ? 'wrapped by safeStorage' : 'a 0600 file'}`,
      );
      // The one engine: idles until the kiosk is enrolled; the admin panel's "sync now" runs on it too.
      // The LAN bridge listens only while IT enables it (setting lanBridgeEnabled); close() stops it.
      core.lanBridge.start();
      if (syncEnabledFromEnv(p.env)) {
        core.sync.start();
        core.invitationStream.start(); // counter-bridge invitations from central (issue 11)
      } else log.warn('background sync is off (KIOSK_SYNC); only the admin panel sends');
    } catch (e) {
      const message = errorMessage(e);
      if (coreError !== message)
        log.error(`core could not open (retrying every ${CORE_RETRY_MS / 1000} s): ${message}`);
      coreError = message;
    }
  };

  const handlers = Object.fromEntries(
    CHANNEL_METHODS.map((m) => [
      m,
      (input: unknown) => {
        const target: KioskHandlers =
          core ?? unavailableHandlers(`the kiosk's storage could not be opened: ${coreError ?? 'unknown error'}`);
        return (target[m] as (i: unknown) => unknown)(input);
      },
    ]),
  ) as unknown as KioskHandlers;

  const close = (): void => {
    try {
      // close() aborts a pass still in flight; nothing is marked sent without central's ack.
      core?.close();
    } catch (e) {
      log.error('core close failed', e);
    }
    core = null;
  };

  tryOpen();
  return {
    current: () => core,
    handlers,
    retryIfDue: () => {
      if (!core && p.now() - lastTry >= CORE_RETRY_MS) tryOpen();
    },
    close,
  };
};
