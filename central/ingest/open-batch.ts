import { readSignedHead } from '../../shared/node/signing.ts';
import { type BatchEnvelope, LIMITS } from '../../shared/sync.ts';
import { SyncError } from '../errors.ts';
import type { Queryable } from '../db/types.ts';
import { type DeviceRecord, findDevice } from '../ops/devices.ts';
import { type BatchOpener, inlineOpener } from './worker-pool.ts';

export type OpenedBatch = { device: DeviceRecord; envelope: BatchEnvelope };

/**
 * The cheap checks, on the event loop, before any real work: size, then the signer named in the
 * first bytes of the document (a 1 KiB prefix is all that is inflated), known and not revoked.
 */
const knownSigner = async (db: Queryable, body: Uint8Array): Promise<DeviceRecord> => {
  if (body.length > LIMITS.maxCompressedBytes)
    throw new SyncError(
      'too_large',
      `the batch is ${body.length} bytes; at most ${LIMITS.maxCompressedBytes} gzip'd bytes are accepted`,
    );
  const read = await readSignedHead(body);
  if (!read.ok) {
    if (read.reason === 'not_gzip')
      throw new SyncError(
        'invalid_body',
        'the batch is not intact gzip data (damaged in transit or on disk, or not a .kbatch file)',
        { field: '(root)' },
      );
    throw new SyncError('invalid_body', `not a signed batch document: ${read.message}`, {
      field: read.field ?? '(root)',
    });
  }
  const { format, signer } = read.head;
  if (format !== 'kbatch')
    throw new SyncError('invalid_body', `expected a signed document of format "kbatch", got "${format}"`, {
      field: 'format',
    });
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
  return device;
};

/**
 * Steps 1-5 of "What central does": size and signer here, then gunzip, limits, signature and
 * envelope by `opener` (the server's worker pool; in-thread by default). Stores nothing.
 * `source` is the sender's address, so that the pool can take turns between senders.
 */
export const openBatch = async (
  db: Queryable,
  body: Uint8Array,
  opener: BatchOpener = inlineOpener,
  source = 'local',
): Promise<OpenedBatch> => {
  const device = await knownSigner(db, body);
  const envelope = await opener.open(body, { id: device.id, publicKey: device.publicKey }, source);
  return { device, envelope };
};
