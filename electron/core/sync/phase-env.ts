import type { SyncClock, SyncLog } from './clock.ts';
import type { DeviceContext } from './device-context.ts';
import type { EngineState } from './engine-state.ts';
import type { SyncHost } from './host.ts';
import type { SyncProgress } from './pass-result.ts';

/** What each phase of a pass (heartbeat, configuration, batches) works with. */
export type PhaseEnv = {
  host: SyncHost;
  device: DeviceContext;
  /** The engine's one state record: phases read and update the configuration fields. */
  state: EngineState;
  clock: SyncClock;
  log: SyncLog;
  signal: AbortSignal;
  onProgress?: (p: SyncProgress) => void;
};
