/**
 * Child process of sync-faults.test.ts: a real kiosk (the core and its sync engine, tuned by the
 * KIOSK_SYNC_* variables of electron/core/sync/env.ts) recording respondents through the core while
 * it syncs in the background, until the parent SIGKILLs it. With --drain it records, then waits
 * until everything is acknowledged and exits 0.
 *
 *   node sync-child.mjs DATA_DIR RECORD EVERY_MS SEED [--drain]
 *
 * stdout, one line each, written synchronously so the parent sees whole lines:
 *   ready <deviceId> | recorded <seq> <id> | drained <lastSeq>
 * FAULT_CHILD_LOG=1 copies the engine's log to stderr.
 */
import { writeSync } from 'node:fs';
import { openKioskCore } from '../../../electron/core/kiosk-core.ts';
import { createSyncEngine } from '../../../electron/core/sync/engine.ts';
import { syncOptionsFromEnv } from '../../../electron/core/sync/env.ts';
import { hostFromCore } from '../../../electron/core/sync-host.ts';
import { lastSeq, queueDepth } from '../../../electron/core/sync/sync-store.ts';
import type { Result } from '../../../shared/api.ts';
import { fakeAnswers } from '../../bench/answers.ts';
import { seededRandom } from '../../bench/stats.ts';

const [dataDir, recordArg, everyArg, seedArg] = process.argv.slice(2);
if (!dataDir || recordArg === undefined || everyArg === undefined || seedArg === undefined) {
  writeSync(2, 'usage: sync-child DATA_DIR RECORD EVERY_MS SEED [--drain]\n');
  process.exit(2);
}
const drain = process.argv.includes('--drain');
const line = (text: string) => writeSync(1, `${text}\n`);
const die = (message: string): never => {
  writeSync(2, `ERR ${message}\n`);
  process.exit(3);
};
const must = <T>(what: string, r: Result<T> | Promise<Result<T>>): T => {
  if (r instanceof Promise) return die(`${what} returned a promise`);
  if (!r.ok) return die(`${what}: ${JSON.stringify(r.error)}`);
  return r.value;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const core = openKioskCore({ dataDir, log: () => {} });
const log =
  process.env.FAULT_CHILD_LOG === '1'
    ? (level: string, message: string) => writeSync(2, `[sync ${level}] ${message}\n`)
    : () => {};
const engine = createSyncEngine({ host: hostFromCore(core, dataDir), log, ...syncOptionsFromEnv() });
engine.start();
line(`ready ${core.deviceId}`);

const rng = seededRandom(Number(seedArg));
const toRecord = Number(recordArg);
const every = Number(everyArg);
for (let i = 0; i < toRecord; i++) {
  const begun = must('beginResponse', core.beginResponse({}));
  const status = rng() < 0.1 ? 'abandoned' : 'complete';
  const answers = fakeAnswers(begun.questionnaire, rng, { status });
  const input = { draftId: begun.draftId, locale: rng() < 0.8 ? 'vi' : 'en', answers } as const;
  const stored: { id: string | null; seq: number | null } =
    status === 'complete' ? must(status, core.submitResponse(input)) : must(status, core.abandonResponse(input));
  if (stored.id && stored.seq) line(`recorded ${stored.seq} ${stored.id}`);
  // The engine runs on this event loop: give it turns, as the UI's idle time does.
  await sleep(every);
}

if (drain) {
  while (queueDepth(core.db) > 0) await sleep(20);
  line(`drained ${lastSeq(core.db)}`);
  await engine.stop();
  core.close();
  process.exit(0);
}
