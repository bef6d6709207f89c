import { createGunzip } from 'node:zlib';

/**
 * Gunzip that stops doing work the moment it has enough or too much: the output is streamed chunk
 * by chunk, and the inflater is destroyed (no further input is inflated) once the output passes
 * `maxBytes`, reaches `stopAfter`, or `inspect` finds a problem in a chunk. A zip bomb therefore costs
 * at most one output chunk (256 KiB; 16 KiB for a prefix) past whichever bound it hits, unlike
 * `gunzipSync(…, { maxOutputLength })`, which inflates up to the bound before it can say no.
 */
export type GunzipBoundedOptions = {
  /** More output than this is refused (`too_large`). */
  maxBytes: number;
  /** Resolve with the first `stopAfter` bytes or more (a prefix), without inflating the rest. */
  stopAfter?: number;
  /** Called with each output chunk in order; a string refuses the body with that message. */
  inspect?: (chunk: Buffer) => string | null;
};

export type GunzipBounded =
  | { ok: true; bytes: Buffer; complete: boolean }
  | { ok: false; reason: 'too_large' | 'not_gzip' | 'refused'; message: string };

export const gunzipBounded = (body: Uint8Array, options: GunzipBoundedOptions): Promise<GunzipBounded> =>
  new Promise((resolve) => {
    // Big output chunks for a whole document (each chunk is a round trip to the zlib thread), small for a prefix.
    const gunzip = createGunzip({ chunkSize: options.stopAfter !== undefined ? 16 * 1024 : 256 * 1024 });
    const chunks: Buffer[] = [];
    let total = 0;
    let settled = false;
    const settle = (result: GunzipBounded) => {
      if (settled) return;
      settled = true;
      gunzip.destroy();
      resolve(result);
    };
    gunzip.on('data', (chunk: Buffer) => {
      total += chunk.length;
      if (total > options.maxBytes)
        return settle({ ok: false, reason: 'too_large', message: `over ${options.maxBytes} bytes after gunzip` });
      const problem = options.inspect?.(chunk) ?? null;
      if (problem !== null) return settle({ ok: false, reason: 'refused', message: problem });
      chunks.push(chunk);
      if (options.stopAfter !== undefined && total >= options.stopAfter)
        settle({ ok: true, bytes: Buffer.concat(chunks, total), complete: false });
    });
    gunzip.on('end', () => settle({ ok: true, bytes: Buffer.concat(chunks, total), complete: true }));
    gunzip.on('error', () => settle({ ok: false, reason: 'not_gzip', message: 'not intact gzip data' }));
    // Input goes in slices, so that stopping also leaves the rest of the input unread: a prefix is
    // read without ever reaching (or checking) the end of the stream.
    const slice = options.stopAfter !== undefined ? 512 : 64 * 1024;
    for (let at = 0; at < body.length; at += slice) gunzip.write(body.subarray(at, at + slice));
    gunzip.end();
  });
