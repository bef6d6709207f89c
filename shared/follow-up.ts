import { z } from 'zod';
import { UuidV7 } from './ids.ts';
import { LocaleCode } from './locale.ts';

/**
 * Follow-ups (a dissatisfied citizen asks to be contacted): the values that cross the kiosk's IPC, the
 * sync protocol and the central service. The survey answers stay anonymous: a contact is a separate
 * record that only points to its response, sealed on the kiosk to central's contact key
 * (shared/node/contact-seal.ts) so the kiosk cannot read it back.
 */

/** Why a number is asked. One purpose today; a consent is per purpose, so the value is recorded. */
export const ContactPurpose = z.enum(['follow-up']);
export type ContactPurpose = z.infer<typeof ContactPurpose>;

/**
 * A Vietnamese phone number as the citizen types it (spaces, dots and dashes allowed; +84 or 84 for the
 * leading 0), normalised to the national form: mobile 0[35789] and 8 digits (10 digits), landline
 * 02 and 9 digits (11 digits). Anything else is refused with a sentence the kiosk can show.
 */
export const normaliseVnPhone = (typed: string): string | null => {
  if (typed.length > 32) return null;
  const compact = typed.replace(/[\s.\-()]/g, '');
  const national = compact.startsWith('+84')
    ? `0${compact.slice(3)}`
    : compact.startsWith('84') && compact.length >= 11
      ? `0${compact.slice(2)}`
      : compact;
  if (/^0[35789]\d{8}$/.test(national)) return national;
  if (/^02\d{9}$/.test(national)) return national;
  return null;
};

export const VnPhone = z.string().transform((s, ctx) => {
  const n = normaliseVnPhone(s);
  if (n === null) {
    ctx.addIssue({
      code: 'custom',
      message: 'expected a Vietnamese phone number: 10 digits from 03, 05, 07, 08 or 09, or 11 digits from 02',
    });
    return z.NEVER;
  }
  return n;
});

/** At most this many characters of a name; a longer one is refused, not cut. */
export const CONTACT_NAME_MAX = 80;

/** What the citizen gives: the only personal data in the system. Never stored or logged in clear. */
export const ContactDetails = z
  .object({
    phone: VnPhone,
    name: z
      .string()
      .trim()
      .max(CONTACT_NAME_MAX, `a name of at most ${CONTACT_NAME_MAX} characters`)
      .refine(
        (s) => !/[<>]/.test(s) && [...s].every((c) => c >= ' ' && c !== '\u007f'),
        'a name without control characters or < >',
      )
      .optional(),
  })
  .strict();
export type ContactDetails = z.infer<typeof ContactDetails>;

/**
 * The consent as given: which text the citizen was shown (its version id, so the exact wording can be
 * produced later), for which purpose, in which language, and when (the kiosk's clock, ISO with ms).
 */
export const ConsentRecord = z
  .object({
    purpose: ContactPurpose,
    textVersion: z.string().regex(/^[a-z0-9][a-z0-9.-]{0,39}$/),
    locale: LocaleCode,
    givenAt: z.iso.datetime({ precision: 3 }),
  })
  .strict();
export type ConsentRecord = z.infer<typeof ConsentRecord>;

const B64u = (len?: number) =>
  (len === undefined ? z.string().max(2048) : z.string().length(len)).regex(/^[A-Za-z0-9_-]*$/, 'expected base64url');

/**
 * ContactDetails as JSON, sealed to central's X25519 contact key: an ephemeral X25519 key, HKDF-SHA256,
 * AES-256-GCM with the response id as associated data (a sealed contact cannot be moved to another
 * response). keyId names the central key it was sealed to (contactKeyId in contact-seal.ts).
 */
export const SealedBox = z
  .object({
    alg: z.literal('x25519-hkdf-sha256-aes256gcm'),
    keyId: z.string().regex(/^[0-9a-f]{16}$/),
    ephemeralPublicKey: B64u(43),
    nonce: B64u(16),
    ciphertext: B64u().min(24),
  })
  .strict();
export type SealedBox = z.infer<typeof SealedBox>;

/** What the kiosk stores and sends: the consent in clear (no personal data in it), the contact sealed. */
export const SealedContact = z
  .object({
    responseId: UuidV7,
    consent: ConsentRecord,
    sealed: SealedBox,
  })
  .strict();
export type SealedContact = z.infer<typeof SealedContact>;

/** Central's contact public key as it publishes it with the configuration (signed with it). */
export const PublishedContactKey = z
  .object({
    keyId: z.string().regex(/^[0-9a-f]{16}$/),
    /** X25519 public key, raw 32 bytes, base64url. */
    publicKey: B64u(43),
  })
  .strict();
export type PublishedContactKey = z.infer<typeof PublishedContactKey>;
