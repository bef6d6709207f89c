/**
 * A real kiosk process for crash tests (SIGKILL at any moment): opens the kiosk core on DATA_DIR,
 * runs the sync engine in the background (tuned by KIOSK_SYNC_* variables, see
 * electron/core/sync/env.ts), records responses through the core, and reports on stdout, one line
 * each: `ready <deviceId>`, `recorded <seq> <id>`, `drained <lastSeq>`.
 *
 *   tsx test/sync/support/kiosk-child.ts DATA_DIR [--record N] [--every MS] [--exit-when-drained]
 *
 * The data dir must already be enrolled (enrol() or kioskctl enroll) for anything to be sent.
 */
import { parseArgs } from 'node:util';
import { openKioskCore } from '../../../electron/core/kiosk-core.ts';
import { createSyncEngine } from '../../../electron/core/sync/engine.ts';
import { syncOptionsFromEnv } from '../../../electron/core/sync/env.ts';
import { hostFromCore } from '../../../electron/core/sync-host.ts';
import { queueDepth } from '../../../electron/core/sync/sync-store.ts';
import { recordResponses } from './kiosk.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    record: { type: 'string', default: '0' },
    every: { type: 'string', default: '0' },
    'exit-when-drained': { type: 'boolean', default: false },
  },
});
const dataDir = positionals[0];
if (!dataDir) throw new Error('usage: kiosk-child.ts DATA_DIR [--record N] [--every MS] [--exit-when-drained]');
const toRecord = Number(values.record);
const every = Number(values.every);

const core = openKioskCore({ dataDir, log: () => {} });
const engine = createSyncEngine({ host: hostFromCore(core, dataDir), log: () => {}, ...syncOptionsFromEnv() });
engine.start();
process.stdout.write(`ready ${core.deviceId}\n`);

let recorded = 0;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
while (recorded < toRecord) {
  for (const r of recordResponses(core, 1, 1000 + recorded)) process.stdout.write(`recorded ${r.seq} ${r.id}\n`);
  recorded++;
  if (every > 0) await sleep(every);
  else if (recorded % 50 === 0) await sleep(0);
}
if (values['exit-when-drained']) {
  while (queueDepth(core.db) > 0) await sleep(20);
  const last = (core.db.prepare('SELECT IFNULL(MAX(seq), 0) AS s FROM responses').get() as { s: number }).s;
  process.stdout.write(`drained ${last}\n`);
  await engine.stop();
  core.close();
} else {
  const stop = async () => {
    await engine.stop();
    core.close();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
