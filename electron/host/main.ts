import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { openKioskCore } from '../core/kiosk-core.ts';
import { syncOptionsFromEnv } from '../core/sync/env.ts';
import { serveKiosk } from './serve.ts';

/**
 * `npm run start:browser -- [--port P] [--data-dir DIR] [--config-dir DIR]`
 * Runs the kiosk in any browser on this machine (development, tests, Linux thin clients running
 * Chromium in --kiosk mode). With no flags it runs on the embedded demo configuration.
 */
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '4780' },
    'data-dir': { type: 'string', default: process.env.KIOSK_DATA_DIR ?? '.data/kiosk' },
    'config-dir': { type: 'string' },
    'renderer-dir': { type: 'string', default: resolve(import.meta.dirname, '../../dist/renderer') },
  },
});

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port must be a whole number from 0 to 65535, got "${values.port}"`);
  process.exit(2);
}

const core = openKioskCore({
  dataDir: resolve(values['data-dir']),
  configDir: values['config-dir'] ? resolve(values['config-dir']) : undefined,
  sync: syncOptionsFromEnv(),
});
const served = await serveKiosk(core, { rendererDir: values['renderer-dir'], port });
console.log(`Data: ${resolve(values['data-dir'])}  Device: ${core.deviceId}  Config: ${core.config().version}`);

const stop = async () => {
  await served.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
