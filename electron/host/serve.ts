import { randomBytes } from 'node:crypto';
import type { KioskCore } from '../core/kiosk-core.ts';
import { syncEnabledFromEnv } from '../core/sync/env.ts';
import { HOST_ADDRESS, createHostServer } from './server.ts';

export type ServedKiosk = { url: string; stop: () => Promise<void> };

/**
 * Serves an open core to a browser on loopback: a per-launch token, the built renderer, the
 * "Kiosk ready: URL" line that operators open (and tests wait for), and the core's background sync.
 * It idles until the kiosk is enrolled (admin panel or kioskctl enroll), then sends; the admin
 * panel's "sync now" drives this same engine, and with KIOSK_SYNC=off only it does.
 * `stop` ends sync, the server and the core, in that order.
 */
export const serveKiosk = async (
  core: KioskCore,
  options: { rendererDir: string; port: number },
): Promise<ServedKiosk> => {
  const token = randomBytes(24).toString('base64url');
  const app = createHostServer({ handlers: core, rendererDir: options.rendererDir, token });
  const address = new URL(await app.listen({ host: HOST_ADDRESS, port: options.port }));
  const url = `http://${HOST_ADDRESS}:${address.port}/#token=${token}`;
  console.log(`Kiosk ready: ${url}`);
  // Listens on the LAN only while IT enables it (setting lanBridgeEnabled); idle otherwise.
  core.lanBridge.start();
  if (syncEnabledFromEnv()) {
    core.sync.start();
    core.invitationStream.start();
  }
  const stop = async () => {
    await core.lanBridge.stop();
    await core.sync.stop();
    await core.invitationStream.stop();
    await app.close();
    core.close();
  };
  return { url, stop };
};
