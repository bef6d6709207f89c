import type { KioskHandlers } from '../../shared/api.ts';
import { refuse } from './result.ts';
import type { Logger } from './runtime.ts';
import { hasClipFile, readClipFile, readClipManifest } from './sync/clips-store.ts';

/**
 * The renderer's way to the read-aloud clips the config phase fetched into DATA_DIR/clips (issue 15):
 * the list of clips whose files are there, and one clip's audio, re-checked against its SHA-256 on
 * every read so a file altered on disk is refused (and removed) instead of played.
 */
export const readAloudHandlers = (
  dataDir: string,
  log: Logger,
): Pick<KioskHandlers, 'readAloudClips' | 'readAloudClip'> => ({
  readAloudClips: () => ({
    ok: true,
    value: {
      clips: readClipManifest(dataDir)
        .clips.filter((c) => hasClipFile(dataDir, c))
        .map(({ locale, textSha256, audioSha256, mime }) => ({ locale, textSha256, audioSha256, mime })),
    },
  }),
  readAloudClip: ({ audioSha256 }) => {
    const clip = readClipManifest(dataDir).clips.find((c) => c.audioSha256 === audioSha256);
    if (!clip) return refuse('not_found', 'no such read-aloud clip');
    const bytes = readClipFile(dataDir, audioSha256);
    if (!bytes) {
      log('warn', `read-aloud clip ${audioSha256} missing or altered on disk; not played`);
      return refuse('not_found', 'the read-aloud clip is missing or damaged');
    }
    return { ok: true, value: { mime: clip.mime, base64: bytes.toString('base64') } };
  },
});
