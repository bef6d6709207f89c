/**
 * Store section: durable submit latency through KioskCore, on an empty store and on a large one,
 * against the cheapest durable write the same disk offers, plus the store's size per response.
 *
 * Everything compared is measured in the same loop: each iteration runs one operation of each kind,
 * rotating their order, so a noisy neighbour or a background flush lands on all of them alike.
 */
import { closeSync, copyFileSync, mkdirSync, openSync, statSync, writeSync, fdatasyncSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import type { Result } from '../../shared/api.ts';
import { questionnaireFor } from '../../shared/catalog.ts';
import { databasePath, type KioskCore, openKioskCore } from '../../electron/core/kiosk-core.ts';
import { fakeAnswers } from './answers.ts';
import { ensureFixture, syncPath } from './store-fixture.ts';
import { blockedP99Ratio, envInt, seededRandom, summarize, timeMs } from './stats.ts';
import type { BenchContext, Check, Row, Section, SectionResult } from './types.ts';
import { walObserver } from './wal-observer.ts';

const STAFF_PIN = '1357'; // the demo default; the bench stores are fresh

type Op = { label: string; run: () => number; samples: number[]; after?: () => void };

const openCore = (dataDir: string, ctx: BenchContext): KioskCore =>
  openKioskCore({ dataDir, log: (level, message) => level !== 'info' && ctx.progress(`  [${level}] ${message}`) });

/** Points a core at a procedure that uses the quick questionnaire, through the staff API like a counter officer would. */
const assignQuickProcedure = async (core: KioskCore): Promise<string> => {
  const catalog = core.config().bundle.catalog;
  const procedure = catalog.procedures.find((p) => questionnaireFor(catalog, p.code) === 'quick');
  if (!procedure) throw new Error('the embedded catalog has no procedure using the "quick" questionnaire');
  const unlocked = await core.staffUnlock({ pin: STAFF_PIN });
  if (!unlocked.ok) throw new Error(`staff unlock failed: ${unlocked.error.message}`);
  const set = await core.setAssignment({
    session: unlocked.value.session,
    procedureCode: procedure.code,
    caseNumber: null,
    officerId: 'cb01',
    counterId: 'q1',
  });
  if (!set.ok) throw new Error(`setAssignment failed: ${set.error.message}`);
  await core.staffLock({ session: unlocked.value.session });
  return procedure.code;
};

/** One respondent: begin (untimed), answers built from the questionnaire handed out (untimed), submit (timed). */
const submitter = (core: KioskCore, rng: () => number) => (): number => {
  const begun = settled(core.beginResponse({}), 'beginResponse');
  const answers = fakeAnswers(begun.questionnaire, rng, { status: 'complete' });
  const { ms, value } = timeMs(() => core.submitResponse({ draftId: begun.draftId, locale: 'vi', answers }));
  settled(value, 'submitResponse');
  return ms;
};

/** The core's handlers are synchronous; a promise here would mean the timing misses work. */
const settled = <T>(r: Result<T> | Promise<Result<T>>, method: string): T => {
  if (r instanceof Promise) throw new Error(`${method} returned a promise: the bench times synchronous handlers`);
  if (!r.ok) throw new Error(`${method} failed: ${r.error.code}: ${r.error.message}`);
  return r.value;
};

/** A file written in place at rotating offsets, like a WAL that is reused after each checkpoint. */
const rawWriter = (file: string, recordBytes: number, cycleBytes: number, preallocate: boolean) => {
  const fd = openSync(file, 'w+');
  const record = Buffer.alloc(recordBytes, 0x5a);
  const slots = Math.max(1, Math.floor(cycleBytes / recordBytes));
  if (preallocate) {
    const zeros = Buffer.alloc(1 << 20);
    for (let off = 0; off < slots * recordBytes; off += zeros.length)
      writeSync(fd, zeros, 0, Math.min(zeros.length, slots * recordBytes - off), off);
    fdatasyncSync(fd);
  }
  let i = 0;
  return {
    run: (): number => {
      const position = (preallocate ? i % slots : i) * recordBytes;
      i++;
      return timeMs(() => {
        writeSync(fd, record, 0, record.length, position);
        fdatasyncSync(fd);
      }).ms;
    },
    close: () => closeSync(fd),
  };
};

const walFile = (core: KioskCore): string => `${core.db.name}-wal`;
const sizeOf = (file: string): number => {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
};

const run = async (ctx: BenchContext): Promise<SectionResult> => {
  const n = envInt('BENCH_N', 2000);
  const rows = envInt('BENCH_ROWS', 1_000_000);
  const warmup = envInt('BENCH_WARMUP', Math.min(200, Math.ceil(n / 10)), 0);
  const blocks = envInt('BENCH_BLOCKS', 4);
  const notes: string[] = [];

  const fixture = ensureFixture(rows, ctx.progress);
  if (fixture.builtSeconds !== null)
    notes.push(
      `built the ${rows.toLocaleString('en')}-response store in ${fixture.builtSeconds.toFixed(1)} s (now cached)`,
    );

  const dirs = {
    empty: join(ctx.workDir, 'empty'),
    big: join(ctx.workDir, 'big'),
    nosync: join(ctx.workDir, 'nosync'),
    busy: join(ctx.workDir, 'busy'),
  };
  for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
  ctx.progress(`copying the cached store to ${dirs.big}`);
  const copied = timeMs(() => {
    copyFileSync(fixture.file, databasePath(dirs.big));
    // Flushed now, so its writeback does not drain into the measurements.
    syncPath(databasePath(dirs.big));
    syncPath(dirs.big);
  });
  ctx.progress(`  copied in ${(copied.ms / 1000).toFixed(1)} s`);

  const empty = openCore(dirs.empty, ctx);
  const big = openCore(dirs.big, ctx);
  // Diagnostic only: the same core with synchronous=OFF shows what a submit costs apart from the disk flush.
  const nosync = openCore(dirs.nosync, ctx);
  nosync.db.pragma('synchronous = OFF');
  // Diagnostic only: a kiosk never idle between respondents, so its WAL upkeep never runs.
  const busy = openCore(dirs.busy, ctx);
  try {
    return await measure(ctx, { rows, n, warmup, blocks, notes, fixture: fixture.file }, { empty, big, nosync, busy });
  } finally {
    for (const core of [empty, big, nosync, busy]) core.close();
  }
};

type Cores = { empty: KioskCore; big: KioskCore; nosync: KioskCore; busy: KioskCore };
type Plan = { rows: number; n: number; warmup: number; blocks: number; notes: string[]; fixture: string };

/**
 * A stored response schedules the core's WAL upkeep for the idle second after it (the thank-you
 * screen). The timed loop never yields to the event loop, so the bench runs that same upkeep itself
 * between rounds, untimed, where a kiosk is idle; the `busy` core shows a kiosk that never is.
 */
const measure = async (
  ctx: BenchContext,
  { rows, n, warmup, blocks, notes, fixture }: Plan,
  { empty, big, nosync, busy }: Cores,
): Promise<SectionResult> => {
  const procedure = await assignQuickProcedure(empty);
  await assignQuickProcedure(big);
  await assignQuickProcedure(nosync);
  await assignQuickProcedure(busy);
  const pageSize = empty.db.pragma('page_size', { simple: true }) as number;
  const autoCheckpoint = empty.db.pragma('wal_autocheckpoint', { simple: true }) as number;

  const rng = seededRandom(7);
  const submitEmpty = submitter(empty, rng);
  const submitBig = submitter(big, rng);
  const submitNosync = submitter(nosync, rng);
  const submitBusy = submitter(busy, rng);

  // Warm-up, which also calibrates the raw record: the WAL bytes one commit appends (first WAL cycle
  // of the busy core, before any checkpoint lets SQLite rewind it).
  ctx.progress(`warm-up: ${warmup} submits per store`);
  const walBefore = sizeOf(walFile(busy));
  for (let i = 0; i < warmup; i++) {
    submitEmpty();
    empty.runWalUpkeep();
    submitBig();
    big.runWalUpkeep();
    submitNosync();
    submitBusy();
  }
  const walAfter = sizeOf(walFile(busy));
  const walBytesPerCommit =
    warmup > 0 && walAfter > walBefore ? Math.round((walAfter - walBefore) / warmup) : pageSize + 24;
  const recordBytes = Math.max(4096, walBytesPerCommit);
  const walCycleBytes = autoCheckpoint * (pageSize + 24);
  const rawInPlace = rawWriter(join(ctx.workDir, 'raw-inplace.bin'), recordBytes, walCycleBytes, true);
  const rawAppend = rawWriter(join(ctx.workDir, 'raw-append.bin'), recordBytes, walCycleBytes, false);
  for (let i = 0; i < Math.min(warmup, 50); i++) {
    rawInPlace.run();
    rawAppend.run();
  }

  const observer = walObserver(walFile(busy));
  const ops: Op[] = [
    { label: 'submit, empty store (KioskCore)', run: submitEmpty, samples: [], after: empty.runWalUpkeep },
    { label: `submit, ${compact(rows)} store (KioskCore)`, run: submitBig, samples: [], after: big.runWalUpkeep },
    { label: `raw write ${recordBytes} B + fdatasync, in place`, run: rawInPlace.run, samples: [] },
    { label: `raw write ${recordBytes} B + fdatasync, append`, run: rawAppend.run, samples: [] },
    { label: 'diag: submit, synchronous=OFF (no flush)', run: submitNosync, samples: [] },
    { label: 'diag: submit, never idle (no WAL upkeep)', run: submitBusy, samples: [], after: observer.observe },
  ];
  ctx.progress(`measuring: ${n} rounds of ${ops.length} interleaved operations`);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < ops.length; k++) {
      const op = ops[(i + k) % ops.length]!;
      op.samples.push(op.run());
      op.after?.();
    }
    if ((i + 1) % 500 === 0)
      ctx.progress(`  ${i + 1} / ${n} rounds (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  }
  rawInPlace.close();
  rawAppend.close();

  const result: Row[] = ops.map((op) => summarize(op.label, op.samples));
  const [coreEmpty, coreBig, raw, , , neverIdle] = result as [Row, Row, Row, Row, Row, Row];
  observer.close();
  result.push(...observer.split(neverIdle.measure, 'never idle: ', ops[5]!.samples));

  // Size per response: database file plus WAL, after a checkpoint (the WAL file keeps its size).
  big.db.pragma('wal_checkpoint(PASSIVE)');
  const stored = big.db.prepare('SELECT COUNT(*) AS n, MAX(seq) AS last FROM responses').get() as {
    n: number;
    last: number;
  };
  if (stored.n !== stored.last)
    notes.push(`WARNING: ${stored.n} rows but last seq ${stored.last}: the sequence has gaps`);
  const dbBytes = sizeOf(big.db.name);
  const walBytes = sizeOf(walFile(big));
  const freePages = big.db.pragma('freelist_count', { simple: true }) as number;
  const breakdown = objectSizes(big);

  const checks: Check[] = [
    // How noisy the disk and the neighbours were: a quiet run shows about 2x. Far above that, every p99
    // in this run measures the machine more than the code, and p99 ratios drift towards 1.
    { name: 'noise: raw p99 / raw p50', value: raw.p99Ms / raw.p50Ms, unit: 'x' },
    {
      name: 'core p99 / raw p99 (empty store)',
      value: coreEmpty.p99Ms / raw.p99Ms,
      unit: 'x',
      target: { op: '<=', limit: 1.5 },
    },
    {
      name: `  same, median of ${blocks} blocks' p99 ratios`,
      value: blockedP99Ratio(ops[0]!.samples, ops[2]!.samples, blocks),
      unit: 'x',
    },
    { name: 'core p50 / raw p50 (empty store)', value: coreEmpty.p50Ms / raw.p50Ms, unit: 'x' },
    {
      name: `${compact(rows)} store p99 / empty store p99`,
      value: coreBig.p99Ms / coreEmpty.p99Ms,
      unit: 'x',
      target: { op: '<=', limit: 1.2 },
    },
    {
      name: `  same, median of ${blocks} blocks' p99 ratios`,
      value: blockedP99Ratio(ops[1]!.samples, ops[0]!.samples, blocks),
      unit: 'x',
    },
    { name: `${compact(rows)} store p50 / empty store p50`, value: coreBig.p50Ms / coreEmpty.p50Ms, unit: 'x' },
    { name: 'diag: never-idle p99 / raw p99', value: neverIdle.p99Ms / raw.p99Ms, unit: 'x' },
    {
      name: `  same, median of ${blocks} blocks' p99 ratios`,
      value: blockedP99Ratio(ops[5]!.samples, ops[2]!.samples, blocks),
      unit: 'x',
    },
    { name: 'store size per response (db + WAL after checkpoint)', value: (dbBytes + walBytes) / stored.n, unit: 'B' },
  ];
  for (const [name, bytes] of breakdown)
    checks.push({ name: `  of which ${name}`, value: bytes / stored.n, unit: 'B' });

  return {
    rows: result,
    checks,
    params: {
      submits: n,
      warmup,
      rows,
      procedure,
      fixture,
      pageSize,
      walAutocheckpointPages: autoCheckpoint,
      walBytesPerCommit,
      rawRecordBytes: recordBytes,
      rawInPlaceCycleBytes: walCycleBytes,
      bigStoreRows: stored.n,
      bigStoreDbBytes: dbBytes,
      bigStoreWalBytes: walBytes,
      bigStoreFreePages: freePages,
      loadAverageAfter: loadavg()
        .map((x) => x.toFixed(2))
        .join(' '),
    },
    notes,
  };
};

/** Bytes by table and index (dbstat), when the SQLite build has it. */
const objectSizes = (core: KioskCore): [string, number][] => {
  try {
    const rows = core.db
      .prepare(
        "SELECT name, SUM(pgsize) AS bytes FROM dbstat WHERE name IN ('responses', 'sqlite_autoindex_responses_1') GROUP BY name ORDER BY bytes DESC",
      )
      .all() as { name: string; bytes: number }[];
    return rows.map((r) => [r.name === 'responses' ? 'responses table' : 'id index', r.bytes]);
  } catch {
    return [];
  }
};

const compact = (x: number): string =>
  x >= 1e6 && x % 1e5 === 0 ? `${x / 1e6}M` : x >= 1e3 && x % 100 === 0 ? `${x / 1e3}k` : String(x);

export const storeSection: Section = {
  name: 'store',
  description:
    'durable submit latency through KioskCore (empty and large store) against a raw write+fdatasync; store size per response',
  run,
};
