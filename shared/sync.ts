import { z } from 'zod';
import { ConfigBundle } from './catalog.ts';
import { PublishedContactKey, SealedContact } from './follow-up.ts';
import { Uuid, UuidV7 } from './ids.ts';
import { Int32, SafeInt } from './numbers.ts';
import { StoredResponse } from './response.ts';
import { ReadAloudManifest } from './read-aloud.ts';
import { PublicSettings } from './settings.ts';
import { isStorableText } from './text.ts';

/**
 * Sync protocol v1 wire types (docs/sync-protocol.md is the prose). Everything that crosses the
 * network or a USB stick is parsed with these schemas on arrival.
 */
export const PROTOCOL_VERSION = 1;
export const SUPPORTED_PROTOCOLS = { min: 1, max: 1 } as const;

const MAX_ENVELOPE_BYTES = 16 * 1024 * 1024;
/** base64url length of n bytes (no padding). */
const base64UrlLength = (n: number): number => Math.ceil((n * 4) / 3);

/** Limits both sides enforce; a kiosk splits its backlog so no batch exceeds them. */
export const LIMITS = {
  maxResponsesPerBatch: 1000,
  /** Bytes of the gzip'd body on the wire or the .kbatch file. */
  maxCompressedBytes: 4 * 1024 * 1024,
  /** Bytes of the signed envelope JSON (the signed payload). 1,000 responses with a 2,000-character comment each are ~7 MB. */
  maxEnvelopeBytes: MAX_ENVELOPE_BYTES,
  /** Bytes of the Signed JSON after gunzip: the envelope in base64url plus the other fields (the zip-bomb bound). */
  maxDocumentBytes: base64UrlLength(MAX_ENVELOPE_BYTES) + 1024,
  /** `format` and `signer` must be within this many bytes at the start of the Signed JSON (read before the rest is unpacked). */
  signedHeadBytes: 1024,
  /** The Signed JSON: one flat object of strings. */
  documentJson: { maxDepth: 1, maxElements: 16, maxStringBytes: base64UrlLength(MAX_ENVELOPE_BYTES) },
  /** The envelope JSON: envelope → responses → response → answers → a list answer is depth 5. */
  envelopeJson: { maxDepth: 8, maxElements: 1_000_000, maxStringBytes: 16 * 1024 },
} as const;

const Base64Url = z.string().regex(/^[A-Za-z0-9_-]*$/, 'expected base64url');
const NOT_STORABLE = 'contains U+0000 or a lone surrogate, which cannot be stored';
/** Free text that central stores: at most `max` UTF-16 units, and storable (shared/text.ts). */
const StorableText = (max: number) => z.string().max(max).refine(isStorableText, NOT_STORABLE);
export const DeviceId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/);
export const EnrolmentCode = z
  .string()
  .regex(/^[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}$/, 'expected a code like ABCD-EFGH-JKLM');

/** The batch envelope: a contiguous run of one device's sequence, complete and abandoned alike. */
export const BatchEnvelope = z
  .object({
    protocol: Int32(0),
    deviceId: DeviceId,
    batchId: UuidV7,
    seqFrom: Int32(1),
    seqTo: Int32(1),
    createdAt: z.iso.datetime(),
    responses: z.array(StoredResponse).min(1).max(LIMITS.maxResponsesPerBatch),
    /**
     * Follow-up contacts of responses in THIS batch (at most one per response), sealed to central's
     * contact key; absent when there are none and from kiosks before follow-ups. A contact travels with
     * its response, so a re-sent batch carries it again (central keeps the first).
     */
    contacts: z.array(SealedContact).max(LIMITS.maxResponsesPerBatch).optional(),
  })
  .superRefine((b, ctx) => {
    if (b.seqTo < b.seqFrom) ctx.addIssue({ code: 'custom', path: ['seqTo'], message: 'seqTo is before seqFrom' });
    if (b.responses.length !== b.seqTo - b.seqFrom + 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['responses'],
        message: `expected ${b.seqTo - b.seqFrom + 1} responses for seq ${b.seqFrom}..${b.seqTo}`,
      });
    }
    b.responses.forEach((r, i) => {
      if (r.seq !== b.seqFrom + i)
        ctx.addIssue({ code: 'custom', path: ['responses', i, 'seq'], message: `expected seq ${b.seqFrom + i}` });
      if (r.deviceId !== b.deviceId)
        ctx.addIssue({ code: 'custom', path: ['responses', i, 'deviceId'], message: 'response from another device' });
      // Answer text is free text (the kiosk's checks refuse these too; this holds for any client).
      for (const [key, value] of Object.entries(r.answers)) {
        const texts = typeof value === 'string' ? [value] : Array.isArray(value) ? value : [];
        if (texts.some((t) => !isStorableText(t)))
          ctx.addIssue({ code: 'custom', path: ['responses', i, 'answers', key], message: NOT_STORABLE });
      }
    });
    const inBatch = new Set(b.responses.map((r) => r.id));
    const seen = new Set<string>();
    b.contacts?.forEach((c, i) => {
      if (!inBatch.has(c.responseId))
        ctx.addIssue({ code: 'custom', path: ['contacts', i, 'responseId'], message: 'not a response of this batch' });
      if (seen.has(c.responseId))
        ctx.addIssue({
          code: 'custom',
          path: ['contacts', i, 'responseId'],
          message: 'a second contact for one response',
        });
      seen.add(c.responseId);
    });
  });
export type BatchEnvelope = z.infer<typeof BatchEnvelope>;

/**
 * A signed document: the exact UTF-8 bytes that were signed (base64url), the Ed25519 signature over
 * them, and who signed. Signing bytes rather than re-serialised JSON means no canonicalisation rules.
 * The same shape, gzip'd, is the HTTP body of POST /v1/batches and the content of a .kbatch file.
 */
export const Signed = z.object({
  format: z.enum(['kbatch', 'kconfig']),
  signer: z.string().min(1).max(64),
  payload: Base64Url.min(1),
  signature: Base64Url.length(86),
});
export type Signed = z.infer<typeof Signed>;

export const EnrolRequest = z.object({
  protocol: Int32(0),
  code: EnrolmentCode,
  deviceId: DeviceId,
  /** Ed25519 public key, raw 32 bytes, base64url. */
  publicKey: Base64Url.length(43),
  appVersion: StorableText(40),
  label: StorableText(120).optional(),
});
export type EnrolRequest = z.infer<typeof EnrolRequest>;

export const EnrolResponse = z.object({
  deviceId: DeviceId,
  unit: z.object({ id: z.string(), name: z.string() }),
  /** Central's Ed25519 public key (raw, base64url) that signs configuration. */
  centralPublicKey: Base64Url.length(43),
  serverTime: z.iso.datetime(),
});
export type EnrolResponse = z.infer<typeof EnrolResponse>;

export const ConflictItem = z.object({
  id: Uuid,
  seq: Int32(1),
  reason: z.enum(['different_content', 'seq_taken']),
});

export const BatchAck = z.object({
  batchId: UuidV7,
  deviceId: DeviceId,
  received: Int32(0),
  inserted: Int32(0),
  duplicates: Int32(0),
  conflicts: z.array(ConflictItem),
  /** Highest H such that central holds every seq 1..H of this device. */
  highestContiguousSeq: Int32(0),
  /**
   * Responses of this batch central set aside as invalid (unknown questionnaire or answers that break
   * its rules): received, never stored as responses, not sent again. Absent from older centrals.
   */
  refused: Int32(0).optional(),
});
export type BatchAck = z.infer<typeof BatchAck>;

export const Heartbeat = z.object({
  deviceId: DeviceId,
  clock: z.iso.datetime(),
  /**
   * When the kiosk sent this heartbeat, on its clock, to the millisecond (toISOString's shape, so the
   * field is bounded). Central refuses a heartbeat whose sentAt is outside a window around its own
   * clock, so a captured one cannot be replayed to make a dead kiosk look alive. Optional in
   * protocol 1: kiosks from before it do not send it (docs/sync-protocol.md, "Heartbeat").
   */
  sentAt: z.iso.datetime({ precision: 3 }).optional(),
  appVersion: StorableText(40),
  configVersion: StorableText(80),
  lastSeq: Int32(0),
  lastAckedSeq: Int32(0),
  queueDepth: Int32(0),
  freeDiskBytes: SafeInt(0).nullable(),
  procedureCode: StorableText(40).nullable(),
});
export type Heartbeat = z.infer<typeof Heartbeat>;

export const HeartbeatReply = z.object({
  serverTime: z.iso.datetime(),
  highestContiguousSeq: Int32(0),
  configVersion: z.string().nullable(),
});

/** What central publishes to a unit's kiosks, signed by the central key (format "kconfig"). */
export const PublishedConfig = z.object({
  version: z.string().min(1).max(80),
  publishedAt: z.iso.datetime(),
  bundle: ConfigBundle,
  settings: PublicSettings.partial().optional(),
  /** Central's X25519 key for sealing follow-up contacts; without it a kiosk offers no follow-up. */
  contactKey: PublishedContactKey.optional(),
  /** Read-aloud clips (issue 15): which texts have a recording, fetched from GET /v1/clips/<audioSha256>. */
  readAloud: ReadAloudManifest.optional(),
});
export type PublishedConfig = z.infer<typeof PublishedConfig>;

export const SyncErrorCode = z.enum([
  'invalid_body',
  'unsupported_protocol',
  'bad_signature',
  'unknown_device',
  'device_revoked',
  'enrolment_code_invalid',
  'device_exists',
  'too_large',
  'rate_limited',
  'heartbeat_out_of_window',
  'server_busy',
  'internal',
  // The counter API (issue 11, docs/counter-api.yaml): an integration key's refusals and the invitation's.
  'unknown_key',
  'key_revoked',
  'unit_out_of_scope',
  'unknown_procedure',
  'unknown_counter',
  'not_found',
]);
export type SyncErrorCode = z.infer<typeof SyncErrorCode>;

/** Every error body: a code, a sentence, and where it applies the offending field or the supported range. */
export const SyncErrorBody = z.object({
  error: SyncErrorCode,
  message: z.string(),
  field: z.string().optional(),
  supported: z.object({ min: Int32(0), max: Int32(0) }).optional(),
});
export type SyncErrorBody = z.infer<typeof SyncErrorBody>;

/** Request-signing headers for device calls that carry no signed envelope (heartbeat, config). */
export const DEVICE_HEADERS = {
  device: 'x-kiosk-device',
  timestamp: 'x-kiosk-timestamp',
  signature: 'x-kiosk-signature',
} as const;

/** The string a device signs for a request: method, path, timestamp and the body's SHA-256 (hex). */
export const requestSigningString = (method: string, path: string, timestamp: string, bodySha256Hex: string): string =>
  `kiosk-request-v1\n${method.toUpperCase()}\n${path}\n${timestamp}\n${bodySha256Hex}`;
