// A full disk and a read-only database while respondents are submitting: the kiosk says so (typed,
// with a cause IT can act on), loses nothing already stored, and the same drafts go through once the
// condition clears, without a gap in the sequence.
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, rmdirSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type KioskCore, type Logger, databasePath, openKioskCore } from '../../electron/core/kiosk-core.ts';
import { openDatabase } from '../../electron/core/db/open.ts';
import { listResponses, sequenceGaps } from '../../electron/core/store/responses.ts';
import type { StoredResponse } from '../../shared/response.ts';
import {
  buildAnswers,
  call,
  errorOf,
  fakeClock,
  kioskctl,
  okValue,
  prng,
  rowCount,
  snapshotDb,
} from '../support/kiosk.ts';
import { tempDir } from '../support/tmp.ts';

const cleanups: (() => void)[] = [];
afterEach(() =>
  cleanups
    .splice(0)
    .reverse()
    .forEach((c) => c()),
);

type Logged = { level: string; message: string };

const setup = (dataDir?: string) => {
  const t = dataDir ? { dir: dataDir, cleanup: () => {} } : tempDir('kiosk-storage-');
  const logged: Logged[] = [];
  const log: Logger = (level, message) => logged.push({ level, message });
  const clock = fakeClock();
  cleanups.push(t.cleanup);
  const core = openKioskCore({ dataDir: t.dir, clock, log });
  cleanups.push(() => core.close());
  return { dir: t.dir, core, clock, logged };
};

type Draft = { draftId: string; locale: string; answers: Record<string, unknown> };

const begin = async (core: KioskCore, seed: number): Promise<Draft> => {
  const b = okValue(await call(core, 'beginResponse', {}));
  return {
    draftId: b.draftId,
    locale: 'vi',
    answers: buildAnswers(b.questionnaire, { rng: prng(seed), optional: 'always' }),
  };
};

const submitN = async (k: ReturnType<typeof setup>, n: number): Promise<void> => {
  for (let i = 0; i < n; i++) {
    k.clock.advance(60_000);
    okValue(await call(k.core, 'submitResponse', await begin(k.core, i)));
  }
};

/** Every stored response, as a second connection on the file sees it. */
const fromFile = (dir: string, deviceId: string): StoredResponse[] => {
  const db = openDatabase(databasePath(dir), { readonly: true });
  try {
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    return listResponses(db, deviceId);
  } finally {
    db.close();
  }
};

/** Submits fresh drafts until one fails; returns the stored ones and the failing draft. */
const submitUntilFailure = async (k: ReturnType<typeof setup>, max: number) => {
  for (let i = 0; i < max; i++) {
    k.clock.advance(60_000);
    const d = await begin(k.core, 100 + i);
    const r = await call(k.core, 'submitResponse', d);
    if (!r.ok) return { failed: d, error: r.error, storedBefore: i };
  }
  throw new Error(`no submit failed in ${max} attempts`);
};

const expectStorageOk = async (core: KioskCore) =>
  expect(okValue(await call(core, 'getKioskState', {})).storage).toEqual({ ok: true });

const expectVerifyOk = (dir: string) => {
  const v = kioskctl(dir, 'verify');
  expect(v.code, v.stdout + v.stderr).toBe(0);
  expect(v.stdout).toMatch(/^ok: \d+ responses/);
};

describe('disk full (SQLITE_FULL from max_page_count on the real file)', { timeout: 60_000 }, () => {
  it('refuses with disk_full, keeps every stored response, and takes the same draft once space is back', async () => {
    const k = setup();
    await submitN(k, 5);
    const pages = k.core.db.pragma('page_count', { simple: true }) as number;
    k.core.db.pragma(`max_page_count = ${pages}`);
    expect(k.core.db.pragma('max_page_count', { simple: true })).toBe(pages);

    const { failed, error, storedBefore } = await submitUntilFailure(k, 300);
    expect(error).toMatchObject({ code: 'storage_unavailable', reason: 'disk_full' });
    expect(error.message).toMatch(/disk .*is full.*free space/);
    expect(k.logged.some((l) => l.level === 'error' && /response not stored.*full/.test(l.message))).toBe(true);
    const state = okValue(await call(k.core, 'getKioskState', {}));
    expect(state.storage).toMatchObject({ ok: false, reason: 'disk_full' });
    const since = state.storage.ok ? '' : state.storage.since;
    expect(since).toBe(new Date(k.clock.now()).toISOString());

    // A second respondent meets the same condition; the abandoned-keep path too.
    k.clock.advance(60_000);
    const other = await begin(k.core, 7);
    expect(errorOf(await call(k.core, 'submitResponse', other))).toMatchObject({
      code: 'storage_unavailable',
      reason: 'disk_full',
    });
    const walkedAway = await begin(k.core, 8);
    // With the answers that just did not fit: an empty abandoned row may still fit in a page's slack
    // (it did once per-case v2 made the rows before it smaller), which is luck, not what is tested.
    expect(errorOf(await call(k.core, 'abandonResponse', { ...walkedAway, answers: other.answers }))).toMatchObject({
      code: 'storage_unavailable',
      reason: 'disk_full',
    });
    const stillState = okValue(await call(k.core, 'getKioskState', {}));
    expect(stillState.storage).toEqual(state.storage); // "since" is when it started, not the latest failure

    const stored = listResponses(k.core.db, k.core.deviceId);
    expect(stored).toHaveLength(5 + storedBefore);
    expect(stored.map((r) => r.seq)).toEqual(stored.map((_, i) => i + 1));
    expect(fromFile(k.dir, k.core.deviceId)).toEqual(stored);

    // Space comes back: the same drafts (retries, as the UI would send them) are stored, in order.
    k.core.db.pragma('max_page_count = 1073741823');
    k.clock.advance(1_000);
    const r1 = okValue(await call(k.core, 'submitResponse', failed));
    expect(r1).toMatchObject({ id: failed.draftId, seq: stored.length + 1 });
    await expectStorageOk(k.core);
    const r2 = okValue(await call(k.core, 'submitResponse', other));
    expect(r2.seq).toBe(stored.length + 2);
    expect(okValue(await call(k.core, 'abandonResponse', { ...walkedAway, answers: {} }))).toMatchObject({
      stored: true,
      seq: stored.length + 3,
    });
    // and a retry after success is still idempotent
    expect(okValue(await call(k.core, 'submitResponse', failed))).toEqual(r1);

    const after = fromFile(k.dir, k.core.deviceId);
    expect(after.slice(0, stored.length)).toEqual(stored);
    expect(after.slice(stored.length).map((r) => [r.id, r.status])).toEqual([
      [failed.draftId, 'complete'],
      [other.draftId, 'complete'],
      [walkedAway.draftId, 'abandoned'],
    ]);
    expect(after.find((r) => r.id === failed.draftId)!.answers).toEqual(failed.answers);
    expect(sequenceGaps(k.core.db)).toEqual([]);
    expectVerifyOk(k.dir);
  });
});

describe('read-only database (SQLITE_READONLY from query_only)', { timeout: 60_000 }, () => {
  it('refuses with read_only on every write path, keeps what is stored, and recovers', async () => {
    const k = setup();
    await submitN(k, 3);
    const stored = listResponses(k.core.db, k.core.deviceId);
    const session = okValue(await call(k.core, 'staffUnlock', { pin: '1357' })).session;
    k.core.db.pragma('query_only = ON');
    const before = snapshotDb(k.core.db);

    k.clock.advance(60_000);
    const d = await begin(k.core, 1);
    const e = errorOf(await call(k.core, 'submitResponse', d));
    expect(e).toMatchObject({ code: 'storage_unavailable', reason: 'read_only' });
    expect(e.message).toMatch(/read-only/);
    expect(okValue(await call(k.core, 'getKioskState', {})).storage).toMatchObject({ ok: false, reason: 'read_only' });
    const ab = await begin(k.core, 2);
    expect(errorOf(await call(k.core, 'abandonResponse', { ...ab, answers: {} }))).toMatchObject({
      code: 'storage_unavailable',
      reason: 'read_only',
    });

    // The staff paths write too (lockout, audit, assignment): a typed refusal, never a thrown error.
    expect(errorOf(await call(k.core, 'staffUnlock', { pin: '1357' }))).toMatchObject({
      code: 'storage_unavailable',
      reason: 'read_only',
    });
    expect(errorOf(await call(k.core, 'staffUnlock', { pin: '864209' }))).toMatchObject({
      code: 'storage_unavailable',
      reason: 'read_only',
    });
    expect(errorOf(await call(k.core, 'setAssignment', { session, procedureCode: '1.001612' }))).toMatchObject({
      code: 'storage_unavailable',
      reason: 'read_only',
    });
    expect(errorOf(await call(k.core, 'toggleFavourite', { session, procedureCode: '1.001612' }))).toMatchObject({
      code: 'storage_unavailable',
      reason: 'read_only',
    });
    // Reads keep working.
    okValue(await call(k.core, 'staffContext', { session }));
    okValue(await call(k.core, 'getCatalog', {}));
    expect(snapshotDb(k.core.db)).toEqual(before);
    expect(fromFile(k.dir, k.core.deviceId)).toEqual(stored);

    k.core.db.pragma('query_only = OFF');
    expect(okValue(await call(k.core, 'submitResponse', d))).toMatchObject({ id: d.draftId, seq: 4 });
    await expectStorageOk(k.core);
    expect(okValue(await call(k.core, 'abandonResponse', { ...ab, answers: {} }))).toMatchObject({
      stored: true,
      seq: 5,
    });
    expect(okValue(await call(k.core, 'setAssignment', { session, procedureCode: '1.001612' })).procedureCode).toBe(
      '1.001612',
    );
    expect(fromFile(k.dir, k.core.deviceId).slice(0, 3)).toEqual(stored);
    expect(sequenceGaps(k.core.db)).toEqual([]);
    expectVerifyOk(k.dir);
  });

  it('reports the current cause when it changes (disk full, then read-only)', async () => {
    const k = setup();
    await submitN(k, 1);
    k.core.db.pragma(`max_page_count = ${k.core.db.pragma('page_count', { simple: true }) as number}`);
    const { failed } = await submitUntilFailure(k, 300);
    expect(okValue(await call(k.core, 'getKioskState', {})).storage).toMatchObject({ ok: false, reason: 'disk_full' });
    k.core.db.pragma('max_page_count = 1073741823');
    k.core.db.pragma('query_only = ON');
    k.clock.advance(5_000);
    expect(errorOf(await call(k.core, 'submitResponse', failed))).toMatchObject({ reason: 'read_only' });
    expect(okValue(await call(k.core, 'getKioskState', {})).storage).toEqual({
      ok: false,
      reason: 'read_only',
      since: new Date(k.clock.now()).toISOString(),
    });
    k.core.db.pragma('query_only = OFF');
    okValue(await call(k.core, 'submitResponse', failed));
    await expectStorageOk(k.core);
  });
});

/** A real, tiny tmpfs filled to the last byte: ENOSPC from the kernel, not a pragma. */
const tmpfs = (() => {
  if (process.platform !== 'linux') return { ok: false as const, reason: 'not Linux' };
  const dir = mkdtempSync(join(tmpdir(), 'kiosk-tmpfs-probe-'));
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status === 0) spawnSync('umount', [dir]);
  rmdirSync(dir);
  return r.status === 0
    ? { ok: true as const, reason: '' }
    : { ok: false as const, reason: (r.stderr || r.error?.message || 'mount failed').trim().split('\n')[0] };
})();

describe.skipIf(!tmpfs.ok)(
  `disk full on a real tmpfs${tmpfs.ok ? '' : ` (skipped: mount -t tmpfs not permitted here: ${tmpfs.reason})`}`,
  { timeout: 60_000 },
  () => {
    it('refuses with disk_full while the file system is full, and recovers when space is freed', async () => {
      const mnt = mkdtempSync(join(tmpdir(), 'kiosk-tmpfs-'));
      const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mnt], { encoding: 'utf8' });
      expect(m.status, m.stderr).toBe(0);
      cleanups.push(() => {
        spawnSync('umount', ['-l', mnt]);
        rmdirSync(mnt);
      });
      const dataDir = join(mnt, 'kiosk');
      mkdirSync(dataDir);
      const k = setup(dataDir);
      await submitN(k, 5);

      // Fill the file system: big chunks, then smaller ones, until not a byte more fits.
      const filler = join(mnt, 'filler.bin');
      const fd = openSync(filler, 'w');
      for (const size of [64 * 1024, 4096, 512, 1]) {
        const chunk = Buffer.alloc(size, 0x55);
        try {
          for (;;) writeSync(fd, chunk);
        } catch (e) {
          expect((e as NodeJS.ErrnoException).code).toBe('ENOSPC');
        }
      }
      closeSync(fd);

      const { failed, error, storedBefore } = await submitUntilFailure(k, 100);
      expect(error).toMatchObject({ code: 'storage_unavailable', reason: 'disk_full' });
      expect(error.message).toMatch(/disk .*is full/);
      expect(okValue(await call(k.core, 'getKioskState', {})).storage).toMatchObject({
        ok: false,
        reason: 'disk_full',
      });
      const stored = listResponses(k.core.db, k.core.deviceId);
      expect(stored).toHaveLength(5 + storedBefore);
      expect(fromFile(dataDir, k.core.deviceId)).toEqual(stored);

      rmSync(filler);
      const r = okValue(await call(k.core, 'submitResponse', failed));
      expect(r).toMatchObject({ id: failed.draftId, seq: stored.length + 1 });
      await expectStorageOk(k.core);
      expect(fromFile(dataDir, k.core.deviceId).slice(0, stored.length)).toEqual(stored);
      expect(sequenceGaps(k.core.db)).toEqual([]);
      expect(rowCount(k.core.db, 'responses')).toBe(stored.length + 1);
      expectVerifyOk(dataDir);
    });
  },
);
