import { MAX_CLIP_BYTES, type ReadAloudManifest } from '../../../shared/read-aloud.ts';
import { hasClipFile, pruneClipFiles, readClipManifest, storeClipFile, writeClipManifest } from './clips-store.ts';
import type { PhaseEnv } from './phase-env.ts';

/**
 * Read-aloud clips in the config phase (issue 15). A configuration central signed carries the clip
 * manifest; once that configuration is applied, its manifest becomes the kiosk's (and clips it no
 * longer lists are deleted). Every pass then fetches the listed clips the kiosk lacks, one device-signed
 * GET /v1/clips/<audioSha256> each, and keeps a clip only if its bytes hash to that name: the signed
 * manifest vouches for the hash, the hash for the bytes. A clip that failed is tried again next pass.
 */

export const recordPublishedClips = (dataDir: string, manifest: ReadAloudManifest | undefined): void => {
  const wanted = manifest ?? { clips: [] };
  writeClipManifest(dataDir, wanted);
  pruneClipFiles(dataDir, wanted);
};

export type ClipFetchOutcome = { fetched: number; refused: number; failed: number };

export const fetchMissingClips = async (env: PhaseEnv): Promise<ClipFetchOutcome> => {
  const { dataDir } = env.host;
  const outcome: ClipFetchOutcome = { fetched: 0, refused: 0, failed: 0 };
  for (const clip of readClipManifest(dataDir).clips) {
    if (env.signal.aborted) break;
    if (hasClipFile(dataDir, clip)) continue;
    const r = await env.device.client.getClip(clip.audioSha256, MAX_CLIP_BYTES, env.device.signer, env.signal);
    if (!r.ok) {
      outcome.failed += 1;
      env.log('warn', `read-aloud clip ${clip.audioSha256} not fetched: ${r.message}`);
      continue;
    }
    const stored = storeClipFile(dataDir, clip, r.bytes);
    if (stored.ok) outcome.fetched += 1;
    else {
      outcome.refused += 1;
      env.log('error', `read-aloud clip refused: ${stored.problem}`);
    }
  }
  if (outcome.fetched + outcome.refused + outcome.failed > 0)
    env.log(
      'info',
      `read-aloud clips: ${outcome.fetched} fetched, ${outcome.refused} refused, ${outcome.failed} failed`,
    );
  return outcome;
};
