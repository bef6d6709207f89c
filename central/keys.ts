import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { type KeyPairB64, newKeyPair, privateKeyFrom, publicKeyFrom } from '../shared/node/signing.ts';
import { secureDataDir } from './data-dir.ts';

export const CENTRAL_KEY_FILE = 'central-key.json';

const KeyFile = z.object({ publicKey: z.string().length(43), privateKey: z.string().min(1), createdAt: z.string() });

/**
 * Central's own Ed25519 key (it signs published configuration), kept in the data dir with mode 0600.
 * Created on first start; losing it means re-enrolling every kiosk, so back the data dir up.
 */
export const loadOrCreateCentralKey = (dataDir: string): KeyPairB64 => {
  secureDataDir(dataDir);
  const file = join(dataDir, CENTRAL_KEY_FILE);
  if (!existsSync(file)) {
    const pair = newKeyPair();
    writeFileSync(file, `${JSON.stringify({ ...pair, createdAt: new Date().toISOString() }, null, 2)}\n`, {
      mode: 0o600,
      flag: 'wx',
    });
    return pair;
  }
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
