import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ClipMime, MAX_CLIP_BYTES, MAX_CLIPS, type ReadAloudManifest, clipKeyInput } from '../../shared/read-aloud.ts';
import { LocaleCode } from '../../shared/locale.ts';
import { Int, Timestamp, firstRow, parseRows } from '../db/rows.ts';
import type { Queryable } from '../db/types.ts';

/**
 * The province's read-aloud clips (issue 15, migration 13): one recording per (language, exact text),
 * for every unit. Each published configuration carries their manifest; kiosks fetch the audio by its
 * SHA-256 from GET /v1/clips/<audioSha256>.
 */

const sha256 = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');

export class ClipRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClipRefusedError';
  }
}

/** Audio formats recognised by their first bytes: a clip is refused unless it is what it says it is. */
const sniffMime = (b: Uint8Array): ClipMime | null => {
  const ascii = (from: number, to: number) => String.fromCharCode(...b.subarray(from, to));
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WAVE') return 'audio/wav';
  if (ascii(0, 4) === 'OggS') return 'audio/ogg';
  if (ascii(0, 3) === 'ID3' || (b[0] === 0xff && ((b[1] ?? 0) & 0xe0) === 0xe0)) return 'audio/mpeg';
  if (b[0] === 0x1a && b[1] === 0x45 && b[2] === 0xdf && b[3] === 0xa3) return 'audio/webm';
  if (ascii(4, 8) === 'ftyp') return 'audio/mp4';
  return null;
};

export type AddedClip = { locale: string; textSha256: string; audioSha256: string; bytes: number; mime: ClipMime };

/** Adds (or replaces) the clip for one text. The text must be exactly as the configuration shows it. */
export const addClip = async (
  db: Queryable,
  input: { locale: string; text: string; audio: Uint8Array; now?: Date },
): Promise<AddedClip> => {
  if (!LocaleCode.safeParse(input.locale).success)
    throw new ClipRefusedError(`"${input.locale}" is not a language tag`);
  if (input.text.length === 0 || input.text.length > 2000)
    throw new ClipRefusedError('the text must be 1 to 2000 characters, exactly as the configuration shows it');
  if (input.audio.byteLength === 0 || input.audio.byteLength > MAX_CLIP_BYTES)
    throw new ClipRefusedError(
      `a clip must be 1 byte to ${MAX_CLIP_BYTES} bytes, this one is ${input.audio.byteLength}`,
    );
  const mime = sniffMime(input.audio);
  if (!mime) throw new ClipRefusedError('not an audio file the kiosk plays (WAV, Ogg, MP3, WebM or MP4)');
  const clip: AddedClip = {
    locale: input.locale,
    textSha256: sha256(clipKeyInput(input.locale, input.text)),
    audioSha256: sha256(input.audio),
    bytes: input.audio.byteLength,
    mime,
  };
  const count = firstRow(z.object({ n: Int }), await db.query('SELECT count(*) AS n FROM read_aloud_clips'));
  if ((count?.n ?? 0) >= MAX_CLIPS) throw new ClipRefusedError(`already ${MAX_CLIPS} clips; remove some first`);
  await db.query(
    `INSERT INTO read_aloud_clips (text_sha256, locale, audio_sha256, mime, bytes, audio, text, added_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (text_sha256) DO UPDATE SET audio_sha256 = excluded.audio_sha256, mime = excluded.mime,
       bytes = excluded.bytes, audio = excluded.audio, added_at = excluded.added_at`,
    [
      clip.textSha256,
      clip.locale,
      clip.audioSha256,
      mime,
      clip.bytes,
      Buffer.from(input.audio),
      input.text,
      input.now ?? new Date(),
    ],
  );
  return clip;
};

/** Removes the clip of one text; false when there was none. */
export const removeClip = async (db: Queryable, locale: string, text: string): Promise<boolean> => {
  const r = await db.query('DELETE FROM read_aloud_clips WHERE text_sha256 = $1 RETURNING text_sha256', [
    sha256(clipKeyInput(locale, text)),
  ]);
  return r.rows.length > 0;
};

const ManifestRow = z.object({
  locale: z.string(),
  text_sha256: z.string(),
  audio_sha256: z.string(),
  bytes: Int,
  mime: ClipMime,
});

/** The manifest every configuration carries; undefined when the province has no clips. */
export const clipManifest = async (db: Queryable): Promise<ReadAloudManifest | undefined> => {
  const rows = parseRows(
    ManifestRow,
    await db.query('SELECT locale, text_sha256, audio_sha256, bytes, mime FROM read_aloud_clips ORDER BY text_sha256'),
  );
  if (rows.length === 0) return undefined;
  return {
    clips: rows.map((r) => ({
      locale: r.locale,
      textSha256: r.text_sha256,
      audioSha256: r.audio_sha256,
      bytes: r.bytes,
      mime: r.mime,
    })),
  };
};

const ListRow = z.object({ locale: z.string(), text: z.string(), bytes: Int, mime: z.string(), added_at: Timestamp });

export const listClips = async (db: Queryable) =>
  parseRows(
    ListRow,
    await db.query('SELECT locale, text, bytes, mime, added_at FROM read_aloud_clips ORDER BY locale, text'),
  );

const AudioRow = z.object({ mime: ClipMime, audio: z.instanceof(Uint8Array) });

/** A clip's audio by its SHA-256, or undefined. */
export const readClipAudio = async (
  db: Queryable,
  audioSha256: string,
): Promise<{ mime: ClipMime; audio: Buffer } | undefined> => {
  const row = firstRow(
    AudioRow,
    await db.query('SELECT mime, audio FROM read_aloud_clips WHERE audio_sha256 = $1 LIMIT 1', [audioSha256]),
  );
  return row && { mime: row.mime, audio: Buffer.from(row.audio) };
};
