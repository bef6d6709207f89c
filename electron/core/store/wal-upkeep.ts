import type { Database } from 'better-sqlite3';

/** How long after a stored response the upkeep runs: the citizen is reading the thank-you screen. */
export const WAL_UPKEEP_DELAY_MS = 1_000;

export type WalUpkeep = {
  /** Runs the upkeep once, now (the timer's job; the bench and tests call it directly). */
  run: () => 'restarted' | 'busy' | 'idle';
  /** Schedules a run after WAL_UPKEEP_DELAY_MS; a later call moves it later. */
  schedule: () => void;
  cancel: () => void;
};

/**
 * WAL upkeep between respondents, so that a citizen's submit is one in-place write and one fsync.
 *
 * Left alone, SQLite does two costly things on the respondent's path: while the WAL file grows
 * (its first cycle after opening) every fsync also has to commit the file's new size, and every
 * wal_autocheckpoint pages one commit copies the whole WAL into the database and fsyncs that too.
 * Here, once a response is stored and the kiosk is idle, the WAL is checkpointed (PASSIVE: never
 * waits for a reader such as kioskctl) and, when that copied every frame, one tiny durable write
 * makes SQLite restart the WAL from its beginning there and then. The next submit overwrites the
 * first frames of a WAL file that already has its size. synchronous stays FULL; wal_autocheckpoint
 * stays as the backstop when the kiosk is never idle.
 */
export const walUpkeep = (db: Database, onError: (e: unknown) => void): WalUpkeep => {
  const mark = db.prepare(
    `INSERT INTO state (key, value) VALUES ('walRestartedAt', json_quote(?))
     ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
  );
  const changes = db.prepare('SELECT total_changes() AS n').pluck();
  let timer: ReturnType<typeof setTimeout> | null = null;
  /** This connection's change count right after the last restart: the mark's own frame needs no upkeep. */
  let changesAtRestart = -1;

  const run: WalUpkeep['run'] = () => {
    if (!db.open || changes.get() === changesAtRestart) return 'idle';
    const [r] = db.pragma('wal_checkpoint(PASSIVE)') as { busy: number; log: number; checkpointed: number }[];
    if (!r || r.log <= 0) return 'idle';
    if (r.busy !== 0 || r.checkpointed !== r.log) return 'busy';
    // The next writer restarts the WAL only once every frame is in the database: this write is it.
    mark.run(new Date().toISOString());
    changesAtRestart = changes.get() as number;
    return 'restarted';
  };

  const cancel = (): void => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
  };

  const schedule = (): void => {
    cancel();
    timer = setTimeout(() => {
      timer = null;
      try {
        run();
      } catch (e) {
        // A full or read-only disk: the next submit reports it to the citizen and IT; nothing is lost here.
        onError(e);
      }
    }, WAL_UPKEEP_DELAY_MS);
    timer.unref();
  };

  return { run, schedule, cancel };
};
