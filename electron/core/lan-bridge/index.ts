import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errorMessage } from '../../../shared/error-message.ts';
import type { LanRouteDeps } from './routes.ts';
import { createLanServer } from './server.ts';

/**
 * The LAN bridge as the kiosk runs it: listening only while the setting `lanBridgeEnabled` is on,
 * on `lanBridgeHost:lanBridgePort`, and moved or stopped when those change. Settings may change from
 * another process (kioskctl config set), so they are read again every few seconds; the admin panel
 * calls `refresh()` to apply its own change at once.
 */

export type LanBridgeState = {
  enabled: boolean;
  /** "host:port" while listening. */
  listening: string | null;
  /** Why it is not listening although enabled (the port is taken, the address is not this PC's). */
  error: string | null;
};

export type LanBridge = {
  /** Starts watching the settings (and listening, if enabled). Idempotent. */
  start: () => void;
  /** Applies the settings now; resolves once listening, stopped or failed. */
  refresh: () => Promise<void>;
  state: () => LanBridgeState;
  /** Stops watching and listening; open connections are closed. */
  stop: () => Promise<void>;
};

export type LanBridgeOptions = LanRouteDeps & {
  /** How often settings are read again (default 3 s). */
  watchMs?: number;
};

/** A failed listen is tried again after this long, not on every watch tick. */
const RETRY_FAILED_MS = 30_000;

const closeServer = (server: Server): Promise<void> =>
  new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });

const listen = (server: Server, host: string, port: number): Promise<void> =>
  new Promise((resolve, reject) => {
    const onError = (e: Error) => reject(e);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });

/**
 * The one wiring point of the LAN bridge: the kiosk core creates it with its database, settings,
 * catalog and invitation sink; hosts call `start()` (as they start sync) and the core's close stops it.
 */
export const startLanBridge = (o: LanBridgeOptions): LanBridge => {
  let server: Server | null = null;
  let bound: string | null = null;
  let error: string | null = null;
  let failedAt = 0;
  let timer: NodeJS.Timeout | null = null;
  let chain: Promise<void> = Promise.resolve();
  let stopped = false;

  const stopServer = async () => {
    const s = server;
    server = null;
    bound = null;
    if (s) await closeServer(s);
  };

  const apply = async (): Promise<void> => {
    if (stopped) return;
    const s = o.settings();
    const wanted = s.lanBridgeEnabled ? `${s.lanBridgeHost}:${s.lanBridgePort}` : null;
    if (wanted === null) {
      error = null;
      if (server) {
        await stopServer();
        o.log('info', 'lan bridge: stopped (lanBridgeEnabled is off)');
      }
      return;
    }
    if (wanted === bound && server) return;
    if (error !== null && wanted === bound && o.now() - failedAt < RETRY_FAILED_MS) return;
    await stopServer();
    const next = createLanServer(o);
    try {
      await listen(next, s.lanBridgeHost, s.lanBridgePort);
      const addr = next.address() as AddressInfo;
      server = next;
      bound = wanted;
      error = null;
      o.log('info', `lan bridge: listening on ${addr.address}:${addr.port}`);
    } catch (e) {
      bound = wanted;
      error = errorMessage(e);
      failedAt = o.now();
      o.log('error', `lan bridge: cannot listen on ${wanted}: ${error}`);
    }
  };

  const refresh = (): Promise<void> => {
    chain = chain.then(apply).catch((e: unknown) => o.log('error', `lan bridge: ${errorMessage(e)}`));
    return chain;
  };

  return {
    start: () => {
      if (timer || stopped) return;
      timer = setInterval(() => void refresh(), o.watchMs ?? 3_000);
      timer.unref();
      void refresh();
    },
    refresh,
    state: () => ({ enabled: o.settings().lanBridgeEnabled, listening: server ? bound : null, error }),
    stop: async () => {
      stopped = true;
      if (timer) clearInterval(timer);
      timer = null;
      chain = chain.then(stopServer);
      await chain;
    },
  };
};
