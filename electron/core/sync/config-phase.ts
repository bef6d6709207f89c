import { fetchMissingClips, recordPublishedClips } from './clips-fetch.ts';
import { type PassFailure, type PassResult, abortedFailure } from './pass-result.ts';
import type { PhaseEnv } from './phase-env.ts';
import { recordConfigRefused, verifyPublishedConfig } from './published-config.ts';
import { queueDepth } from './sync-store.ts';

export type ConfigOutcome = {
  config: PassResult['config'];
  configProblems: string[];
  /** Only a stop ends the pass here: a failed pull never holds up the answers. */
  failure: PassFailure | null;
};

/**
 * Phase 2 of a pass: the configuration central publishes for this kiosk, verified with the central
 * key from enrolment, validated, and applied between respondents; a bad one is refused, recorded
 * for IT, and remembered (state.refusedConfigVersion) so it is not fetched again and again.
 */
export const pullConfig = async (env: PhaseEnv): Promise<ConfigOutcome> => {
  const outcome = await pullConfigDocument(env);
  // The clips of the configuration in force, whatever this pass did with the document (issue 15).
  if (!env.signal.aborted && outcome.config !== 'failed') await fetchMissingClips(env);
  return outcome;
};

const pullConfigDocument = async (env: PhaseEnv): Promise<ConfigOutcome> => {
  const { host, clock, log, signal, state } = env;
  const db = host.db;
  env.onProgress?.({ phase: 'config', total: queueDepth(db), done: 0 });
  const r = await env.device.client.getConfig(host.configVersion(), env.device.signer, signal);
  if (signal.aborted) return { config: 'skipped', configProblems: [], failure: abortedFailure() };
  if (!r.ok) {
    log('warn', `configuration not fetched: ${r.message}`);
    return { config: 'failed', configProblems: [], failure: null };
  }
  state.configWanted = false;
  if (r.notModified) return { config: 'unchanged', configProblems: [], failure: null };
  const verified = verifyPublishedConfig(r.doc, env.device.enrolment.centralPublicKey);
  if (!verified.ok) {
    state.refusedConfigVersion = verified.version ?? r.etag;
    recordConfigRefused(db, state.refusedConfigVersion, verified.problems, new Date(clock.now()));
    log('error', `configuration from central refused: ${verified.problems.join('; ')}`);
    return { config: 'refused', configProblems: verified.problems, failure: null };
  }
  const { config } = verified;
  if (config.version === host.configVersion()) return { config: 'unchanged', configProblems: [], failure: null };
  const applied = host.applyPublishedConfig(config);
  if (!applied.ok) {
    state.refusedConfigVersion = config.version;
    recordConfigRefused(db, config.version, applied.problems, new Date(clock.now()));
    log('error', `configuration ${config.version} from central refused: ${applied.problems.join('; ')}`);
    return { config: 'refused', configProblems: applied.problems, failure: null };
  }
  state.refusedConfigVersion = null;
  recordPublishedClips(host.dataDir, config.readAloud);
  log('info', `configuration ${config.version} from central applied (from the next respondent)`);
  return { config: 'applied', configProblems: [], failure: null };
};
