import { createPrivateKey, createPublicKey } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { type ContactKeyPair, contactKeyId, newContactKeyPair } from '../../shared/node/contact-seal.ts';
import { secureDataDir } from '../data-dir.ts';

export const CONTACT_KEY_FILE = 'central-contact-key.json';

const KeyFile = z.object({
  keyId: z.string().regex(/^[0-9a-f]{16}$/),
  publicKey: z.string().length(43),
  privateKey: z.string().min(1),
  createdAt: z.string(),
});

/** The raw public key the private key belongs to (a file whose halves do not match is refused at start). */
const publicOf = (privateKey: string): string =>
  Buffer.from(
    createPublicKey(
      createPrivateKey({ key: Buffer.from(privateKey, 'base64url'), format: 'der', type: 'pkcs8' }),
    ).export({ format: 'jwk' }).x ?? '',
    'base64url',
  ).toString('base64url');

const readKeyFile = (file: string): ContactKeyPair => {
  if (process.platform !== 'win32' && (statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  const parsed = KeyFile.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success)
    throw new Error(`${file} is not a contact key file: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  const { keyId, publicKey, privateKey } = parsed.data;
  if (contactKeyId(publicKey) !== keyId || publicOf(privateKey) !== publicKey)
    throw new Error(`${file} is damaged: its key id, public and private key do not belong together`);
  return { keyId, publicKey, privateKey };
};

/**
 * Central's X25519 contact key (kiosks seal citizens' phone numbers to it; only this private key
 * opens them), in the data dir with mode 0600 beside central-key.json. Created on first start;
 * losing it makes the contacts not yet called back unreadable, so back the data dir up. Two processes
 * starting on an empty data dir end with one key: the file is created exclusively and the loser reads it.
 * With several instances the central key is one shared file (--key-file); the contact key then lives
 * beside it (`beside`), so sharing that directory shares both keys.
 */
export const loadOrCreateContactKey = (dataDir: string, beside?: string): ContactKeyPair => {
  if (beside === undefined) secureDataDir(dataDir);
  const file = join(beside === undefined ? dataDir : dirname(resolve(beside)), CONTACT_KEY_FILE);
  if (!existsSync(file)) {
    const pair = newContactKeyPair();
    try {
      writeFileSync(file, `${JSON.stringify({ ...pair, createdAt: new Date().toISOString() }, null, 2)}\n`, {
        mode: 0o600,
        flag: 'wx',
      });
      return pair;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  return readKeyFile(file);
};
