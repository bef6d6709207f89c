import { z } from 'zod';
import { LocaleCode } from './locale.ts';

/**
 * Read-aloud clips (issue 15): recorded audio for one exact text in one language. A clip is found by
 * CONTENT, never by question id: its key is the SHA-256 of `${locale}\n${text}` (clipKeyInput), so a
 * wording changed after a province recorded it finds no clip and goes to the next source instead of
 * playing stale audio. The audio itself is named by its own SHA-256, which the kiosk checks before use.
 */

export const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'expected a SHA-256 in lower-case hex (64 digits)');

/** What a kiosk plays: formats Chromium decodes without extra codecs. */
export const ClipMime = z.enum(['audio/mpeg', 'audio/ogg', 'audio/wav', 'audio/webm', 'audio/mp4']);
export type ClipMime = z.infer<typeof ClipMime>;

/** One clip is one sentence or answer; 2 MiB is minutes of compressed speech. */
export const MAX_CLIP_BYTES = 2 * 1024 * 1024;
/** Every text of a few questionnaires in a few languages, with room to spare. */
export const MAX_CLIPS = 5000;

export const ReadAloudClip = z.strictObject({
  locale: LocaleCode,
  /** SHA-256 of clipKeyInput(locale, text). */
  textSha256: Sha256Hex,
  /** SHA-256 of the audio bytes: the name central serves it under, checked by the kiosk. */
  audioSha256: Sha256Hex,
  bytes: z.number().int().min(1).max(MAX_CLIP_BYTES),
  mime: ClipMime,
});
export type ReadAloudClip = z.infer<typeof ReadAloudClip>;

/** The clip list a configuration carries (PublishedConfig.readAloud): one clip per (locale, text). */
export const ReadAloudManifest = z
  .strictObject({ clips: z.array(ReadAloudClip).max(MAX_CLIPS) })
  .superRefine((m, ctx) => {
    const seen = new Set<string>();
    m.clips.forEach((c, i) => {
      if (seen.has(c.textSha256))
        ctx.addIssue({ code: 'custom', path: ['clips', i, 'textSha256'], message: 'a second clip for one text' });
      seen.add(c.textSha256);
    });
  });
export type ReadAloudManifest = z.infer<typeof ReadAloudManifest>;

/**
 * The string whose SHA-256 keys a clip: the language, a newline, the exact text as shown (no trimming,
 * no normalisation: a different byte is a different wording). The locale is inside the hash, so one
 * hash names one (language, text) pair.
 */
export const clipKeyInput = (locale: string, text: string): string => `${locale}\n${text}`;
