import { z } from 'zod';
import { sha256Hex } from '../shared/node/signing.ts';
import { firstRow } from './db/rows.ts';
import type { Queryable } from './db/types.ts';

/** The SHA-256 fingerprint of a central public key, as `npm run central` prints it and kiosks pin it. */
export const keyFingerprint = (publicKey: string): string => sha256Hex(Buffer.from(publicKey, 'base64url'));

export class CentralKeyMismatchError extends Error {
  constructor(
    readonly recorded: string,
    readonly held: string,
  ) {
    super(
      `this database belongs to the central key with fingerprint ${keyFingerprint(recorded)}, but this instance holds ${keyFingerprint(held)}: ` +
        'every instance on one database must use the same key file (copy central-key.json from the first instance, or point --key-file / CENTRAL_KEY_FILE at it); ' +
        'kiosks would refuse configuration signed with another key',
    );
    this.name = 'CentralKeyMismatchError';
  }
}

const IdentityRow = z.object({ public_key: z.string() });

/**
 * Records `publicKey` as the database's central key if none is recorded yet (the first instance to
 * start wins), and refuses with CentralKeyMismatchError if another one is: two instances with
 * different keys would each publish configuration that the kiosks enrolled with the other reject.
 */
export const claimCentralIdentity = async (db: Queryable, publicKey: string): Promise<void> => {
  await db.query('INSERT INTO central_identity (public_key) VALUES ($1) ON CONFLICT (only_row) DO NOTHING', [
    publicKey,
  ]);
  const row = firstRow(IdentityRow, await db.query('SELECT public_key FROM central_identity'));
  if (!row) throw new Error('central_identity: no row after recording one');
  if (row.public_key !== publicKey) throw new CentralKeyMismatchError(row.public_key, publicKey);
};
