import type { Heartbeat } from '../../../shared/sync.ts';
import { iso } from './clock.ts';
import { type PassFailure, type PassResult, abortedFailure, passFailure } from './pass-result.ts';
import type { PhaseEnv } from './phase-env.ts';
import {
  ackedThrough,
  lastSeq,
  lostMessage,
  queueDepth,
  recordCentralContiguous,
  recordHeartbeat,
} from './sync-store.ts';

export type HeartbeatOutcome = {
  heartbeat: PassResult['heartbeat'];
  /** Responses acknowledged through central's highestContiguousSeq instead of being sent. */
  skippedByCentral: number;
  /** Set when the pass must end here (a refusal, the network, a stop). */
  failure: PassFailure | null;
};

export type HeartbeatAbout = {
  appVersion: string;
  /** Free bytes on the data dir's disk, or null when unknown. */
  freeDisk: () => Promise<number | null>;
};

/** A kiosk clock this far from central's is logged (central's console calls it drifting at 2 minutes too). */
const DRIFT_WARNING_MS = 2 * 60_000;

/**
 * Phase 1 of a pass: the probe, the status report, and central's view of what it already holds
 * (its highestContiguousSeq lets the kiosk skip what arrived by USB). A reply naming another
 * configuration version asks the configuration phase to pull it (state.configWanted).
 */
export const sendHeartbeat = async (env: PhaseEnv, about: HeartbeatAbout): Promise<HeartbeatOutcome> => {
  const { host, clock, log, signal, state } = env;
  const db = host.db;
  env.onProgress?.({ phase: 'heartbeat', total: queueDepth(db), done: 0 });
  const hb: Heartbeat = {
    deviceId: host.deviceId,
    clock: iso(clock.now()),
    appVersion: about.appVersion.slice(0, 40),
    configVersion: host.configVersion().slice(0, 80),
    lastSeq: lastSeq(db),
    lastAckedSeq: ackedThrough(db),
    queueDepth: queueDepth(db),
    freeDiskBytes: await about.freeDisk(),
    procedureCode: host.procedureCode(),
  };
  // Stamped last, after the slow part (free disk), so central judges the moment the heartbeat leaves.
  const requestedAt = clock.now();
  hb.sentAt = iso(requestedAt);
  const r = await env.device.client.heartbeat(hb, env.device.signer, signal);
  if (signal.aborted) return { heartbeat: 'skipped', skippedByCentral: 0, failure: abortedFailure() };
  if (!r.ok) {
    if (r.code === 'heartbeat_out_of_window') {
      // This kiosk's clock is far from central's: the heartbeat cannot get through until IT sets the
      // clock, but the answers (signed batches, whose times central does not judge) still can.
      log('error', `central refused the heartbeat: the kiosk clock is wrong (${r.message})`);
      return { heartbeat: 'failed', skippedByCentral: 0, failure: null };
    }
    // A reachable central whose heartbeat fails (5xx, odd reply) must not hold up the answers.
    const serverSide = r.code === 'bad_reply' || (r.status !== null && r.status >= 500);
    if (!serverSide) return { heartbeat: 'failed', skippedByCentral: 0, failure: passFailure(r) };
    log('warn', `heartbeat failed: ${r.message}`);
    return { heartbeat: 'failed', skippedByCentral: 0, failure: null };
  }
  const receivedAt = clock.now();
  const drift = (requestedAt + receivedAt) / 2 - Date.parse(r.reply.serverTime);
  const before = queueDepth(db);
  recordHeartbeat(db, iso(receivedAt), drift);
  const lost = recordCentralContiguous(db, r.reply.highestContiguousSeq, iso(receivedAt));
  if (lost > 0) log('warn', lostMessage(r.reply.highestContiguousSeq, lost));
  const skippedByCentral = before - queueDepth(db);
  if (r.reply.highestContiguousSeq > hb.lastSeq) {
    log(
      'warn',
      `central holds seq 1..${r.reply.highestContiguousSeq} but this kiosk has only 1..${hb.lastSeq} (database restored from an old backup?)`,
    );
  }
  if (Math.abs(drift) > DRIFT_WARNING_MS)
    log('warn', `the kiosk clock differs from central's by ${Math.round(drift / 1000)} s`);
  const wanted = r.reply.configVersion;
  if (wanted && wanted !== host.configVersion() && wanted !== state.refusedConfigVersion) state.configWanted = true;
  return { heartbeat: 'sent', skippedByCentral, failure: null };
};
