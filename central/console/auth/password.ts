import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * Console passwords as stored: `scrypt$N$r$p$<salt b64>$<hash b64>`, a per-password salt. N=2^15
 * costs ~50-100 ms here: cheap for a person logging in, slow for a guesser with a stolen database.
 * Asynchronous, so a login does not stall the batch ingest sharing this event loop.
 */
const PARAMS = { N: 2 ** 15, r: 8, p: 1 } as const;
const MAXMEM = 64 * 1024 * 1024;
const KEY_LEN = 32;

export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 200;

const derive = (password: string, salt: Buffer, N: number, r: number, p: number, len: number): Promise<Buffer> =>
  new Promise((ok, fail) =>
    scrypt(password.normalize('NFC'), salt, len, { N, r, p, maxmem: MAXMEM }, (e, key) => (e ? fail(e) : ok(key))),
  );

export const hashPassword = async (password: string): Promise<string> => {
  const salt = randomBytes(16);
  const key = await derive(password, salt, PARAMS.N, PARAMS.r, PARAMS.p, KEY_LEN);
  return `scrypt$${PARAMS.N}$${PARAMS.r}$${PARAMS.p}$${salt.toString('base64')}$${key.toString('base64')}`;
};

export const verifyPassword = async (password: string, stored: string): Promise<boolean> => {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = await derive(password, Buffer.from(salt, 'base64'), Number(n), Number(r), Number(p), expected.length);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
};

/** Spends the same time as a real check, for unknown usernames (no timing hint that an account exists). */
let dummy: Promise<string> | undefined;
export const verifyNothing = async (password: string): Promise<false> => {
  dummy ??= hashPassword('not a password of anyone');
  await verifyPassword(password, await dummy);
  return false;
};

/** Why a new password is refused, or null. */
export const passwordProblem = (password: string): 'too_short' | 'too_long' | null =>
  [...password].length < PASSWORD_MIN ? 'too_short' : [...password].length > PASSWORD_MAX ? 'too_long' : null;

/** A password for a new account when none is given: 20 characters, printed once. */
export const generatePassword = (): string => randomBytes(15).toString('base64url');
