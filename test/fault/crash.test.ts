// The crash test: a kiosk core in a child process is SIGKILLed at random moments, many times over the
// same data directory. Whatever the core acknowledged must be on disk with its sequence number, the
// sequence must stay 1..n without gaps, and the database must stay sound.
//
// 25 kills by default; LONG_TESTS=1 (npm run test:long) does 300. The seed is printed; replay a
// failure with CRASH_SEED=<seed>.
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomInt } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../electron/core/db/open.ts';
import { databasePath } from '../../electron/core/kiosk-core.ts';
import { storedQuestionnaire } from '../../electron/core/store/config-store.ts';
import { listResponses, sequenceGaps } from '../../electron/core/store/responses.ts';
import { checkAnswers } from '../../shared/answers.ts';
import { REPO_ROOT, kioskctl, prng } from '../support/kiosk.ts';
import { errorMessage } from '../../shared/error-message.ts';

const LONG = process.env.LONG_TESTS === '1';
const ITERATIONS = LONG ? 300 : 25;
const SEED = process.env.CRASH_SEED !== undefined ? Number(process.env.CRASH_SEED) : randomInt(2 ** 31);
const MIN_DELAY_MS = 50;
const MAX_DELAY_MS = 600;
const FIRST_ACK_TIMEOUT_MS = 30_000;

let work: string;
let childScript: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'kiosk-crash-'));
  childScript = join(work, 'crash-child.mjs');
  // Bundled once, so each of the many spawns is a plain `node file.mjs`. better-sqlite3 (native) stays
  // external, resolved to its absolute path; import.meta.url is pinned to the config loader's own file
  // so the embedded configuration is found exactly as in the source tree.
  const sqlite = createRequire(join(REPO_ROOT, 'package.json')).resolve('better-sqlite3');
  await esbuild.build({
    entryPoints: [join(REPO_ROOT, 'test/fault/crash-child.ts')],
    outfile: childScript,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'error',
    define: { 'import.meta.url': JSON.stringify(pathToFileURL(join(REPO_ROOT, 'shared/node/config-loader.ts')).href) },
    plugins: [
      {
        name: 'native-external',
        setup: (build) => {
          build.onResolve({ filter: /^better-sqlite3$/ }, () => ({ path: sqlite, external: true }));
        },
      },
    ],
  });
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

type Run = {
  acks: { seq: number; id: string }[];
  signal: NodeJS.Signals | null;
  code: number | null;
  stderr: string;
  ready: boolean;
};

/**
 * Starts the child, waits for its first ACK, lets it run `delay` ms more, and SIGKILLs it. With
 * `early`, the kill comes `delay` ms after the spawn instead, whether or not anything was stored yet:
 * a crash while the database is being opened, recovered and its configuration recorded.
 */
const runAndKill = (dataDir: string, seed: number, delay: number, early: boolean): Promise<Run> =>
  new Promise((resolveRun, reject) => {
    const child: ChildProcess = spawn(process.execPath, [childScript, dataDir, String(seed)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let stderr = '';
    let killTimer: NodeJS.Timeout | undefined;
    const firstAckTimer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no ACK within ${FIRST_ACK_TIMEOUT_MS} ms; stderr: ${stderr}`));
    }, FIRST_ACK_TIMEOUT_MS);
    if (early) {
      clearTimeout(firstAckTimer);
      killTimer = setTimeout(() => child.kill('SIGKILL'), delay);
    }
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      if (!killTimer && out.includes('ACK ')) {
        clearTimeout(firstAckTimer);
        killTimer = setTimeout(() => child.kill('SIGKILL'), delay);
      }
    });
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(firstAckTimer);
      clearTimeout(killTimer);
      // Only whole lines count: a line is acknowledged once its newline is written.
      const lines = out.split('\n').slice(0, -1);
      const acks = lines
        .filter((l) => l.startsWith('ACK '))
        .map((l) => {
          const [, seq, id] = l.split(' ');
          return { seq: Number(seq), id: id! };
        });
      resolveRun({ acks, signal, code, stderr, ready: lines.includes('READY') });
    });
  });

describe('crash: SIGKILL at random moments while responses are being submitted', () => {
  it(
    `keeps every acknowledged response, a gap-free sequence and a sound database (${ITERATIONS} kills)`,
    { timeout: ITERATIONS * 15_000 },
    async () => {
      console.log(`crash test: seed ${SEED}, ${ITERATIONS} iterations (replay with CRASH_SEED=${SEED})`);
      const dataDir = join(work, 'data');
      const file = databasePath(dataDir);
      const rng = prng(SEED);
      const acked = new Map<string, number>();
      const bySeq = new Map<number, string>();
      /** Rows checked in an earlier round must never change afterwards. */
      let checkedUpTo = 0;
      let checkedDigest = createHash('sha256').digest('hex');
      let unacked = 0;
      let earlyKills = 0;

      for (let i = 0; i < ITERATIONS; i++) {
        const childSeed = Math.floor(rng() * 2 ** 31);
        const delay = MIN_DELAY_MS + Math.floor(rng() * (MAX_DELAY_MS - MIN_DELAY_MS + 1));
        // One run in eight is killed during start-up instead (the first run always gets going).
        const early = i > 0 && rng() < 0.125;
        const earlyDelay = Math.floor(rng() * 400);
        const where = `iteration ${i + 1}/${ITERATIONS} (CRASH_SEED=${SEED}, child seed ${childSeed}, ${
          early ? `kill ${earlyDelay} ms after spawn` : `kill ${delay} ms after the first ACK`
        })`;
        try {
          const run = await runAndKill(dataDir, childSeed, early ? earlyDelay : delay, early);
          expect(run.stderr, 'child stderr').toBe('');
          expect({ signal: run.signal, code: run.code }, 'the child must die by SIGKILL, not on its own').toEqual({
            signal: 'SIGKILL',
            code: null,
          });
          if (early) earlyKills++;
          else {
            expect(run.ready).toBe(true);
            expect(run.acks.length).toBeGreaterThan(0);
          }
          for (const a of run.acks) {
            expect(a.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
            // One id, one seq; one seq, one id: across every run, not just this one.
            if (acked.has(a.id)) expect(acked.get(a.id), `id ${a.id} acknowledged twice`).toBe(a.seq);
            if (bySeq.has(a.seq)) expect(bySeq.get(a.seq), `seq ${a.seq} acknowledged for two ids`).toBe(a.id);
            acked.set(a.id, a.seq);
            bySeq.set(a.seq, a.id);
          }

          const db = openDatabase(file);
          try {
            expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
            expect(db.pragma('foreign_key_check')).toEqual([]);
            expect(sequenceGaps(db)).toEqual([]);
            const dupes = db.prepare('SELECT id, COUNT(*) AS n FROM responses GROUP BY id HAVING n > 1').all();
            expect(dupes).toEqual([]);
            // One pass over every row: seq is 1..n in order, and the rows checked after earlier kills are
            // byte-for-byte what they were (a running hash, compared where the earlier rows end).
            const hash = createHash('sha256');
            let n = 0;
            let earlierDigest = checkedUpTo === 0 ? hash.copy().digest('hex') : undefined;
            for (const row of db.prepare('SELECT * FROM responses ORDER BY seq').raw().iterate() as Iterable<
              unknown[]
            >) {
              n++;
              if (row[0] !== n) throw new Error(`row ${n} has seq ${String(row[0])}`);
              hash.update(JSON.stringify(row));
              if (n === checkedUpTo) earlierDigest = hash.copy().digest('hex');
            }
            expect(n, 'responses disappeared').toBeGreaterThanOrEqual(checkedUpTo);
            expect(earlierDigest, 'earlier responses changed').toBe(checkedDigest);
            // What this run acknowledged is there under its seq (earlier acks are covered by the hash).
            const seqOf = db.prepare('SELECT seq FROM responses WHERE id = ?').pluck();
            const missing = run.acks.filter((a) => seqOf.get(a.id) !== a.seq);
            expect(missing, 'acknowledged responses missing or renumbered').toEqual([]);
            // New rows answer their own questionnaire exactly (nothing half-written).
            const fresh = listResponses(db, 'crash-test', { sinceSeq: checkedUpTo });
            for (const r of fresh) {
              const q = storedQuestionnaire(db, r.questionnaireId, r.questionnaireVersion);
              expect(q, `questionnaire ${r.questionnaireId} v${r.questionnaireVersion}`).toBeDefined();
              expect(checkAnswers(q!, r.answers, r.status), `answers of seq ${r.seq}`).toEqual([]);
            }
            unacked += fresh.filter((r) => !acked.has(r.id)).length;
            checkedUpTo = n;
            checkedDigest = hash.digest('hex');
          } finally {
            db.close();
          }
        } catch (e) {
          const message = errorMessage(e);
          throw new Error(`${where}: ${message}`, { cause: e });
        }
      }

      expect(acked.size).toBeGreaterThan(ITERATIONS - earlyKills);
      const v = kioskctl(dataDir, 'verify');
      expect(v.code, v.stderr).toBe(0);
      console.log(
        `crash test: ${acked.size} acknowledged responses, ${checkedUpTo} stored (${unacked} stored but killed before their ACK), ${earlyKills} kills during start-up, seed ${SEED}`,
      );
    },
  );
});
