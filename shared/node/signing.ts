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
import { gunzipBounded } from './bounded-gunzip.ts';

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

/** What a Signed document says about itself in its first bytes: read before anything else is unpacked. */
export type SignedHead = { format: string; signer: string };

/** One `"key": "string value"` member of a JSON object, then `,` or `}` (sticky: matches at lastIndex). */
const HEAD_MEMBER = /\s*"((?:[^"\\]|\\.)*)"\s*:\s*"((?:[^"\\]|\\.)*)"\s*([,}])/y;

/**
 * Reads `format` and `signer` from the start of a gzip'd Signed document, inflating only its first
 * `LIMITS.signedHeadBytes` bytes, so that a receiver can refuse an unknown or revoked signer before
 * it unpacks (or even looks at) the rest. Every encoder of this format writes `format` and `signer`
 * before `payload` (JSON.stringify of { format, signer, payload, signature }); a document that does
 * not is refused. The whole document is parsed later, and its signer must be the same.
 */
export const readSignedHead = async (body: Uint8Array): Promise<{ ok: true; head: SignedHead } | OpenSignedFailure> => {
  const window = LIMITS.signedHeadBytes;
  const prefix = await gunzipBounded(body, { maxBytes: window + 64 * 1024, stopAfter: window });
  if (!prefix.ok) return { ok: false, reason: 'not_gzip', message: prefix.message };
  const text = prefix.bytes.subarray(0, window).toString('utf8');
  const open = /^\s*\{/.exec(text);
  const found: Partial<Record<'format' | 'signer', string>> = {};
  if (open) {
    HEAD_MEMBER.lastIndex = open[0].length;
    for (let m = HEAD_MEMBER.exec(text); m; m = HEAD_MEMBER.exec(text)) {
      const [, key, value, end] = m;
      if (key === 'format' || key === 'signer') {
        if (found[key] !== undefined)
          return { ok: false, reason: 'invalid_body', message: `"${key}" twice`, field: key };
        found[key] = value;
      }
      if ((found.format !== undefined && found.signer !== undefined) || end === '}') break;
    }
  }
  if (found.format === undefined || found.signer === undefined) {
    return {
      ok: false,
      reason: 'invalid_body',
      message: `a signed document must begin with its "format" and "signer" (within its first ${window} bytes)`,
      field: found.format === undefined ? 'format' : 'signer',
    };
  }
  return { ok: true, head: { format: found.format, signer: found.signer } };
};
