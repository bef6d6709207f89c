import { describe, expect, it } from 'vitest';
import { ContactDetails, SealedBox, normaliseVnPhone } from '../../shared/follow-up.ts';
import { uuidv7 } from '../../shared/ids.ts';
import { ContactSealError, newContactKeyPair, openContact, sealContact } from '../../shared/node/contact-seal.ts';

describe('Vietnamese phone numbers', () => {
  it.each([
    ['0912345678', '0912345678'],
    ['091 234 5678', '0912345678'],
    ['0912.345.678', '0912345678'],
    ['+84912345678', '0912345678'],
    ['84912345678', '0912345678'],
    ['0352-345-678', '0352345678'],
    ['02439876543', '02439876543'],
    ['+84 24 3987 6543', '02439876543'],
  ])('%s is %s', (typed, national) => expect(normaliseVnPhone(typed)).toBe(national));

  it.each([
    '',
    '091234567',
    '09123456789',
    '0112345678',
    '0612345678',
    '0412345678',
    '091234567a',
    'abc',
    '+1 212 555 0100',
    '0243987654',
    '0'.repeat(40),
  ])('refuses %j', (typed) => expect(normaliseVnPhone(typed)).toBeNull());

  it('refuses a name too long, with control characters or markup', () => {
    expect(ContactDetails.safeParse({ phone: '0912345678', name: 'x'.repeat(10_000) }).success).toBe(false);
    expect(ContactDetails.safeParse({ phone: '0912345678', name: 'a\u0007b' }).success).toBe(false);
    expect(ContactDetails.safeParse({ phone: '0912345678', name: '<script>' }).success).toBe(false);
    expect(ContactDetails.parse({ phone: '091 234 5678', name: ' Nguyễn Văn A ' })).toEqual({
      phone: '0912345678',
      name: 'Nguyễn Văn A',
    });
  });
});

describe('sealed contacts', () => {
  const key = newContactKeyPair();
  const published = { keyId: key.keyId, publicKey: key.publicKey };
  const responseId = uuidv7();

  it('opens with the central key for the same response, and the box holds no clear number', () => {
    const box = sealContact(published, responseId, { phone: '0912345678', name: 'Trần Thị B' });
    expect(SealedBox.parse(box)).toEqual(box);
    const bytes = JSON.stringify(box);
    expect(bytes).not.toContain('0912345678');
    expect(bytes).not.toContain('Trần');
    expect(openContact(key, responseId, box)).toEqual({ phone: '0912345678', name: 'Trần Thị B' });
  });

  it('two seals of the same contact differ (a fresh ephemeral key and nonce each time)', () => {
    const a = sealContact(published, responseId, { phone: '0912345678' });
    const b = sealContact(published, responseId, { phone: '0912345678' });
    expect(a.ciphertext).not.toBe(b.ciphertext);
    expect(a.ephemeralPublicKey).not.toBe(b.ephemeralPublicKey);
  });

  it('does not open for another response, another key, or after one changed byte', () => {
    const box = sealContact(published, responseId, { phone: '0912345678' });
    expect(() => openContact(key, uuidv7(), box)).toThrow(ContactSealError);
    const other = newContactKeyPair();
    expect(() => openContact(other, responseId, box)).toThrow(ContactSealError);
    expect(() => openContact({ ...other, keyId: key.keyId }, responseId, box)).toThrow(ContactSealError);
    const raw = Buffer.from(box.ciphertext, 'base64url');
    raw[0] = (raw[0] ?? 0) ^ 1;
    expect(() => openContact(key, responseId, { ...box, ciphertext: raw.toString('base64url') })).toThrow(
      ContactSealError,
    );
  });

  it('refuses to seal invalid details', () => {
    expect(() => sealContact(published, responseId, { phone: '12ab' })).toThrow();
  });
});
