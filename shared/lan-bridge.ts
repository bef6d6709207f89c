import { z } from 'zod';

/**
 * The LAN bridge (issue 11): for offices without a reachable central service, a counter PC on the
 * office's network sends invitations straight to the kiosk. IT pairs the PC once with a one-time code
 * shown on the kiosk's admin panel; the PC then holds its own token. electron/core/lan-bridge/ is the
 * server; docs/operators/counter-bridge-lan.*.md is the prose.
 */

/** How long a pairing code lives, and how many wrong tries void it. */
export const LAN_PAIRING = { codeDigits: 8, codeTtlSeconds: 600, maxWrongAttempts: 5 } as const;

/** A counter PC's token: a prefix, then 32 random bytes base64url. */
export const LAN_TOKEN_PREFIX = 'lan_';
export const LanToken = z.string().regex(/^lan_[A-Za-z0-9_-]{43}$/, 'expected a LAN bridge token');

export const PairingCode = z.string().regex(/^\d{8}$/, 'a pairing code is 8 digits');

/** What IT calls the PC ("Quầy 3 - máy cán bộ"): shown on the admin panel's list. */
export const LanClientLabel = z
  .string()
  .trim()
  .min(1)
  .max(60)
  .refine((s) => ![...s].some((c) => c.charCodeAt(0) < 0x20 || c === '\u007f'), 'no control characters');

export const PairRequest = z.strictObject({ code: PairingCode, label: LanClientLabel });
export type PairRequest = z.infer<typeof PairRequest>;

/** The answer to a successful pairing: the token is shown this once and stored only hashed. */
export const PairResult = z.object({ clientId: z.string(), label: z.string(), token: LanToken });
export type PairResult = z.infer<typeof PairResult>;

/** Every refusal the LAN bridge answers: a code the send page (and an integrator) acts on. */
export const LanErrorCode = z.enum([
  'unauthorized',
  'no_code',
  'wrong_code',
  'invalid_json',
  'invalid_request',
  'unsupported_media_type',
  'payload_too_large',
  'rate_limited',
  'not_found',
  'method_not_allowed',
  'forbidden_origin',
  'wrong_host',
  'unknown_counter',
  'unknown_procedure',
  'expired',
  'kiosk_unavailable',
]);
export type LanErrorCode = z.infer<typeof LanErrorCode>;

export const LanError = z.object({
  error: LanErrorCode,
  message: z.string(),
  issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  attemptsLeft: z.number().int().min(0).optional(),
  retryAfterSeconds: z.number().int().min(0).optional(),
});
export type LanError = z.infer<typeof LanError>;

/** GET /procedures: what the send page lists (names in the kiosk's languages). */
export const LanProcedure = z.object({
  code: z.string(),
  name: z.record(z.string(), z.string()),
  field: z.string(),
});
export const LanProcedures = z.object({
  procedures: z.array(LanProcedure),
  counters: z.array(z.object({ id: z.string(), name: z.string() })),
});
export type LanProcedures = z.infer<typeof LanProcedures>;
