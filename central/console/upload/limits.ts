import type { FastifyRequest } from 'fastify';
import { ConsoleError } from '../context.ts';

/** The plain form (no script) sends every file in one request: its declared length is capped up front. */
export const MAX_FORM_UPLOAD_BYTES = 64 * 1024 * 1024;
/** Files in one plain-form upload. */
export const MAX_FORM_FILES = 500;

/**
 * Uploads refuse a body that does not say how long it is, or says it is too long, before reading
 * a byte of it: a 200 MB file is turned away at once, not buffered.
 */
export const checkDeclaredLength = (req: FastifyRequest, max: number): void => {
  const declared = req.headers['content-length'];
  if (declared === undefined) throw new ConsoleError(411, 'errors.lengthRequired');
  const n = Number(declared);
  if (!Number.isSafeInteger(n) || n < 0) throw new ConsoleError(400, 'errors.badRequest');
  if (n > max) throw new ConsoleError(413, 'errors.tooLarge', { max: Math.round(max / 1024 / 1024) });
};
