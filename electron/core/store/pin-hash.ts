import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/** A PIN as stored: scrypt with a per-PIN salt. N=2^15 costs ~50 ms here, cheap for a person, slow for a guesser. */
export const PinHash = z.object({
  scheme: z.literal('scrypt'),
  N: z.number().int(),
  r: z.number().int(),
  p: z.number().int(),
  salt: z.string(),
  hash: z.string(),
});
export type PinHash = z.infer<typeof PinHash>;

const PARAMS = { N: 2 ** 15, r: 8, p: 1 } as const;
const maxmem = 64 * 1024 * 1024;

export const hashPin = (pin: string): PinHash => {
  const salt = randomBytes(16);
  const hash = scryptSync(pin, salt, 32, { ...PARAMS, maxmem });
  return { scheme: 'scrypt', ...PARAMS, salt: salt.toString('base64'), hash: hash.toString('base64') };
};

export const verifyPin = (pin: string, stored: PinHash): boolean => {
  const expected = Buffer.from(stored.hash, 'base64');
  const actual = scryptSync(pin, Buffer.from(stored.salt, 'base64'), expected.length, {
    N: stored.N,
    r: stored.r,
    p: stored.p,
    maxmem,
  });
  return timingSafeEqual(actual, expected);
};
