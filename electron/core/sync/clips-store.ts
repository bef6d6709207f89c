import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  MAX_CLIP_BYTES,
  type ReadAloudClip,
  ReadAloudManifest,
  type ReadAloudManifest as Manifest,
} from '../../../shared/read-aloud.ts';

/**
 * The read-aloud clips central published (issue 15), kept in DATA_DIR/clips: one file per clip named by
 * the SHA-256 of its audio, and manifest.json listing the clips in force. A clip is written only after
 * its bytes matched that SHA-256, and checked again each time it is read, so a file changed on disk is
 * never played. The manifest is replaced whole (temp file, rename), so a reader sees the old or the new.
 */

export const clipsDir = (dataDir: string): string => join(dataDir, 'clips');
const manifestPath = (dataDir: string) => join(clipsDir(dataDir), 'manifest.json');
const clipPath = (dataDir: string, audioSha256: string) => join(clipsDir(dataDir), `${audioSha256}.clip`);

export const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** The clips in force; an absent or unreadable manifest is no clips (read-aloud falls to the next source). */
export const readClipManifest = (dataDir: string): Manifest => {
  try {
    const parsed = ReadAloudManifest.safeParse(JSON.parse(readFileSync(manifestPath(dataDir), 'utf8')));
    return parsed.success ? parsed.data : { clips: [] };
  } catch {
    return { clips: [] };
  }
};

export const writeClipManifest = (dataDir: string, manifest: Manifest): void => {
  mkdirSync(clipsDir(dataDir), { recursive: true, mode: 0o700 });
  const tmp = `${manifestPath(dataDir)}.tmp`;
  writeFileSync(tmp, JSON.stringify(ReadAloudManifest.parse(manifest)), { mode: 0o600 });
  renameSync(tmp, manifestPath(dataDir));
};

/** True when the clip's file is there with the right size (its content is checked on every read). */
export const hasClipFile = (dataDir: string, clip: Pick<ReadAloudClip, 'audioSha256' | 'bytes'>): boolean => {
  const file = clipPath(dataDir, clip.audioSha256);
  return existsSync(file) && statSync(file).size === clip.bytes;
};

/** Keeps a clip's audio, refused unless its bytes are the ones the manifest names. */
export const storeClipFile = (
  dataDir: string,
  clip: Pick<ReadAloudClip, 'audioSha256' | 'bytes'>,
  bytes: Uint8Array,
): { ok: true } | { ok: false; problem: string } => {
  if (bytes.byteLength !== clip.bytes)
    return { ok: false, problem: `clip ${clip.audioSha256}: ${bytes.byteLength} bytes, expected ${clip.bytes}` };
  const actual = sha256Hex(bytes);
  if (actual !== clip.audioSha256)
    return { ok: false, problem: `clip ${clip.audioSha256}: its bytes hash to ${actual}, refused` };
  mkdirSync(clipsDir(dataDir), { recursive: true, mode: 0o700 });
  const tmp = `${clipPath(dataDir, clip.audioSha256)}.tmp`;
  writeFileSync(tmp, bytes, { mode: 0o600 });
  renameSync(tmp, clipPath(dataDir, clip.audioSha256));
  return { ok: true };
};

/** A listed clip's audio, only if its bytes still hash to its name; otherwise null (and the file goes). */
export const readClipFile = (dataDir: string, audioSha256: string): Buffer | null => {
  const file = clipPath(dataDir, audioSha256);
  if (!existsSync(file) || statSync(file).size > MAX_CLIP_BYTES) return null;
  const bytes = readFileSync(file);
  if (sha256Hex(bytes) === audioSha256) return bytes;
  rmSync(file, { force: true });
  return null;
};

/** Removes clip files the manifest no longer lists (after a new manifest is in force). */
export const pruneClipFiles = (dataDir: string, manifest: Manifest): void => {
  const keep = new Set(manifest.clips.map((c) => `${c.audioSha256}.clip`));
  if (!existsSync(clipsDir(dataDir))) return;
  for (const name of readdirSync(clipsDir(dataDir)))
    if (name.endsWith('.clip') && !keep.has(name)) rmSync(join(clipsDir(dataDir), name), { force: true });
};
