import { decodeSignedDocument, openSigned, publicKeyFrom } from '../../shared/node/signing.ts';
import { BatchEnvelope, LIMITS } from '../../shared/sync.ts';
import { SyncError, checkProtocol, parseOrThrow } from '../errors.ts';
import type { Queryable } from '../db/types.ts';
import { type DeviceRecord, findDevice } from '../ops/devices.ts';

export type OpenedBatch = { device: DeviceRecord; envelope: BatchEnvelope };

/** The signer named by a gzip'd Signed body, without trusting it yet (steps 1-2 of "What central does"). */
export const decodeBatchBody = (body: Uint8Array): { signer: string; open: (device: DeviceRecord) => OpenedBatch } => {
  if (body.length > LIMITS.maxCompressedBytes)
    throw new SyncError(
      'too_large',
      `the batch is ${body.length} bytes; at most ${LIMITS.maxCompressedBytes} gzip'd bytes are accepted`,
    );
  const decoded = decodeSignedDocument(body);
  if (!decoded.ok) {
    if (decoded.reason === 'too_large')
      throw new SyncError(
        'too_large',
        `the batch is ${decoded.message}; at most ${LIMITS.maxEnvelopeBytes} bytes after gunzip`,
      );
    if (decoded.reason === 'not_gzip') {
      throw new SyncError(
        'invalid_body',
        'the batch is not intact gzip data (damaged in transit or on disk, or not a .kbatch file)',
        { field: '(root)' },
      );
    }
    throw new SyncError(
      'invalid_body',
      `not a signed batch document: ${decoded.field ? `${decoded.field}: ` : ''}${decoded.message}`,
      { field: decoded.field || '(root)' },
    );
  }
  const doc = decoded.doc;
  if (doc.format !== 'kbatch')
    throw new SyncError('invalid_body', `expected a signed document of format "kbatch", got "${doc.format}"`, {
      field: 'format',
    });
  return {
    signer: doc.signer,
    open: (device) => {
      // Verify the signature over the payload bytes BEFORE parsing them (steps 3-4).
      const opened = openSigned(doc, publicKeyFrom(device.publicKey));
      if (!opened.ok) {
        if (opened.reason === 'bad_signature') {
          throw new SyncError(
            'bad_signature',
            `the batch's signature does not match device ${device.id}'s enrolled key: it was altered after signing, or signed by another key`,
          );
        }
        if (opened.reason === 'too_large')
          throw new SyncError('too_large', `the signed payload is over ${LIMITS.maxEnvelopeBytes} bytes`);
        throw new SyncError('invalid_body', `the signed payload is not JSON`, { field: 'payload' });
      }
      // Step 5: protocol first (a newer envelope may have another shape), then the schema.
      checkProtocol(opened.value);
      const envelope = parseOrThrow(BatchEnvelope, opened.value, 'batch envelope');
      if (envelope.deviceId !== device.id) {
        throw new SyncError(
          'bad_signature',
          `the envelope is for device ${envelope.deviceId} but was signed by ${device.id}`,
          { field: 'deviceId' },
        );
      }
      return { device, envelope };
    },
  };
};

/** Steps 1-5 of "What central does": size, shape, signer, signature, envelope. Stores nothing. */
export const openBatch = async (db: Queryable, body: Uint8Array): Promise<OpenedBatch> => {
  const { signer, open } = decodeBatchBody(body);
  const device = await findDevice(db, signer);
  if (!device)
    throw new SyncError(
      'unknown_device',
      `device ${JSON.stringify(signer)} is not enrolled here; enrol it first (kioskctl enroll)`,
    );
  if (device.revokedAt)
    throw new SyncError(
      'device_revoked',
      `device ${device.id} was revoked on ${device.revokedAt.toISOString()}; its batches are refused`,
    );
  return open(device);
};
