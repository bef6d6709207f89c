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

/**
 * Canonical encodings of the eight points of order dividing 8 (the 8-torsion subgroup), as in
 * libsodium's `ge25519_has_small_order` blocklist: with such a public key one fixed signature verifies
 * for many messages, so it proves nothing about who signed. Order 1 (identity), 2, 4 (two), 8 (four).
 */
export const SMALL_ORDER_ENCODINGS: readonly string[] = [
  '0100000000000000000000000000000000000000000000000000000000000000', // identity (y = 1)
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', // order 2 (y = p - 1)
  '0000000000000000000000000000000000000000000000000000000000000000', // order 4 (y = 0), also "all zero"
  '0000000000000000000000000000000000000000000000000000000000000080', // order 4 (y = 0, x negative)
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05', // order 8
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85', // order 8
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a', // order 8
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa', // order 8
];

const P = 2n ** 255n - 19n;
const D = (-121665n * modInverse(121666n)) % P;
const SQRT_M1 = modPow(2n, (P - 1n) / 4n);

function modPow(base: bigint, exp: bigint): bigint {
  let result = 1n;
  let b = ((base % P) + P) % P;
  for (let e = exp; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % P;
    b = (b * b) % P;
  }
  return result;
}

function modInverse(a: bigint): bigint {
  return modPow(a, P - 2n);
}

const mod = (a: bigint): bigint => ((a % P) + P) % P;

/** Why 32 bytes are not a canonical encoding of a point on edwards25519 (RFC 8032 5.1.3), or undefined. */
const pointEncodingProblem = (bytes: Buffer): string | undefined => {
  const sign = bytes[31]! >> 7;
  const yBytes = Buffer.from(bytes);
  yBytes[31]! &= 0x7f;
  const y = BigInt(`0x${Buffer.from(yBytes).reverse().toString('hex')}`);
  if (y >= P) return 'not a canonical encoding (y is not reduced modulo p)';
  const u = mod(y * y - 1n);
  const v = mod(D * y * y + 1n);
  let x = mod(u * v ** 3n * modPow(u * v ** 7n, (P - 5n) / 8n));
  const vx2 = mod(v * x * x);
  if (vx2 === mod(-u)) x = mod(x * SQRT_M1);
  else if (vx2 !== u) return 'not a point on the Ed25519 curve';
  if (x === 0n && sign === 1) return 'not a canonical encoding (x is zero with its sign bit set)';
  return undefined;
};

/**
 * Why a raw Ed25519 public key (base64url of 32 bytes) must not be trusted, or undefined when it is a
 * sound key: malformed text or length, a non-canonical or off-curve encoding, or a small-order point.
 * Node's own key import accepts all of these; enrolment must refuse them (docs/sync-protocol.md).
 */
export const publicKeyProblem = (rawB64: string): string | undefined => {
  if (!/^[A-Za-z0-9_-]{43}$/.test(rawB64)) return 'not 32 bytes in unpadded base64url (43 characters)';
  const bytes = Buffer.from(rawB64, 'base64url');
  if (bytes.length !== 32 || bytes.toString('base64url') !== rawB64)
    return 'not a canonical base64url encoding of 32 bytes';
  const problem = pointEncodingProblem(bytes);
  if (problem) return problem;
  if (SMALL_ORDER_ENCODINGS.includes(bytes.toString('hex')))
    return 'a small-order point (a weak key: one signature would verify for many messages)';
  return undefined;
};

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
