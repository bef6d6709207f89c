// The WAL upkeep a stored response schedules (electron/core/store/wal-upkeep.ts): after it, the next
// respondent's submit overwrites the start of a WAL that already has its size, and nothing is lost.
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { type KioskCore, databasePath, openKioskCore, systemClock } from '../../electron/core/kiosk-core.ts';
import { WAL_UPKEEP_DELAY_MS } from '../../electron/core/store/wal-upkeep.ts';
import { listResponses, sequenceGaps } from '../../electron/core/store/responses.ts';
import { openDatabase } from '../../electron/core/db/open.ts';
import { buildAnswers, call, okValue, prng, silentLog } from '../support/kiosk.ts';
import { tempDir } from '../support/tmp.ts';

const cleanups: (() => void)[] = [];
afterEach(() =>
  cleanups
    .splice(0)
    .reverse()
    .forEach((c) => c()),
);

const open = (): { core: KioskCore; dir: string } => {
  const t = tempDir('kiosk-wal-');
  cleanups.push(t.cleanup);
  // The real clock: the upkeep runs on a real timer.
  const core = openKioskCore({ dataDir: t.dir, clock: systemClock, log: silentLog });
  cleanups.push(() => core.close());
  return { core, dir: t.dir };
};

const walPath = (dir: string): string => `${databasePath(dir)}-wal`;

/** The WAL header's first salt: it changes exactly when SQLite restarts the WAL from its beginning. */
const walSalt = (dir: string): number => {
  const fd = openSync(walPath(dir), 'r');
  try {
    const b = Buffer.alloc(4);
    return readSync(fd, b, 0, 4, 16) === 4 ? b.readUInt32BE(0) : 0;
  } finally {
    closeSync(fd);
  }
};

const submitOne = async (core: KioskCore, seed: number): Promise<{ id: string; seq: number }> => {
  const begun = okValue(await call(core, 'beginResponse', {}));
  const answers = buildAnswers(begun.questionnaire, { rng: prng(seed) });
  return okValue(await call(core, 'submitResponse', { draftId: begun.draftId, locale: 'vi', answers }));
};

describe('WAL upkeep between respondents', () => {
  it('restarts the WAL after a stored response, so the next submit writes in place', async () => {
    const { core, dir } = open();
    for (let i = 0; i < 20; i++) await submitOne(core, i);
    const saltBefore = walSalt(dir);
    expect(core.runWalUpkeep()).toBe('restarted');
    expect(walSalt(dir)).not.toBe(saltBefore);
    const size = statSync(walPath(dir)).size;
    // Fewer frames than the WAL already holds: each of these overwrites a frame of the previous cycle.
    for (let i = 0; i < 5; i++) await submitOne(core, 100 + i);
    expect(statSync(walPath(dir)).size).toBe(size);
    expect(core.runWalUpkeep()).toBe('restarted');
  });

  it('runs by itself shortly after a submit, and nothing is lost across a reopen', async () => {
    const { core, dir } = open();
    const stored = [];
    for (let i = 0; i < 3; i++) stored.push(await submitOne(core, i));
    const salt = walSalt(dir);
    await new Promise((r) => setTimeout(r, WAL_UPKEEP_DELAY_MS + 500));
    expect(walSalt(dir)).not.toBe(salt);
    core.close();
    const db = openDatabase(databasePath(dir));
    try {
      expect(listResponses(db, 'device').map((r) => r.id)).toEqual(stored.map((s) => s.id));
      expect(sequenceGaps(db)).toEqual([]);
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      db.close();
    }
  });

  it('waits for a reader instead of blocking on it, and catches up once the reader is gone', async () => {
    const { core, dir } = open();
    for (let i = 0; i < 5; i++) await submitOne(core, i);
    // kioskctl reading while the kiosk runs: an open read transaction pins the WAL.
    const reader = openDatabase(databasePath(dir), { readonly: true });
    try {
      reader.exec('BEGIN');
      reader.prepare('SELECT COUNT(*) FROM responses').get();
      await submitOne(core, 9);
      expect(core.runWalUpkeep()).toBe('busy');
      reader.exec('COMMIT');
    } finally {
      reader.close();
    }
    expect(core.runWalUpkeep()).toBe('restarted');
  });

  it('has nothing to do on a closed core or an untouched WAL', () => {
    const { core } = open();
    core.runWalUpkeep();
    expect(core.runWalUpkeep()).toBe('idle');
    core.close();
    expect(core.runWalUpkeep()).toBe('idle');
  });
});
