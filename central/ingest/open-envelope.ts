import { gunzipBounded } from '../../shared/node/bounded-gunzip.ts';
import { publicKeyFrom, verifyBytes } from '../../shared/node/signing.ts';
import { JsonLimitScanner, checkJsonLimits } from '../../shared/json-limits.ts';
import { BatchEnvelope, LIMITS, Signed } from '../../shared/sync.ts';
import { SyncError, checkProtocol, parseOrThrow } from '../errors.ts';

/** The signer as central knows it: enough to verify a batch, cheap to send to a worker. */
export type DeviceKey = { id: string; publicKey: string };

const unpack = async (body: Uint8Array): Promise<Buffer> => {
  // The Signed JSON is one flat object of strings: a nested byte is refused as it is inflated.
  const scanner = new JsonLimitScanner(LIMITS.documentJson);
  const out = await gunzipBounded(body, {
    maxBytes: LIMITS.maxDocumentBytes,
    inspect: (chunk) => scanner.feed(chunk)?.message ?? null,
  });
  if (out.ok) return out.bytes;
  if (out.reason === 'too_large')
    throw new SyncError('too_large', `the batch is over ${LIMITS.maxDocumentBytes} bytes after gunzip`);
  if (out.reason === 'not_gzip')
    throw new SyncError(
      'invalid_body',
      'the batch is not intact gzip data (damaged in transit or on disk, or not a .kbatch file)',
      { field: '(root)' },
    );
  throw new SyncError('invalid_body', `not a signed batch document: ${out.message}`, { field: '(root)' });
};

const parseJson = (bytes: Buffer, what: string, field: string): unknown => {
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown;
  } catch {
    throw new SyncError('invalid_body', `${what} is not JSON`, { field });
  }
};

/**
 * Steps 2, 4 and 5 of "What central does" for a batch whose signer is already known and not revoked:
 * gunzip (bounded, stopped at the first byte past a limit), the Signed JSON (depth, elements, string
 * length checked before JSON.parse), the signature over the payload bytes BEFORE they are parsed, then
 * the envelope (limits, protocol, schema, device). The CPU-heavy part of an ingest: the server runs it
 * in a worker thread (worker-pool.ts) so that nothing a client sends can hold up the event loop.
 */
export const openEnvelope = async (body: Uint8Array, device: DeviceKey): Promise<BatchEnvelope> => {
  const doc = parseOrThrow(
    Signed,
    parseJson(await unpack(body), 'the batch after gunzip', '(root)'),
    'not a signed batch document',
  );
  if (doc.format !== 'kbatch')
    throw new SyncError('invalid_body', `expected a signed document of format "kbatch", got "${doc.format}"`, {
      field: 'format',
    });
  if (doc.signer !== device.id)
    throw new SyncError('invalid_body', `the document names its signer twice, differently (${device.id} first)`, {
      field: 'signer',
    });
  const bytes = Buffer.from(doc.payload, 'base64url');
  if (bytes.length > LIMITS.maxEnvelopeBytes)
    throw new SyncError('too_large', `the signed payload is over ${LIMITS.maxEnvelopeBytes} bytes`);
  if (!verifyBytes(bytes, doc.signature, publicKeyFrom(device.publicKey))) {
    throw new SyncError(
      'bad_signature',
      `the batch's signature does not match device ${device.id}'s enrolled key: it was altered after signing, or signed by another key`,
    );
  }
  const breach = checkJsonLimits(bytes, LIMITS.envelopeJson);
  if (breach)
    throw new SyncError('invalid_body', `the signed envelope is refused: ${breach.message}`, { field: 'payload' });
  const value = parseJson(bytes, 'the signed payload', 'payload');
  // Protocol first (a newer envelope may have another shape), then the schema.
  checkProtocol(value);
  const envelope = parseOrThrow(BatchEnvelope, value, 'batch envelope');
  if (envelope.deviceId !== device.id) {
    throw new SyncError(
      'bad_signature',
      `the envelope is for device ${envelope.deviceId} but was signed by ${device.id}`,
      {
        field: 'deviceId',
      },
    );
  }
  return envelope;
};
