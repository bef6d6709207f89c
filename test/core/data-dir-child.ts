// Opens a kiosk in argv[2] (run with `umask 0`), makes its device key, and prints the modes of
// everything it wrote while the database is still open (SQLite's -wal and -shm exist only then).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { openKioskCore } from '../../electron/core/kiosk-core.ts';
import { ensureDeviceKey } from '../../electron/core/sync/device-key.ts';

const dataDir = process.argv[2]!;
const core = openKioskCore({ dataDir, log: () => {} });
ensureDeviceKey(dataDir, core.deviceId);
const modes: Record<string, string> = { '.': (statSync(dataDir).mode & 0o777).toString(8) };
for (const name of readdirSync(dataDir)) modes[name] = (statSync(join(dataDir, name)).mode & 0o777).toString(8);
process.stdout.write(`${JSON.stringify({ umask: process.umask().toString(8), modes })}\n`);
core.close();
