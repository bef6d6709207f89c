import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { publicKeyFrom, sha256Hex, verifyBytes } from '../../shared/node/signing.ts';
import { DEVICE_HEADERS, DeviceId, requestSigningString } from '../../shared/sync.ts';
import { SyncError, parseOrThrow } from '../errors.ts';
import { type DeviceRecord, findDevice } from '../ops/devices.ts';
import type { RouteContext } from './context.ts';

const SignedHeaders = z.object({
  [DEVICE_HEADERS.device]: DeviceId,
  [DEVICE_HEADERS.timestamp]: z.string().regex(/^\d{1,15}$/, 'expected milliseconds since the epoch'),
  [DEVICE_HEADERS.signature]: z
    .string()
    .regex(/^[A-Za-z0-9_-]{86}$/, 'expected a base64url Ed25519 signature (86 characters)'),
});

export type AuthenticatedDevice = { device: DeviceRecord; timestampMs: number };

/**
 * Checks a device-signed request (docs/sync-protocol.md, "Device-signed requests"): the signature
 * covers method, path (as sent, with any query), timestamp and the body's SHA-256. Missing or
 * malformed headers → 400 invalid_body naming the header; unknown → 401; revoked → 403; a signature
 * that does not verify → 401 bad_signature. Then the device's rate limit.
 */
export const authenticateDevice = async (
  ctx: RouteContext,
  req: FastifyRequest,
  body: Buffer,
): Promise<AuthenticatedDevice> => {
  const headers = parseOrThrow(SignedHeaders, req.headers, 'device-signed request headers', 'headers.');
  const deviceId = headers[DEVICE_HEADERS.device];
  const device = await findDevice(ctx.db, deviceId);
  if (!device)
    throw new SyncError('unknown_device', `device ${deviceId} is not enrolled here; enrol it first (kioskctl enroll)`);
  if (device.revokedAt)
    throw new SyncError('device_revoked', `device ${device.id} was revoked on ${device.revokedAt.toISOString()}`);
  const timestamp = headers[DEVICE_HEADERS.timestamp];
  const signed = requestSigningString(req.method, req.url, timestamp, sha256Hex(body));
  if (!verifyBytes(Buffer.from(signed, 'utf8'), headers[DEVICE_HEADERS.signature], publicKeyFrom(device.publicKey))) {
    throw new SyncError(
      'bad_signature',
      `the request signature does not verify with device ${device.id}'s enrolled key (signed: method, path, timestamp, body SHA-256)`,
      {
        field: `headers.${DEVICE_HEADERS.signature}`,
      },
    );
  }
  await ctx.limitDevice(req, device.id);
  return { device, timestampMs: Number(timestamp) };
};
