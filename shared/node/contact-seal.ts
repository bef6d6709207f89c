import {
  type KeyObject,
  createCipheriv,
  createDecipheriv,
  createHash,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
  randomBytes,
} from 'node:crypto';
import { ContactDetails, type PublishedContactKey, type SealedBox } from '../follow-up.ts';

/**
 * Sealing a citizen's contact to the central service (an ECIES in the manner of libsodium's sealed box
 * and HPKE's base mode, from node:crypto's primitives only): the kiosk generates an ephemeral X25519
 * key, agrees a secret with central's public key, derives an AES-256-GCM key with HKDF-SHA256 bound to
 * both public keys, and encrypts with the response id as associated data. The ephemeral private key
 * is dropped at once, so nothing on the kiosk can open the box again; only central's private key can.
 */

const ALG = 'x25519-hkdf-sha256-aes256gcm' as const;
const INFO = 'kiosk-contact-v1';

export type ContactKeyPair = PublishedContactKey & { privateKey: string };

const rawPublic = (key: KeyObject): Buffer => Buffer.from(key.export({ format: 'jwk' }).x ?? '', 'base64url');

const x25519Public = (rawB64: string): KeyObject =>
  createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: rawB64 }, format: 'jwk' });

/** The first 16 hex digits of SHA-256 over the raw public key: which key a box was sealed to. */
export const contactKeyId = (publicKeyB64: string): string =>
  createHash('sha256').update(Buffer.from(publicKeyB64, 'base64url')).digest('hex').slice(0, 16);

/** A new central contact key: public raw base64url, private PKCS#8 DER base64url. */
export const newContactKeyPair = (): ContactKeyPair => {
  const { publicKey, privateKey } = generateKeyPairSync('x25519');
  const pub = rawPublic(publicKey).toString('base64url');
  return {
    keyId: contactKeyId(pub),
    publicKey: pub,
    privateKey: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64url'),
  };
};

const aeadKey = (shared: Buffer, ephemeralPub: Buffer, recipientPub: Buffer): Buffer =>
  Buffer.from(hkdfSync('sha256', shared, Buffer.concat([ephemeralPub, recipientPub]), INFO, 32));

/** Seals the contact for `responseId` to central's published key. Validates the details first. */
export const sealContact = (key: PublishedContactKey, responseId: string, details: ContactDetails): SealedBox => {
  const plain = Buffer.from(JSON.stringify(ContactDetails.parse(details)), 'utf8');
  const recipient = x25519Public(key.publicKey);
  const eph = generateKeyPairSync('x25519');
  const ephPub = rawPublic(eph.publicKey);
  const shared = diffieHellman({ privateKey: eph.privateKey, publicKey: recipient });
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', aeadKey(shared, ephPub, rawPublic(recipient)), nonce);
  cipher.setAAD(Buffer.from(responseId, 'utf8'));
  const body = Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
  plain.fill(0);
  return {
    alg: ALG,
    keyId: key.keyId,
    ephemeralPublicKey: ephPub.toString('base64url'),
    nonce: nonce.toString('base64url'),
    ciphertext: body.toString('base64url'),
  };
};

export class ContactSealError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ContactSealError';
  }
}

/** Opens a box with central's private key; throws ContactSealError for another key, another response or a changed byte. */
export const openContact = (key: ContactKeyPair, responseId: string, box: SealedBox): ContactDetails => {
  if (box.keyId !== key.keyId) throw new ContactSealError(`sealed to key ${box.keyId}, not ${key.keyId}`);
  const priv = createPrivateKey({ key: Buffer.from(key.privateKey, 'base64url'), format: 'der', type: 'pkcs8' });
  const ephPub = Buffer.from(box.ephemeralPublicKey, 'base64url');
  const shared = diffieHellman({ privateKey: priv, publicKey: x25519Public(box.ephemeralPublicKey) });
  const body = Buffer.from(box.ciphertext, 'base64url');
  if (body.length < 17) throw new ContactSealError('the sealed contact is too short');
  const decipher = createDecipheriv(
    'aes-256-gcm',
    aeadKey(shared, ephPub, Buffer.from(key.publicKey, 'base64url')),
    Buffer.from(box.nonce, 'base64url'),
  );
  decipher.setAAD(Buffer.from(responseId, 'utf8'));
  decipher.setAuthTag(body.subarray(body.length - 16));
  let plain: Buffer;
  try {
    plain = Buffer.concat([decipher.update(body.subarray(0, body.length - 16)), decipher.final()]);
  } catch {
    throw new ContactSealError('the sealed contact does not open with this key for this response');
  }
  const parsed = ContactDetails.safeParse(JSON.parse(plain.toString('utf8')));
  plain.fill(0);
  if (!parsed.success) throw new ContactSealError('the sealed contact is not a contact');
  return parsed.data;
};
