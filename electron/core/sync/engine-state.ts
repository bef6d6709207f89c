import type { SyncState } from './status.ts';

/**
 * Everything the sync engine remembers between passes and that decides what it does next, in one
 * record: the phases read and update it, the loop schedules from it, and `engine.state()` hands a
 * copy to a test or a diagnostic. The plumbing (abort controllers, the loop's promise, the HTTP
 * connection pool) is not state in this sense and stays with the loop (engine.ts, device-context.ts).
 */
export type EngineState = {
  /** What IT sees (status.ts): idle, syncing, retrying, needs_attention, not_enrolled or stopped. */
  activity: SyncState;
  /** The background loop runs (start() until stop()); a one-off pass (kioskctl) leaves the schedule alone. */
  running: boolean;
  /** "Sync now", or a new enrolment seen while waiting: the next pass starts at once, with a heartbeat. */
  forced: boolean;
  /** Consecutive failed attempts, kept in the database across restarts: the backoff grows with it. */
  failures: number;
  /** When the loop's next attempt is due (ms since the epoch); null while a pass runs or no loop runs. */
  nextAttemptAt: number | null;
  /** When the last pass was settled: the next attempt is scheduled from there. */
  settledAt: number;
  /** A heartbeat is due from then (0: at the first pass). */
  nextHeartbeatAt: number;
  /** A configuration pull is due from then (0: at the first pass). */
  nextConfigAt: number;
  /** A heartbeat reply named a configuration version the kiosk does not run: pull it at once. */
  configWanted: boolean;
  /** The version last refused, so a heartbeat naming it again does not make the kiosk fetch it again. */
  refusedConfigVersion: string | null;
};

export const initialEngineState = (failures: number): EngineState => ({
  activity: 'stopped',
  running: false,
  forced: false,
  failures,
  nextAttemptAt: null,
  settledAt: 0,
  nextHeartbeatAt: 0,
  nextConfigAt: 0,
  configWanted: false,
  refusedConfigVersion: null,
});
