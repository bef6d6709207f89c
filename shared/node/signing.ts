import {
  type KeyObject,
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
} from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { LIMITS, Signed } from '../sync.ts';

/**
 * Ed25519 signing and the gzip'd signed-document format shared by the kiosk core and the central
 * service (Node only: the renderer never signs). See docs/sync-protocol.md, "Signed documents".
 */

export type KeyPairB64 = { publicKey: string; privateKey: string };

/** A new Ed25519 key pair: public key as raw 32 bytes base64url, private key as PKCS#8 DER base64url. */
export const newKeyPair = (): KeyPairB64 => {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'jwk' }).x!;
  return { publicKey: raw, privateKey: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64url') };
};

export const privateKeyFrom = (pkcs8B64: string): KeyObject =>
  createPrivateKey({ key: Buffer.from(pkcs8B64, 'base64url'), format: 'der', type: 'pkcs8' });

export const publicKeyFrom = (rawB64: string): KeyObject =>
  createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: rawB64 }, format: 'jwk' });

export const sha256Hex = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');

export const signBytes = (bytes: Uint8Array, privateKey: KeyObject): string =>
  sign(null, bytes, privateKey).toString('base64url');

export const verifyBytes = (bytes: Uint8Array, signatureB64: string, publicKey: KeyObject): boolean => {
  try {
    return verify(null, bytes, publicKey, Buffer.from(signatureB64, 'base64url'));
  } catch {
    return false;
  }
};

/** Signs a value's JSON bytes; the bytes travel verbatim, so no canonical form is needed. */
export const makeSigned = (format: Signed['format'], signer: string, value: unknown, privateKey: KeyObject): Signed => {
  const bytes = Buffer.from(JSON.stringify(value), 'utf8');
  return { format, signer, payload: bytes.toString('base64url'), signature: signBytes(bytes, privateKey) };
};

export type OpenSignedFailure = {
  ok: false;
  reason: 'too_large' | 'not_gzip' | 'invalid_body' | 'bad_signature';
  message: string;
  field?: string;
};

/** Gzip'd `Signed` JSON: the HTTP body of POST /v1/batches and the content of a .kbatch file. */
export const encodeSignedDocument = (doc: Signed): Buffer => gzipSync(Buffer.from(JSON.stringify(doc), 'utf8'));

/** Gunzips (bounded, against zip bombs) and parses a signed document without verifying it yet. */
export const decodeSignedDocument = (body: Uint8Array): { ok: true; doc: Signed } | OpenSignedFailure => {
  if (body.length > LIMITS.maxCompressedBytes)
    return { ok: false, reason: 'too_large', message: `over ${LIMITS.maxCompressedBytes} bytes compressed` };
  let json: Buffer;
  try {
    json = gunzipSync(body, { maxOutputLength: LIMITS.maxEnvelopeBytes * 2 });
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ERR_BUFFER_TOO_LARGE' || code === 'ERR_OUT_OF_RANGE')
      return { ok: false, reason: 'too_large', message: 'over the size limit after gunzip' };
    return { ok: false, reason: 'not_gzip', message: 'body is not gzip data' };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(json.toString('utf8'));
  } catch {
    return { ok: false, reason: 'invalid_body', message: 'not JSON after gunzip' };
  }
  const doc = Signed.safeParse(parsed);
  if (!doc.success) {
    const issue = doc.error.issues[0];
    return {
      ok: false,
      reason: 'invalid_body',
      message: issue?.message ?? 'not a signed document',
      field: issue?.path.join('.'),
    };
  }
  return { ok: true, doc: doc.data };
};

/** Verifies a signed document's signature, then returns its payload parsed as JSON (still unvalidated). */
export const openSigned = (doc: Signed, publicKey: KeyObject): { ok: true; value: unknown } | OpenSignedFailure => {
  const bytes = Buffer.from(doc.payload, 'base64url');
  if (bytes.length > LIMITS.maxEnvelopeBytes)
    return { ok: false, reason: 'too_large', message: 'payload over the envelope limit' };
  if (!verifyBytes(bytes, doc.signature, publicKey))
    return { ok: false, reason: 'bad_signature', message: `signature does not match ${doc.signer}'s key` };
  try {
    return { ok: true, value: JSON.parse(bytes.toString('utf8')) as unknown };
  } catch {
    return { ok: false, reason: 'invalid_body', message: 'signed payload is not JSON' };
  }
};
