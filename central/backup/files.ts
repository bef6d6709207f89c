import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, readFileSync, readdirSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { isKeyFileName } from './format.ts';

export const sha256Of = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** Flushes a file (or directory) to disk: a backup that only reached the page cache is not one. */
export const fsyncPath = async (path: string): Promise<void> => {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
};

/**
 * Writes the chunks gzip'd to a new file (mode 0600, refused if it exists), fsync'd; returns its
 * size and SHA-256, computed on the bytes as written.
 */
export const writeGzipFile = async (
  path: string,
  chunks: AsyncIterable<string>,
): Promise<{ bytes: number; sha256: string }> => {
  const hash = createHash('sha256');
  let bytes = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  await pipeline(chunks, createGzip({ level: 6 }), tap, createWriteStream(path, { flags: 'wx', mode: 0o600 }));
  await fsyncPath(path);
  return { bytes, sha256: hash.digest('hex') };
};

/** Size and SHA-256 of a file, streamed (a responses table can be gigabytes). */
export const hashFile = async (path: string): Promise<{ bytes: number; sha256: string }> => {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { bytes, sha256: hash.digest('hex') };
};

/** The key files of a data dir (central-*.json), by name, with their bytes; none when it has no such dir. */
export const readKeyFiles = (dataDir: string): { name: string; bytes: Buffer }[] => {
  let names: string[];
  try {
    names = readdirSync(dataDir).filter(isKeyFileName).sort();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  return names.map((name) => ({ name, bytes: readFileSync(join(dataDir, name)) }));
};
