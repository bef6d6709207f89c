import type { SyncEngineOptions } from './engine.ts';

/**
 * Engine tuning from the environment, for hosts (electron/host, the Electron shell) and for test
 * harnesses that start a real kiosk process (fault injection, bench). Unset variables keep the
 * protocol's defaults. KIOSK_SYNC=off disables the engine.
 *
 *   KIOSK_SYNC_POLL_MS        idle check for new responses (15000)
 *   KIOSK_SYNC_HEARTBEAT_MS   heartbeat interval (300000)
 *   KIOSK_SYNC_CONFIG_MS      config pull interval (3600000)
 *   KIOSK_SYNC_BASE_MS        backoff base (2000)
 *   KIOSK_SYNC_CAP_MS         backoff cap, and the wait after a refusal (600000)
 *   KIOSK_SYNC_MAX_BATCH      responses per batch (1000)
 *   KIOSK_SYNC_IDLE_TIMEOUT_MS  stalled-link timeout (30000)
 *   KIOSK_SYNC_DEADLINE_MS    fixed part of a request's deadline (60000)
 */
export const syncEnabledFromEnv = (env: NodeJS.ProcessEnv = process.env): boolean =>
  !/^(off|0|false|no)$/i.test(env.KIOSK_SYNC ?? '');

const num = (env: NodeJS.ProcessEnv, name: string): number | undefined => {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number, got "${raw}"`);
  return n;
};

export const syncOptionsFromEnv = (env: NodeJS.ProcessEnv = process.env): Partial<SyncEngineOptions> => {
  const out: Partial<SyncEngineOptions> = {};
  const poll = num(env, 'KIOSK_SYNC_POLL_MS');
  if (poll !== undefined) out.pollIntervalMs = poll;
  const hb = num(env, 'KIOSK_SYNC_HEARTBEAT_MS');
  if (hb !== undefined) out.heartbeatIntervalMs = hb;
  const cfg = num(env, 'KIOSK_SYNC_CONFIG_MS');
  if (cfg !== undefined) out.configIntervalMs = cfg;
  const base = num(env, 'KIOSK_SYNC_BASE_MS');
  const cap = num(env, 'KIOSK_SYNC_CAP_MS');
  if (base !== undefined || cap !== undefined)
    out.backoff = { ...(base !== undefined ? { baseMs: base } : {}), ...(cap !== undefined ? { capMs: cap } : {}) };
  const maxBatch = num(env, 'KIOSK_SYNC_MAX_BATCH');
  if (maxBatch !== undefined) out.limits = { maxCount: Math.max(1, Math.floor(maxBatch)) };
  const idle = num(env, 'KIOSK_SYNC_IDLE_TIMEOUT_MS');
  const deadline = num(env, 'KIOSK_SYNC_DEADLINE_MS');
  if (idle !== undefined || deadline !== undefined) {
    out.timeouts = {
      ...(idle !== undefined ? { idleMs: idle } : {}),
      ...(deadline !== undefined ? { batchDeadlineMs: deadline, smallDeadlineMs: deadline } : {}),
    };
  }
  return out;
};
