import { randomBytes, hkdfSync } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  fsyncSync,
  linkSync,
  openSync,
  readFileSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { type KeyPairB64, newKeyPair, privateKeyFrom, publicKeyFrom } from '../shared/node/signing.ts';
import { secureDataDir } from './data-dir.ts';

export const CENTRAL_KEY_FILE = 'central-key.json';

const KeyFile = z.object({ publicKey: z.string().length(43), privateKey: z.string().min(1), createdAt: z.string() });

const errnoOf = (e: unknown): string | undefined => (e as NodeJS.ErrnoException).code;

/**
 * Writes a new key to `file` unless one is already there, atomically: the key goes to a private
 * temporary file beside it (complete and fsync'd), which is then hard-linked to the final name.
 * link(2) fails with EEXIST if the name exists, so of two processes starting together on one empty
 * data dir (or one shared key file) exactly one key wins, and a reader never sees a half-written file.
 * Returns false when another process's key was there first.
 */
const createKeyFileOnce = (file: string): boolean => {
  const tmp = join(dirname(file), `.${CENTRAL_KEY_FILE}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, `${JSON.stringify({ ...newKeyPair(), createdAt: new Date().toISOString() }, null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(tmp, file);
    return true;
  } catch (e) {
    if (errnoOf(e) === 'EEXIST') return false;
    throw e;
  } finally {
    unlinkSync(tmp);
  }
};

const readKeyFile = (file: string): KeyPairB64 => {
  if (process.platform !== 'win32' && (statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  const parsed = KeyFile.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success)
    throw new Error(`${file} is not a central key file: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  const pair = { publicKey: parsed.data.publicKey, privateKey: parsed.data.privateKey };
  // Fail at start, not at the first config request, if the file was damaged.
  publicKeyFrom(pair.publicKey);
  privateKeyFrom(pair.privateKey);
  return pair;
};

/**
 * Central's own Ed25519 key (it signs published configuration), kept with mode 0600: by default in
 * the data dir, or in `keyFile` (--key-file / CENTRAL_KEY_FILE), the one secret every instance of a
 * several-instance service must hold. Created on first start if missing (once, whoever starts first);
 * losing it means re-enrolling every kiosk, so back it up.
 */
export const loadOrCreateCentralKey = (dataDir: string, keyFile?: string): KeyPairB64 => {
  if (keyFile === undefined) secureDataDir(dataDir);
  const file = keyFile === undefined ? join(dataDir, CENTRAL_KEY_FILE) : resolve(keyFile);
  try {
    return readKeyFile(file);
  } catch (e) {
    if (errnoOf(e) !== 'ENOENT') throw e;
  }
  createKeyFileOnce(file);
  return readKeyFile(file);
};

/**
 * A secret for one purpose derived from the central key (HKDF-SHA256 over its private key, the
 * purpose as info): every instance holding the key derives the same one, with nothing more to share,
 * and nothing derived reveals the signing key. Used for the console login form's token.
 */
export const derivedServiceKey = (centralKey: KeyPairB64, purpose: string): Buffer =>
  Buffer.from(
    hkdfSync('sha256', Buffer.from(centralKey.privateKey, 'base64url'), 'khaosat central', `khaosat ${purpose}`, 32),
  );
