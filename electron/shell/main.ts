/**
 * Entry of the Electron main process (bundled to dist/main/main.mjs by scripts/build-main.mjs).
 * Thin on purpose: read the options, set up the log, hand over to kiosk-shell.ts.
 */
import { join } from 'node:path';
import { app } from 'electron';
import { builtPaths, registerKioskScheme, runKioskApp } from './kiosk-shell.ts';
import { createShellLog } from './logging.ts';
import { resolveShellOptions } from './options.ts';

/** The folder under %APPDATA% / ~/.config, fixed so that renaming the product never moves a kiosk's data. */
const USER_DATA_FOLDER = 'HaiLongKiosk';

// Stack traces in the log point at the TypeScript sources (the bundles ship with source maps).
process.setSourceMapsEnabled(true);
app.setPath('userData', join(app.getPath('appData'), USER_DATA_FOLDER));
registerKioskScheme();

const options = resolveShellOptions({
  argv: process.argv.slice(1),
  env: process.env,
  userData: app.getPath('userData'),
  isPackaged: app.isPackaged,
  resourcesPath: process.resourcesPath,
  cwd: process.cwd(),
});
const log = createShellLog(options.logsDir, options.dev);

runKioskApp({ options, log, paths: builtPaths(import.meta.dirname) }).catch((e: unknown) => {
  log.error('kiosk failed to start', e);
  app.exit(1);
});
